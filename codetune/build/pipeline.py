"""Assemble the stages for an ecosystem, pick the executor, run them in order, write the card.

Stages, each a datatrove pipeline whose tasks are fixed by the plan (never by the worker count):

1. collect  — read each task's slice of a pinned repository, gate and filter files  → work/collect/<rank>
2. extract  — drop duplicate files, parse once with tree-sitter                    → work/extracted/<rank>
3. rows     — drop duplicate segments and contaminated rows; each subset's rows → work/rows/<config>/...
4. assemble — one task per (config, split), rows in task order           → OUT/<config>/<split>-*.parquet

with the dedup and decontamination stages between them (`codetune.build.hygiene_stages`).

datatrove's completion markers make every stage resumable; its logs go to the work directory.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import multiprocess
import multiprocess.forkserver
from datatrove.data import Document
from datatrove.executor.base import PipelineExecutor
from datatrove.pipeline.base import PipelineStep

from codetune.build.card import write_dataset_card
from codetune.build.executors import LocalExecutor, RayExecutor, TaskSizes
from codetune.build.hygiene_stages import HygieneStages, hygiene_counts
from codetune.build.plan import BuildPlan, make_plan
from codetune.build.reader import RepositoryReader
from codetune.build.summary import (
    BuildSummary,
    SourceSummary,
    count_rows,
    read_stage_stats,
    training_subset_stats,
    unmatched_deprecated_apis,
    with_prefix,
)
from codetune.build.workfiles import WorkDocumentReader, WorkDocumentWriter
from codetune.build.writers import SubsetAssembler, SubsetWriter
from codetune.ecosystem import Ecosystem
from codetune.errors import CodetuneError, OutputFolderError
from codetune.filters.files import CodeQualityFilter, GeneratedFileFilter
from codetune.hygiene.redact import SecretRedactor
from codetune.parse.extract import SegmentExtractor
from codetune.parse.isolation import close_shared_segmenters
from codetune.subsets import SUBSET_SPECS
from codetune.subsets.attribute_columns import ecosystem_subset
from codetune.subsets.fim import cuts_by_syntax

BUILD_INFO = ".codetune/build.json"  # inside OUT: which build the folder holds (kept out of the Hub configs)


class BuildError(CodetuneError):
    """A stage did not complete all its tasks."""


def default_cache_dir() -> Path:
    return Path(os.environ.get("CODETUNE_CACHE", Path.home() / ".cache" / "codetune"))


@dataclass(frozen=True)
class BuildOptions:
    out_dir: Path
    work_dir: Path | None = None  # default: <OUT parent>/.codetune-work/<OUT name>
    num_proc: int = 1
    executor: str = "local"  # "local" or "ray"
    overwrite: bool = False
    cache_dir: Path = field(default_factory=default_cache_dir)
    progress: bool = True
    quiet_logs: bool = True  # datatrove's console logs go to the work dir instead of the terminal
    skip_missing: bool = False  # a repository or commit that is gone is skipped (listed), not an error
    segmenter_target: str | None = (
        None  # fault injection in tests: "module:function" replacing segment_source
    )
    start_method: str | None = None  # local workers: "fork" or "forkserver"; None: default_start_method()

    def __post_init__(self) -> None:
        if self.executor not in ("local", "ray"):
            raise CodetuneError(f"executor must be 'local' or 'ray', got {self.executor!r}")
        if self.num_proc < 1:
            raise CodetuneError(f"num_proc must be at least 1, got {self.num_proc}")
        if self.start_method not in (None, *START_METHODS):
            raise CodetuneError(
                f"start_method must be one of {', '.join(START_METHODS)}, got {self.start_method!r}"
            )

    @property
    def local_start_method(self) -> str:
        return self.start_method or default_start_method()


START_METHODS = ("fork", "forkserver")


def default_start_method() -> str:
    """How local workers start: forked from the build's own process on Linux (multiprocessing's default there
    up to Python 3.13), from datatrove's forkserver elsewhere (macOS system libraries are not fork-safe).

    A forked worker starts with everything the build process has imported and set up. A forkserver is a
    fresh interpreter that must import datatrove, pyarrow and the step modules before the first worker can
    start: about 0.6 s, of which planning hides a third. What a fork would inherit and must not use (this
    process's parse worker) is dropped in the child (`parse.isolation`).
    """
    return "fork" if sys.platform.startswith("linux") else "forkserver"


@dataclass(frozen=True)
class BuildResult:
    plan: BuildPlan
    out_dir: Path
    work_dir: Path
    summary: BuildSummary


# --- the output folder -------------------------------------------------------------------------------


def read_build_info(out_dir: Path) -> dict:
    info_path = out_dir / BUILD_INFO
    return json.loads(info_path.read_text()) if info_path.is_file() else {}


def write_build_info(out_dir: Path, plan: BuildPlan, complete: bool) -> None:
    """Claim the folder for this build before writing into it, so a killed build can resume there."""
    (out_dir / BUILD_INFO).parent.mkdir(parents=True, exist_ok=True)
    info = {"fingerprint": plan.fingerprint, "ecosystem": plan.ecosystem.name, "complete": complete}
    (out_dir / BUILD_INFO).write_text(json.dumps(info))


def previous_fingerprint(out_dir: Path) -> str | None:
    return read_build_info(out_dir).get("fingerprint")


def holds_build(out_dir: Path, fingerprint: str) -> bool:
    """Whether the folder holds this build, finished."""
    info = read_build_info(out_dir)
    return info.get("fingerprint") == fingerprint and info.get("complete", False)


def check_output_folder(out_dir: Path, fingerprint: str, overwrite: bool) -> None:
    """Refuse to mix two builds in one folder; the same build may resume, --overwrite replaces."""
    if not out_dir.exists() or not any(out_dir.iterdir()):
        return
    previous = previous_fingerprint(out_dir)
    if previous == fingerprint:
        return
    if not overwrite:
        what = "a different codetune build" if previous else "files that are not a codetune build"
        raise OutputFolderError(
            f"output folder {out_dir} already holds {what}; "
            "choose another --out or pass --overwrite to replace it"
        )
    for config in SUBSET_SPECS:
        shutil.rmtree(out_dir / config, ignore_errors=True)
    shutil.rmtree(out_dir / ".codetune", ignore_errors=True)
    (out_dir / "README.md").unlink(missing_ok=True)


# --- executors -----------------------------------------------------------------------------------------


def make_executor(
    pipeline: list[PipelineStep],
    tasks: int,
    logging_dir: Path,
    options: BuildOptions,
    task_sizes: TaskSizes = (),
) -> PipelineExecutor:
    """datatrove's executor for `options.executor`, starting the largest of `task_sizes` first."""
    if options.executor == "ray":
        return RayExecutor(
            pipeline,
            tasks=tasks,
            workers=min(options.num_proc, tasks),
            logging_dir=str(logging_dir),
            cpus_per_task=1,
            task_sizes=task_sizes,
        )
    start_method = options.local_start_method
    if min(options.num_proc, tasks) > 1:
        check_main_module_for_workers(start_method)
    if start_method == "forkserver":
        # Where no build started the forkserver (a stage run on its own), the pool starts it: with these
        # steps' modules, each worker need not import them again. A running forkserver keeps what it has.
        multiprocess.set_forkserver_preload(
            [*WORKER_BASE_MODULES, *sorted({type(step).__module__ for step in pipeline})]
        )
    return LocalExecutor(
        pipeline,
        tasks=tasks,
        workers=min(options.num_proc, tasks),
        logging_dir=str(logging_dir),
        start_method=start_method,
        task_sizes=task_sizes,
    )


# What every local worker imports whatever its steps: first the module that spares it pandas, then the
# executor its tasks are bound to (datatrove's, with codetune's task order).
WORKER_BASE_MODULES = ["codetune.build.worker_start", "codetune.build.executors"]


def worker_modules(ecosystem: Ecosystem) -> list[str]:
    """What datatrove's forkserver imports once for the local workers of this build, which fork from it.

    The modules of the steps its stages run, and no more: not this module (the card and the summary need
    `datasets`, which workers do not), and no hygiene module a setting turns off. These imports are the
    wait before the first task can start.
    """
    modules = [
        *WORKER_BASE_MODULES,
        "codetune.build.reader",
        "codetune.filters.files",
        "codetune.parse.extract",
        "codetune.build.workfiles",
        "codetune.build.writers",
    ]
    if ecosystem.repository_attributes:  # the rows step's subsets carry the attribute columns
        modules.append("codetune.subsets.attribute_columns")
    if ecosystem.redaction.enabled:
        modules.append("codetune.hygiene.redact")
    if ecosystem.dedup.enabled or ecosystem.decontamination.enabled:
        modules.append("codetune.build.hygiene_stages")
    return modules


def check_main_module_for_workers(start_method: str) -> None:
    """A worker that does not fork from this process runs the main module again (as `__mp_main__`); one read
    from standard input cannot be, and each worker would die at start while the pool replaces it forever.
    Refuse instead of hanging. datatrove's `Manager` starts with multiprocess's default method, hence both."""
    # The default method, without fixing it as get_start_method() would: the first listed is the default.
    default = multiprocess.get_start_method(allow_none=True) or multiprocess.get_all_start_methods()[0]
    if start_method == "fork" and default == "fork":
        return
    if getattr(sys.modules["__main__"], "__file__", None) == "<stdin>":
        raise BuildError(
            "local workers cannot start from a script read from standard input (`python -`): each worker "
            "imports the main module again; save the script to a file, use --num-proc 1, or (on Linux) "
            "start_method='fork'"
        )


def start_worker_template(ecosystem: Ecosystem, options: BuildOptions, log_path: Path) -> None:
    """With `forkserver`, start it now: its imports then overlap the plan instead of delaying task one.

    Every local worker forks from it and inherits its stderr: `log_path` when logs are kept off the terminal.
    It lives as long as this process; a later build reuses it (and its workers import what it lacks).
    """
    if options.executor != "local" or options.num_proc < 2 or options.local_start_method != "forkserver":
        return
    check_main_module_for_workers("forkserver")
    multiprocess.set_forkserver_preload(worker_modules(ecosystem))
    with console_to_file(log_path, options.quiet_logs):
        multiprocess.forkserver.ensure_running()


@contextlib.contextmanager
def console_to_file(path: Path, enabled: bool) -> Iterator[int]:
    """Send fd 2 (datatrove's loguru output, worker processes too) to a file; yield the real stderr fd."""
    if not enabled:
        yield sys.stderr.fileno()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "a") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield saved
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


@contextlib.contextmanager
def stage_progress(name: str, tasks: int, logging_dir: Path, stderr_fd: int, enabled: bool) -> Iterator[None]:
    """A bar per stage, fed by datatrove's completion markers, so it works for every executor."""
    if not enabled or not os.isatty(stderr_fd):
        yield
        return
    from tqdm import tqdm

    stream = os.fdopen(os.dup(stderr_fd), "w")
    bar = tqdm(total=tasks, desc=f"{name:<9}", unit="task", file=stream, leave=True)
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.3):
            bar.n = len(list((logging_dir / "completions").glob("*")))
            bar.refresh()

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        bar.n = len(list((logging_dir / "completions").glob("*")))
        bar.close()
        stream.close()


def run_stage(
    name: str,
    pipeline: list[PipelineStep],
    tasks: int,
    work_dir: Path,
    options: BuildOptions,
    stderr_fd: int,
    task_sizes: TaskSizes = (),
) -> Path:
    logging_dir = work_dir / "logs" / name
    executor = make_executor(pipeline, tasks, logging_dir, options, task_sizes)
    forks_workers = options.executor == "local" and executor.workers > 1 and executor.start_method == "fork"
    with (
        stage_progress(name, tasks, logging_dir, stderr_fd, options.progress),
        frozen_heap(forks_workers),
    ):
        executor.run()
    incomplete = executor.get_incomplete_ranks(skip_completed=True)
    if incomplete:
        raise BuildError(
            f"stage '{name}': {len(incomplete)} of {tasks} tasks did not complete (ranks {incomplete[:10]}); "
            f"see the task logs in {logging_dir / 'logs'}; run the same command again to resume"
        )
    return logging_dir


@contextlib.contextmanager
def frozen_heap(enabled: bool) -> Iterator[None]:
    """Hide this process's objects from the cyclic GC while workers fork from it (CPython's advice for a
    fork without exec, see `gc.freeze`).

    Forked workers share the build process's memory copy-on-write. A full collection in a worker writes to
    the GC header of every object it inherited, copying pages the worker never otherwise touches: about
    17,000 pages (70 MB) over a two-worker build of the 50 MB bench corpus. Frozen objects stay out of every
    collection in the workers; this process takes them back when the stage ends. A process that froze
    objects itself manages its own heap: left as it is.
    """
    if not enabled or gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# --- the build ----------------------------------------------------------------------------------------


def collect_pipeline(plan: BuildPlan, work_dir: Path) -> list[PipelineStep]:
    """Read, gate, filter and redact each task's files, and write them for the next stage."""
    return [*collect_steps(plan), WorkDocumentWriter(str(work_dir / "collect"))]


def collect_steps(plan: BuildPlan) -> list[PipelineStep]:
    filters = plan.ecosystem.filters
    steps: list[PipelineStep] = [RepositoryReader(plan)]
    if filters.skip_generated:
        steps.append(GeneratedFileFilter())
    steps.append(CodeQualityFilter(filters))
    if plan.ecosystem.redaction.enabled:  # before any subset sees a text: secrets never reach the work files
        steps.append(SecretRedactor(plan.ecosystem.redaction))
    return steps


def row_writers(plan: BuildPlan, work_dir: Path) -> list[PipelineStep]:
    """Every subset's rows, to work/rows/<config>/<split>/<rank>.arrow."""
    return [
        SubsetWriter(ecosystem_subset(plan.ecosystem, name), str(work_dir / "rows" / name), plan.ecosystem)
        for name in plan.ecosystem.subsets
    ]


def subset_split_pairs(subsets: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every (config, split) the build may write: fixed up front, so a Slurm job graph can be built ahead."""
    return [(config, split) for config in subsets for split in ("train", "test")]


@dataclass(frozen=True)
class Stage:
    name: str
    pipeline: list[PipelineStep]
    tasks: int
    task_sizes: TaskSizes = ()  # bytes each rank reads, where known: the largest tasks start first


def build_stages(plan: BuildPlan, work_dir: Path, out_dir: Path, options: BuildOptions) -> list[Stage]:
    """The stages in order; any datatrove executor can run them (see docs/executors.md for Slurm).

    collect → (file dedup) → extract → (segment dedup, decontamination) → rows → assemble. A stage boundary
    exists only where a global step (dedup, decontamination) must see every task's output first; without
    one, the parts run as one stage (e.g. `collect+extract+rows`), so documents are not written to the work
    folder and read back for nothing. The hygiene stages are left out when their settings are off (see
    `codetune.build.hygiene_stages`).
    """
    hygiene = HygieneStages(plan, work_dir)
    tasks, sizes = hygiene.tasks, hygiene.task_sizes
    stages: list[Stage] = []
    names, steps = ["collect"], collect_steps(plan)
    if file_stages := hygiene.after_collect_stages():  # file dedup needs every file's signature first
        stages.append(
            Stage(
                "collect",
                [*steps, *hygiene_writer(work_dir / "collect", hygiene.after_collect())],
                tasks,
                sizes,
            )
        )
        stages += [Stage(*stage) for stage in file_stages]
        names, steps = [], [WorkDocumentReader(str(work_dir / "collect")), *hygiene.extract_filters()]
    names.append("extract")
    steps.append(
        SegmentExtractor(plan.ecosystem.parse_timeout_s, options.segmenter_target, fim_holes_wanted(plan))
    )
    if segment_stages := hygiene.after_extract_stages():  # segment dedup and decontamination: same
        stages.append(
            Stage(
                "+".join(names),
                [*steps, *hygiene_writer(hygiene.extracted, hygiene.after_extract())],
                tasks,
                sizes,
            )
        )
        stages += [Stage(*stage) for stage in segment_stages]
        names, steps = [], [WorkDocumentReader(hygiene.extracted), *hygiene.row_filters()]
    names.append("rows")
    stages.append(Stage("+".join(names), [*steps, *row_writers(plan, work_dir)], tasks, sizes))
    pairs = subset_split_pairs(plan.ecosystem.subsets)
    assembler = SubsetAssembler(str(work_dir / "rows"), str(out_dir), pairs)
    stages.append(Stage("assemble", [assembler], len(pairs), assembler.input_sizes))
    return stages


def fim_holes_wanted(plan: BuildPlan) -> Callable[[Document], bool] | None:
    """Which files the extract stage parses for the `fim` subset's syntax holes too (None: no such subset)."""
    if "fim" not in plan.ecosystem.subsets:
        return None
    return functools.partial(cuts_by_syntax, settings=plan.ecosystem.fim)


def hygiene_writer(folder: Path | str, signature_steps: list[PipelineStep]) -> list[PipelineStep]:
    """Ends a stage before a barrier: its documents for the next stage, then the hygiene signatures."""
    return [WorkDocumentWriter(str(folder)), *signature_steps]


def stage_containing(stages: list[Stage], part: str) -> str:
    """The name of the stage that runs `part` ("collect", "extract" or "rows"), fused or not."""
    return next(stage.name for stage in stages if part in stage.name.split("+"))


def default_work_dir(out_dir: Path) -> Path:
    return out_dir.resolve().parent / ".codetune-work" / out_dir.resolve().name


@contextlib.contextmanager
def ray_cluster(options: BuildOptions) -> Iterator[None]:
    """Connect to the cluster in RAY_ADDRESS (or one started with `ray start`), else start a local one."""
    if options.executor != "ray":
        yield
        return
    import ray

    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=os.environ.get("RAY_ADDRESS"), log_to_driver=False, include_dashboard=False)
    try:
        yield
    finally:
        if started_here:
            ray.shutdown()


def build(ecosystem: Ecosystem, options: BuildOptions) -> BuildResult:
    """Run the whole build; a second call with the same inputs resumes or returns the finished output."""
    started = time.perf_counter()
    out_dir = Path(options.out_dir)
    work_root = Path(options.work_dir or default_work_dir(out_dir))
    start_worker_template(ecosystem, options, work_root / "workers.log")
    plan = make_plan(ecosystem, Path(options.cache_dir), skip_missing=options.skip_missing)
    if not plan.tasks:
        reasons = ", ".join(f"{s.name}: {s.skipped}" for s in plan.sources)
        hint = ""
        if any(s.skipped.startswith("license_not_allowed") for s in plan.sources):
            hint = (
                "; a repository you vouch for can be kept with Source(allow_license=True) "
                "(ad-hoc builds: --allow-any-license)"
            )
        raise BuildError(
            f"ecosystem '{ecosystem.name}': nothing to build, every source was skipped ({reasons}){hint}"
        )
    check_output_folder(out_dir, plan.fingerprint, options.overwrite)
    work_dir = work_root / plan.fingerprint[:16]
    work_dir.mkdir(parents=True, exist_ok=True)
    (work_dir / "plan.json").write_text(json.dumps([asdict(task) for task in plan.tasks], indent=1))

    with (
        console_to_file(work_dir / "logs" / "console.log", options.quiet_logs) as stderr_fd,
        ray_cluster(options),
    ):
        if not holds_build(out_dir, plan.fingerprint):
            # Assembling is cheap and writes into OUT, which may be new or emptied: always redo it there.
            shutil.rmtree(work_dir / "logs" / "assemble" / "completions", ignore_errors=True)
            write_build_info(out_dir, plan, complete=False)
        stages = build_stages(plan, work_dir, out_dir, options)
        try:
            for stage in stages:
                run_stage(
                    stage.name, stage.pipeline, stage.tasks, work_dir, options, stderr_fd, stage.task_sizes
                )
        finally:
            close_shared_segmenters()  # tasks run in this process (--num-proc 1) shared a parse worker

    summary = summarize(plan, out_dir, work_dir / "logs", stages, options, time.perf_counter() - started)
    (out_dir / ".codetune").mkdir(parents=True, exist_ok=True)
    (out_dir / ".codetune" / "summary.json").write_text(summary.to_json())
    write_dataset_card(out_dir, ecosystem, summary)
    write_build_info(out_dir, plan, complete=True)
    return BuildResult(plan=plan, out_dir=out_dir, work_dir=work_dir, summary=summary)


def summarize(
    plan: BuildPlan,
    out_dir: Path,
    logs: Path,
    stages: list[Stage],
    options: BuildOptions,
    wall_time: float,
) -> BuildSummary:
    collect_stage, extract_stage, rows_stage = (
        stage_containing(stages, part) for part in ("collect", "extract", "rows")
    )
    collect = read_stage_stats(logs / collect_stage)
    # the subset writers run in the rows part; their labels and extract's do not overlap
    extract = read_stage_stats(logs / extract_stage)
    if rows_stage != extract_stage:
        extract += read_stage_stats(logs / rows_stage)
    hygiene = hygiene_counts(plan, logs)
    rows, sizes = count_rows(out_dir, plan.ecosystem.subsets)
    return BuildSummary(
        ecosystem=plan.ecosystem.name,
        fingerprint=plan.fingerprint,
        executor=options.executor,
        num_proc=options.num_proc,
        sources=[
            SourceSummary(
                name=s.name,
                location=s.source.location,
                revision=s.source.revision or "",
                commit=s.commit,
                split=s.split,
                role=s.source.role,
                skipped=s.skipped,
                license=s.license,
            )
            for s in plan.sources
        ],
        files_seen=collect["files_seen"],
        files_kept=extract["files_kept"],
        dropped=dict(
            sorted(
                [*with_prefix(collect, "dropped_").items(), *hygiene.dropped_files.items()]
            )  # dedup drops files too: seen = kept + dropped
        ),
        parse_skipped=with_prefix(extract, "parse_skipped_"),
        files_with_parse_errors=extract["files_with_parse_errors"],
        segments_per_language=with_prefix(extract, "segments_"),
        doc_sections=extract["doc_sections"],
        doc_code_examples=extract["doc_code_examples"],
        kept_text_bytes=extract["kept_bytes"],
        redacted=with_prefix(collect, "redacted_"),
        rows=rows,
        parquet_bytes=sizes,
        wall_time_s=round(wall_time, 3),
        settings={"task_count": len(plan.tasks), "task_bytes": plan.ecosystem.task_bytes},
        subset_stats=training_subset_stats(extract),
        dedup=hygiene.dedup,
        contaminated=hygiene.contaminated,
        contaminated_by=hygiene.contaminated_by,
        unmatched_deprecated_apis=(
            unmatched_deprecated_apis(plan.ecosystem.deprecated_apis, extract)
            if "dpo" in plan.ecosystem.subsets and "deprecated_api" in plan.ecosystem.dpo.negative_kinds
            else []
        ),
    )
