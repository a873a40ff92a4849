"""Decontamination: train rows sharing a long n-gram with the test split or eval data are dropped."""

from __future__ import annotations

import json
import random
from pathlib import Path

import huggingface_hub.constants
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datatrove.data import Document

from codetune.build.pipeline import BuildOptions, build
from codetune.definitions.hygiene_settings import DecontaminationSettings, EvalSource
from codetune.documents import FileMeta, make_document
from codetune.ecosystem import Ecosystem, Source
from codetune.errors import EcosystemConfigError, EvalDataError
from codetune.hygiene.decontaminate import (
    ContaminatedRowFilter,
    ContaminationMatcher,
    ContaminationResolver,
    TestSplitNGrams,
)
from tests.hygiene.synthetic_code import make_repo, unique_function, unique_module

ORBIT = '''def solve_orbit(body, central_mass, time_step):
    """Advance a body around the central mass by one leapfrog step."""
    distance = (body.position_x ** 2 + body.position_y ** 2) ** 0.5
    pull = gravity_constant * central_mass / distance ** 3
    body.velocity_x -= pull * body.position_x * time_step
    body.velocity_y -= pull * body.position_y * time_step
    body.position_x += body.velocity_x * time_step
    body.position_y += body.velocity_y * time_step
    return body
'''
# A train function that took the test function's physics and grew: far from a near-duplicate, still a leak.
ORBIT_EXTENDED = (
    ORBIT.replace("def solve_orbit(", "def simulate_system(")
    .replace("    return body\n", "")
    .replace('"""Advance a body around the central mass by one leapfrog step."""', '"""Whole system."""')
    + "".join(f"    log_step_{i}(body, energy_{i}, momentum_{i}, {i})\n" for i in range(12))
    + "    return body\n"
)
BOILERPLATE = (
    "# Copyright the Orbital Mechanics Collective. Licensed under the MIT License; you may not use this\n"
    "# file except in compliance with the License, which ships with every copy of this software.\n\n"
)
PROMPT = (
    'def rank_players(scores, limit):\n    """Return the names of the best players, highest score first."""\n'
)
SOLUTION = (
    "    ordered = sorted(scores.items(), key=lambda item: item[1], reverse=True)\n"
    "    return [name for name, score in ordered[:limit]]\n"
)
PARQUET_TEXT = (
    "def merge_ledgers(left_ledger, right_ledger, auditor_name):\n"
    "    return {**left_ledger, **right_ledger, 'merged_by': auditor_name, 'tool': 'treasury_audit_tool'}\n"
)
HUB_TEXT = (
    "def decode_packet(frame_bytes):\n"
    "    header, payload = frame_bytes[:8], frame_bytes[8:]\n"
    "    return checksum_of(header) ^ checksum_of(payload)\n"
)
HUB_COMMIT = "0123456789abcdef0123456789abcdef01234567"


def write_hub_cache(cache: Path) -> None:
    """A Hub dataset as `hf download` leaves it in the cache: refs/main → snapshots/<commit>/..."""
    repo = cache / "datasets--org--bench"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(HUB_COMMIT)
    data = repo / "snapshots" / HUB_COMMIT / "data"
    data.mkdir(parents=True)
    pq.write_table(
        pa.table({"content": [HUB_TEXT, "print('unrelated')"]}), data / "test-00000-of-00001.parquet"
    )


@pytest.fixture(scope="module")
def decont_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("decont")
    rng = random.Random(21)
    apps = make_repo(
        root,
        "apps",
        {
            "src/orbit_sim.py": unique_function(rng) + "\n\n" + ORBIT_EXTENDED,
            "src/clean.py": unique_module(seed=22),
            "src/scoring.py": unique_function(rng) + "\n\n" + PROMPT + SOLUTION,
            "src/header_a.py": BOILERPLATE + unique_module(seed=23),
        },
    )
    lib_b = make_repo(
        root,
        "lib-b",
        {
            "src/header_b.py": BOILERPLATE + unique_module(seed=24),
            "src/net.py": unique_function(rng) + HUB_TEXT,
        },
    )
    lib_c = make_repo(
        root,
        "lib-c",
        {"src/header_c.py": BOILERPLATE + unique_module(seed=25), "src/ledger.py": PARQUET_TEXT},
    )
    held_out = make_repo(
        root, "held-out", {"src/orbit.py": BOILERPLATE + ORBIT + "\n\n" + unique_module(seed=26)}
    )
    evals = root / "evals"
    evals.mkdir()
    (evals / "bench.jsonl").write_text(
        json.dumps({"task_id": "b/0", "prompt": PROMPT, "canonical_solution": SOLUTION}) + "\n"
    )
    pq.write_table(pa.table({"text": [PARQUET_TEXT]}), evals / "extra.parquet")
    hub = root / "hub-cache"
    write_hub_cache(hub)
    return {"repos": [apps, lib_b, lib_c, held_out], "evals": evals, "hub": hub, "root": root}


def decont_ecosystem(inputs: dict, **settings) -> Ecosystem:
    apps, lib_b, lib_c, held_out = inputs["repos"]
    defaults = {
        "eval_sources": (
            EvalSource(
                path=str(inputs["evals"] / "bench.jsonl"), text_fields=("prompt", "canonical_solution")
            ),
            EvalSource(path=str(inputs["evals"] / "extra.parquet")),
            EvalSource(dataset="org/bench", text_fields=("content",)),
        )
    }
    return Ecosystem(
        name="decont",
        sources=(
            Source(str(apps)),
            Source(str(lib_b)),
            Source(str(lib_c)),
            Source(str(held_out), split="test"),
        ),
        subsets=("clm", "ast"),
        decontamination=DecontaminationSettings(**(defaults | settings)),
    )


def build_with_hub_cache(inputs: dict, ecosystem: Ecosystem, out: Path):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(inputs["hub"]))
        return build(ecosystem, BuildOptions(out_dir=out, work_dir=out.parent / "work", progress=False))


def train_rows(out_dir: Path, config: str) -> list[dict]:
    return [
        row
        for path in sorted((out_dir / config).glob("train-*.parquet"))
        for row in pq.read_table(path).to_pylist()
    ]


@pytest.fixture(scope="module")
def decont_build(decont_inputs: dict, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("decont-build") / "out"
    return build_with_hub_cache(decont_inputs, decont_ecosystem(decont_inputs), out)


def test_train_rows_sharing_code_with_the_test_split_or_eval_data_are_dropped(decont_build):
    clm = {row["path"] for row in train_rows(decont_build.out_dir, "clm")}
    assert "src/orbit_sim.py" not in clm  # the test split's function, grown into another one
    assert "src/scoring.py" not in clm  # the JSONL benchmark's prompt + solution
    assert "src/ledger.py" not in clm  # the Parquet eval file's text
    assert "src/net.py" not in clm  # the cached Hub dataset's text
    assert "src/clean.py" in clm
    ast = {row["name"] for row in train_rows(decont_build.out_dir, "ast")}
    assert "simulate_system" not in ast and "rank_players" not in ast
    assert len(ast) >= 20  # every other function of the train repositories is still there
    test_ast = {
        row["name"]
        for row in pq.read_table(decont_build.out_dir / "ast" / "test-00000-of-00001.parquet").to_pylist()
    }
    assert "solve_orbit" in test_ast  # the test split itself is untouched


def test_boilerplate_in_three_train_repositories_decides_nothing(decont_build):
    clm = {row["path"] for row in train_rows(decont_build.out_dir, "clm")}
    assert {"src/header_a.py", "src/header_b.py", "src/header_c.py"} <= clm


def test_contamination_is_counted_per_kind_and_source_in_summary_and_card(decont_build, decont_inputs: dict):
    summary = decont_build.summary
    assert summary.contaminated["file"] == 4
    assert summary.contaminated["segment"] >= 2
    evals = decont_inputs["evals"]
    assert summary.contaminated_by["test split"] >= 2  # orbit_sim.py and simulate_system
    assert summary.contaminated_by[str(evals / "bench.jsonl")] >= 2
    assert summary.contaminated_by[str(evals / "extra.parquet")] >= 1
    assert summary.contaminated_by["hub:org/bench"] >= 1
    card = (decont_build.out_dir / "README.md").read_text()
    assert f"| file rows | {summary.contaminated['file']} |" in card
    assert "| sharing an n-gram with hub:org/bench |" in card
    assert "decontamination: dropped" in summary.render()


def test_without_the_boilerplate_rule_a_shared_header_drops_every_file_that_has_it(
    decont_inputs: dict, tmp_path: Path
):
    ecosystem = decont_ecosystem(decont_inputs, common_ngram_repos=0)
    result = build_with_hub_cache(decont_inputs, ecosystem, tmp_path / "out")
    clm = {row["path"] for row in train_rows(result.out_dir, "clm")}
    assert not clm & {"src/header_a.py", "src/header_b.py", "src/header_c.py"}
    assert "src/clean.py" in clm


def test_a_changed_eval_file_changes_the_build_fingerprint(decont_inputs: dict, tmp_path: Path):
    from codetune.build.plan import make_plan

    evals = tmp_path / "bench.jsonl"
    evals.write_text(json.dumps({"text": "alpha beta"}) + "\n")
    ecosystem = Ecosystem(
        name="fp",
        sources=(Source(str(decont_inputs["repos"][0])),),
        decontamination=DecontaminationSettings(eval_sources=(str(evals),)),
    )
    first = make_plan(ecosystem, tmp_path / "cache").fingerprint
    evals.write_text(json.dumps({"text": "gamma delta"}) + "\n")
    assert make_plan(ecosystem, tmp_path / "cache").fingerprint != first


# --- the steps, on documents -----------------------------------------------------------------------


def file_doc(repo: str, path: str, text: str, split: str = "train") -> Document:
    meta = FileMeta(
        repo=repo,
        commit="",
        split=split,
        license="MIT",
        path=path,
        language="python",
        role="code",
        size=len(text),
    )
    return make_document(text, meta)


def surviving_train_paths(
    tmp_path: Path,
    test_docs: list[Document],
    train_tasks: list[list[Document]],
    settings: DecontaminationSettings,
) -> list[str]:
    """The decontamination steps in stage order: task 0 holds the test docs, one task per train repo after."""
    index, matches, remove = (str(tmp_path / name) for name in ("index", "matches", "remove"))
    tasks = [test_docs, *train_tasks]
    for rank, documents in enumerate(tasks):
        for _ in TestSplitNGrams(index, settings)(iter(documents), rank, len(tasks)):
            pass
    for rank, documents in enumerate(tasks):
        ContaminationMatcher(index, matches, settings)(iter(documents), rank, len(tasks))
    ContaminationResolver(matches, remove, len(tasks), settings.common_ngram_repos)(None, 0, 1)
    return [
        document.metadata["path"]
        for rank, documents in enumerate(tasks)
        for document in ContaminatedRowFilter(remove)(iter(documents), rank, len(tasks))
        if document.metadata["split"] == "train"
    ]


def test_ngram_size_decides_how_long_a_shared_run_must_be(tmp_path: Path):
    shared = "alpha beta gamma delta epsilon zeta eta theta"  # 8 words
    test_docs = [file_doc("held", "t.py", f"one two {shared} three", split="test")]
    train = [
        [file_doc("a", "a.py", f"{shared} four five"), file_doc("a", "b.py", "unrelated words only here")]
    ]
    assert surviving_train_paths(tmp_path / "10", test_docs, train, DecontaminationSettings()) == [
        "a.py",
        "b.py",
    ]
    eight = DecontaminationSettings(ngram_size=8)
    assert surviving_train_paths(tmp_path / "8", test_docs, train, eight) == ["b.py"]


def test_operators_count_as_tokens_only_when_asked(tmp_path: Path):
    test_docs = [file_doc("held", "t.py", "x = (a + b) * (c - d) / (e % f)", split="test")]
    train = [[file_doc("a", "a.py", "y = (a + b) * (c - d) / (e % f)")]]  # 6 words, 17 tokens with operators
    settings = DecontaminationSettings(ngram_size=10)
    assert surviving_train_paths(tmp_path / "words", test_docs, train, settings) == ["a.py"]
    operators = DecontaminationSettings(ngram_size=10, count_operators=True)
    assert surviving_train_paths(tmp_path / "operators", test_docs, train, operators) == []


def test_common_ngram_rule_counts_repositories_not_files(tmp_path: Path):
    header = "this header line is shared by many files of the same two repositories only"
    test_docs = [file_doc("held", "t.py", header, split="test")]
    train = [
        [file_doc("a", f"a{i}.py", f"{header}\nunique_{i}") for i in range(5)],
        [file_doc("b", f"b{i}.py", f"{header}\nother_{i}") for i in range(5)],
    ]
    settings = DecontaminationSettings(common_ngram_repos=3)
    assert surviving_train_paths(tmp_path, test_docs, train, settings) == []  # ten files, two repositories


# --- bad input -----------------------------------------------------------------------------------------


def plan_with(tmp_path: Path, source: EvalSource):
    from codetune.build.plan import make_plan

    repo = make_repo(tmp_path, "repo", {"a.py": "x = 1\n"})
    ecosystem = Ecosystem(
        name="bad",
        sources=(Source(str(repo)),),
        decontamination=DecontaminationSettings(eval_sources=(source,)),
    )
    return make_plan(ecosystem, tmp_path / "cache")


def test_an_empty_eval_file_is_an_error_naming_the_file(tmp_path: Path):
    (tmp_path / "empty.jsonl").write_text("\n\n")
    with pytest.raises(EvalDataError, match=r"empty\.jsonl.*is empty"):
        plan_with(tmp_path, EvalSource(path=str(tmp_path / "empty.jsonl")))
    pq.write_table(pa.table({"text": pa.array([], pa.string())}), tmp_path / "empty.parquet")
    with pytest.raises(EvalDataError, match=r"empty\.parquet.*is empty"):
        plan_with(tmp_path, EvalSource(path=str(tmp_path / "empty.parquet")))


def test_an_eval_file_without_the_text_field_is_an_error_naming_file_and_field(tmp_path: Path):
    (tmp_path / "rows.jsonl").write_text(
        json.dumps({"prompt": "a"}) + "\n" + json.dumps({"question": "b"}) + "\n"
    )
    with pytest.raises(EvalDataError, match=r"rows\.jsonl line 2: no field 'prompt' \(fields: question\)"):
        plan_with(tmp_path, EvalSource(path=str(tmp_path / "rows.jsonl"), text_fields=("prompt",)))
    pq.write_table(pa.table({"content": ["a"]}), tmp_path / "rows.parquet")
    with pytest.raises(EvalDataError, match=r"rows\.parquet .*no field 'text' \(fields: content\)"):
        plan_with(tmp_path, EvalSource(path=str(tmp_path / "rows.parquet")))
    with pytest.raises(EvalDataError, match=r"missing\.jsonl: no such file"):
        plan_with(tmp_path, EvalSource(path=str(tmp_path / "missing.jsonl")))


def test_a_hub_dataset_missing_from_the_cache_is_an_error_not_a_download(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    with pytest.raises(
        EvalDataError, match=r"not in the local Hugging Face cache.*hf download --repo-type dataset"
    ):
        plan_with(tmp_path, EvalSource(dataset="org/absent"))


def test_decontamination_settings_are_validated_with_the_field_named():
    with pytest.raises(EcosystemConfigError, match="ngram_size"):
        DecontaminationSettings(ngram_size=0)
    with pytest.raises(EcosystemConfigError, match="'path'"):
        EvalSource(path="bench.csv")
    with pytest.raises(EcosystemConfigError, match="exactly one of 'path'"):
        EvalSource(path="bench.jsonl", dataset="org/bench")
    with pytest.raises(EcosystemConfigError, match=r"eval_sources\[0\]: unknown field 'field'"):
        DecontaminationSettings(eval_sources=({"path": "a.jsonl", "field": "text"},))
    ecosystem = Ecosystem.from_dict(
        {
            "name": "e",
            "sources": ["/src/a"],
            "decontamination": {
                "ngram_size": 12,
                "eval_sources": [{"dataset": "org/b", "text_fields": ["prompt"]}],
            },
        }
    )
    assert ecosystem.decontamination.eval_sources == (EvalSource(dataset="org/b", text_fields=("prompt",)),)
