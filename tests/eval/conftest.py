"""Fixtures for the evaluation tests: a tiny random Llama with StarCoder's FIM sentinels, saved once."""

from __future__ import annotations

from pathlib import Path

import pytest

from codetune.sentinels import fim_format
from tests.tiny_models import save_tiny_model


@pytest.fixture(scope="session")
def fim_tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Llama whose tokenizer has StarCoder's sentinels (so FIM runs) and a plain chat template."""
    special = fim_format("starcoder").special_tokens
    return save_tiny_model(tmp_path_factory.mktemp("fim-tiny-model") / "model", special_tokens=special)


@pytest.fixture(scope="session")
def tiny_adapter(fim_tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A LoRA adapter on the tiny model, saved with its base's folder in adapter_config.json."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = get_peft_model(
        AutoModelForCausalLM.from_pretrained(fim_tiny_model),
        LoraConfig(r=4, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"),
    )
    folder = tmp_path_factory.mktemp("tiny-adapter") / "adapter"
    model.save_pretrained(folder)
    return folder
