"""A subset as an ecosystem writes it: its own columns plus one string column per repository attribute."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from codetune.definitions.attributes import RepositoryAttribute
from codetune.subsets import SUBSET_SPECS
from codetune.subsets.base import SubsetSpec

if TYPE_CHECKING:
    from datatrove.data import Document

    from codetune.ecosystem import Ecosystem


class _RowsWithAttributes:
    """A subset's rows plus one column per attribute (a class, so every executor can pickle it)."""

    def __init__(self, rows: Any, names: tuple[str, ...]):
        self.rows = rows
        self.names = names

    def __call__(self, document: Document, context: Any) -> Iterator[dict]:
        values = dict(document.metadata.get("attributes") or ())
        for row in self.rows(document, context):
            yield {**row, **{name: values.get(name, "") for name in self.names}}


class _ExtraRowsWithAttributes:
    """Rows that come from no repository (imported files) have no attribute values: empty strings."""

    def __init__(self, extra_rows: Any, names: tuple[str, ...]):
        self.extra_rows = extra_rows
        self.names = names

    def __call__(self, context: Any) -> Iterator[tuple[str, dict]]:
        for split, row in self.extra_rows(context):
            yield split, {**row, **dict.fromkeys(self.names, "")}


def with_attribute_columns(spec: SubsetSpec, attributes: tuple[RepositoryAttribute, ...]) -> SubsetSpec:
    """The subset's spec with a string column per attribute, after its own columns."""
    if not attributes:
        return spec
    names = tuple(attribute.name for attribute in attributes)
    return dataclasses.replace(
        spec,
        columns={**spec.columns, **dict.fromkeys(names, "string")},
        rows=_RowsWithAttributes(spec.rows, names),
        extra_rows=_ExtraRowsWithAttributes(spec.extra_rows, names),
    )


def ecosystem_subset(ecosystem: Ecosystem, name: str) -> SubsetSpec:
    """The spec of subset `name` as this ecosystem writes it: its columns plus the attribute columns."""
    return with_attribute_columns(SUBSET_SPECS[name], ecosystem.repository_attributes)
