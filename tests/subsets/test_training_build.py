"""The bundled example builds `fim`, `instruct` and `dpo` in both splits, deterministically, with a card."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest
from datasets import load_dataset

from codetune.build.pipeline import BuildOptions, build
from codetune.ecosystem import DeprecatedApi
from dataset_scripts.example import ECOSYSTEM

UNMATCHED = DeprecatedApi(r"engine\.createEntity\(\)", "new Entity()", "an API the example never calls")
EXAMPLE = dataclasses.replace(ECOSYSTEM, deprecated_apis=(*ECOSYSTEM.deprecated_apis, UNMATCHED))
TRAINING = ("fim", "instruct", "dpo")


def _options(root: Path, name: str, **overrides) -> BuildOptions:
    return BuildOptions(out_dir=root / name, work_dir=root / f"work-{name}", cache_dir=root / "cache",
                        progress=False, **overrides)  # fmt: skip


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("training")
    return root, build(EXAMPLE, _options(root, "out"))


def test_every_training_config_has_rows_in_both_splits_and_loads(example, tmp_path: Path):
    _, result = example
    for config in TRAINING:
        assert result.summary.rows[config]["train"] > 0 and result.summary.rows[config]["test"] > 0, config
        dataset = load_dataset(str(result.out_dir), config, cache_dir=str(tmp_path / "hf"))
        assert dataset["test"].num_rows == result.summary.rows[config]["test"]
    instruct = load_dataset(str(result.out_dir), "instruct", split="train", cache_dir=str(tmp_path / "hf"))
    assert {"docstring", "import"} <= set(instruct["source"])
    dpo = load_dataset(str(result.out_dir), "dpo", split="train", cache_dir=str(tmp_path / "hf"))
    assert {"deprecated_api", "corrupted_tree"} <= set(dpo["negative_kind"])


def test_no_fim_row_spans_two_files(example):
    _, result = example
    import pyarrow.parquet as pq

    clm = {
        (row["repo"], row["path"]): row["text"]
        for path in result.out_dir.glob("clm/*.parquet")
        for row in pq.read_table(path).to_pylist()
    }
    fim = [row for path in result.out_dir.glob("fim/*.parquet") for row in pq.read_table(path).to_pylist()]
    assert fim and all(
        row["prefix"] + row["middle"] + row["suffix"] == clm[(row["repo"], row["path"])] for row in fim
    )


def test_unmatched_deprecated_api_is_reported_in_summary_and_card(example):
    _, result = example
    assert result.summary.unmatched_deprecated_apis == [
        r"engine\.createEntity\(\) (an API the example never calls)"
    ]
    card = (result.out_dir / "README.md").read_text()
    assert "an API the example never calls" in card
    for config in TRAINING:
        assert f"- config_name: {config}" in card and f"path: {config}/test-*" in card
    assert "| instruct_rows_docstring |" in card and "starcoder" in card


def test_training_configs_are_byte_identical_with_more_workers(example):
    root, result = example
    again = build(EXAMPLE, _options(root, "again", num_proc=2))

    def digests(out: Path) -> dict[str, str]:
        return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
                for config in TRAINING for p in sorted((out / config).glob("*.parquet"))}  # fmt: skip

    assert digests(again.out_dir) == digests(result.out_dir) and digests(result.out_dir)
