"""Near-dedup throughput: datatrove's MinHash stages as codetune wires them, on the 50 MB bench corpus.

    python -m benchmarks.dedup_throughput [--mb 50] [--planted 200]

The corpus (benchmarks/corpus.py, cached under benchmarks/corpus/) plus one extra repository holding
`--planted` near-duplicates of corpus files (one line added to each) is collected once; then the four
near-dedup stages run over its file documents with `--num-proc 1` and `2`:
signatures (CodeMinhashSignature) → buckets → clusters + keep-the-first → filter (DuplicateFilter).
Reports MB/s and files/s of the four stages together (and of each), and how many of the planted copies
were found. Results go to benchmarks/results/dedup.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.build_throughput import corpus, corpus_files
from codetune.build.pipeline import BuildOptions, collect_pipeline, console_to_file, run_stage
from codetune.build.plan import make_plan
from codetune.build.summary import read_stage_stats
from codetune.build.workfiles import WORK_FILE_SUFFIX, WorkDocumentReader, read_work_batches
from codetune.definitions.hygiene_settings import DecontaminationSettings, DedupSettings
from codetune.documents import RecordKind, record_kind
from codetune.ecosystem import Ecosystem, FileFilterSettings, Source
from codetune.filters.files import PathGate
from codetune.hygiene.dedup import DedupFolders, DuplicateFilter, resolution_pipelines, signature_steps

RESULTS = Path(__file__).resolve().parent / "results"
FILES = (RecordKind.FILE,)
CODE_SUFFIXES = (".py", ".ts", ".rs", ".go", ".gd")


def plant_near_duplicates(repos: list[Path], target: Path, count: int, seed: int = 0) -> int:
    """Copy `count` kept corpus code files into `target`, one line added to each: near-duplicates to find.

    Only files the build keeps are copied (not those under `target/`, `build/`, ...): a copy of an excluded
    file has no original left to be a duplicate of.
    """
    rng = random.Random(seed)
    candidates = [
        path
        for repo in repos
        for path in corpus_files([repo])
        if path.suffix in CODE_SUFFIXES
        and PathGate(Source(str(repo)), FileFilterSettings()).reason(str(path.relative_to(repo)), 0) is None
    ]
    for index, source in enumerate(rng.sample(candidates, count)):
        lines = source.read_text().splitlines()
        at = rng.randrange(len(lines) + 1)
        lines.insert(at, f"// planted copy {index}")
        destination = target / f"copy_{index:04d}{source.suffix}"
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text("\n".join(lines) + "\n")
    return count


def timed_stage(
    name: str,
    steps: list,
    tasks: int,
    work_dir: Path,
    options: BuildOptions,
    task_sizes: tuple[int, ...] = (),
) -> float:
    started = time.perf_counter()
    with console_to_file(
        work_dir / "logs" / "console.log", enabled=True
    ) as stderr_fd:  # datatrove's log flood
        run_stage(name, steps, tasks, work_dir, options, stderr_fd=stderr_fd, task_sizes=task_sizes)
    return time.perf_counter() - started


def removed_from_repository(collect: Path, remove_folder: str, ranks: list[int], repo: str) -> int:
    """How many of `repo`'s files the remove lists name (positions count the file documents of a task)."""
    removed = 0
    for rank in ranks:
        remove_file = Path(remove_folder) / f"{rank:06d}.remove"
        if not remove_file.exists():
            continue
        positions = set(np.frombuffer(remove_file.read_bytes(), dtype="<u4").tolist())
        documents = WorkDocumentReader(str(collect)).run(None, rank, 1)
        files = (document for document in documents if record_kind(document) in FILES)
        removed += sum(i in positions and doc.metadata["repo"] == repo for i, doc in enumerate(files))
    return removed


def near_dedup(
    collect: Path, task_sizes: tuple[int, ...], planted: tuple[list[int], str], work_dir: Path, num_proc: int
) -> dict:
    """The four near-dedup stages over the collected files, each timed; what they removed.

    The per-task stages start their largest tasks first, as in a build."""
    tasks = len(task_sizes)
    settings = DedupSettings(exact=False)
    folders = DedupFolders(str(work_dir / "dedup"))
    options = BuildOptions(out_dir=work_dir / "out", num_proc=num_proc, progress=False)
    seconds = {
        "signatures": timed_stage(
            "signatures",
            [WorkDocumentReader(str(collect)), *signature_steps(settings, folders, FILES)],
            tasks,
            work_dir,
            options,
            task_sizes,
        )
    }
    for name, steps, stage_tasks in resolution_pipelines(settings, folders, tasks):
        seconds[name] = timed_stage(name, steps, stage_tasks, work_dir, options)
    filter_steps = [WorkDocumentReader(str(collect)), DuplicateFilter(folders, FILES)]
    seconds["filter"] = timed_stage("filter", filter_steps, tasks, work_dir, options, task_sizes)
    resolved = read_stage_stats(work_dir / "logs" / "duplicates")
    return {
        "seconds": seconds,
        "total_seconds": sum(seconds.values()),
        "removed": resolved["dropped_near_duplicate"],
        "clusters": resolved["near_duplicate_clusters"],
        "removed_planted": removed_from_repository(collect, folders.remove, *planted),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--planted", type=int, default=200)
    args = parser.parse_args()
    repos = corpus(args.mb)
    with tempfile.TemporaryDirectory(prefix="codetune-dedup-bench-") as scratch_name:
        scratch = Path(scratch_name)
        planted = plant_near_duplicates(repos, scratch / "planted", args.planted)
        ecosystem = Ecosystem(
            name="dedup-bench",
            sources=tuple(Source(str(path), allow_license=True) for path in [*repos, scratch / "planted"]),
            subsets=("clm",),
            dedup=DedupSettings(enabled=False),  # collect only: the stages below are what is measured
            decontamination=DecontaminationSettings(enabled=False),
        )
        plan = make_plan(ecosystem, scratch / "cache")
        collect_dir = scratch / "collect-work"
        options = BuildOptions(out_dir=scratch / "out", num_proc=2, progress=False)
        task_sizes = tuple(task.size for task in plan.tasks)
        collect = collect_pipeline(plan, collect_dir)
        timed_stage("collect", collect, len(plan.tasks), collect_dir, options, task_sizes)
        collected = read_stage_stats(collect_dir / "logs" / "collect")
        files = collected["files_read"]
        text_bytes = sum(
            len(row.encode()) for row in _texts(collect_dir / "collect")
        )  # what MinHash reads: the UTF-8 text of every file document
        planted_source = len(plan.sources) - 1
        planted_ranks = [
            rank
            for rank, task in enumerate(plan.tasks)
            if any(part.source_index == planted_source for part in task.parts)
        ]  # a task may also hold files of the repository before it
        planted_repo = (planted_ranks, plan.sources[planted_source].name)
        runs = {
            n: near_dedup(collect_dir / "collect", task_sizes, planted_repo, scratch / f"np{n}", n)
            for n in (1, 2)
        }
    results = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "corpus_mb": text_bytes / 1e6,
        "files": files,
        "tasks": len(plan.tasks),
        "settings": {"shingle_size": 5, "num_buckets": 25, "hashes_per_bucket": 10},
        "planted_near_duplicates": planted,
    }
    for n, run in runs.items():
        results[f"num_proc_{n}"] = {
            **run,
            "mb_per_s": text_bytes / 1e6 / run["total_seconds"],
            "files_per_s": files / run["total_seconds"],
            "signature_mb_per_s": text_bytes / 1e6 / run["seconds"]["signatures"],
        }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "dedup.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"near dedup on {results['corpus_mb']:.1f} MB, {files} files ({planted} planted near-duplicates)")
    for n in (1, 2):
        run = results[f"num_proc_{n}"]
        stages = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in run["seconds"].items())
        print(
            f"  --num-proc {n}: {run['mb_per_s']:.2f} MB/s, {run['files_per_s']:.0f} files/s "
            f"({run['total_seconds']:.1f} s: {stages})"
        )
        print(
            f"    removed {run['removed']} near-duplicates in {run['clusters']} clusters, "
            f"{run['removed_planted']} of the {planted} planted copies"
        )
    print(f"results: {RESULTS / 'dedup.json'}")


def _texts(folder: Path):
    for path in sorted(folder.glob(f"*{WORK_FILE_SUFFIX}")):
        for batch in read_work_batches(str(path)):
            yield from batch.column("text").to_pylist()


if __name__ == "__main__":  # datatrove's forkserver re-imports the entry module in its workers
    main()
