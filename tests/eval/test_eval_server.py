"""`codetune eval` against an OpenAI-compatible server started here: `transformers serve` with the tiny model.

`transformers serve` returns no prompt logprobs (`echo` is ignored), so bits per byte is skipped for a server
with that reason; the generation metrics go through lm-eval's `local-completions`.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import datasets
import pytest
import requests
import sacrebleu

from codetune.cli import main
from codetune.eval.metrics import check_syntax, extract_code
from codetune.eval.task_functions import instruct_prompt


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served_model(fim_tiny_model: Path):
    serve = shutil.which("transformers", path=str(Path(sys.executable).parent))
    if serve is None:
        pytest.fail("`transformers serve` is missing: install codetune[test] (transformers[serving])")
    port = _free_port()
    environment = {**os.environ, "HF_HUB_OFFLINE": "1"}
    command = [
        serve,
        "serve",
        str(fim_tiny_model),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--device",
        "cpu",
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"transformers serve did not start (exit {server.poll()})")
                time.sleep(1)
        yield f"{url}/v1"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_generation_metrics_through_a_server_equal_a_recomputation_from_its_answers(
    served_model: str, example_out: Path, tmp_path: Path
):
    out = tmp_path / "evals"
    argv = ["eval", str(example_out), "--model", served_model, "--backend", "openai", "--name", "served"]
    argv += ["--out", str(out), "--tasks", "perplexity,syntax,overlap,fim", "--max-new-tokens", "16"]
    assert main(argv) == 0
    report = json.loads((out / "report.json").read_text())
    (model,) = report["models"]
    assert model["kind"] == "server"
    assert "prompt logprobs" in model["skipped"]["perplexity"]
    assert "sentinel" in model["skipped"]["fim"]
    samples = [
        json.loads(line)
        for line in (out / "samples" / "served" / "codetune_example_instruct.jsonl").read_text().splitlines()
    ]
    assert len(samples) == 5
    code = [extract_code(sample["generation"]) for sample in samples]
    references = [sample["reference"] for sample in samples]
    valid = [check_syntax(text, "typescript").valid for text in code]
    assert model["metrics"]["syntax_valid"] == pytest.approx(sum(valid) / len(valid))
    assert model["metrics"]["bleu"] == pytest.approx(sacrebleu.corpus_bleu(code, [references]).score)
    # the server answers the prompt the task wrote, greedily: asking it again gives the same text
    first = datasets.load_dataset(str(example_out), "instruct", split="test")[0]
    assert samples[0]["prompt"] == instruct_prompt(first)
    (listed,) = requests.get(f"{served_model}/models", timeout=10).json()["data"]
    body = {"model": listed["id"], "prompt": samples[0]["prompt"], "max_tokens": 16, "temperature": 0}
    body["stop"] = ["\n```\n\n", "<|im_end|>", "<|endoftext|>"]
    answer = requests.post(f"{served_model}/completions", json=body, timeout=60).json()
    assert answer["choices"][0]["text"].startswith(samples[0]["generation"])
