"""A training run's output made into one standalone model folder: adapter merged into its base, or copied.

The folder is what llama.cpp's converter, transformers and the Hub all read: safetensors, `config.json`,
`generation_config.json` and the tokenizer the run trained with (added FIM sentinels, chat template).
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from codetune.errors import ExportError

logger = logging.getLogger(__name__)

ADAPTER_CONFIG = "adapter_config.json"
# A full fine-tune's files that make the model; optimizer states, checkpoints and logs stay behind.
MODEL_FILE_PATTERNS = ("*.safetensors", "*.safetensors.index.json", "config.json", "generation_config.json",
                       "tokenizer*", "special_tokens_map.json", "chat_template.*", "vocab.json", "merges.txt",
                       "added_tokens.json")  # fmt: skip


@dataclass(frozen=True)
class TrainedModel:
    """What a run folder holds: a PEFT adapter (with the base it names) or a full model."""

    path: Path
    is_adapter: bool
    base: str = ""  # adapter_config's base_model_name_or_path
    base_revision: str | None = None


def inspect_run(path: Path) -> TrainedModel:
    """Recognise a run folder; anything else is an error that says what was expected."""
    path = Path(path)
    if (path / ADAPTER_CONFIG).is_file():
        config = json.loads((path / ADAPTER_CONFIG).read_text())
        base = config.get("base_model_name_or_path") or ""
        if not base:
            raise ExportError(f"{path / ADAPTER_CONFIG} names no base_model_name_or_path: cannot merge it")
        return TrainedModel(path, True, base, config.get("revision"))
    if (path / "config.json").is_file():
        return TrainedModel(path, False)
    raise ExportError(
        f"{path} holds neither {ADAPTER_CONFIG} (a LoRA run) nor config.json (a full model); "
        "pass the output_dir of a training recipe"
    )


def _load_base(trained: TrainedModel, tokenizer):
    from transformers import AutoModelForCausalLM

    from codetune.train.tokenizer import resize_embeddings

    try:
        base = AutoModelForCausalLM.from_pretrained(
            trained.base, revision=trained.base_revision, dtype="auto"
        )
    except (OSError, ValueError) as error:
        raise ExportError(
            f"the adapter in {trained.path} was trained on base model {trained.base!r}, which cannot be "
            f"loaded ({str(error).splitlines()[0]}). Make it reachable: a local folder at that path, or the "
            "Hub model in the Hugging Face cache (HF_HOME) or online."
        ) from None
    resize_embeddings(base, tokenizer)  # the training grew them the same way before the adapter attached
    return base


def _attach_adapter(base, trained: TrainedModel):
    from peft import PeftModel

    try:
        return PeftModel.from_pretrained(base, trained.path)
    except (RuntimeError, ValueError, KeyError) as error:
        raise ExportError(
            f"the adapter in {trained.path} does not fit base model {trained.base!r} "
            f"({str(error).strip().splitlines()[0][:300]}). Export it with the base it was trained on."
        ) from None


def _write_generation_config(model_config, tokenizer, out_dir: Path) -> None:
    """A generation_config.json that stops at the tokenizer's eos (transformers and the Hub read it)."""
    if (out_dir / "generation_config.json").is_file():
        return
    from transformers import GenerationConfig

    config = GenerationConfig.from_model_config(model_config)
    config.eos_token_id = tokenizer.eos_token_id
    config.pad_token_id = tokenizer.pad_token_id
    config.save_pretrained(out_dir)


def merge_run(run_dir: Path, out_dir: Path) -> TrainedModel:
    """Write `out_dir`: the adapter merged into its base (base dtype), or the full fine-tune as it is."""
    from transformers import AutoConfig, AutoTokenizer

    trained = inspect_run(run_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(trained.path)
    if not trained.is_adapter:
        for pattern in MODEL_FILE_PATTERNS:
            for file in trained.path.glob(pattern):
                shutil.copy2(file, out_dir / file.name)
        _write_generation_config(AutoConfig.from_pretrained(out_dir), tokenizer, out_dir)
        return trained
    base = _load_base(trained, tokenizer)
    merged = _attach_adapter(base, trained).merge_and_unload()
    merged.config.use_cache = True
    merged.config.pad_token_id = tokenizer.pad_token_id
    merged.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    _write_generation_config(merged.config, tokenizer, out_dir)
    logger.info("merged %s into %s: %s", trained.path, trained.base, out_dir)
    return trained
