"""Split a markdown document into heading sections, each with its fenced code blocks and their prose.

Sections end at the next heading of any level (a section's text never repeats its subsections);
`heading_path` keeps the context of the enclosing headings. Front matter (--- or +++) is left out.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from tree_sitter import Node

from codetune.parse.doc_comments import last_row
from codetune.parse.syntax_tree import DEFAULT_TIMEOUT_MICROS, parse_tree

_ATX_LEVELS = {f"atx_h{level}_marker": level for level in range(1, 7)}
_SETEXT_LEVELS = {"setext_h1_underline": 1, "setext_h2_underline": 2}
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_METADATA = ("minus_metadata", "plus_metadata")


@dataclass(frozen=True)
class CodeBlock:
    """A fenced code block and the prose that introduces it."""

    language: str
    code: str
    prose: str
    start_line: int


@dataclass(frozen=True)
class MarkdownSection:
    """The text from one heading to the next (or the preamble before the first heading)."""

    title: str
    level: int
    heading_path: tuple[str, ...]
    text: str
    start_line: int
    end_line: int
    code_blocks: tuple[CodeBlock, ...]


@dataclass(frozen=True)
class _Heading:
    row: int
    level: int
    title: str


def split_markdown(text: str, timeout_micros: int = DEFAULT_TIMEOUT_MICROS) -> list[MarkdownSection]:
    """Sections of `text` in order, empty preamble skipped; raises ParseTimeout on pathological input."""
    source = text.encode("utf-8")
    root = parse_tree("markdown", source, timeout_micros).root_node
    lines = text.split("\n")
    headings = [_heading(node, source) for node in _headings(root)]
    body_start = next((last_row(c) + 1 for c in root.children if c.type in _METADATA), 0)
    blocks = [_code_block(node, source) for node in _block_descendants(root, "fenced_code_block")]

    sections: list[MarkdownSection] = []
    path: list[tuple[int, str]] = []
    bounds = [_Heading(body_start, 0, ""), *headings, _Heading(len(lines), 0, "")]
    for heading, following in itertools.pairwise(bounds):
        if heading.level:
            path = [*(entry for entry in path if entry[0] < heading.level), (heading.level, heading.title)]
        start, end = heading.row, following.row - 1
        while end >= start and not lines[end].strip():
            end -= 1
        if end < start:
            continue  # empty preamble
        sections.append(
            MarkdownSection(
                title=heading.title,
                level=heading.level,
                heading_path=tuple(title for _, title in path) if heading.level else (),
                text="\n".join(lines[start : end + 1]),
                start_line=start + 1,
                end_line=end + 1,
                code_blocks=tuple(b for b in blocks if start < b.start_line <= end + 1),
            )
        )
    return sections


def _descendants(node: Node, node_type: str) -> list[Node]:
    """All descendants of one type in document order (iterative: deep nesting must not hit recursion)."""
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        if current.type == node_type:
            found.append(current)
        stack.extend(reversed(current.children))
    return found


# Block nodes that hold other blocks; a fenced code block is always a child of one of these, never part of a
# paragraph, heading or table, so the search for blocks skips the (many) inline nodes.
_BLOCK_CONTAINERS = frozenset({"document", "section", "list", "list_item", "block_quote"})


def _block_descendants(root: Node, node_type: str) -> list[Node]:
    """Block-level descendants of one type in document order, found without walking inline content."""
    found, stack = [], [root]
    while stack:
        current = stack.pop()
        for child in reversed(current.named_children):
            if child.type == node_type:
                found.append(child)
            elif child.type in _BLOCK_CONTAINERS:
                stack.append(child)
    return sorted(found, key=lambda node: node.start_byte)


def _headings(root: Node) -> list[Node]:
    """Headings of the document itself, not those quoted in block quotes or list items."""
    found, stack = [], [root]
    while stack:
        current = stack.pop()
        for child in reversed(current.children):
            if child.type == "section":
                stack.append(child)
        found.extend(c for c in current.children if c.type in ("atx_heading", "setext_heading"))
    return sorted(found, key=lambda node: node.start_byte)


def _heading(node: Node, source: bytes) -> _Heading:
    content = node.child_by_field_name("heading_content")
    title = "" if content is None else _text_without_continuations(content, source)
    level = 1
    for child in node.children:
        level = _ATX_LEVELS.get(child.type, _SETEXT_LEVELS.get(child.type, level))
    if node.type == "atx_heading":
        title = _CLOSING_HASHES.sub("", title)
    return _Heading(node.start_point.row, level, " ".join(title.split()))


def _text_without_continuations(node: Node, source: bytes) -> str:
    """A node's text minus the `> ` / indentation prefixes that block quotes and lists add to each line."""
    if not _in_container(node):  # continuations exist only inside lists and quotes: skip the token walk
        return source[node.start_byte : node.end_byte].decode("utf-8", "replace")
    pieces, position = [], node.start_byte
    for continuation in _descendants(node, "block_continuation"):
        pieces.append(source[position : continuation.start_byte])
        position = max(position, continuation.end_byte)
    pieces.append(source[position : node.end_byte])
    return b"".join(pieces).decode("utf-8", "replace")


_CONTINUED_CONTAINERS = frozenset({"list_item", "block_quote"})


def _in_container(node: Node) -> bool:
    """Whether `node` lies in a list item or block quote, whose lines carry continuation prefixes."""
    ancestor = node.parent
    while ancestor is not None:
        if ancestor.type in _CONTINUED_CONTAINERS:
            return True
        ancestor = ancestor.parent
    return False


def _code_block(node: Node, source: bytes) -> CodeBlock:
    info = node.child_by_field_name("info_string")
    language = ""
    if info is not None:
        named = next((c for c in info.children if c.type == "language"), None)
        words = (named if named is not None else info).text.decode("utf-8", "replace").split()
        language = words[0].lower() if words else ""
    content = next((c for c in node.children if c.type == "code_fence_content"), None)
    code = "" if content is None else _text_without_continuations(content, source)
    return CodeBlock(language, code, _prose_before(node, source), node.start_point.row + 1)


def _prose_before(node: Node, source: bytes) -> str:
    """The paragraphs right before a block; a heading, another block or a list in between ends the prose."""
    paragraphs: list[str] = []
    sibling = node.prev_named_sibling
    while sibling is not None and sibling.type == "paragraph":
        paragraphs.append(_text_without_continuations(sibling, source).strip())
        sibling = sibling.prev_named_sibling
    return "\n\n".join(reversed(paragraphs))
