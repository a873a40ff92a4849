"""The code text of a segment: its source range with docs cut out, dedented to its own indentation.

Dedenting makes a method read like top-level code; lines that do not start with the definition's
indentation (e.g. inside a multi-line string) are left as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TRAILING_SEMICOLON = re.compile(rb"[ \t]*;?[ \t]*")
_BLANK_LINE = re.compile(rb"[ \t]*\r?\n")


@dataclass(frozen=True)
class Cut:
    """A byte range of the source to replace (usually by nothing) in a segment's code."""

    start: int
    end: int
    replacement: bytes = b""


def _whole_lines(source: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The span of full lines holding [start, end) if nothing else is on those lines, else None."""
    line_start = source.rfind(b"\n", 0, start) + 1
    if source[line_start:start].strip():
        return None
    if source[end - 1 : end] == b"\n":
        return line_start, end
    newline = source.find(b"\n", end)
    line_end = len(source) if newline == -1 else newline + 1
    if source[end:line_end].strip():
        return None
    return line_start, line_end


def _widen(source: bytes, cut: Cut) -> Cut:
    """Removals take their whole lines and the blank lines after them, or a trailing `;` on a shared line."""
    if cut.replacement:
        return cut
    lines = _whole_lines(source, cut.start, cut.end)
    if lines is None:
        return Cut(cut.start, _TRAILING_SEMICOLON.match(source, cut.end).end())
    start, end = lines
    while blank := _BLANK_LINE.match(source, end):
        end = blank.end()
    return Cut(start, end)


def code_text(source: bytes, start: int, end: int, cuts: tuple[Cut, ...] = ()) -> str:
    """source[start:end] with `cuts` applied, lines after the first dedented by the first's indent, and no
    trailing whitespace (a tree that recovered from a missing `}` can end on the next line)."""
    code = _apply_cuts(source, start, end, cuts) if cuts else source[start:end]  # most segments: no cuts
    indent = source[source.rfind(b"\n", 0, start) + 1 : start]
    if indent and not indent.strip():
        code = code.replace(b"\n" + indent, b"\n")  # each later line that starts with the indent loses it
    return code.decode("utf-8", "replace").rstrip()


def _apply_cuts(source: bytes, start: int, end: int, cuts: tuple[Cut, ...]) -> bytes:
    pieces: list[bytes] = []
    position = start
    for cut in sorted((_widen(source, c) for c in cuts), key=lambda c: c.start):
        if cut.start < position or cut.start >= end:
            continue
        pieces += [source[position : cut.start], cut.replacement]
        position = min(cut.end, end)
    pieces.append(source[position:end])
    return b"".join(pieces)
