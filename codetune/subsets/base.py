"""What a subset (a dataset config) is: which record kind it takes, its columns, and one row per record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import datasets
from datatrove.data import Document

from codetune.documents import RecordKind


@dataclass(frozen=True)
class SubsetSpec:
    """One `BuilderConfig` / Hub config: flat columns named for TRL and `datasets` users."""

    name: str
    record_kind: RecordKind
    features: datasets.Features
    to_row: Callable[[Document], dict]
    description: str
