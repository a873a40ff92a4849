"""Finding one segment in a ParseResult by name, so tests read as statements about that definition."""

from __future__ import annotations

from codetune.parse.segment import ParseResult, Segment


def only(result: ParseResult, name: str, kind: str | None = None) -> Segment:
    """The single segment called `name` (of `kind` if given); fails if there are none or several."""
    found = [s for s in result.segments if s.name == name and (kind is None or s.kind == kind)]
    assert len(found) == 1, (
        f"expected one segment {name!r}, got {[(s.kind, s.parent, s.name) for s in found]}"
    )
    return found[0]


def names(result: ParseResult) -> list[tuple[str, str, str]]:
    """(kind, parent, name) of every segment, in source order."""
    return [(s.kind, s.parent, s.name) for s in result.segments]
