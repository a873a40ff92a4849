"""TRL takes every training config of a real build as `load_dataset(OUT, CONFIG)` gives it, no mapping code.

The bundled example is built with `pipeline.build`; a tiny random Llama and a tokenizer trained here (with
the StarCoder FIM sentinels and a chat template) train two steps on each config on the CPU.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from datasets import load_dataset

from codetune.definitions.fim_formats import fim_format
from dataset_scripts.example import ECOSYSTEM
from tests.tiny_models import tiny_llama, train_tokenizer


@pytest.fixture(scope="module")
def tokenizer():
    return train_tokenizer(special_tokens=fim_format(ECOSYSTEM.fim.format).special_tokens)


def _common_args(output_dir: Path) -> dict:
    return {
        "output_dir": str(output_dir),
        "max_steps": 2,
        "per_device_train_batch_size": 2,
        "learning_rate": 1e-3,
        "bf16": False,
        "use_cpu": True,
        "report_to": [],
        "save_strategy": "no",
        "logging_steps": 1,
        "dataloader_num_workers": 0,
        "dataset_num_proc": None,
    }


def _train_sft(dataset, tokenizer, output_dir: Path, **extra):
    from trl import SFTConfig, SFTTrainer

    args = SFTConfig(**_common_args(output_dir), max_length=256, **extra)
    trainer = SFTTrainer(
        model=tiny_llama(tokenizer), args=args, train_dataset=dataset, processing_class=tokenizer
    )
    return trainer, trainer.train()


def _assert_trained(result) -> None:
    assert result.global_step == 2
    assert math.isfinite(result.training_loss) and result.training_loss > 0


@pytest.mark.parametrize("config", ["clm", "fim"])
def test_sft_trains_on_text_configs(example_out: Path, tokenizer, tmp_path: Path, config: str):
    dataset = load_dataset(str(example_out), config, split="train", cache_dir=str(tmp_path / "hf"))
    trainer, result = _train_sft(dataset, tokenizer, tmp_path / config)
    _assert_trained(result)
    if config == "fim":  # the sentinels reach the model as single tokens, not as pieces
        prefix_id = tokenizer.convert_tokens_to_ids("<fim_prefix>")
        ids = [i for row in trainer.train_dataset["input_ids"] for i in row]
        rows_with_fim = sum(row["ordering"] != "none" for row in dataset)
        assert ids.count(prefix_id) == rows_with_fim > 0


def test_sft_trains_on_instruct_as_prompt_completion(example_out: Path, tokenizer, tmp_path: Path):
    dataset = load_dataset(str(example_out), "instruct", split="train", cache_dir=str(tmp_path / "hf"))
    trainer, result = _train_sft(dataset, tokenizer, tmp_path / "pc")
    _assert_trained(result)
    # prompt/completion rows train on the completion only: the prompt's tokens are masked out
    labels = trainer.train_dataset[0]["labels"]
    assert -100 in labels and any(label != -100 for label in labels)


def test_sft_trains_on_instruct_as_messages(example_out: Path, tokenizer, tmp_path: Path):
    dataset = load_dataset(str(example_out), "instruct", split="train", cache_dir=str(tmp_path / "hf"))
    # TRL prefers prompt/completion when both are present; keeping `messages` alone selects that format
    trainer, result = _train_sft(dataset.select_columns(["messages"]), tokenizer, tmp_path / "messages")
    _assert_trained(result)
    assert -100 not in trainer.train_dataset[0]["labels"]  # language modelling on the whole conversation


def test_dpo_trains_on_dpo(example_out: Path, tokenizer, tmp_path: Path):
    from trl import DPOConfig, DPOTrainer

    dataset = load_dataset(str(example_out), "dpo", split="train", cache_dir=str(tmp_path / "hf"))
    args = DPOConfig(**_common_args(tmp_path / "dpo"), max_length=256)
    trainer = DPOTrainer(
        model=tiny_llama(tokenizer),
        ref_model=tiny_llama(tokenizer),  # built from a config, so TRL cannot reload it by name
        args=args,
        train_dataset=dataset,
        processing_class=tokenizer,
    )
    _assert_trained(trainer.train())
