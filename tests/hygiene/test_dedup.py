"""Exact and near-duplicate removal: the steps on documents, then whole builds on real git repositories."""

from __future__ import annotations

import dataclasses
import hashlib
import random
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from datatrove.data import Document
from datatrove.pipeline.dedup.minhash import MinhashDedupSignature
from datatrove.utils.text import simplify_text

from codetune.build.pipeline import BuildOptions, build
from codetune.definitions.hygiene_settings import DedupSettings
from codetune.documents import DocSectionMeta, FileMeta, RepoTreeMeta, make_document
from codetune.ecosystem import Ecosystem, Source
from codetune.errors import EcosystemConfigError
from codetune.hygiene.code_tokens import CodeWordTokenizer
from codetune.hygiene.dedup import (
    SIGNATURE_CHUNK,
    CodeMinhashSignature,
    DedupFolders,
    DuplicateFilter,
    minhash_config,
    resolution_pipelines,
    signature_steps,
)
from tests.hygiene.synthetic_code import make_repo, unique_function, unique_module

FILES = (FileMeta.KIND,)


def file_doc(repo: str, path: str, text: str) -> Document:
    meta = FileMeta(
        repo=repo,
        commit="",
        split="train",
        license="MIT",
        path=path,
        language="python",
        role="code",
        size=len(text),
    )
    return make_document(text, meta)


def run_steps(steps, data, rank: int, world_size: int) -> None:
    for step in steps:
        data = step(data, rank, world_size)
    if data is not None:
        for _ in data:
            pass


def run_dedup(tasks: list[list[Document]], root: Path, settings: DedupSettings | None = None) -> list[str]:
    """Every dedup stage on these tasks' documents, in stage order; the ids that survive, in order."""
    settings = settings or DedupSettings()
    folders = DedupFolders(str(root))
    for rank, documents in enumerate(tasks):
        run_steps(signature_steps(settings, folders, FILES), iter(documents), rank, len(tasks))
    for _, steps, stage_tasks in resolution_pipelines(settings, folders, len(tasks)):
        for rank in range(stage_tasks):
            run_steps(steps, None, rank, stage_tasks)
    return [
        document.id
        for rank, documents in enumerate(tasks)
        for document in DuplicateFilter(folders, FILES)(iter(documents), rank, len(tasks))
    ]


# --- tokens and signatures ----------------------------------------------------------------------------


def test_code_tokenizer_keeps_identifiers_numbers_and_operators():
    tokens = CodeWordTokenizer().word_tokenize("def f(x1, y):\n    return x1 += 0x1F -> {Node}")
    assert tokens == [
        "def",
        "f",
        "(",
        "x1",
        ",",
        "y",
        "):",
        "return",
        "x1",
        "+=",
        "0x1F",
        "->",
        "{",
        "Node",
        "}",
    ]
    assert CodeWordTokenizer(operators=False).word_tokenize("a.b += 2") == ["a", "b", "2"]


def test_datatrove_default_normalisation_makes_x1_and_x2_equal_and_ours_keeps_them_apart():
    assert simplify_text("x1 = 1") == simplify_text("x2 = 2")  # the default rewrites every digit run to 0
    signer = CodeMinhashSignature("/nonexistent", minhash_config(DedupSettings()), FILES)
    first, second = "x1 = compute(1) + table[10]", "x2 = compute(2) + table[20]"
    assert not set(signer.get_shingles(first).ravel()) & set(signer.get_shingles(second).ravel())
    numbers_normalised = CodeMinhashSignature(
        "/nonexistent", minhash_config(DedupSettings(normalize_numbers=True)), FILES
    )
    assert np.array_equal(numbers_normalised.get_shingles(first), numbers_normalised.get_shingles(second))


def test_blockwise_signature_equals_datatrove_signature_on_a_large_file():
    signer = CodeMinhashSignature("/nonexistent", minhash_config(DedupSettings()), FILES)
    shingles = signer.get_shingles(unique_module(seed=3, functions=400))
    assert len(shingles) > 3 * SIGNATURE_CHUNK  # several blocks
    assert signer.get_signature(shingles) == MinhashDedupSignature.get_signature(signer, shingles)


# --- the stages on documents ---------------------------------------------------------------------------


def test_exact_copies_with_other_whitespace_keep_the_first_in_plan_order(tmp_path: Path):
    original = unique_module(seed=1)
    reindented = "\n\n" + original.replace("\n", "  \n").replace("    ", "\t") + "\n\n"
    short = "x = 1"  # too short for a MinHash shingle: only exact dedup sees it
    tasks = [
        [file_doc("a", "a.py", unique_module(seed=2)), file_doc("a", "z.py", original)],
        [file_doc("b", "a.py", reindented), file_doc("b", "b.py", short)],
        [file_doc("c", "a.py", original), file_doc("c", "b.py", "x  =  1")],
    ]
    assert run_dedup(tasks, tmp_path) == ["a@worktree:a.py", "a@worktree:z.py", "b@worktree:b.py"]


def test_near_duplicate_cluster_keeps_the_first_copy_in_plan_order(tmp_path: Path):
    original = unique_module(seed=4)
    lines = original.splitlines()
    variants = ["\n".join([*lines[:i], f"    extra_{i} = {i}", *lines[i:]]) for i in (3, 9, 15, 21)]
    tasks = [
        [file_doc("a", "a.py", unique_module(seed=5)), file_doc("a", "m.py", variants[0])],
        [file_doc("b", "b.py", variants[1])],
        [file_doc("c", "c.py", variants[2]), file_doc("c", "d.py", unique_module(seed=6))],
        [file_doc("d", "d.py", variants[3])],
    ]
    assert run_dedup(tasks, tmp_path) == ["a@worktree:a.py", "a@worktree:m.py", "c@worktree:d.py"]


def test_ten_thousand_near_identical_lines_dedup_without_collapsing_different_files(tmp_path: Path):
    reads = "\n".join(f"slot_{i} = read(buffer, {i})" for i in range(10_000))
    writes = "\n".join(f"slot_{i} = write(buffer, {i})" for i in range(10_000))
    one_line_changed = reads.replace("slot_5000 = read(buffer, 5000)", "slot_5000 = read(buffer, -1)")
    tasks = [
        [file_doc("a", "reads.py", reads)],
        [file_doc("b", "writes.py", writes)],
        [file_doc("c", "reads.py", one_line_changed)],
    ]
    assert run_dedup(tasks, tmp_path) == ["a@worktree:reads.py", "b@worktree:writes.py"]


def test_files_of_only_numbers_stay_apart_unless_numbers_are_normalised(tmp_path: Path):
    rng = random.Random(0)
    tables = ["\n".join(str(rng.randint(0, 10**9)) for _ in range(3000)) for _ in range(2)]
    tasks = [[file_doc("a", "table.txt", tables[0])], [file_doc("b", "table.txt", tables[1])]]
    assert run_dedup(tasks, tmp_path / "kept") == ["a@worktree:table.txt", "b@worktree:table.txt"]
    normalised = DedupSettings(normalize_numbers=True)  # datatrove's default: every number becomes 0
    assert run_dedup(tasks, tmp_path / "normalised", normalised) == ["a@worktree:table.txt"]


def test_duplicate_filter_keeps_documents_of_other_kinds_in_place(tmp_path: Path):
    folders = DedupFolders(str(tmp_path))
    (tmp_path / "remove").mkdir()
    (tmp_path / "remove" / "000000.remove").write_bytes(np.array([1], dtype="<u4").tobytes())
    tree = make_document("tree", RepoTreeMeta(repo="a", commit="", split="train", license="MIT", readme="",
                                              file_count=2, directory_count=0))  # fmt: skip
    section = make_document(
        "# Title", DocSectionMeta("a", "", "train", "MIT", "README.md", "Title", 1, ("Title",), 1, 1, ())
    )
    stream = [
        tree,
        file_doc("a", "x.py", "x"),
        section,
        file_doc("a", "y.py", "y"),
        file_doc("a", "z.py", "z"),
    ]
    kept = [document.id for document in DuplicateFilter(folders, FILES)(iter(stream), 0, 1)]
    assert kept == [tree.id, "a@worktree:x.py", section.id, "a@worktree:z.py"]


def test_dedup_settings_are_validated_with_the_field_named():
    with pytest.raises(EcosystemConfigError, match="num_buckets"):
        DedupSettings(num_buckets=0)
    with pytest.raises(EcosystemConfigError, match="normalize_numbers"):
        DedupSettings(normalize_numbers="yes")
    ecosystem = Ecosystem.from_dict(
        {"name": "e", "sources": ["/src/a"], "dedup": {"shingle_size": 7, "segments": False}}
    )
    assert ecosystem.dedup == DedupSettings(shingle_size=7, segments=False)
    assert round(DedupSettings().approximate_threshold, 2) == 0.72  # BigCode: 25 × 10, Jaccard ≈ 0.7


# --- whole builds --------------------------------------------------------------------------------------

HELPER = '''def clamp(value, low, high):
    """Keep value between low and high."""
    if value < low:
        return low
    if value > high:
        return high
    return value
'''


@pytest.fixture(scope="module")
def dedup_repos(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Four repositories: a module copied near-verbatim and exactly, and one helper copied into all four."""
    root = tmp_path_factory.mktemp("dedup-repos")
    shared = unique_module(seed=10, functions=8)
    near = shared.replace("    return", "    # tidied up\n    return", 1)
    reformatted = shared.replace("\n\n", "\n\n\n")  # only whitespace differs
    rng = random.Random(11)
    return [
        make_repo(root, "alpha", {"src/shared.py": shared, "src/geometry.py": HELPER + unique_function(rng)}),
        make_repo(
            root, "beta", {"lib/shared.py": near, "lib/shapes.py": unique_function(rng) + "\n" + HELPER}
        ),
        make_repo(
            root, "gamma", {"copy/shared.py": reformatted, "util/bounds.py": HELPER + unique_function(rng)}
        ),
        make_repo(root, "delta", {"z/math.py": unique_function(rng) + "\n" + HELPER + unique_function(rng)}),
    ]


def dedup_ecosystem(repos: list[Path], **changes) -> Ecosystem:
    return Ecosystem(
        name="dedup", sources=tuple(Source(str(path)) for path in repos), subsets=("clm", "ast"), **changes
    )


def build_options(tmp_path: Path, name: str, **overrides) -> BuildOptions:
    return BuildOptions(out_dir=tmp_path / name, work_dir=tmp_path / "work", progress=False, **overrides)


def rows(out_dir: Path, config: str) -> list[dict]:
    return [
        row
        for path in sorted((out_dir / config).glob("train-*.parquet"))
        for row in pq.read_table(path).to_pylist()
    ]


def digests(out_dir: Path) -> dict[str, str]:
    return {
        str(path.relative_to(out_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out_dir.glob("*/*.parquet"))
    }


@pytest.fixture(scope="module")
def dedup_build(dedup_repos: list[Path], tmp_path_factory: pytest.TempPathFactory):
    return build(dedup_ecosystem(dedup_repos), build_options(tmp_path_factory.mktemp("dedup-build"), "out"))


def test_duplicate_files_across_repositories_keep_the_first_and_are_counted(dedup_build):
    clm = {(row["repo"], row["path"]) for row in rows(dedup_build.out_dir, "clm")}
    assert ("alpha", "src/shared.py") in clm
    assert ("beta", "lib/shared.py") not in clm  # near duplicate
    assert ("gamma", "copy/shared.py") not in clm  # exact duplicate once whitespace is normalised
    assert {("beta", "lib/shapes.py"), ("gamma", "util/bounds.py"), ("delta", "z/math.py")} <= clm
    summary = dedup_build.summary
    assert summary.dropped["exact_duplicate"] == 1 and summary.dropped["near_duplicate"] == 1
    assert summary.files_seen == summary.files_kept + summary.files_dropped
    assert summary.dedup["near_duplicate_file_clusters"] == 1
    card = (dedup_build.out_dir / "README.md").read_text()
    assert "| files (every config) | 1 | 1 | 1 |" in card
    assert "near duplicates removed" in summary.render()


def test_a_helper_copied_into_every_repository_is_one_ast_row(dedup_build):
    clamps = [row for row in rows(dedup_build.out_dir, "ast") if row["name"] == "clamp"]
    assert [(row["repo"], row["path"]) for row in clamps] == [("alpha", "src/geometry.py")]
    assert (
        dedup_build.summary.dedup["exact_duplicate_segments"]
        + dedup_build.summary.dedup["near_duplicate_segments"]
        >= 3
    )
    clm_texts = [row["text"] for row in rows(dedup_build.out_dir, "clm")]
    assert sum(HELPER in text for text in clm_texts) == 4  # the files around it differ: all four kept


def test_dedup_output_is_byte_identical_across_runs_workers_and_task_slicing(
    dedup_repos: list[Path], dedup_build, tmp_path: Path
):
    again = build(dedup_ecosystem(dedup_repos), build_options(tmp_path, "again", num_proc=2))
    assert digests(again.out_dir) == digests(dedup_build.out_dir) != {}
    sliced = build(
        dedup_ecosystem(dedup_repos, task_bytes=300), build_options(tmp_path, "sliced", num_proc=2)
    )
    assert len(sliced.plan.tasks) > len(dedup_build.plan.tasks)
    for config in ("clm", "ast"):
        assert rows(sliced.out_dir, config) == rows(dedup_build.out_dir, config)


def test_dedup_turned_off_keeps_every_copy(dedup_repos: list[Path], tmp_path: Path):
    result = build(
        dedup_ecosystem(dedup_repos, dedup=DedupSettings(enabled=False)), build_options(tmp_path, "off")
    )
    assert len([row for row in rows(result.out_dir, "ast") if row["name"] == "clamp"]) == 4
    assert {row["path"] for row in rows(result.out_dir, "clm")} >= {"lib/shared.py", "copy/shared.py"}
    assert result.summary.dedup == {} and "exact_duplicate" not in result.summary.dropped
    assert not (result.work_dir / "logs" / "file_buckets").exists()
    assert "Deduplication was turned off" in (result.out_dir / "README.md").read_text()


def test_only_exact_dedup_needs_no_minhash_stages(dedup_repos: list[Path], tmp_path: Path):
    settings = dataclasses.replace(DedupSettings(), near=False)
    result = build(dedup_ecosystem(dedup_repos, dedup=settings), build_options(tmp_path, "exact"))
    paths = {row["path"] for row in rows(result.out_dir, "clm")}
    assert "copy/shared.py" not in paths and "lib/shared.py" in paths
    assert not (result.work_dir / "logs" / "file_buckets").exists()
