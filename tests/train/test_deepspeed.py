"""A recipe under DeepSpeed ZeRO-2 through `accelerate launch` with the recipe's own accelerate config.

One process on the CPU, full fine-tuning, torch's AdamW. DeepSpeed compiles its `deepspeed_shm_comm` op
with g++ on first use (~40 s); the build is cached under the venv (TORCH_EXTENSIONS_DIR) so a CI run pays
it once.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

from tests.train.recipe_runs import dataset_args, generate, recipe_args

REPO = Path(__file__).resolve().parents[2]


def test_cpt_runs_under_deepspeed_zero2_through_accelerate_launch(
    example_out: Path, tiny_model: Path, tmp_path: Path
):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    output = tmp_path / "run"
    env = dict(os.environ)
    env.setdefault("TORCH_EXTENSIONS_DIR", str(Path(sys.prefix) / "torch_extensions"))
    command = [
        sys.executable, "-m", "accelerate.commands.launch",
        "--config_file", str(REPO / "recipes" / "accelerate" / "zero2.yaml"),
        "--num_processes", "1",
        str(REPO / "recipes" / "cpt.py"),
        *recipe_args(tiny_model, output, max_steps=3),
        *dataset_args(example_out, "clm"),
        "--max_length", "256", "--packing", "true", "--packing_strategy", "bfd_split",
    ]  # fmt: skip
    finished = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=420)
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-5000:]

    stats = json.loads((output / "data_stats.json").read_text())
    assert stats["distributed_type"] == "DEEPSPEED" and stats["zero_stage"] == 2
    history = json.loads((output / "trainer_state.json").read_text())["log_history"]
    losses = [entry["loss"] for entry in history if "loss" in entry]
    assert len(losses) == 3 and all(math.isfinite(loss) for loss in losses)

    model = AutoModelForCausalLM.from_pretrained(output)  # full fine-tune: a whole model, no adapter
    assert len(generate(model, AutoTokenizer.from_pretrained(output))) == 8
