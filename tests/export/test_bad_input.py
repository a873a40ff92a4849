"""Bad input to export and serve: each a clear error (exit 2, a message saying what to do), never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from codetune.errors import ExportError
from codetune.export.gguf_files import check_loads, parse_gguf_types
from tests.export.conftest import run_cli


def test_an_unknown_quantization_type_is_refused_before_any_work_and_lists_the_known_ones(
    lora_run: Path, tmp_path: Path
):
    done = run_cli("export", str(lora_run), "--out", str(tmp_path / "out"), "--gguf", "f16,q9_9")
    assert done.returncode == 2 and "q9_9" in done.stderr and "q4_k_m" in done.stderr
    assert not (tmp_path / "out").exists()
    assert parse_gguf_types("F16, q8_0,Q4_K_M") == ("f16", "q8_0", "q4_k_m")


def test_a_non_empty_output_folder_needs_overwrite(lora_run: Path, tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    done = run_cli("export", str(lora_run), "--out", str(out), "--gguf", "f16")
    assert done.returncode == 2 and "--overwrite" in done.stderr
    assert (out / "notes.txt").read_text() == "mine"


def test_an_architecture_the_converter_does_not_support_is_an_error_listing_supported_ones(tmp_path: Path):
    from transformers import OPTConfig, OPTForCausalLM

    from tests.tiny_models import train_tokenizer

    model_dir = tmp_path / "opt"
    tokenizer = train_tokenizer()
    tokenizer.save_pretrained(model_dir)
    config = OPTConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=1, ffn_dim=64,
                       num_attention_heads=2, word_embed_proj_dim=32)  # fmt: skip
    OPTForCausalLM(config).save_pretrained(model_dir)
    done = run_cli("export", str(model_dir), "--out", str(tmp_path / "out"), "--gguf", "f16")
    assert done.returncode == 2, done.stderr
    assert "does not support architecture OPTForCausalLM" in done.stderr
    assert "LlamaForCausalLM" in done.stderr and "Qwen2ForCausalLM" in done.stderr


def test_a_gguf_llama_cpp_cannot_load_is_an_error_not_a_crash(exported: Path, tmp_path: Path):
    truncated = tmp_path / "truncated.gguf"
    data = (exported / "godot-q8_0.gguf").read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ExportError, match=r"llama\.cpp cannot load .*truncated\.gguf"):
        check_loads(truncated)
    garbage = tmp_path / "garbage.gguf"
    garbage.write_bytes(b"GGUF" + bytes(range(256)) * 4)
    with pytest.raises(ExportError, match=r"llama\.cpp cannot load"):
        check_loads(garbage)


def test_serve_refuses_a_missing_or_non_gguf_file(tmp_path: Path):
    done = run_cli("serve", str(tmp_path / "absent.gguf"))
    assert done.returncode == 2 and "no such GGUF file" in done.stderr
    (tmp_path / "model.gguf").write_text("not a gguf")
    done = run_cli("serve", str(tmp_path / "model.gguf"))
    assert done.returncode == 2 and "not a GGUF file" in done.stderr
