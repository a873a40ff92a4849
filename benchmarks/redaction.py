"""Redaction quality and speed: precision / recall per type on both labelled sets, MB/s on generated code.

Quality comes from `tests/hygiene/redaction_set` (the first set, written alongside the rules) and
`tests/hygiene/catalogue_set` (the second, written from the catalogue of formats); throughput from one
process redacting a corpus of realistic generated source (`benchmarks.corpus`), which holds no secrets, so
every change it makes is a false positive and is counted too. Throughput is given per CPU second of this
process (steady on a shared machine) and per wall second, with the time of each finder and the prefilter.

Usage: ``python -m benchmarks.redaction [--mb 10]``; writes ``benchmarks/results/redaction.json``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import generate_corpus
from codetune.hygiene.redact import FINDERS, find_secrets, redact_text
from codetune.hygiene.secret_scan import TextScan
from tests.hygiene.catalogue_set import catalogue_clean, catalogue_planted
from tests.hygiene.redaction_set.corpus import TYPES, Planted, score

RESULTS = Path(__file__).resolve().parent / "results" / "redaction.json"


def quality(planted: list[Planted] | None = None, clean: list[tuple[str, str]] | None = None) -> dict:
    result = score(find_secrets, lambda text: redact_text(text)[0], planted, clean)
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
        "precision": round(
            sum(result.true_findings.values())
            / max(1, sum(result.true_findings.values()) + sum(result.false_findings.values())),
            4,
        ),
        "missed": result.missed,
        "clean_files": result.clean_files,
        "clean_files_altered": result.clean_altered,
    }


def throughput(megabytes: float) -> dict:
    with tempfile.TemporaryDirectory() as root:
        generate_corpus(Path(root), int(megabytes * 1e6), seed=0)
        texts = [path.read_text() for path in sorted(Path(root).rglob("*")) if path.is_file()]
    size = sum(len(text.encode()) for text in texts) / 1e6
    started, cpu_started = time.perf_counter(), time.process_time()
    altered = 0
    for text in texts:
        altered += redact_text(text)[0] != text
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "files": len(texts),
        "megabytes": round(size, 2),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "mb_per_s": round(size / seconds, 2),
        "mb_per_cpu_s": round(size / cpu_seconds, 2),
        "files_altered": altered,
        "cpu_seconds_per_step": step_times(texts),
    }


def step_times(texts: list[str]) -> dict[str, float]:
    """Where the time goes: the prefilter's pass, then each finder on texts already scanned."""
    scans = [TextScan(text) for text in texts]
    started = time.process_time()
    for scan in scans:
        scan.random_tokens, scan.stem_positions  # noqa: B018 - computed and cached here
    times = {"prefilter": time.process_time() - started}
    for kind, finder in FINDERS.items():
        started = time.process_time()
        for scan in scans:
            for _ in finder(scan):
                pass
        times[kind] = time.process_time() - started
    return {step: round(seconds, 3) for step, seconds in times.items()}


def print_quality(title: str, report: dict) -> None:
    print(f"redaction on {title}:")
    print(f"  {'type':<12}{'planted':>8}{'recall':>8}{'precision':>11}")
    for kind, row in report["per_type"].items():
        print(f"  {kind:<12}{row['planted']:>8}{row['recall']:>8.3f}{row['precision']:>11.3f}")
    print(
        f"  overall recall {report['recall']:.3f}, precision {report['precision']:.3f}; clean files altered "
        f"{len(report['clean_files_altered'])} of {report['clean_files']}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="size of the generated code corpus")
    args = parser.parse_args(argv)
    report = {
        "quality": quality(),
        "quality_catalogue_set": quality(catalogue_planted(), catalogue_clean()),
        "throughput": throughput(args.mb),
    }
    print_quality("the first labelled set (tests/hygiene/redaction_set)", report["quality"])
    print_quality("the second labelled set (tests/hygiene/catalogue_set)", report["quality_catalogue_set"])
    speed = report["throughput"]
    print(
        f"redaction throughput (1 process, {speed['megabytes']} MB of generated code, "
        f"{speed['files']} files): {speed['mb_per_cpu_s']} MB per CPU second, {speed['mb_per_s']} MB/s wall; "
        f"files altered (false positives): {speed['files_altered']}"
    )
    steps = ", ".join(f"{step} {seconds} s" for step, seconds in speed["cpu_seconds_per_step"].items())
    print(f"  CPU time per step: {steps}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
