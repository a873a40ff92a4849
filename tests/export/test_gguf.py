"""GGUF files written by llama.cpp's converter and quantizer compute what the merged HF model computes."""

from __future__ import annotations

from pathlib import Path

import pytest

PROBE = (
    "extends CharacterBody2D\n\nfunc jump() -> void:\n\tvelocity.y = -300.0\n"
    "<fim_prefix>func _ready():\n<fim_suffix>\n<fim_middle>\tprint(1)"
)


@pytest.fixture(scope="module")
def hf_model(exported: Path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    merged = exported / "merged"
    return AutoModelForCausalLM.from_pretrained(merged).eval(), AutoTokenizer.from_pretrained(merged)


def _llama(path: Path):
    from llama_cpp import Llama

    return Llama(model_path=str(path), n_ctx=256, logits_all=True, n_threads=2, verbose=False)


def test_f16_gguf_tokenizes_like_hf_and_its_logits_match_within_tolerance(exported: Path, hf_model):
    import numpy as np
    import torch

    model, tokenizer = hf_model
    ids = tokenizer(PROBE)["input_ids"]
    llm = _llama(exported / "godot-f16.gguf")
    # the test tokenizer's pre-tokenizer hash is unknown to llama.cpp; mapped to gpt-2 it splits identically
    assert llm.tokenize(PROBE.encode(), add_bos=False, special=True) == ids
    llm.eval(ids)
    llama_logits = np.asarray(llm.scores[: len(ids)])
    with torch.no_grad():
        hf_logits = model(torch.tensor([ids])).logits[0].numpy()
    assert np.abs(llama_logits - hf_logits).max() < 5e-3


def test_q8_0_gguf_greedy_tokens_match_hf(exported: Path, hf_model):
    import numpy as np
    import torch

    model, tokenizer = hf_model
    ids = tokenizer(PROBE)["input_ids"]
    with torch.no_grad():
        hf = model.generate(torch.tensor([ids]), max_new_tokens=12, min_new_tokens=12, do_sample=False)
    llm = _llama(exported / "godot-q8_0.gguf")
    tokens = list(ids)
    llm.eval(tokens)
    for _ in range(12):
        tokens.append(int(np.argmax(llm.scores[llm.n_tokens - 1])))
        llm.eval(tokens[-1:])
    assert tokens == hf[0].tolist()


def test_gguf_carries_the_chat_template_and_llama_cpp_finds_the_fim_tokens(exported: Path, hf_model):
    from gguf import GGUFReader

    from codetune.export.gguf_files import check_loads

    _, tokenizer = hf_model
    for name in ("godot-f16.gguf", "godot-q8_0.gguf", "godot-q4_k_m.gguf"):
        fields = GGUFReader(exported / name).fields
        assert fields["tokenizer.chat_template"].contents() == tokenizer.chat_template
        loaded = check_loads(exported / name)
        assert loaded["fim_prefix"] == tokenizer.convert_tokens_to_ids("<fim_prefix>")
        assert loaded["fim_middle"] == tokenizer.convert_tokens_to_ids("<fim_middle>")
        assert loaded["n_vocab"] == len(tokenizer)
    assert (exported / "godot-q8_0.gguf").stat().st_size < (exported / "godot-f16.gguf").stat().st_size


def test_the_export_folder_holds_merged_model_gguf_files_modelfile_and_card(exported: Path):
    names = {p.name for p in exported.iterdir()}
    assert {
        "merged",
        "godot-f16.gguf",
        "godot-q8_0.gguf",
        "godot-q4_k_m.gguf",
        "Modelfile",
        "README.md",
    } <= names
    modelfile = (exported / "Modelfile").read_text()
    assert modelfile.startswith("FROM ./godot-q4_k_m.gguf\n")  # q4_k_m, else q8_0, else f16
    assert "{{ .Suffix }}" in modelfile and "### Instruction:" in modelfile  # FIM and the alpaca layout
