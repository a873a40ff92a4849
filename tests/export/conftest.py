"""Fixtures for the export tests: a real LoRA run of the cpt recipe on the example build, and its export.

The base is a tiny random Llama whose byte-level BPE tokenizer was trained here, with codetune's chat
template; the recipe adds the StarCoder FIM sentinels the example's `fim` rows use and trains the grown
embeddings with the adapter. The export runs through the CLI, as a user runs it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.tiny_models import save_tiny_model

LORA = ("--use_peft", "true", "--lora_r", "8", "--lora_alpha", "16", "--lora_target_modules", "all-linear")
CPU_ARGS = ("--dtype", "float32", "--report_to", "none", "--save_strategy", "no", "--eval_strategy", "no",
            "--learning_rate", "1e-2", "--activation_checkpointing", "false", "--dataloader_num_workers", "0",
            "--seed", "0", "--per_device_train_batch_size", "2", "--max_length", "128")  # fmt: skip


def run_cli(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "codetune.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="session")
def export_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Llama with codetune's training chat template (the Alpaca layout) and no FIM sentinels."""
    from codetune.train.tokenizer import training_chat_template

    folder = tmp_path_factory.mktemp("export-base") / "model"
    return save_tiny_model(folder, chat_template=training_chat_template())


@pytest.fixture(scope="session")
def lora_run(example_out: Path, export_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three LoRA steps of the cpt recipe on the example's fim rows (FIM sentinels added)."""
    from codetune.train.formats import Stage
    from codetune.train.runner import run

    output = tmp_path_factory.mktemp("export-run") / "run"
    data = ("--dataset_name", str(example_out), "--dataset_config", "fim")
    run(Stage.CPT, ["--model_name_or_path", str(export_base), "--output_dir", str(output), "--max_steps", "3",
                    *data, *CPU_ARGS, *LORA])  # fmt: skip
    return output


@pytest.fixture(scope="session")
def exported(lora_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`codetune export RUN --out .../godot --gguf f16,q8_0,q4_k_m`."""
    out = tmp_path_factory.mktemp("export-out") / "godot"
    done = run_cli(
        "export", str(lora_run), "--out", str(out), "--gguf", "f16,q8_0,q4_k_m", "--license", "mit"
    )
    assert done.returncode == 0, done.stderr
    return out
