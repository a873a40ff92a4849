"""Each recipe end to end on the CPU: data from `codetune build` of the bundled example, a tiny random Llama.

Every run trains a few optimiser steps through the real script entry point (TRL parser, TRL trainer, PEFT),
then the test trains the same model a few more steps on one of its own batches (the loss must fall),
reloads what was saved from disk and generates with it.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import math
from pathlib import Path

import pytest
import yaml

from tests.train.recipe_runs import dataset_args, generate, losses_on_repeated_batch, recipe_args

RECIPES = Path(__file__).resolve().parents[2] / "recipes"


def recipe_main(name: str):
    """The `main(argv)` of recipes/<name>.py, loaded the way `python recipes/<name>.py` runs it."""
    spec = importlib.util.spec_from_file_location(f"recipe_{name}", RECIPES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


LORA = ("--use_peft", "true", "--lora_r", "8", "--lora_alpha", "16", "--lora_target_modules", "all-linear")


def labelled_and_prompt_text(batch, tokenizer, document: int = 0) -> tuple[str, str]:
    """The unlabelled (prompt) and labelled (trained) text of one document of a padding-free batch."""
    from codetune.train.packing import document_spans

    start, end = document_spans(batch["position_ids"][0])[document]
    ids = batch["input_ids"][0, start:end].tolist()
    labels = batch["labels"][0, start:end].tolist()
    prompt = [token for token, label in zip(ids, labels, strict=True) if label == -100]
    trained = [token for token, label in zip(ids, labels, strict=True) if label != -100]
    return tokenizer.decode(prompt), tokenizer.decode(trained)


def test_cpt_on_clm_and_fim_adds_the_missing_fim_sentinels_and_saves_them_with_the_adapter(
    example_out: Path, tiny_model: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    from peft import AutoPeftModelForCausalLM
    from safetensors import safe_open
    from transformers import AutoTokenizer

    from codetune.train.tokenizer import is_single_token

    config = tmp_path / "cpt.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "dataset_mixture": {
                    "datasets": [
                        {"id": str(example_out), "config": "clm", "split": "train", "weight": 1.0},
                        {"id": str(example_out), "config": "fim", "split": "train", "weight": 1.0},
                    ],
                    "test_split": "test",
                },
                "max_length": 256,
                "packing": True,
                "packing_strategy": "bfd_split",
            }
        )
    )
    output = tmp_path / "run"
    with caplog.at_level(logging.WARNING, logger="codetune.train.tokenizer"):
        result = recipe_main("cpt")(
            ["--config", str(config), *recipe_args(tiny_model, output, *LORA, max_steps=3)]
        )

    assert "no FIM sentinel tokens" in caplog.text
    base_tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    tokenizer = AutoTokenizer.from_pretrained(output)
    for sentinel in ("<fim_prefix>", "<fim_suffix>", "<fim_middle>"):
        assert not is_single_token(base_tokenizer, sentinel)
        assert is_single_token(tokenizer, sentinel)
    assert len(tokenizer) == len(base_tokenizer) + len(result.tokenizer_changes.added_tokens)

    adapter_config = json.loads((output / "adapter_config.json").read_text())
    assert set(adapter_config["modules_to_save"]) == {"embed_tokens", "lm_head"}
    with safe_open(str(output / "adapter_model.safetensors"), "pt") as adapter:
        embedding_rows = {
            adapter.get_slice(key).get_shape()[0]
            for key in adapter.keys()  # noqa: SIM118 (safe_open is not iterable)
            if "embed_tokens" in key
        }
    assert embedding_rows == {len(tokenizer)}

    losses = losses_on_repeated_batch(result.trainer)
    assert losses[-1] < losses[0]
    metrics = result.eval_metrics
    assert math.isfinite(metrics["eval_loss"])
    assert metrics["eval_perplexity"] == pytest.approx(math.exp(metrics["eval_loss"]))

    reloaded = AutoPeftModelForCausalLM.from_pretrained(output)
    assert reloaded.get_input_embeddings().weight.shape[0] == len(tokenizer)
    assert len(generate(reloaded, tokenizer, "<fim_prefix>func _ready():\n<fim_suffix>\n<fim_middle>")) == 8


def test_sft_on_instruct_trains_the_completion_only_and_merges_the_adapter(
    example_out: Path, tiny_base_model: Path, tmp_path: Path
):
    import torch
    from peft import AutoPeftModelForCausalLM
    from transformers import AutoModelForCausalLM, AutoTokenizer

    output = tmp_path / "run"
    extra = (*dataset_args(example_out, "instruct"), "--max_length", "256")
    extra += ("--packing", "true", "--merge_adapter", "true", "--activation_checkpointing", "true")
    result = recipe_main("sft")(recipe_args(tiny_base_model, output, *extra, *LORA))

    assert result.tokenizer_changes.chat_template == "ours"  # the base model ships no chat template
    tokenizer = result.trainer.processing_class
    batch = next(iter(result.trainer.get_train_dataloader()))
    prompt, trained = labelled_and_prompt_text(batch, tokenizer)
    assert prompt.endswith("### Response:\n")  # codetune's template; the prompt is masked
    assert "### Instruction:" not in trained and trained.endswith(tokenizer.eos_token)
    assert result.reports[0].kept == result.reports[0].rows > 0

    losses = losses_on_repeated_batch(result.trainer)
    assert losses[-1] < losses[0]
    assert "eval_perplexity" in result.eval_metrics

    adapter = AutoPeftModelForCausalLM.from_pretrained(output).eval()
    merged = AutoModelForCausalLM.from_pretrained(result.merged_dir).eval()
    probe = AutoTokenizer.from_pretrained(output)("func _ready():\n", return_tensors="pt")
    with torch.no_grad():
        torch.testing.assert_close(merged(**probe).logits, adapter(**probe).logits, atol=1e-4, rtol=1e-4)
    assert len(generate(merged, tokenizer)) == 8


def test_sft_on_messages_with_assistant_only_loss_trains_the_assistant_turns(
    example_out: Path, tiny_model: Path, tmp_path: Path
):
    output = tmp_path / "run"
    extra = (*dataset_args(example_out, "instruct"), "--dataset_columns", "messages")
    extra += ("--assistant_only_loss", "true", "--max_length", "256", "--packing", "true")
    result = recipe_main("sft")(recipe_args(tiny_model, output, *extra, *LORA))

    assert result.tokenizer_changes.chat_template == "ours"  # the tiny model's template has no markers
    tokenizer = result.trainer.processing_class
    batch = next(iter(result.trainer.get_train_dataloader()))
    prompt, trained = labelled_and_prompt_text(batch, tokenizer)
    assert "### Instruction:" in prompt
    assert "### Instruction:" not in trained and trained.endswith(tokenizer.eos_token)
    losses = losses_on_repeated_batch(result.trainer)
    assert losses[-1] < losses[0]
    saved = (
        json.loads((output / "tokenizer_config.json").read_text()).get("chat_template")
        or (output / "chat_template.jinja").read_text()
    )
    assert "{% generation %}" in saved  # the template the adapter was trained with travels with it


def test_dpo_on_the_dpo_config_trains_and_the_adapter_reloads(
    example_out: Path, tiny_model: Path, tmp_path: Path
):
    from peft import AutoPeftModelForCausalLM
    from transformers import AutoTokenizer

    output = tmp_path / "run"
    extra = (*dataset_args(example_out, "dpo"), "--max_length", "384")
    result = recipe_main("dpo")(recipe_args(tiny_model, output, *extra, *LORA, max_steps=3))

    tokenizer = result.trainer.processing_class
    batch = next(iter(result.trainer.get_train_dataloader()))
    ids, answer = batch["input_ids"][0].tolist(), batch["completion_mask"][0].tolist()
    prompt = tokenizer.decode(
        [t for t, m, a in zip(ids, answer, batch["attention_mask"][0], strict=True) if a and not m]
    )
    chosen = tokenizer.decode([t for t, m in zip(ids, answer, strict=True) if m])
    # The model's own chat template (tests/tiny_models.py) renders the rows; the answer is what is scored.
    assert prompt.endswith("<|assistant|>\n") and chosen.endswith(tokenizer.eos_token)
    assert "<|user|>" in prompt and "<|user|>" not in chosen
    losses = losses_on_repeated_batch(result.trainer, lr=5e-3)
    assert losses[-1] < losses[0]
    assert math.isfinite(result.eval_metrics["eval_loss"])
    assert "eval_rewards/accuracies" in result.eval_metrics

    reloaded = AutoPeftModelForCausalLM.from_pretrained(output)
    assert len(generate(reloaded, AutoTokenizer.from_pretrained(output))) == 8
