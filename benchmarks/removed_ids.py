"""Which files and segments a finished build's dedup removed, by document id: to compare two builds.

    python -m benchmarks.removed_ids WORK_DIR [--out removed.json]
    python -m benchmarks.removed_ids --compare BEFORE.json AFTER.json

WORK_DIR is a build's work folder (`BuildResult.work_dir`, or `.codetune-work/<out>/<fingerprint>`). A
`<rank>.remove` file lists positions among the selected documents of a task's stream; the stream is the one
the stage wrote to the work folder just before its signature steps (collect for files, extract for
segments), so reading those work files back in order names every removed document.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from codetune.build.workfiles import WorkDocumentReader
from codetune.documents import RecordKind, record_kind

# (record kind, the work folder holding the stream the signatures were computed over)
STREAMS = {"files": (RecordKind.FILE, "collect"), "segments": (RecordKind.SEGMENT, "extracted")}


def removed_ids(work_dir: Path, dedup_dir: Path | None = None) -> dict[str, list[str]]:
    """{"files": [...], "segments": [...]}: ids of the documents dedup removed, sorted.

    `dedup_dir`: where the remove lists are, when not in the build's own `WORK_DIR/dedup`."""
    removed: dict[str, list[str]] = {}
    for name, (kind, stream) in STREAMS.items():
        remove_folder = (dedup_dir or work_dir / "dedup") / name / "remove"
        ids: list[str] = []
        for remove_file in sorted(remove_folder.glob("*.remove")):
            positions = set(np.frombuffer(remove_file.read_bytes(), dtype="<u4").tolist())
            if not positions:
                continue
            rank = int(remove_file.name.removesuffix(".remove"))
            documents = WorkDocumentReader(str(work_dir / stream)).run(None, rank, 1)
            selected = (document for document in documents if record_kind(document) is kind)
            ids += [document.id for index, document in enumerate(selected) if index in positions]
        removed[name] = sorted(ids)
    return removed


def compare(before: dict[str, list[str]], after: dict[str, list[str]]) -> dict[str, dict]:
    """Per kind: how many each removed, and the ids only one of them removed."""
    return {
        name: {
            "before": len(before[name]),
            "after": len(after[name]),
            "same": len(set(before[name]) & set(after[name])),
            "only_before": sorted(set(before[name]) - set(after[name])),
            "only_after": sorted(set(after[name]) - set(before[name])),
        }
        for name in STREAMS
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("work_dir", nargs="?", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        before, after = (json.loads(path.read_text()) for path in args.compare)
        print(json.dumps(compare(before, after), indent=1))
        return
    removed = removed_ids(args.work_dir)
    text = json.dumps(removed, indent=1) + "\n"
    if args.out:
        args.out.write_text(text)
    print({name: len(ids) for name, ids in removed.items()})


if __name__ == "__main__":
    main()
