"""Byte spans of the tree-sitter nodes that make good fill-in-the-middle holes.

AST-aware FIM (the middle is one whole syntax node, as in SAFIM / aiXcoder's structured FIM) teaches a model
to complete units a programmer leaves open: a function body, a block, an expression, an argument list.
`infill_candidates` runs as the target of an `IsolatedSegmenter`, so a file that hangs or crashes tree-sitter
costs only its own FIM row.
"""

from __future__ import annotations

import functools
import re

from tree_sitter import Node

from codetune.parse.languages import get_language
from codetune.parse.syntax_tree import DEFAULT_TIMEOUT_MICROS, parse_tree

# Node types by name across grammars: bodies and blocks, expressions and calls, argument lists.
_HOLE_TYPE = re.compile(
    r"(^|_)(block|body|function_body|arguments|argument_list|expression|call|call_expression)$"
    r"|^(binary|boolean|comparison)_operator$"
)
# Bodies of type definitions are whole declarations, not holes a completion model fills.
_NOT_A_HOLE = re.compile(r"^(class|contract|struct|enum|interface|type)_body$|^type_arguments$")


@functools.cache
def _hole_types(language: str) -> frozenset[str]:
    grammar = get_language(language)
    if grammar is None:
        return frozenset()
    names = {
        grammar.node_kind_for_id(i) for i in range(grammar.node_kind_count) if grammar.node_kind_is_named(i)
    }
    return frozenset(name for name in names if _HOLE_TYPE.search(name) and not _NOT_A_HOLE.search(name))


def infill_candidates(
    language: str, source: bytes, timeout_micros: int = DEFAULT_TIMEOUT_MICROS
) -> tuple[tuple[int, int], ...]:
    """Distinct (start_byte, end_byte) spans of error-free hole nodes in source order, not the whole file."""
    return hole_spans(language, source, parse_tree(language, source, timeout_micros).root_node)


def hole_spans(language: str, source: bytes, root: Node) -> tuple[tuple[int, int], ...]:
    """`infill_candidates` of a file already parsed (`root`)."""
    hole_types = _hole_types(language)
    spans: set[tuple[int, int]] = set()
    cursor = root.walk()
    while True:
        node = cursor.node
        descend = True
        if node is not None and node.type in hole_types and not node.has_error:
            start, end = node.start_byte, node.end_byte
            if end > start and source[start:end].strip() and (start, end) != (0, len(source)):
                spans.add((start, end))
        if node is not None and node.has_error and node.type == "ERROR":
            descend = False
        if descend and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return tuple(sorted(spans))
