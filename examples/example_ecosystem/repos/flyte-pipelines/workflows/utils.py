"""Small helpers shared by the workflows."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


def stable_hash(payload: dict[str, Any]) -> str:
    """Returns a short hash of a JSON-serialisable dict, independent of key order.

    Use it to derive cache keys from task configuration.
    """
    encoded = json.dumps(payload, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]


def ensure_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def chunked(items: list[Any], size: int) -> list[list[Any]]:
    """Splits a list into consecutive chunks of at most `size` items."""
    if size <= 0:
        raise ValueError("size must be positive")
    return [items[start : start + size] for start in range(0, len(items), size)]
