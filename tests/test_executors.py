"""How local workers start and what they run first: warm from the forkserver, largest tasks first."""

from __future__ import annotations

import gc
import itertools
import os
from pathlib import Path

import pytest
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from codetune.build.executors import LocalExecutor, RayExecutor
from codetune.build.pipeline import BuildOptions, run_stage
from codetune.build.plan import make_plan
from codetune.ecosystem import Ecosystem, Source
from codetune.filters.files import PathGate
from tests.conftest import GitFixtures


class RecordTasks(PipelineStep):
    """Appends a line per task it runs: the rank, the process id and `gc.get_freeze_count()` of that process.

    The ranks in file order are the order in which the executor ran the tasks."""

    name = "record tasks"

    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        with open(self.path, "a") as record:
            record.write(f"{rank} {os.getpid()} {gc.get_freeze_count()}\n")
        yield from data or ()


def recorded(path: Path) -> list[tuple[int, int, int]]:
    """(rank, process id, frozen objects) of each task `RecordTasks` saw, in the order they ran."""
    return [tuple(map(int, line.split())) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("num_proc", [1, 2])
def test_forked_workers_inherit_a_frozen_heap_and_the_build_process_takes_it_back(
    tmp_path: Path, num_proc: int
):
    """Workers forked from the build process start with its objects out of their GC's reach (no copy-on-write
    of pages a collection would touch); tasks run in the build process itself leave its collector alone."""
    record = tmp_path / "frozen.txt"
    options = BuildOptions(
        out_dir=tmp_path / "out",
        work_dir=tmp_path / "work",
        num_proc=num_proc,
        progress=False,
        start_method="fork",
    )
    run_stage("probe", [RecordTasks(str(record))], 4, tmp_path, options, 2)
    runs = [(pid, frozen) for _, pid, frozen in recorded(record)]
    assert len(runs) == 4
    if num_proc == 2:
        assert all(pid != os.getpid() and frozen > 1000 for pid, frozen in runs)
    else:
        assert all(pid == os.getpid() and frozen == 0 for pid, frozen in runs)
    assert gc.get_freeze_count() == 0


def test_a_heap_the_caller_froze_stays_frozen_after_a_forking_stage(tmp_path: Path):
    record = tmp_path / "frozen.txt"
    options = BuildOptions(out_dir=tmp_path / "out", num_proc=2, progress=False, start_method="fork")
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        run_stage("probe", [RecordTasks(str(record))], 2, tmp_path, options, 2)
        assert gc.get_freeze_count() > frozen // 2  # still frozen (a frozen object may still be freed)
    finally:
        gc.unfreeze()
    assert len(recorded(record)) == 2


def test_plan_tasks_carry_the_bytes_of_the_files_they_read(tmp_path: Path, git_fixtures: GitFixtures):
    ecosystem = Ecosystem(
        name="sliced",
        sources=(Source(str(git_fixtures.game_bare), name="game"), Source(str(git_fixtures.bad), name="bad")),
        task_bytes=200,
    )
    plan = make_plan(ecosystem, tmp_path / "cache")
    for task in plan.tasks:
        for part in task.parts:
            source = plan.sources[part.source_index]
            gate = PathGate(source.source, ecosystem.filters)
            files = [entry for entry in source.open().entries() if entry.kind == "file"]
            read = [f.size for f in files if gate.reason(f.path, f.size) is None and part.covers(f.path)]
            assert part.size == sum(read)
        assert task.size > 0
    assert len({task.size for task in plan.tasks}) > 1  # sizes differ, so the order matters


def test_tasks_hold_task_bytes_then_halve_towards_the_end(tmp_path: Path):
    """Full tasks first; once what is left fits in two tasks, each takes half of it, down to 1/16."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for index in range(80):
        line = f"value_{index:02d} = {index}\n"
        (repo / f"m{index:02d}.py").write_text(line + "#" * (499 - len(line)) + "\n")  # 500 bytes
    ecosystem = Ecosystem(name="even", sources=(Source(str(repo), allow_license=True),), task_bytes=8000)
    plan = make_plan(ecosystem, tmp_path / "cache")
    assert [task.size for task in plan.tasks] == [8000, 8000, 8000, 8000, 4000, 2000, 1000, 500, 500]
    parts = [part for task in plan.tasks for part in task.parts]
    assert [part.start_path for part in parts[:3]] == ["", "m16.py", "m32.py"]  # contiguous path ranges
    assert all(part.end_path == after.start_path for part, after in itertools.pairwise(parts))


def test_no_task_is_a_sliver_below_a_sixteenth_of_task_bytes(tmp_path: Path):
    """What is left at the end below twice the smallest size is one task, not a smallest one plus a rest."""
    from codetune.build.plan import TaskPacker
    from codetune.sources.snapshot import TreeEntry

    gate = PathGate(Source("."), Ecosystem(name="x", sources=(Source("."),)).filters)
    for count in range(1, 400, 3):
        packer = TaskPacker(16000)  # smallest task: 1000 bytes; files of 100
        entries = [TreeEntry(f"f{index:03d}.py", "file", 100) for index in range(count)]
        packer.add_source(0, entries, gate)
        sizes = [task.size for task in packer.finish()]
        assert sum(sizes) == 100 * count
        assert len(sizes) == 1 or min(sizes) >= 1000 - 100, (count, sizes)  # less at most one file's bytes


def test_every_stage_over_the_plan_tasks_starts_the_largest_first(tmp_path: Path):
    """Stages whose ranks are the plan's tasks carry their sizes; bucket and single-task stages do not."""
    from codetune.build.pipeline import build_stages
    from dataset_scripts.example import ECOSYSTEM

    plan = make_plan(ECOSYSTEM, tmp_path / "cache")
    options = BuildOptions(out_dir=tmp_path / "out", work_dir=tmp_path / "work", progress=False)
    stages = build_stages(plan, tmp_path / "work", tmp_path / "out", options)
    sized = {stage.name for stage in stages if stage.task_sizes and not callable(stage.task_sizes)}
    assert sized == {"collect", "extract", "contamination_matches", "rows"}
    for stage in stages:
        if stage.name != "assemble":
            assert stage.task_sizes in ((), tuple(task.size for task in plan.tasks))


def test_assemble_starts_with_the_subsets_that_have_most_rows_to_copy(tmp_path: Path):
    """Its sizes are measured when it starts, from the rows stage's files, and set the order it runs in."""
    from codetune.build.pipeline import build, build_stages, make_executor
    from dataset_scripts.example import ECOSYSTEM

    options = BuildOptions(out_dir=tmp_path / "out", work_dir=tmp_path / "work", progress=False)
    result = build(ECOSYSTEM, options)
    assemble = build_stages(result.plan, result.work_dir, result.out_dir, options)[-1]
    assert assemble.name == "assemble"
    sizes = assemble.task_sizes()
    pairs = assemble.pipeline[0].pairs
    for (config, split), size in zip(pairs, sizes, strict=True):
        files = (result.work_dir / "rows" / config / split).glob("*.arrow")
        assert size == sum(path.stat().st_size for path in files)
    assert len(set(sizes)) > 3  # not a tie that would keep rank order
    executor = make_executor(
        assemble.pipeline, assemble.tasks, tmp_path / "assemble-again", options, assemble.task_sizes
    )
    largest_first = sorted(range(len(pairs)), key=lambda rank: -sizes[rank])
    assert executor.get_incomplete_ranks() == largest_first != list(range(len(pairs)))


def test_a_stage_starts_its_largest_tasks_first_and_a_rerun_only_the_unfinished(tmp_path: Path):
    sizes = (5, 9, 1, 9, 7)
    record = tmp_path / "order.txt"
    options = BuildOptions(out_dir=tmp_path / "out", work_dir=tmp_path / "work", num_proc=1, progress=False)

    def run() -> list[int]:
        record.unlink(missing_ok=True)
        run_stage("probe", [RecordTasks(str(record))], len(sizes), tmp_path, options, 2, task_sizes=sizes)
        return [rank for rank, _, _ in recorded(record)]

    assert run() == [1, 3, 4, 0, 2]  # largest first; equal sizes keep rank order
    for rank in (0, 2, 4):
        (tmp_path / "logs" / "probe" / "completions" / f"{rank:05d}").unlink()
    assert run() == [4, 0, 2]


def test_without_sizes_rank_order_stays_and_ray_orders_by_size_too(tmp_path: Path):
    local = LocalExecutor([], tasks=4, logging_dir=str(tmp_path / "local"))
    ray = RayExecutor([], tasks=4, logging_dir=str(tmp_path / "ray"), task_sizes=(3, 1, 4, 2))
    assert local.get_incomplete_ranks() == [0, 1, 2, 3]
    assert ray.get_incomplete_ranks() == [2, 0, 3, 1]


def test_worker_start_spares_pyarrow_conversions_the_pandas_import_but_not_explicit_pandas(tmp_path: Path):
    """What every forked worker inherits: Parquet round trips without pandas, and `to_pandas` still works."""
    import subprocess
    import sys

    probe = f"""
import sys
import codetune.build.worker_start
import pyarrow as pa, pyarrow.parquet as pq
pq.write_table(pa.table({{"text": ["a", "b"], "size": [1, 2]}}), {str(tmp_path / "t.parquet")!r})
assert pq.read_table({str(tmp_path / "t.parquet")!r}).to_pylist()[1] == {{"text": "b", "size": 2}}
print("pandas" in sys.modules)
print(type(pq.read_table({str(tmp_path / "t.parquet")!r}).to_pandas()).__name__)
"""
    probed = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    assert probed.stdout.split() == ["False", "DataFrame"]


@pytest.mark.parametrize("start_method", ["forkserver", "fork"])
def test_a_script_read_from_stdin_builds_with_forked_workers_and_gets_a_clear_error_with_a_forkserver(
    tmp_path: Path, start_method: str
):
    """A forkserver worker imports the main module again; from `python -` it cannot, and the pool would
    replace dying workers forever. A forked worker already has it."""
    import subprocess
    import sys

    repo = tmp_path / "repo"
    repo.mkdir()
    for name in "abc":
        (repo / f"{name}.py").write_text(f"def {name}():\n    return 1\n")
    script = f"""
from pathlib import Path
from codetune.ecosystem import Ecosystem, Source
from codetune.build.pipeline import BuildOptions, build
ecosystem = Ecosystem(name="stdin", sources=(Source({str(repo)!r}, allow_license=True),), task_bytes=30)
out = Path({str(tmp_path / "out")!r})
options = BuildOptions(out_dir=out, num_proc=2, progress=False, start_method={start_method!r})
print(len(build(ecosystem, options).plan.tasks))
"""
    ran = subprocess.run(
        [sys.executable, "-"], input=script, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    if start_method == "fork":
        assert ran.returncode == 0, ran.stderr
        assert int(ran.stdout.split()[-1]) > 1  # the stage did run on two workers
        from datasets import load_dataset

        assert sorted(load_dataset(str(tmp_path / "out"), "ast", split="train")["name"]) == ["a", "b", "c"]
    else:
        assert ran.returncode != 0
        assert "standard input" in ran.stderr and "--num-proc 1" in ran.stderr
        assert not (tmp_path / "out").exists()


def test_task_logs_do_not_ask_sysconfig_for_library_paths_each_task(tmp_path: Path, monkeypatch):
    """datatrove sets up loguru sinks for every task; their library-folder list is computed once."""
    import sysconfig

    from datatrove.io import get_datafolder
    from datatrove.utils.logging import add_task_logger, close_task_logger, logger

    import codetune.build.executors  # noqa: F401  (what every process that runs tasks imports)

    folder = get_datafolder(str(tmp_path))
    close_task_logger(add_task_logger(folder, 0))
    calls = []
    real = sysconfig.get_path
    monkeypatch.setattr(
        sysconfig, "get_path", lambda *args, **kwargs: calls.append(args) or real(*args, **kwargs)
    )
    for rank in (1, 2):
        logfile = add_task_logger(folder, rank)
        logger.info("inside the task")
        close_task_logger(logfile)
    assert calls == []
    assert "inside the task" in (tmp_path / "logs" / "task_00002.log").read_text()
