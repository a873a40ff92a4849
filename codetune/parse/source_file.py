"""What the parse worker runs on each file: segments for code, heading sections for markdown.

Both are tree-sitter parses, so both run in the isolated worker (`parse.isolation`): a markdown file that
hangs or crashes tree-sitter costs that file, as a code file does, and never the build.
"""

from __future__ import annotations

import dataclasses

from codetune.parse.infill_nodes import hole_spans
from codetune.parse.markdown import MarkdownSection, split_markdown
from codetune.parse.segment import ParseResult, segment_tree
from codetune.parse.syntax_tree import DEFAULT_TIMEOUT_MICROS, parse_tree


def parse_file(
    language: str, source: bytes, holes: bool = False
) -> ParseResult | tuple[MarkdownSection, ...]:
    """Markdown (UTF-8) → its sections; any other language with a grammar → its segments, and with `holes`
    its fill-in-the-middle hole spans from the same parse (the `fim` subset would otherwise parse the file
    a second time)."""
    if language == "markdown":
        return tuple(split_markdown(source.decode("utf-8")))
    root = parse_tree(language, source, DEFAULT_TIMEOUT_MICROS).root_node
    result = segment_tree(language, source, root)
    return dataclasses.replace(result, holes=hole_spans(language, source, root)) if holes else result
