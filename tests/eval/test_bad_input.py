"""Bad input to `codetune eval`: each is a clear error, or a skip with its reason in the report."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import datasets
import pytest

from codetune.cli import main
from codetune.errors import EvaluationError
from codetune.eval.models import resolve_model, served_model_name
from codetune.eval.tasks import TaskSettings, write_tasks

CLM_ROW = {"id": "r@c:a.py", "text": "def f():\n    return 1\n", "repo": "r", "language": "python"}
INSTRUCT_ROW = {
    "id": "r@c:a.json#instruct",
    "instruction": "Write the config.",
    "input": "",
    "output": '{"a": 1}',
    "prompt": [{"role": "user", "content": "Write the config."}],
    "language": "json",
    "repo": "r",
}


def hand_made_dataset(root: Path, splits: dict[str, dict[str, list[dict]]]) -> Path:
    """A folder in the Hub layout (`<config>/<split>-00000-of-00001.parquet` + README configs)."""
    card = ["---", "configs:"]
    for config, by_split in splits.items():
        card += [f"- config_name: {config}", "  data_files:"]
        for split, rows in by_split.items():
            path = root / config / f"{split}-00000-of-00001.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            datasets.Dataset.from_list(rows).to_parquet(str(path))
            card += [f"  - split: {split}", f"    path: {config}/{split}-*.parquet"]
    (root / "README.md").write_text("\n".join([*card, "---", ""]))
    return root


def test_a_model_path_that_does_not_exist_is_a_clear_error(example_out, tmp_path, capsys):
    missing = tmp_path / "runs" / "no-such-model"
    assert main(["eval", str(example_out), "--model", str(missing), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert str(missing) in error and "no such folder" in error


def test_an_adapter_whose_base_cannot_be_loaded_names_the_base(example_out, tmp_path, capsys):
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    base = tmp_path / "deleted-base"
    (adapter / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": str(base)}))
    argv = ["eval", str(example_out), "--model", str(adapter), "--out", str(tmp_path / "out")]
    assert main([*argv, "--tasks", "perplexity"]) == 2
    error = capsys.readouterr().err
    assert "base model" in error and str(base) in error and "adapter_config.json" in error


def test_a_dataset_without_a_test_split_says_evaluation_needs_held_out_repositories(tmp_path):
    dataset = hand_made_dataset(tmp_path / "data", {"clm": {"train": [CLM_ROW]}})
    with pytest.raises(EvaluationError, match=r"no test split.*held-out repositories"):
        write_tasks(str(dataset), "adhoc", None, tmp_path / "tasks", TaskSettings())


def test_missing_configs_and_tables_are_skipped_with_reasons(tmp_path):
    dataset = hand_made_dataset(
        tmp_path / "data",
        {"clm": {"train": [CLM_ROW], "test": [CLM_ROW]}, "instruct": {"test": [INSTRUCT_ROW]}},
    )
    written = write_tasks(str(dataset), "adhoc", None, tmp_path / "tasks", TaskSettings())
    assert written.perplexity == "codetune_adhoc_perplexity"
    assert written.skipped["fim"] == "the dataset has no 'fim' config with a test split"
    assert written.skipped["trees"] == "the dataset has no 'trees' config with a test split"
    assert written.skipped["deprecated"] == "ecosystem 'adhoc' has no deprecated_apis table"
    assert written.notes == ["syntax validity n/a for json (no grammar)"]
    assert written.instruct == "codetune_adhoc_instruct"  # overlap still applies to json


def test_a_server_that_does_not_answer_is_a_clear_error_after_retries():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    spec = resolve_model(f"http://127.0.0.1:{port}/v1")
    assert spec.kind == "server"
    with pytest.raises(EvaluationError, match=r"did not answer GET .*/v1/models after 3 retries"):
        served_model_name(spec.url)


def test_unknown_metric_family_is_an_error(example_out, tmp_path, capsys):
    argv = ["eval", str(example_out), "--model", "org/model", "--out", str(tmp_path), "--tasks", "speed"]
    assert main(argv) == 2
    assert "unknown ['speed']" in capsys.readouterr().err
