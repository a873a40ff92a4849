"""`codetune label` against `transformers serve` running a tiny model built here.

The tiny random model writes noise, so this checks structure and counts: every prompt is answered once
(counted in the server's access log), a rerun sends nothing, prompts past `--max-model-len` are 400 skips.
Kill, stop and restart are tested on the scripted server (test_label_faults.py), which counts per prompt.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from codetune.label.dataset import DatasetFolder
from codetune.label.gates import GateSettings
from codetune.label.run import LabelSettings, run_label, task_prompts
from codetune.label.server import RequestPolicy
from codetune.label.tasks import TASKS
from tests.label.conftest import free_port, load_config, wait_until_ready
from tests.tiny_models import tiny_llama, train_tokenizer

MAX_TOKENS = 16


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    folder = tmp_path_factory.mktemp("tiny-chat-model")
    tokenizer = train_tokenizer()
    tiny_llama(tokenizer).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder, tokenizer


def serve(model: Path, port: int, max_model_len: int, log: Path) -> subprocess.Popen:
    binary = Path(os.sys.executable).parent / "transformers"
    command = [str(binary), "serve", str(model), "--host", "127.0.0.1", "--port", str(port)]
    command += ["--device", "cpu", "--max-model-len", str(max_model_len)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen(command, stdout=log.open("a"), stderr=subprocess.STDOUT, env=env)
    wait_until_ready(f"http://127.0.0.1:{port}", process, timeout=180)
    return process


def answered_posts(log: Path) -> int:
    """POSTs the server answered (200, or 400 for a prompt past its length), from uvicorn's access log."""
    lines = log.read_text().splitlines() if log.exists() else []
    return sum(
        '"POST /v1/chat/completions' in line and (" 200 " in line or " 400 " in line) for line in lines
    )


def test_transformers_serve_answers_each_prompt_once_and_a_prompt_past_its_length_is_a_400_skip(
    tiny_model, dataset: Path, tmp_path: Path
):
    model, tokenizer = tiny_model
    port = free_port()
    label_settings = LabelSettings(
        task="describe", model=str(model), endpoint=f"http://127.0.0.1:{port}/v1", max_tokens=MAX_TOKENS,
        concurrency=4, limit=12, progress=False, gates=GateSettings(min_chars=1, drop_truncated=False),
        policy=RequestPolicy(timeout_s=60, max_attempts=2, backoff_s=0.1),
    )  # fmt: skip
    prompts, _ = task_prompts(DatasetFolder(dataset), TASKS["describe"], label_settings)
    lengths = sorted(
        len(
            tokenizer.apply_chat_template(p.messages(), add_generation_prompt=True, tokenize=True)[
                "input_ids"
            ]
        )
        for p in prompts
    )
    max_model_len = lengths[len(lengths) // 2] + MAX_TOKENS  # the longer half draws a 400
    log = tmp_path / "serve.log"
    server = serve(model, port, max_model_len, log)
    try:
        report = run_label(dataset, label_settings)
        rerun = run_label(dataset, label_settings)
    finally:
        server.kill()
        server.wait()
    assert answered_posts(log) == len(prompts) and rerun.sent == 0  # the rerun sent nothing
    assert report.outcomes["ok"] > 0 and report.outcomes["bad_request"] > 0
    assert report.outcomes["ok"] + report.outcomes["bad_request"] == len(prompts)
    assert report.stats["prompt_tokens"] > 0 and report.stats["completion_tokens"] > 0
    rows = load_config(dataset, "describe")
    assert rows.num_rows == report.rows == report.gates["kept"] <= report.outcomes["ok"]
    shutil.rmtree(
        dataset / ".codetune"
    )  # the dry run counts every prompt's tokens with the model's tokenizer
    dry = run_label(dataset, replace(label_settings, endpoint=None, tokenizer=str(model)), dry_run=True)
    assert dry.sent == 0 and dry.estimated_prompt_tokens == sum(lengths)
