"""Per-language rules that turn query captures into segments: scopes, wrappers, docs and naming.

The queries (queries/<name>.scm) say *what* is a definition; these rules say how it relates to its
surroundings. A definition inside a function body (or a lambda, closure, object literal) is local code of
that function and does not become a segment of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from tree_sitter import Node

from codetune.parse.doc_comments import CommentDocs
from codetune.parse.errors import UnsupportedLanguageError

NameOf = Callable[[Node, Node | None, bytes], str]


@dataclass(frozen=True)
class SegmentRules:
    """How one language's definitions become segments."""

    query: str  # stem of the .scm file in codetune/parse/queries
    local_scopes: frozenset[str]  # node types whose insides are local code, never segments
    method_containers: frozenset[str] = frozenset()  # kinds whose "function" members are "method"s
    # parent node type -> member node types; the parent joins the definition's code when the definition
    # is its only member (an empty set: always). Decorators, `export`, `const x = () => ...`, `type (...)`.
    wrappers: Mapping[str, frozenset[str]] = field(default_factory=dict)
    leading_docs: CommentDocs | None = None  # doc comments above the definition
    body_docs: CommentDocs | None = None  # doc comments opening the body (Rust `//!`), if none above
    python_docstrings: bool = False
    name_of: NameOf | None = None  # names definitions that have no plain name node
    parent_of: Callable[[Node, bytes], str | None] | None = None  # e.g. a Go method's receiver type
    script_parent: Callable[[Node, bytes], str] | None = None  # parent of top-level definitions


def _text(node: Node, source: bytes) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", "replace")


_RUST_TYPE_INNER = {
    "generic_type": "type",
    "reference_type": "type",
    "pointer_type": "type",
    "scoped_type_identifier": "name",
}


def _rust_name(definition: Node, name: Node | None, source: bytes) -> str:
    """An impl is named after its self type without path or generics: `impl<T> a::Foo<T>` -> "Foo"."""
    if name is None:
        return ""
    while definition.type == "impl_item" and name.type in _RUST_TYPE_INNER:
        inner = name.child_by_field_name(_RUST_TYPE_INNER[name.type])
        if inner is None:
            break
        name = inner
    return _text(name, source)


def _solidity_name(definition: Node, name: Node | None, source: bytes) -> str:
    """Constructors are "constructor"; fallback and receive functions are named by their keyword."""
    if name is not None:
        return _text(name, source)
    if definition.type == "constructor_definition":
        return "constructor"
    return _text(definition.children[0], source)


def _javascript_name(definition: Node, name: Node | None, source: bytes) -> str:
    """Anonymous `export default function () {}` / `export default class {}` are named "default"."""
    if name is not None:
        return _text(name, source)
    own_name = definition.child_by_field_name("name")
    return _text(own_name, source) if own_name is not None else "default"


def _go_receiver(definition: Node, source: bytes) -> str | None:
    """A Go method's parent is its receiver's type: `func (s *Stack[T]) Push` -> "Stack"."""
    if definition.type != "method_declaration":
        return None
    receiver = definition.child_by_field_name("receiver")
    parameter = receiver.named_children[0] if receiver is not None and receiver.named_children else None
    node = parameter.child_by_field_name("type") if parameter is not None else None
    while node is not None and node.type in ("pointer_type", "generic_type", "parenthesized_type"):
        node = node.child_by_field_name("type") or (node.named_children[0] if node.named_children else None)
    return _text(node, source) if node is not None else None


def _gdscript_class_name(root: Node, source: bytes) -> str:
    """A GDScript file is a class; `class_name Player` names it, so top-level definitions belong to it."""
    for child in root.named_children:
        if child.type == "class_name_statement":
            name = child.child_by_field_name("name")
            return _text(name, source) if name is not None else ""
    return ""


_JS_LOCAL_SCOPES = frozenset(
    {
        "function_declaration",
        "generator_function_declaration",
        "function_expression",
        "generator_function",
        "arrow_function",
        "method_definition",
        "class_static_block",
        "object",
    }
)
_JSDOC = CommentDocs(
    comment_types=frozenset({"comment"}),
    doc_prefixes=("/**",),
    not_prefixes=("/**/",),
    line_marker=r"^//",
    nearest_only=True,
    attached_types=frozenset({"decorator"}),
)
_JS_WRAPPERS: Mapping[str, frozenset[str]] = {
    "export_statement": frozenset(),
    "lexical_declaration": frozenset({"variable_declarator"}),
    "variable_declaration": frozenset({"variable_declarator"}),
    "expression_statement": frozenset({"internal_module"}),
}
_JAVASCRIPT = SegmentRules(
    query="javascript",
    local_scopes=_JS_LOCAL_SCOPES,
    method_containers=frozenset({"class"}),
    wrappers=_JS_WRAPPERS,
    leading_docs=_JSDOC,
    name_of=_javascript_name,
)
_TYPESCRIPT = SegmentRules(
    query="typescript",
    local_scopes=_JS_LOCAL_SCOPES,
    method_containers=frozenset({"class"}),
    wrappers=_JS_WRAPPERS,
    leading_docs=_JSDOC,
    name_of=_javascript_name,
)

RULES: dict[str, SegmentRules] = {
    "python": SegmentRules(
        query="python",
        local_scopes=frozenset({"function_definition", "lambda"}),
        method_containers=frozenset({"class"}),
        wrappers={"decorated_definition": frozenset()},
        python_docstrings=True,
    ),
    "javascript": _JAVASCRIPT,
    "typescript": _TYPESCRIPT,
    "tsx": _TYPESCRIPT,
    "rust": SegmentRules(
        query="rust",
        local_scopes=frozenset({"function_item", "closure_expression"}),
        method_containers=frozenset({"impl", "trait"}),
        # Attributes (#[derive], #[near_bindgen], #[near]) are part of the code: they change what it means.
        leading_docs=CommentDocs(
            comment_types=frozenset({"line_comment", "block_comment"}),
            doc_prefixes=("///", "/**"),
            not_prefixes=("////", "/**/", "/***"),
            line_marker=r"^///",
            attached_types=frozenset({"attribute_item"}),
        ),
        body_docs=CommentDocs(
            comment_types=frozenset({"line_comment", "block_comment"}),
            doc_prefixes=("//!", "/*!"),
            line_marker=r"^//!",
        ),
        name_of=_rust_name,
    ),
    "go": SegmentRules(
        query="go",
        local_scopes=frozenset({"function_declaration", "method_declaration", "func_literal"}),
        wrappers={"type_declaration": frozenset({"type_spec", "type_alias"})},
        leading_docs=CommentDocs(
            comment_types=frozenset({"comment"}),
            doc_prefixes=("//", "/*"),
            line_marker=r"^//",
            drop_lines=r"^[a-z0-9]+:[a-z0-9]",  # //go:generate, //nolint:... are directives, not docs
        ),
        parent_of=_go_receiver,
    ),
    "gdscript": SegmentRules(
        query="gdscript",
        local_scopes=frozenset({"function_definition", "lambda"}),
        method_containers=frozenset({"class"}),
        leading_docs=CommentDocs(
            comment_types=frozenset({"comment"}),
            doc_prefixes=("#",),
            line_marker=r"^##?",
            attached_types=frozenset({"annotation"}),
        ),
        script_parent=_gdscript_class_name,
    ),
    "solidity": SegmentRules(
        query="solidity",
        local_scopes=frozenset(
            {
                "function_definition",
                "modifier_definition",
                "constructor_definition",
                "fallback_receive_definition",
            }
        ),
        leading_docs=CommentDocs(
            comment_types=frozenset({"comment"}),
            doc_prefixes=("///", "/**"),
            not_prefixes=("////", "/**/"),
            line_marker=r"^///",
        ),
        name_of=_solidity_name,
    ),
}


def rules_for(language: str) -> SegmentRules:
    """The segment rules of a language, or a clear error naming the languages that have them."""
    try:
        return RULES[language]
    except KeyError:
        supported = ", ".join(sorted(RULES))
        raise UnsupportedLanguageError(
            f"no segment rules for language {language!r}; segment_source supports: {supported}"
        ) from None
