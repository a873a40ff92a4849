"""Split a source file into segments (functions, methods, classes, ...) with their docs separated.

Each segment's `code` is the definition's source without its doc, dedented by the definition's own
indentation; attributes, decorators and `export` are part of the code. Definitions local to a function body
are part of that function's code and are not segments of their own.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import tree_sitter
from tree_sitter import Node

from codetune.parse import doc_comments
from codetune.parse.code_text import Cut, code_text
from codetune.parse.languages import get_language
from codetune.parse.segment_rules import SegmentRules, rules_for
from codetune.parse.syntax_tree import DEFAULT_TIMEOUT_MICROS, parse_tree

SEGMENT_KINDS = frozenset(
    {
        "function",  # free function (Solidity: every function, also inside contracts)
        "method",  # function of a class / impl / trait / Go receiver type
        "class",
        "struct",
        "enum",
        "trait",
        "interface",
        "impl",  # Rust impl block, named after its self type
        "contract",  # Solidity contract or library
        "signal",  # GDScript signal
        "module",  # Rust `mod x { ... }`, TypeScript namespace
        "type",  # type alias / Go named type that is neither struct nor interface
        "modifier",  # Solidity
        "event",  # Solidity
        "error",  # Solidity custom error
    }
)
_FUNCTION_KINDS = frozenset({"function", "method"})


class Segment(NamedTuple):
    """One definition of a source file, its code and its doc kept apart.

    A named tuple rather than a dataclass: tens of thousands cross the parse worker's pipe per task, and
    tuples pickle in half the bytes and time.
    """

    kind: str
    name: str
    parent: str
    code: str
    docstring: str
    start_line: int
    end_line: int
    has_error: bool


@dataclass(frozen=True)
class ParseResult:
    """All segments of a file in source order, and whether the file has syntax errors anywhere; and, when
    asked for (`codetune.parse.source_file.parse_file`), the file's fill-in-the-middle hole spans."""

    segments: tuple[Segment, ...]
    has_error: bool
    holes: tuple[tuple[int, int], ...] | None = None


class _Definition(NamedTuple):
    node: Node
    kind: str
    name: Node | None
    pattern: int


@functools.cache
def _query_text(query_name: str) -> str:
    return (importlib.resources.files("codetune.parse") / "queries" / f"{query_name}.scm").read_text()


@functools.cache
def _query(language: str, query_name: str) -> tree_sitter.Query:
    return tree_sitter.Query(get_language(language), _query_text(query_name))


@functools.cache
def _pattern_roots(query_name: str) -> frozenset[str]:
    """Node types that patterns of the query start at (every pattern is a line beginning `(node_type`)."""
    return frozenset(re.findall(r"(?m)^\((\w+)", _query_text(query_name)))


def _definitions(language: str, rules: SegmentRules, root: Node) -> list[_Definition]:
    """Query captures, one per node (the earliest pattern wins), outer definitions before inner ones.

    The query runs on each candidate node alone (start depth 0) while the tree is walked without entering
    local scopes: everything in a local scope is local code anyway, and function bodies are most of a
    file's nodes, so this visits a fraction of what one query over the whole tree would.
    """
    cursor = tree_sitter.QueryCursor(_query(language, rules.query))
    cursor.set_max_start_depth(0)
    matches = cursor.matches
    roots = _pattern_roots(rules.query)
    local_scopes = rules.local_scopes
    found: dict[int, _Definition] = {}
    stack = [root]
    pop, extend = stack.pop, stack.extend  # this loop visits every node outside function bodies
    while stack:
        node = pop()
        node_type = node.type
        if node_type in roots:
            for pattern, captures in matches(node):
                names = captures.get("name")
                for capture, nodes in captures.items():
                    if not capture.startswith("definition."):
                        continue
                    captured = nodes[0]
                    earlier = found.get(captured.id)
                    if earlier is None or pattern < earlier.pattern:
                        kind = capture.removeprefix("definition.")
                        found[captured.id] = _Definition(captured, kind, names[0] if names else None, pattern)
        if node_type not in local_scopes and node.named_child_count:
            extend(node.named_children)
    return sorted(found.values(), key=_source_order)


def _source_order(definition: _Definition) -> tuple[int, int]:
    """Outer definitions before the ones they contain."""
    node = definition.node
    return node.start_byte, -node.end_byte


def _outermost(node: Node, wrappers: Mapping[str, frozenset[str]]) -> Node:
    """Climbs into wrappers that belong to the definition: decorators, `export`, `const f = ...`."""
    while (parent := node.parent) is not None and parent.type in wrappers:
        members = wrappers[parent.type]
        if members and sum(child.type in members for child in parent.named_children) != 1:
            break
        node = parent
    return node


def segment_source(language: str, source: bytes, timeout_micros: int = DEFAULT_TIMEOUT_MICROS) -> ParseResult:
    """Parses `source` into segments; raises ParseTimeout when parsing takes longer than `timeout_micros`."""
    rules_for(language)  # an unsupported language fails before the parse
    return segment_tree(language, source, parse_tree(language, source, timeout_micros).root_node)


def segment_tree(language: str, source: bytes, root: Node) -> ParseResult:
    """The segments of a file already parsed (`root`), so one parse can serve several readers."""
    rules = rules_for(language)
    top_parent = rules.script_parent(root, source) if rules.script_parent else ""
    kept: dict[int, tuple[str, str]] = {}  # node id -> (kind, name) of segments that may hold others
    segments: list[Segment] = []
    for definition in _definitions(language, rules, root):
        enclosing = _enclosing(definition.node, rules, kept, top_parent)
        if enclosing is None:
            continue
        parent_kind, parent = enclosing
        kind = definition.kind
        if kind == "function" and parent_kind in rules.method_containers:
            kind = "method"
        if rules.parent_of is not None:
            parent = rules.parent_of(definition.node, source) or parent
        name = (rules.name_of or _plain_name)(definition.node, definition.name, source)
        segment = _build_segment(definition.node, kind, name, parent, rules, source)
        kept[definition.node.id] = (kind, name)
        segments.append(segment)
    return ParseResult(tuple(segments), root.has_error)


def _plain_name(definition: Node, name: Node | None, source: bytes) -> str:
    return "" if name is None else source[name.start_byte : name.end_byte].decode("utf-8", "replace")


def _enclosing(
    node: Node, rules: SegmentRules, kept: dict[int, tuple[str, str]], top_parent: str
) -> tuple[str, str] | None:
    """(kind, name) of the segment around `node`, ("", top_parent) at top level, None for local code."""
    ancestor = node.parent
    while ancestor is not None:
        if ancestor.id in kept:
            kind, name = kept[ancestor.id]
            return None if kind in _FUNCTION_KINDS else (kind, name)
        if ancestor.type in rules.local_scopes:
            return None
        ancestor = ancestor.parent
    return ("", top_parent)


def _build_segment(
    node: Node, kind: str, name: str, parent: str, rules: SegmentRules, source: bytes
) -> Segment:
    outer = _outermost(node, rules.wrappers)
    code_start, docstring, cuts = outer, "", ()
    if rules.python_docstrings:
        found = doc_comments.python_docstring(node, source)
        if found is not None:
            statement = found.statement
            replacement = b"pass" if found.is_whole_body else b""
            docstring, cuts = found.text, (Cut(statement.start_byte, statement.end_byte, replacement),)
    if rules.leading_docs is not None:
        leading = doc_comments.leading_comments(outer, source, rules.leading_docs)
        code_start = leading.code_start
        docs = leading.docs
        if not docs and rules.body_docs is not None:
            docs = doc_comments.body_comments(node, source, rules.body_docs)
            docstring = doc_comments.comment_text(docs, source, rules.body_docs)
        else:
            docstring = doc_comments.comment_text(docs, source, rules.leading_docs)
        cuts = _cuts_inside(docs, code_start.start_byte) if docs else ()  # most definitions have no docs
    return Segment(
        kind=kind,
        name=name,
        parent=parent,
        code=code_text(source, code_start.start_byte, outer.end_byte, cuts),
        docstring=docstring,
        start_line=code_start.start_point.row + 1,
        end_line=doc_comments.last_row(outer) + 1,
        has_error=_has_error(code_start, outer),
    )


def _cuts_inside(docs: tuple[Node, ...], code_start: int) -> tuple[Cut, ...]:
    """The doc comments that sit among the code's attributes, cut out of the code."""
    return tuple(Cut(doc.start_byte, doc.end_byte) for doc in docs if doc.start_byte > code_start)


def _has_error(first: Node, last: Node) -> bool:
    """Whether any node from `first` (an attribute or the definition) through `last` holds a syntax error."""
    node: Node | None = first
    while node is not None:
        if node.has_error:
            return True
        if node == last:
            return False
        node = node.next_sibling
    return False
