"""Redaction quality and speed: precision / recall per type on the labelled set, MB/s on generated code.

Quality comes from `tests/hygiene/redaction_set` (planted secrets of every type and clean look-alikes);
throughput from one process redacting a corpus of realistic generated source (`benchmarks.corpus`), which
holds no secrets, so every change it makes is a false positive and is counted too.

Usage: ``python -m benchmarks.redaction [--mb 10]``; writes ``benchmarks/results/redaction.json``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import generate_corpus
from codetune.hygiene.redact import find_secrets, redact_text
from tests.hygiene.redaction_set.corpus import TYPES, score

RESULTS = Path(__file__).resolve().parent / "results" / "redaction.json"


def quality() -> dict:
    result = score(find_secrets, lambda text: redact_text(text)[0])
    return {
        "per_type": {
            kind: {
                "planted": result.planted[kind],
                "recall": round(result.type_recall(kind), 4),
                "precision": round(result.precision(kind), 4),
                "false_findings": result.false_findings[kind],
            }
            for kind in TYPES
        },
        "recall": round(result.recall, 4),
        "missed": result.missed,
        "clean_files": result.clean_files,
        "clean_files_altered": result.clean_altered,
    }


def throughput(megabytes: float) -> dict:
    with tempfile.TemporaryDirectory() as root:
        generate_corpus(Path(root), int(megabytes * 1e6), seed=0)
        texts = [path.read_text() for path in sorted(Path(root).rglob("*")) if path.is_file()]
    size = sum(len(text.encode()) for text in texts)
    started = time.perf_counter()
    altered = 0
    for text in texts:
        altered += redact_text(text)[0] != text
    seconds = time.perf_counter() - started
    return {
        "files": len(texts),
        "megabytes": round(size / 1e6, 2),
        "seconds": round(seconds, 2),
        "mb_per_s": round(size / 1e6 / seconds, 2),
        "files_altered": altered,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="size of the generated code corpus")
    args = parser.parse_args(argv)
    report = {"quality": quality(), "throughput": throughput(args.mb)}
    print("redaction on the labelled set (tests/hygiene/redaction_set):")
    print(f"  {'type':<12}{'planted':>8}{'recall':>8}{'precision':>11}")
    for kind, row in report["quality"]["per_type"].items():
        print(f"  {kind:<12}{row['planted']:>8}{row['recall']:>8.3f}{row['precision']:>11.3f}")
    quality_report = report["quality"]
    print(
        f"  overall recall {quality_report['recall']:.3f}; clean files altered "
        f"{len(quality_report['clean_files_altered'])} of {quality_report['clean_files']}"
    )
    speed = report["throughput"]
    print(
        f"redaction throughput (1 process, {speed['megabytes']} MB of generated code, "
        f"{speed['files']} files): {speed['mb_per_s']} MB/s; "
        f"files altered (false positives): {speed['files_altered']}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
