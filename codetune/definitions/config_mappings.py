"""Plain mappings (YAML, JSON) → typed config dataclasses, with an error that names the unknown key."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from codetune.errors import CodetuneError


def known_fields(
    kind: type, data: Any, owner: str, error: type[CodetuneError] = CodetuneError
) -> Mapping[str, Any]:
    """`data` if its keys are all fields of the dataclass `kind`; else `error` naming the unknown key."""
    if not isinstance(data, Mapping):
        raise error(f"{owner}: expected a mapping, got {type(data).__name__}")
    known = {field.name for field in dataclasses.fields(kind)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise error(f"{owner}: unknown field '{unknown[0]}'; known fields: {sorted(known)}")
    return data
