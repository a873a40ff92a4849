"""What a subset (a dataset config) is: which record kinds it reads, its columns, and its rows per record.

A subset turns one document into zero, one or many rows (`rows`), may add rows that come from no document
at all (`extra_rows`, e.g. imported instruction files, written once by task 0) and may read inputs outside
the repositories, which it checks and fingerprints before any stage runs (`input_digest`). All it needs
besides the document comes through a `SubsetContext`, so the same spec works in whichever stage the writers
run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import xxhash
from datatrove.data import Document

from codetune.documents import RecordKind, record_kind

if TYPE_CHECKING:
    import datasets
    import pyarrow as pa

    from codetune.ecosystem import Ecosystem
    from codetune.parse.isolation import IsolatedSegmenter


def row_seed(seed: int, row_id: str) -> int:
    """The seed of one row's random choices: the build seed and the row's stable id, nothing else."""
    return xxhash.xxh64_intdigest(f"{seed}\0{row_id}")


def file_digest(paths: Iterable[str]) -> str:
    """sha256 over the given files' names and bytes: what a build fingerprint needs of outside inputs."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.encode() + b"\0")
        with open(path, "rb") as handle:
            digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()


@dataclass
class SubsetContext:
    """What a subset's row functions may use besides the document: settings, counters, isolated parsers."""

    ecosystem: Ecosystem
    count: Callable[..., None] = lambda label, value=1: None  # the writer's `stat_update`

    def isolated(self, target: str) -> IsolatedSegmenter:
        """A long-lived child process running `target(language, source)`: a hang or crash costs one file.

        The process's shared worker for `target` (`codetune.parse.isolation.shared_segmenter`).
        """
        from codetune.parse.isolation import shared_segmenter

        return shared_segmenter(self.ecosystem.parse_timeout_s, target)


def _no_rows(context: SubsetContext) -> Iterator[tuple[str, dict]]:
    return iter(())


def _no_inputs(ecosystem: Ecosystem) -> str:
    return ""


# A column's type in `datasets`' own shorthand, without importing it: a dtype name ("string", "int32", ...),
# [type] for a list, {field: type} for a struct.
ColumnType = str | list["ColumnType"] | dict[str, "ColumnType"]


def _feature(column: ColumnType) -> object:
    import datasets

    if isinstance(column, str):
        return datasets.Value(column)
    if isinstance(column, list):
        return [_feature(column[0])]
    return {name: _feature(field) for name, field in column.items()}


@dataclass(frozen=True)
class SubsetSpec:
    """One `BuilderConfig` / Hub config: flat columns named for TRL and `datasets` users.

    Columns are plain data and `features` is built on demand, so the build's workers, which only write
    rows with the schema the driver hands them, start without importing `datasets`.
    """

    name: str
    record_kinds: tuple[RecordKind, ...]
    columns: Mapping[str, ColumnType]
    rows: Callable[[Document, SubsetContext], Iterable[dict]]
    description: str
    extra_rows: Callable[[SubsetContext], Iterable[tuple[str, dict]]] = _no_rows  # (split, row)
    input_digest: Callable[[Ecosystem], str] = _no_inputs

    @property
    def features(self) -> datasets.Features:
        import datasets

        return datasets.Features({name: _feature(column) for name, column in self.columns.items()})

    @property
    def arrow_schema(self) -> pa.Schema:
        """The Parquet schema with the `datasets` features in its metadata, as `Dataset.to_parquet` writes."""
        return self.features.arrow_schema

    def takes(self, document: Document) -> bool:
        return record_kind(document) in self.record_kinds


def one_row(to_row: Callable[[Document], dict]) -> Callable[[Document, SubsetContext], Iterable[dict]]:
    """Rows of a subset that maps each document to exactly one row."""

    def rows(document: Document, context: SubsetContext) -> Iterable[dict]:
        return (to_row(document),)

    return rows
