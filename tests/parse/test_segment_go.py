"""Go: funcs, methods named by receiver type, struct / interface / other types, `//` doc blocks."""

from __future__ import annotations

from textwrap import dedent

from codetune.parse.segment import segment_source
from tests.parse.lookup import names, only

SOURCE = dedent(
    """\
    package stack

    // Stack holds items.
    // It is not safe for concurrent use.
    type Stack[T any] struct {
    \titems []T
    }

    //go:noinline
    // Push adds v on top.
    func (s *Stack[T]) Push(v T) {
    \tadd := func() {}
    \tadd()
    }

    // Detached comment.

    func New() *Stack[int] { return &Stack[int]{} }

    type (
    \t// Sizer reports a size.
    \tSizer interface{ Size() int }
    \tCount = int
    )

    /* Meters is a distance. */
    type Meters float64
    """
).encode()


def test_go_segments_have_kinds_and_receiver_parents():
    assert names(segment_source("go", SOURCE)) == [
        ("struct", "", "Stack"),
        ("method", "Stack", "Push"),
        ("function", "", "New"),
        ("interface", "", "Sizer"),
        ("type", "", "Count"),
        ("type", "", "Meters"),
    ]


def test_go_comment_block_above_a_type_is_its_doc():
    stack = only(segment_source("go", SOURCE), "Stack")
    assert stack.docstring == "Stack holds items.\nIt is not safe for concurrent use."
    assert stack.code == "type Stack[T any] struct {\n\titems []T\n}"
    assert (stack.start_line, stack.end_line) == (5, 7)


def test_go_directives_are_left_out_of_the_doc():
    push = only(segment_source("go", SOURCE), "Push")
    assert push.docstring == "Push adds v on top."
    assert push.code.startswith("func (s *Stack[T]) Push(v T) {")
    assert (push.start_line, push.end_line) == (11, 14)


def test_go_comment_separated_by_a_blank_line_is_not_a_doc():
    assert only(segment_source("go", SOURCE), "New").docstring == ""


def test_go_grouped_type_spec_gets_its_own_doc_and_block_comments_count():
    result = segment_source("go", SOURCE)
    assert only(result, "Sizer").docstring == "Sizer reports a size."
    assert only(result, "Sizer").code == "Sizer interface{ Size() int }"
    assert only(result, "Meters").docstring == "Meters is a distance."
    assert only(result, "Meters").code == "type Meters float64"


def test_go_syntax_error_marks_the_broken_func_and_the_file():
    result = segment_source("go", b"package p\nfunc ok() {}\nfunc broken() { x := }\nfunc after() {}\n")
    assert result.has_error
    assert [(s.name, s.has_error) for s in result.segments] == [
        ("ok", False),
        ("broken", True),
        ("after", False),
    ]
