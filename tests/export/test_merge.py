"""Merging: the merged model computes what base + adapter compute, keeps the grown vocabulary and template."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from codetune.errors import ExportError
from codetune.export.merge import merge_run
from tests.tiny_models import save_tiny_model, train_tokenizer

TEXT = "<fim_prefix>func _ready():\n<fim_suffix>\n<fim_middle>\tprint(1)<|endoftext|>"


def test_merged_model_logits_equal_base_plus_adapter_and_keep_the_added_fim_tokens(
    lora_run: Path, tmp_path: Path
):
    import torch
    from peft import AutoPeftModelForCausalLM
    from safetensors import safe_open
    from transformers import AutoModelForCausalLM, AutoTokenizer

    merge_run(lora_run, tmp_path / "merged")
    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "merged")
    ids = tokenizer(TEXT, return_tensors="pt")["input_ids"]
    assert tokenizer.convert_tokens_to_ids("<fim_middle>") in ids[0].tolist()  # one token, as trained
    with torch.no_grad():
        expected = AutoPeftModelForCausalLM.from_pretrained(lora_run).eval()(ids).logits
        merged = AutoModelForCausalLM.from_pretrained(tmp_path / "merged").eval()
        actual = merged(ids).logits
    assert merged.get_input_embeddings().weight.shape[0] == len(tokenizer)
    with safe_open(
        str(lora_run / "adapter_model.safetensors"), "pt"
    ) as adapter:  # the trained embedding rows
        trained = adapter.get_tensor("base_model.model.model.embed_tokens.modules_to_save.weight")
    assert torch.equal(merged.get_input_embeddings().weight, trained)
    assert torch.allclose(actual, expected, atol=1e-4), (actual - expected).abs().max()
    assert tokenizer.chat_template == AutoTokenizer.from_pretrained(lora_run).chat_template
    assert not list((tmp_path / "merged").glob("adapter_*"))
    generation = json.loads((tmp_path / "merged" / "generation_config.json").read_text())
    assert generation["eos_token_id"] == tokenizer.eos_token_id


def test_a_full_fine_tune_is_exported_as_it_is(tmp_path: Path):
    model = save_tiny_model(tmp_path / "full")
    (tmp_path / "full" / "training_args.bin").write_bytes(b"not part of the model")
    trained = merge_run(model, tmp_path / "merged")
    assert not trained.is_adapter
    for name in ("model.safetensors", "config.json", "tokenizer.json"):
        assert (tmp_path / "merged" / name).read_bytes() == (model / name).read_bytes()
    assert not (tmp_path / "merged" / "training_args.bin").exists()
    assert (tmp_path / "merged" / "generation_config.json").is_file()


def test_an_adapter_whose_base_is_gone_is_a_clear_error(lora_run: Path, tmp_path: Path):
    run = Path(shutil.copytree(lora_run, tmp_path / "run"))
    config = json.loads((run / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = str(tmp_path / "moved-away")
    (run / "adapter_config.json").write_text(json.dumps(config))
    with pytest.raises(ExportError, match=r"trained on base model .*moved-away.*cannot be loaded"):
        merge_run(run, tmp_path / "merged")


def test_an_adapter_on_a_different_base_is_a_clear_error(lora_run: Path, tmp_path: Path):
    from tests.tiny_models import tiny_llama

    other = tmp_path / "other-base"
    tokenizer = train_tokenizer()
    tokenizer.save_pretrained(other)
    tiny_llama(tokenizer, hidden_size=32).save_pretrained(other)  # same family, other width
    run = Path(shutil.copytree(lora_run, tmp_path / "run"))
    config = json.loads((run / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = str(other)
    (run / "adapter_config.json").write_text(json.dumps(config))
    with pytest.raises(ExportError, match="does not fit base model"):
        merge_run(run, tmp_path / "merged")


def test_a_folder_that_is_no_run_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ExportError, match=r"neither adapter_config\.json"):
        merge_run(tmp_path, tmp_path / "merged")
