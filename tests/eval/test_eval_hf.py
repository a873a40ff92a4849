"""`codetune eval` end to end on the hf backend: the tiny model and a LoRA adapter on it, example build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codetune.cli import main

FAMILIES = "perplexity,syntax,deprecated,overlap,fim,trees"


@pytest.fixture(scope="module")
def evaluation(example_out: Path, fim_tiny_model: Path, tiny_adapter: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("eval") / "evals"
    argv = ["eval", str(example_out), "--model", str(fim_tiny_model), "--model", str(tiny_adapter)]
    argv += ["--name", "base", "--name", "lora", "--out", str(out), "--tasks", FAMILIES]
    argv += ["--max-new-tokens", "16", "--batch-size", "8", "--seed", "7"]
    assert main(argv) == 0
    return out


def test_report_has_one_row_per_model_with_metric_columns_languages_and_deltas(evaluation: Path):
    report = (evaluation / "report.md").read_text()
    assert "| base | " in report and "| lora | " in report
    for column in ("bits/byte", "syntax valid", "deprecated API", "BLEU", "chrF", "ROUGE-1", "ROUGE-L"):
        assert column in report
    assert "FIM exact" in report and "tree path F1" in report
    assert "## By language" in report and "| base | typescript |" in report
    assert "## By repository" in report and "dcl-scene" in report
    assert "## Change against base" in report
    data = json.loads((evaluation / "report.json").read_text())
    base, lora = data["models"]
    assert (base["kind"], lora["kind"], lora["base"]) == ("folder", "adapter", base["source"])
    assert base["fim_format"] == "starcoder"
    assert 0 < base["metrics"]["bits_per_byte"] < 20
    assert set(base["languages"]) == {"json", "markdown", "typescript"}
    # a fresh LoRA adapter starts as the identity: same figures as its base
    assert lora["metrics"]["bits_per_byte"] == pytest.approx(base["metrics"]["bits_per_byte"], rel=1e-4)


def test_charts_samples_and_lm_eval_results_are_written(evaluation: Path):
    for family in ("perplexity", "syntax", "deprecated", "overlap", "fim", "trees"):
        assert (evaluation / f"{family}.png").read_bytes()[:4] == b"\x89PNG"
    samples = evaluation / "samples" / "base"
    instruct = [
        json.loads(line) for line in (samples / "codetune_example_instruct.jsonl").read_text().splitlines()
    ]
    assert len(instruct) == 5
    assert {"prompt", "generation", "reference", "scores"} <= set(instruct[0])
    for record in instruct:
        if record["scores"]["syntax_valid"] == 0.0:
            assert record["syntax_error"]  # "empty" or where the first parse error is
    assert (samples / "codetune_example_perplexity.jsonl").is_file()
    (results_file,) = (evaluation / "lm_eval" / "base").glob("results_*.json")
    results = json.loads(results_file.read_text())["results"]
    report = json.loads((evaluation / "report.json").read_text())
    bpb = results["codetune_example_perplexity"]["bits_per_byte,none"]
    assert report["models"][0]["metrics"]["bits_per_byte"] == bpb


def test_lm_eval_cli_runs_the_written_tasks_unchanged(evaluation: Path, fim_tiny_model: Path, tmp_path: Path):
    tasks = evaluation / "tasks"
    command = [sys.executable, "-m", "lm_eval", "--model", "hf"]
    command += [
        "--model_args",
        f"pretrained={fim_tiny_model}",
        "--device",
        "cpu",
        "--include_path",
        str(tasks),
    ]
    command += ["--tasks", "codetune_example", "--output_path", str(tmp_path), "--batch_size", "8"]
    environment = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=environment)
    assert done.returncode == 0, done.stderr[-3000:]
    (results_file,) = tmp_path.rglob("results_*.json")
    results = json.loads(results_file.read_text())["results"]
    assert set(results) == {
        "codetune_example_perplexity",
        "codetune_example_instruct",
        "codetune_example_trees",
    }
    report = json.loads((evaluation / "report.json").read_text())
    bpb = results["codetune_example_perplexity"]["bits_per_byte,none"]
    assert bpb == pytest.approx(report["models"][0]["metrics"]["bits_per_byte"], rel=1e-5)


def test_limit_scores_the_first_rows_of_the_test_split(example_out: Path, fim_tiny_model: Path, tmp_path):
    import datasets

    out = tmp_path / "evals"
    argv = ["eval", str(example_out), "--model", str(fim_tiny_model), "--out", str(out)]
    assert main([*argv, "--tasks", "perplexity", "--limit", "2"]) == 0
    lines = (out / "samples" / fim_tiny_model.name / "codetune_example_perplexity.jsonl").read_text()
    scored = {json.loads(line)["id"] for line in lines.splitlines()}
    first = datasets.load_dataset(str(example_out), "clm", split="test", download_mode="force_redownload")
    assert scored == set(first[:2]["id"])


def test_humaneval_runs_in_the_sandbox_and_reports_pass_at_1(
    example_out: Path, fim_tiny_model: Path, tmp_path
):
    from codetune.eval.sandbox import network_isolation_available

    out = tmp_path / "evals"
    argv = ["eval", str(example_out), "--model", str(fim_tiny_model), "--out", str(out)]
    argv += ["--tasks", "humaneval", "--limit", "2", "--max-new-tokens", "8"]
    if not network_isolation_available():
        argv.append("--allow-unsandboxed-exec")
    assert main(argv) == 0
    (model,) = json.loads((out / "report.json").read_text())["models"]
    assert model["metrics"]["pass@1"] == 0.0  # a random model passes no test
    assert "HumanEval pass@1" in (out / "report.md").read_text()
    samples = (out / "samples" / fim_tiny_model.name / "codetune_humaneval.jsonl").read_text().splitlines()
    assert len(samples) == 2
