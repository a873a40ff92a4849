"""What the parse worker runs on each file: segments for code, heading sections for markdown.

Both are tree-sitter parses, so both run in the isolated worker (`parse.isolation`): a markdown file that
hangs or crashes tree-sitter costs that file, as a code file does, and never the build.
"""

from __future__ import annotations

from codetune.parse.markdown import MarkdownSection, split_markdown
from codetune.parse.segment import ParseResult, segment_source


def parse_file(language: str, source: bytes) -> ParseResult | tuple[MarkdownSection, ...]:
    """Markdown (UTF-8) → its sections; any other language with a grammar → its segments."""
    if language == "markdown":
        return tuple(split_markdown(source.decode("utf-8")))
    return segment_source(language, source)
