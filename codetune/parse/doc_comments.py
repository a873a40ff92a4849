"""Finding a definition's documentation: comments directly above it, or a Python docstring in its body.

A doc comment counts only when nothing but attributes/decorators and other doc comments sit between it and
the definition, and no blank line separates them, so a stray comment further up is never taken as a doc.
"""

from __future__ import annotations

import functools
import inspect
import re
import textwrap
from dataclasses import dataclass

from tree_sitter import Node


@dataclass(frozen=True)
class CommentDocs:
    """Which comments are documentation in one language, and how to strip their markers."""

    comment_types: frozenset[str]
    doc_prefixes: tuple[str, ...]
    line_marker: str
    not_prefixes: tuple[str, ...] = ()
    nearest_only: bool = False  # JSDoc: only the block right above counts
    attached_types: frozenset[str] = frozenset()  # attributes / decorators that belong to the code
    drop_lines: str | None = None  # marker-stripped lines to leave out of the doc (Go directives)

    def is_doc(self, node: Node, source: bytes) -> bool:
        if node.type not in self.comment_types:
            return False
        text = source[node.start_byte : node.end_byte]
        doc_prefixes, not_prefixes = self._byte_prefixes
        return text.startswith(doc_prefixes) and not (not_prefixes and text.startswith(not_prefixes))

    @functools.cached_property
    def line_patterns(self) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
        """The compiled `line_marker` and `drop_lines`."""
        return re.compile(self.line_marker), re.compile(self.drop_lines) if self.drop_lines else None

    @functools.cached_property
    def _byte_prefixes(self) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
        return tuple(p.encode() for p in self.doc_prefixes), tuple(p.encode() for p in self.not_prefixes)


@dataclass(frozen=True)
class LeadingComments:
    """The node the code starts at (first attached attribute, or the definition) and the doc comments."""

    code_start: Node
    docs: tuple[Node, ...]


def last_row(node: Node) -> int:
    """0-based row of a node's last character: a line comment that ends with its newline ends a row early."""
    end = node.end_point
    return end.row - 1 if end.column == 0 and end.row > node.start_point.row else end.row


def _alone_below_blank_line(start: int, source: bytes) -> bool:
    """Whether a node starting at byte `start` begins its line and the line above is blank or absent.

    Then no sibling can be attached to it (one would need text on the line above or before it on its own
    line), and the sibling walk, whose every step tree-sitter computes from the parent, can be skipped.
    """
    if not _begins_line(start, source):
        return False
    line_start = source.rfind(b"\n", 0, start) + 1
    return line_start == 0 or _begins_line(line_start - 1, source)  # the line above holds only blanks


def _begins_line(start: int, source: bytes) -> bool:
    """Whether only blanks stand between the start of its line and byte `start`."""
    line_start = source.rfind(b"\n", 0, start) + 1
    return not source[line_start:start].strip()


def _starts_line(node: Node, source: bytes) -> bool:
    return _begins_line(node.start_byte, source)


def leading_comments(definition: Node, source: bytes, style: CommentDocs) -> LeadingComments:
    """Walks back over the siblings directly above `definition`, collecting doc comments and attributes."""
    if _alone_below_blank_line(definition.start_byte, source):  # most definitions: nothing to walk back to
        return LeadingComments(definition, ())
    code_start = definition
    docs: list[Node] = []
    row = definition.start_point.row
    node = definition.prev_sibling
    while node is not None and last_row(node) >= row - 1 and _starts_line(node, source):
        if node.type in style.attached_types:
            code_start = node
        elif style.is_doc(node, source) and not (style.nearest_only and docs):
            docs.append(node)
        else:
            break
        row = node.start_point.row
        node = node.prev_sibling
    docs.reverse()
    return LeadingComments(code_start, tuple(docs))


def body_comments(definition: Node, source: bytes, style: CommentDocs) -> tuple[Node, ...]:
    """Doc comments opening a definition's body, like Rust's `//!` inner docs in a `mod` block."""
    body = definition.child_by_field_name("body")
    if body is None:
        return ()
    docs: list[Node] = []
    for child in body.children:
        if style.is_doc(child, source):
            docs.append(child)
        elif child.is_named or docs:
            break
    return tuple(docs)


def comment_text(docs: tuple[Node, ...], source: bytes, style: CommentDocs) -> str:
    """The doc comments' text without comment markers, dedented, with blank edge lines removed."""
    if not docs:  # most definitions have none
        return ""
    marker, drop = style.line_patterns
    lines: list[str] = []
    for node in docs:
        text = source[node.start_byte : node.end_byte].decode("utf-8", "replace")
        if text.startswith("/*"):
            lines.extend(_block_comment_lines(text))
            continue
        for line in text.splitlines():
            stripped = marker.sub("", line.strip(), count=1)
            if drop is None or not drop.match(stripped):
                lines.append(stripped)
    return textwrap.dedent("\n".join(lines)).strip("\n").rstrip()


_BLOCK_OPENING = re.compile(r"^/\*[*!]?")
_BLOCK_CLOSING = re.compile(r"\*/$")
_BLOCK_GUTTER = re.compile(r"^\s*\*(?!/) ?")


def _block_comment_lines(text: str) -> list[str]:
    """Lines of a /* */ comment without the delimiters and without the " * " gutter of JSDoc style."""
    body = _BLOCK_CLOSING.sub("", _BLOCK_OPENING.sub("", text))
    first, *rest = body.split("\n")
    return [first.strip(), *(_BLOCK_GUTTER.sub("", line, count=1) for line in rest)]


@dataclass(frozen=True)
class Docstring:
    """A Python docstring: its cleaned text and the statement holding it (cut from the code)."""

    text: str
    statement: Node
    is_whole_body: bool  # the body has no other statement, so the code needs a stand-in `pass`


def python_docstring(definition: Node, source: bytes) -> Docstring | None:
    """The docstring of a Python def/class: a plain (not f-, not bytes) string as the first body statement."""
    body = definition.child_by_field_name("body")
    if body is None:
        return None
    statements = [child for child in body.named_children if child.type != "comment"]
    if not statements or statements[0].type != "expression_statement":
        return None
    statement = statements[0]
    string = statement.named_children[0] if statement.named_child_count == 1 else None
    if string is None or string.type != "string" or string.child_count < 2:
        return None
    opening, closing = string.children[0], string.children[-1]
    prefix = source[opening.start_byte : opening.end_byte].lower()
    if b"f" in prefix or b"b" in prefix:
        return None
    raw = source[opening.end_byte : closing.start_byte].decode("utf-8", "replace")
    return Docstring(inspect.cleandoc(raw), statement, is_whole_body=len(statements) == 1)


# A tag line opens a block that runs to the next tag or blank line: JSDoc/TSDoc/GDScript `@param`, reST
# `:param x:`, Doxygen `\param`, and Google-style section headers (`Args:`) whose entries are indented.
_TAG_LINE = re.compile(
    r"^(?:[@\\][A-Za-z]\w*\b|:[A-Za-z]\w*(?:\s[^:]*)?:|"
    r"(?:Args|Arguments|Parameters|Params|Returns|Return|Raises|Yields|Throws|Attributes):\s*$)"
)
# Tags whose text is the prose itself (JSDoc `@description`/`@summary`, Doxygen `\brief`).
_PROSE_TAGS = frozenset({"description", "desc", "summary", "brief", "details", "classdesc"})


def docstring_prose(docstring: str, prose_tags: bool = True) -> str:
    """The docstring's prose: what is left without its tag blocks (`@param x …`, `:returns:`, `Args:` …).

    A docstring made only of tags teaches nothing about what the code does (`@param status 'loading' or
    'finished'`); the text of a prose tag (`@description Spawns a cube`) counts as prose unless
    `prose_tags` is false.
    """
    prose: list[str] = []
    in_tag = in_prose_tag = False
    for line in docstring.splitlines():
        stripped = line.strip()
        if not stripped:
            in_tag = in_prose_tag = False
            prose.append("")
            continue
        if _TAG_LINE.match(stripped):
            name = re.match(r"^[@\\:]?(\w+)", stripped)
            in_tag = True
            in_prose_tag = prose_tags and bool(name) and name.group(1).lower() in _PROSE_TAGS
            if in_prose_tag:
                prose.append(stripped[name.end() :].strip())
            continue
        if not in_tag or in_prose_tag:
            prose.append(stripped if in_prose_tag else line)
    return textwrap.dedent("\n".join(prose)).strip()
