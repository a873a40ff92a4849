"""JavaScript, TypeScript and TSX: declarations, exports, arrow functions, classes, JSDoc."""

from __future__ import annotations

from textwrap import dedent

import pytest

from codetune.parse.segment import segment_source
from tests.parse.lookup import names, only

JAVASCRIPT = dedent(
    """\
    /**
     * Adds two numbers.
     * @param {number} a
     */
    export function add(a, b) {
      return a + b;
    }

    /** Doubles. */
    export const double = (x) => x * 2;

    // A plain comment is not JSDoc.
    let shout = function named() {};

    /** Widgets. */
    export default class Widget extends Base {
      /**
       * Renders it.
       */
      render() {
        const local = () => 1;
        return local();
      }

      onClick = () => this.render();
    }

    const config = { method() {} };
    """
).encode()


def test_javascript_segments_include_exports_arrows_classes_and_methods():
    assert names(segment_source("javascript", JAVASCRIPT)) == [
        ("function", "", "add"),
        ("function", "", "double"),
        ("function", "", "shout"),
        ("class", "", "Widget"),
        ("method", "Widget", "render"),
        ("method", "Widget", "onClick"),
    ]


def test_javascript_jsdoc_is_stripped_of_markers_and_left_out_of_code():
    add = only(segment_source("javascript", JAVASCRIPT), "add")
    assert add.docstring == "Adds two numbers.\n@param {number} a"
    assert add.code == "export function add(a, b) {\n  return a + b;\n}"
    assert (add.start_line, add.end_line) == (5, 7)


def test_javascript_arrow_function_code_is_the_whole_exported_declaration():
    double = only(segment_source("javascript", JAVASCRIPT), "double")
    assert double.docstring == "Doubles."
    assert double.code == "export const double = (x) => x * 2;"
    assert double.start_line == double.end_line == 10


def test_javascript_plain_line_comment_is_not_a_docstring():
    assert only(segment_source("javascript", JAVASCRIPT), "shout").docstring == ""


def test_javascript_method_has_class_parent_and_own_jsdoc():
    render = only(segment_source("javascript", JAVASCRIPT), "render")
    assert render.docstring == "Renders it."
    assert render.code.startswith("render() {\n  const local")
    assert (render.start_line, render.end_line) == (20, 23)


def test_javascript_anonymous_default_exports_are_named_default():
    result = segment_source("javascript", b"export default function () {}\n")
    assert names(result) == [("function", "", "default")]
    assert names(segment_source("javascript", b"export default class {}\n")) == [("class", "", "default")]


def test_javascript_syntax_error_marks_the_broken_function_only():
    source = b"function ok() { return 1; }\nfunction broken() { return (; }\nfunction after() { return 3; }\n"
    result = segment_source("javascript", source)
    assert result.has_error
    assert [(s.name, s.has_error) for s in result.segments] == [
        ("ok", False),
        ("broken", True),
        ("after", False),
    ]


TYPESCRIPT = dedent(
    """\
    /** Shape of a user. */
    export interface User {
      name: string;
    }

    export type Id = string | number;

    enum Color { Red, Green }

    namespace Geometry {
      export function area(r: number): number { return r * r; }
    }

    @Component({ selector: "app" })
    export class App {
      /** Handles clicks. */
      @HostListener("click")
      onClick(event: Event): void {}
    }

    abstract class Repo<T> {
      abstract find(id: Id): T;
      count(): number { return 0; }
    }
    """
).encode()


@pytest.mark.parametrize("language", ["typescript", "tsx"])
def test_typescript_segments_include_interfaces_types_enums_namespaces_and_classes(language):
    assert names(segment_source(language, TYPESCRIPT)) == [
        ("interface", "", "User"),
        ("type", "", "Id"),
        ("enum", "", "Color"),
        ("module", "", "Geometry"),
        ("function", "Geometry", "area"),
        ("class", "", "App"),
        ("method", "App", "onClick"),
        ("class", "", "Repo"),
        ("method", "Repo", "count"),
    ]


def test_typescript_interface_docstring_and_lines():
    user = only(segment_source("typescript", TYPESCRIPT), "User")
    assert user.docstring == "Shape of a user."
    assert user.code == "export interface User {\n  name: string;\n}"
    assert (user.start_line, user.end_line) == (2, 4)


def test_typescript_decorators_belong_to_the_code_and_jsdoc_above_them_is_the_docstring():
    on_click = only(segment_source("typescript", TYPESCRIPT), "onClick")
    assert on_click.docstring == "Handles clicks."
    assert on_click.code == '@HostListener("click")\nonClick(event: Event): void {}'
    assert (on_click.start_line, on_click.end_line) == (17, 18)
    app = only(segment_source("typescript", TYPESCRIPT), "App")
    assert app.code.startswith('@Component({ selector: "app" })\nexport class App {')


def test_tsx_parses_jsx_inside_components():
    source = b"/** Greets. */\nexport const Hello = ({ name }: Props) => <div>Hello {name}</div>;\n"
    result = segment_source("tsx", source)
    assert not result.has_error
    hello = only(result, "Hello")
    assert (hello.kind, hello.docstring) == ("function", "Greets.")


def test_typescript_syntax_error_marks_the_broken_segment_and_the_file():
    source = b"function ok(): number { return 1; }\nclass K { m() { return ( } }\n"
    result = segment_source("typescript", source)
    assert result.has_error
    assert not only(result, "ok").has_error
    assert only(result, "m").has_error
