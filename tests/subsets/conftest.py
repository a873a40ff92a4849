"""Helpers for calling subset row functions on documents we build here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from codetune.documents import FileMeta, SegmentMeta, make_document
from codetune.ecosystem import Ecosystem, Source
from codetune.parse.isolation import close_shared_segmenters
from codetune.subsets.base import SubsetContext


class CountingContext(SubsetContext):
    """A SubsetContext whose counters land in `self.counts` (the writer's stat_update in a build)."""

    def __init__(self, ecosystem: Ecosystem):
        self.counts: Counter[str] = Counter()
        super().__init__(ecosystem, count=lambda label, value=1: self.counts.update({label: value}))


def ecosystem(**settings) -> Ecosystem:
    return Ecosystem(name="unit", sources=(Source("/nowhere"),), **settings)


@pytest.fixture
def context_for() -> Iterator:
    def make(**settings) -> CountingContext:
        return CountingContext(ecosystem(**settings))

    yield make
    close_shared_segmenters()  # the parse workers the subsets started


def file_document(text: str, path: str = "src/game.py", language: str = "python", role: str = "code"):
    meta = FileMeta(
        repo="org/game", commit="c0ffee" * 6 + "abcd", split="train", license="MIT",
        path=path, language=language, role=role, size=len(text.encode()),
    )  # fmt: skip
    return make_document(text, meta)


def segment_document(code: str, docstring: str = "", name: str = "move", kind: str = "function", **changes):
    values = dict(
        repo="org/game", commit="c0ffee" * 6 + "abcd", split="train", license="MIT", path="scripts/player.gd",
        language="gdscript", segment_kind=kind, name=name, parent="Player", docstring=docstring,
        start_line=7, end_line=7 + code.count("\n"), has_error=False,
    )  # fmt: skip
    values.update(changes)
    return make_document(code, SegmentMeta(**values))
