"""`push_to_hub: true` uploads the trained adapter, tokenizer and card; the token stays in request headers.

The recipe runs in a subprocess against the small Hub-compatible server of `tests/fake_hub.py` on
127.0.0.1 (`HF_ENDPOINT` is read when huggingface_hub is imported, hence the subprocess).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.fake_hub import FakeHub
from tests.train.recipe_runs import dataset_args, recipe_args
from tests.train.test_recipes import LORA

REPO = Path(__file__).resolve().parents[2]
TOKEN = "hf_recipe_push_token_0123456789"


def test_sft_pushes_the_adapter_to_the_hub_without_writing_the_token(
    example_out: Path, tiny_model: Path, tmp_path: Path
):
    output = tmp_path / "run"
    with FakeHub() as hub:
        env = dict(
            os.environ,
            HF_ENDPOINT=hub.url,
            HF_HUB_DISABLE_XET="1",
            HF_HUB_DISABLE_TELEMETRY="1",
            HF_HOME=str(tmp_path / "hf-home"),
            HF_TOKEN=TOKEN,
        )
        extra = (*dataset_args(example_out, "instruct"), *LORA)
        extra += ("--push_to_hub", "true", "--hub_model_id", "my-org/tiny-sft")
        command = [sys.executable, str(REPO / "recipes" / "sft.py"), *recipe_args(tiny_model, output, *extra)]
        finished = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
        assert finished.returncode == 0, finished.stderr[-5000:]

        uploaded = hub.files("my-org/tiny-sft")
        expected = {"adapter_model.safetensors", "adapter_config.json", "tokenizer.json", "README.md"}
        assert expected <= set(uploaded)
        assert uploaded["adapter_config.json"] == (output / "adapter_config.json").read_bytes()
        assert all(TOKEN.encode() not in content for content in uploaded.values())
        assert any(TOKEN in value for request in hub.requests for value in request.headers.values())

    assert TOKEN not in finished.stdout + finished.stderr
    assert all(TOKEN.encode() not in path.read_bytes() for path in output.rglob("*") if path.is_file())
