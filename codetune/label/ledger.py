"""The ledger: every answer received, one JSONL line per request, across all runs of a task.

Resume goes by it: a prompt whose (id, request hash) has an `ok` or `bad_request` entry is never sent again,
whatever its position in the input, so a grown input sends only its new rows. `failed` entries (the server
was down or hung past every retry) are sent again by the next run. A line cut short by a killed run is
ignored; its answer is lost and asked again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

FINAL_STATUSES = ("ok", "bad_request")


def request_hash(model: str, messages: list[dict], generation: dict) -> str:
    """What makes two requests the same: model, messages and generation parameters."""
    payload = json.dumps({"model": model, "messages": messages, **generation}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def read_ledger(folder: Path) -> dict[tuple[str, str], dict]:
    """(id, request hash) → the entry that decides it: a final one if any, else the latest failure."""
    entries: dict[tuple[str, str], dict] = {}
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a kill
            key = (entry["id"], entry["request_hash"])
            if entries.get(key, {}).get("status") not in FINAL_STATUSES:
                entries[key] = entry
    return entries


def next_run_name(runs: Path) -> str:
    """`run-0001`, `run-0002`, …: each run writes files of its own, never over an earlier run's."""
    numbers = [int(path.name[4:]) for path in runs.glob("run-*") if path.name[4:].isdigit()]
    return f"run-{max(numbers, default=0) + 1:04d}"
