"""End-to-end builds on real git repositories: Hub layout, bad input, determinism, errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from datasets import load_dataset
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from codetune.build.hygiene_stages import HygieneStages
from codetune.build.pipeline import BuildOptions, build, build_stages
from codetune.build.plan import make_plan
from codetune.definitions.hygiene_settings import DecontaminationSettings, DedupSettings
from codetune.ecosystem import Ecosystem, Source
from codetune.errors import OutputFolderError, SourceError
from tests.conftest import GitFixtures


def options(tmp_path: Path, name: str = "out", **overrides) -> BuildOptions:
    return BuildOptions(
        out_dir=tmp_path / name,
        work_dir=tmp_path / "work",
        cache_dir=tmp_path / "cache",
        progress=False,
        **overrides,
    )


def parquet_digests(out_dir: Path) -> dict[str, str]:
    return {
        str(path.relative_to(out_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out_dir.glob("*/*.parquet"))
    }


def rows(out_dir: Path, config: str, split: str = "train") -> list[dict]:
    return [
        row
        for path in sorted((out_dir / config).glob(f"{split}-*.parquet"))
        for row in pq.read_table(path).to_pylist()
    ]


@pytest.fixture
def mixed_ecosystem(git_fixtures: GitFixtures) -> Ecosystem:
    return Ecosystem(
        name="mixed",
        sources=(
            Source(git_fixtures.game_url, revision="v1", name="org/game"),
            Source(str(git_fixtures.bad), name="bad"),
            Source(str(git_fixtures.empty), name="empty"),
            Source(str(git_fixtures.game_bare), name="game-test", split="test"),
        ),
    )


@pytest.fixture
def mixed_build(tmp_path: Path, mixed_ecosystem: Ecosystem):
    return build(mixed_ecosystem, options(tmp_path))


def test_every_config_loads_with_load_dataset_and_flat_columns(mixed_build, tmp_path: Path):
    for config in ("clm", "ast", "trees"):
        dataset = load_dataset(str(mixed_build.out_dir), config, cache_dir=str(tmp_path / "hf"))
        assert set(dataset) == {"train", "test"}
        assert "metadata" not in dataset["train"].column_names
        assert dataset["train"].num_rows == mixed_build.summary.rows[config]["train"]
    ast = load_dataset(str(mixed_build.out_dir), "ast", cache_dir=str(tmp_path / "hf"))["train"]
    move = next(row for row in ast if row["name"] == "move")
    assert move["docstring"] == "Moves the player and applies gravity."
    assert (
        move["repo"] == "org/game" and move["path"] == "scripts/player.gd" and move["language"] == "gdscript"
    )
    assert move["start_line"] == 7 and "##" not in move["code"]


def test_git_url_is_pinned_at_the_tag_and_rows_carry_the_commit(mixed_build, git_fixtures: GitFixtures):
    game_rows = [row for row in rows(mixed_build.out_dir, "clm") if row["repo"] == "org/game"]
    assert {row["commit"] for row in game_rows} == {git_fixtures.game_v1}
    assert "scripts/enemy.gd" not in {row["path"] for row in game_rows}  # added after v1
    test_paths = {row["path"] for row in rows(mixed_build.out_dir, "clm", "test")}
    assert "scripts/enemy.gd" in test_paths  # the bare repo is read at HEAD


def test_split_is_by_repository(mixed_build):
    for config in ("clm", "ast", "trees"):
        train_repos = {row["repo"] for row in rows(mixed_build.out_dir, config, "train")}
        test_repos = {row["repo"] for row in rows(mixed_build.out_dir, config, "test")}
        assert test_repos == {"game-test"}
        assert not train_repos & test_repos


def test_bad_input_is_dropped_with_its_reason_and_nothing_is_lost(mixed_build):
    summary = mixed_build.summary
    assert summary.dropped["binary"] == 1
    assert summary.dropped["invalid_utf8"] == 1
    assert summary.dropped["too_large"] == 1  # the 5 MB single-line file
    assert summary.dropped["max_line_length"] == 1  # a 600 KB one-line array under the size cap
    assert summary.dropped["symlink_outside_repo"] == 1
    assert summary.dropped["symlink"] == 1
    assert summary.dropped["submodule"] == 1
    assert summary.dropped["excluded_dir"] == 1
    assert summary.dropped["excluded_file"] == 1
    assert summary.dropped["generated"] == 1
    assert summary.files_seen == summary.files_kept + summary.files_dropped
    clm = rows(mixed_build.out_dir, "clm")
    assert all("root:" not in row["text"] for row in clm)  # /etc/passwd never read
    paths = {row["path"] for row in clm if row["repo"] == "bad"}
    assert {"src/ok.py", "src/my file.py", "docs/guía rápida.md", "src/broken.py"} <= paths
    empty = next(source for source in summary.sources if source.name == "empty")
    assert empty.skipped == "empty_repository"


def test_file_with_syntax_errors_is_kept_with_has_error(mixed_build):
    segments = {
        row["name"]: row for row in rows(mixed_build.out_dir, "ast") if row["path"] == "src/broken.py"
    }
    assert segments["fine"]["has_error"] is False
    assert any(row["has_error"] for row in segments.values())
    assert mixed_build.summary.files_with_parse_errors >= 1


def test_card_lists_configs_sources_commits_and_drops(mixed_build, git_fixtures: GitFixtures):
    card = (mixed_build.out_dir / "README.md").read_text()
    assert "- config_name: ast" in card and "path: ast/test-*" in card
    assert git_fixtures.game_v1 in card
    assert "| symlink_outside_repo | 1 |" in card
    assert "skipped: empty_repository" in card


@pytest.mark.parametrize("start_method", ["fork", "forkserver"])
def test_output_is_byte_identical_across_runs_num_proc_and_start_methods(
    tmp_path: Path, mixed_ecosystem: Ecosystem, mixed_build, start_method: str
):
    import dataclasses

    sliced = dataclasses.replace(mixed_ecosystem, task_bytes=200)  # several tasks: both workers run some
    one = build(sliced, options(tmp_path, "one"))
    again = build(sliced, options(tmp_path, "again", num_proc=2, start_method=start_method))
    assert len(again.plan.tasks) > 2
    assert parquet_digests(again.out_dir) == parquet_digests(one.out_dir)
    assert parquet_digests(again.out_dir)  # not vacuous


def test_repository_larger_than_task_bytes_is_cut_into_tasks_without_changing_rows(
    tmp_path: Path, mixed_ecosystem: Ecosystem, mixed_build
):
    import dataclasses

    small_tasks = dataclasses.replace(mixed_ecosystem, task_bytes=200)
    sliced = build(small_tasks, options(tmp_path, "sliced", num_proc=2))
    assert len(sliced.plan.tasks) > len(mixed_build.plan.tasks)
    for config in ("clm", "ast", "trees"):
        assert rows(sliced.out_dir, config) == rows(mixed_build.out_dir, config)


def test_small_repositories_share_a_task_and_keep_their_tree_rows_and_splits(mixed_build):
    """A task's fixed costs are paid per `task_bytes`, not per repository: the fixtures fit in one task."""
    plan = mixed_build.plan
    assert len(plan.tasks) == 1
    names = [plan.sources[part.source_index].name for part in plan.tasks[0].parts]
    assert names == [source.name for source in plan.built_sources] == ["org/game", "bad", "game-test"]
    out = mixed_build.out_dir
    assert sorted(row["repo"] for row in rows(out, "trees")) == ["bad", "org/game"]
    assert [row["repo"] for row in rows(out, "trees", "test")] == ["game-test"]
    assert {row["repo"] for row in rows(out, "clm", "test")} == {"game-test"}
    assert {row["repo"] for row in rows(out, "clm")} == {"bad", "org/game"}


def test_a_repository_with_nothing_to_read_still_gets_its_tree_row(tmp_path: Path, git_fixtures: GitFixtures):
    vendored = tmp_path / "vendored"
    (vendored / "node_modules" / "lib").mkdir(parents=True)
    (vendored / "node_modules" / "lib" / "index.js").write_text("module.exports = 1;\n")
    ecosystem = Ecosystem(
        name="packed",
        sources=(
            Source(str(vendored), name="vendored", allow_license=True),
            Source(git_fixtures.game_url, revision="v1", name="org/game"),
        ),
    )
    result = build(ecosystem, options(tmp_path))
    assert [part.size == 0 for part in result.plan.tasks[0].parts] == [True, False]
    assert sorted(row["repo"] for row in rows(result.out_dir, "trees")) == ["org/game", "vendored"]
    assert "vendored" not in {row["repo"] for row in rows(result.out_dir, "clm")}


def test_a_repository_cut_into_several_tasks_is_listed_once_per_process(
    tmp_path: Path, git_fixtures: GitFixtures, monkeypatch: pytest.MonkeyPatch
):
    """Listing costs about 30 µs an entry: per task, a large repository would be listed hundreds of times."""
    import codetune.sources.git as git_sources

    listed: list[str] = []
    list_tree = git_sources._list_tree

    def counted(git_dir, commit, name):
        listed.append(name)
        return list_tree(git_dir, commit, name)

    monkeypatch.setattr(git_sources, "_list_tree", counted)
    ecosystem = Ecosystem(
        name="sliced", sources=(Source(str(git_fixtures.game_bare), name="game"),), task_bytes=100
    )
    result = build(ecosystem, options(tmp_path, num_proc=1))
    assert len(result.plan.tasks) > 2
    assert listed == ["game", "game"]  # the plan, then every task of this process
    assert len(rows(result.out_dir, "clm")) > 2


class PassThrough(PipelineStep):
    """A stage that does nothing: stands in for a dedup stage to force a barrier in a test."""

    name = "pass-through"

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        yield from data or ()


def test_stages_without_a_barrier_fuse_and_give_the_rows_of_split_stages(
    tmp_path: Path, git_fixtures: GitFixtures, monkeypatch: pytest.MonkeyPatch
):
    plain = Ecosystem(
        name="plain",
        sources=(
            Source(git_fixtures.game_url, revision="v1", name="org/game"),
            Source(str(git_fixtures.game_bare), name="game-test", split="test"),
        ),
        dedup=DedupSettings(enabled=False),
        decontamination=DecontaminationSettings(enabled=False),
    )
    fused = build(plain, options(tmp_path, "fused"))
    assert sorted(path.name for path in (fused.work_dir / "logs").iterdir() if path.is_dir()) == [
        "assemble",
        "collect+extract+rows",
    ]
    assert not (fused.work_dir / "collect").exists()  # documents went from step to step in memory
    assert not (fused.work_dir / "extracted").exists()

    # The same build with a (do-nothing) global stage after collect and after extract: documents now go
    # through the work files, and every row and count must come out the same.
    barrier_a, barrier_b = [("barrier_a", [PassThrough()], 1, ())], [("barrier_b", [PassThrough()], 1, ())]
    monkeypatch.setattr(HygieneStages, "after_collect_stages", lambda self: barrier_a)
    monkeypatch.setattr(HygieneStages, "after_extract_stages", lambda self: barrier_b)
    split_options = BuildOptions(
        out_dir=tmp_path / "split",
        work_dir=tmp_path / "work-split",
        cache_dir=tmp_path / "cache",
        progress=False,
    )
    split = build(plain, split_options)
    stages = sorted(path.name for path in (split.work_dir / "logs").iterdir() if path.is_dir())
    assert stages == ["assemble", "barrier_a", "barrier_b", "collect", "extract", "rows"]
    assert list((split.work_dir / "extracted").glob("*.arrow"))
    assert parquet_digests(split.out_dir) == parquet_digests(fused.out_dir)
    assert parquet_digests(fused.out_dir)  # not vacuous
    for field in ("files_seen", "files_kept", "dropped", "segments_per_language", "doc_sections", "rows"):
        assert getattr(split.summary, field) == getattr(fused.summary, field), field


def test_file_dedup_alone_keeps_extract_and_rows_in_one_stage(tmp_path: Path, git_fixtures: GitFixtures):
    ecosystem = Ecosystem(
        name="files-only",
        sources=(Source(git_fixtures.game_url, revision="v1", name="org/game"),),
        dedup=DedupSettings(segments=False),
        decontamination=DecontaminationSettings(enabled=False),
    )
    plan = make_plan(ecosystem, tmp_path / "cache")
    stages = build_stages(plan, tmp_path / "work", tmp_path / "out", options(tmp_path))
    assert [stage.name for stage in stages] == [
        "collect",
        "file_buckets",
        "file_duplicates",
        "extract+rows",
        "assemble",
    ]


def test_missing_revision_names_source_and_revision(tmp_path: Path, git_fixtures: GitFixtures):
    ecosystem = Ecosystem(name="e", sources=(Source(git_fixtures.game_url, revision="v9-missing"),))
    with pytest.raises(SourceError, match="v9-missing") as error:
        build(ecosystem, options(tmp_path))
    assert "game" in str(error.value)


def test_output_folder_with_another_build_needs_overwrite(
    tmp_path: Path, git_fixtures: GitFixtures, mixed_build
):
    other = Ecosystem(name="other", sources=(Source(str(git_fixtures.game_bare), revision="v1"),))
    with pytest.raises(OutputFolderError, match="--overwrite"):
        build(other, options(tmp_path))
    replaced = build(other, options(tmp_path, overwrite=True))
    assert {row["repo"] for row in rows(replaced.out_dir, "clm")} == {"game"}
    assert not list((replaced.out_dir / "clm").glob("test-*"))  # the old build's test shards are gone


def test_output_folder_with_foreign_files_is_refused(tmp_path: Path, mixed_ecosystem: Ecosystem):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    with pytest.raises(OutputFolderError, match="not a codetune build"):
        build(mixed_ecosystem, options(tmp_path))


def test_every_source_empty_is_a_clear_error(tmp_path: Path, git_fixtures: GitFixtures):
    from codetune.build.pipeline import BuildError

    with pytest.raises(BuildError, match=r"every source was skipped.*empty_repository"):
        build(Ecosystem(name="e", sources=(Source(str(git_fixtures.empty)),)), options(tmp_path))


def test_a_file_that_crashes_or_hangs_the_parser_is_skipped_and_counted(tmp_path: Path):
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "a_crash.py").write_text("#abort\ndef crashes():\n    return 1\n")
    (repo / "src" / "b_hang.py").write_text("#hang\ndef hangs():\n    return 2\n")
    (repo / "src" / "c_fine.py").write_text("def fine():\n    return 3\n")
    (repo / "docs").mkdir()
    (repo / "docs" / "crash.md").write_text("#abort\n\n# Guide\n\nMarkdown goes through the worker too.\n")
    # an unlicensed folder: opted in, since unknown licenses are excluded by default
    ecosystem = Ecosystem(name="faulty", sources=(Source(str(repo), allow_license=True),), parse_timeout_s=3)
    result = build(
        ecosystem, options(tmp_path, segmenter_target="tests.parse.faulty_targets:faulty_segment_source")
    )
    assert result.summary.parse_skipped == {"parser_crash": 2, "parser_timeout": 1}
    assert [row["name"] for row in rows(result.out_dir, "ast")] == ["fine"]
    assert {row["path"] for row in rows(result.out_dir, "clm")} == {
        "docs/crash.md",
        "src/a_crash.py",
        "src/b_hang.py",
        "src/c_fine.py",
    }


def core_and_full_ecosystems() -> list[Ecosystem]:
    """The example as it is (every hygiene stage, six configs, an attribute column) and with hygiene off."""
    import dataclasses

    from codetune.ecosystem import AttributeRule, RedactionSettings, RepositoryAttribute
    from dataset_scripts.example import ECOSYSTEM

    flavour = RepositoryAttribute(name="flavour", marker="README.md", rules=(AttributeRule("(.)", r"\1"),))
    full = dataclasses.replace(ECOSYSTEM, repository_attributes=(flavour,))
    core = dataclasses.replace(
        ECOSYSTEM,
        subsets=("clm", "ast", "trees"),
        redaction=RedactionSettings(enabled=False),
        dedup=DedupSettings(enabled=False),
        decontamination=DecontaminationSettings(enabled=False),
    )
    return [full, core]


@pytest.mark.parametrize("ecosystem", core_and_full_ecosystems(), ids=["full", "core"])
def test_forkserver_workers_start_warm_and_never_import_datasets_or_pandas(tmp_path: Path, ecosystem):
    """With `start_method="forkserver"`, local workers fork from a forkserver that imported
    `worker_modules(ecosystem)`. Unpickling any stage's work there must import nothing more and redo no
    per-process setup: each would be paid again by every worker of every stage. Running every task of every
    stage, as the workers do, must not import `datasets` nor pandas (a quarter of a second each, for
    nothing), and must still produce the build."""
    import json
    import subprocess
    import sys

    import dill

    from codetune.build.pipeline import make_executor, worker_modules

    plan = make_plan(ecosystem, tmp_path / "cache")
    build_options = options(tmp_path, num_proc=2, start_method="forkserver")
    stages = build_stages(plan, tmp_path / "work", tmp_path / "out", build_options)
    for stage in stages:
        executor = make_executor(
            stage.pipeline, stage.tasks, tmp_path / "logs" / stage.name, build_options, stage.task_sizes
        )
        (tmp_path / f"{stage.name}.pkl").write_bytes(dill.dumps(executor._launch_run_for_rank))
    probe = f"""
import importlib.metadata, json, queue, sys
import dill
for module in {worker_modules(ecosystem)!r}:
    __import__(module)
preloaded = set(sys.modules)
scans = []
scan = importlib.metadata.distributions
importlib.metadata.distributions = lambda *args, **kwargs: scans.append(1) or scan(*args, **kwargs)
work = [
    (dill.loads(open({str(tmp_path)!r} + "/" + name + ".pkl", "rb").read()), tasks)
    for name, tasks in {[(stage.name, stage.tasks) for stage in stages]!r}
]
loaded = sorted(set(sys.modules) - preloaded)
for run_rank, tasks in work:
    for rank in range(tasks):
        free_workers = queue.Queue()
        free_workers.put(0)
        run_rank(rank, free_workers)
print(json.dumps({{
    "preloaded": sorted(preloaded), "loaded": loaded, "metadata_scans": len(scans),
    "ran": sorted(set(sys.modules) - preloaded),
}}))
"""
    probed = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True)
    modules = json.loads(probed.stdout.splitlines()[-1])
    assert [module for module in modules["loaded"] if module.startswith("codetune")] == []
    assert modules["metadata_scans"] == 0  # datatrove's dependency check was answered in the forkserver
    for heavy in ("datasets", "pandas"):
        assert heavy not in modules["preloaded"] + modules["ran"]
    assert list((tmp_path / "out" / "clm").glob("train-*.parquet"))  # the stages did run
    hygiene = {"codetune.hygiene.redact", "codetune.build.hygiene_stages"} & set(modules["preloaded"])
    if ecosystem.dedup.enabled:
        assert "file_buckets" in {stage.name for stage in stages}  # every kind of stage was unpickled
    else:
        assert not hygiene  # a build without hygiene does not wait for its modules
