"""Load a recipe's base model, fit its embeddings to the tokenizer, build the LoRA config, merge."""

from __future__ import annotations

import logging
from pathlib import Path

from trl import ModelConfig, get_peft_config, get_quantization_config

from codetune.errors import TrainingConfigError
from codetune.train.tokenizer import embedding_module_names, resize_embeddings

logger = logging.getLogger(__name__)


def load_tokenizer(model_args: ModelConfig, trust_remote_code: bool = False):
    from transformers import AutoTokenizer

    if not model_args.model_name_or_path:
        raise TrainingConfigError("model_name_or_path is required: a Hub model id or a local model folder")
    return AutoTokenizer.from_pretrained(
        model_args.model_name_or_path,
        revision=model_args.model_revision,
        trust_remote_code=trust_remote_code,
    )


def _dtype(name: str | None):
    import torch

    if name in (None, "auto"):
        return name
    try:
        return getattr(torch, name)
    except AttributeError:
        raise TrainingConfigError(
            f"dtype {name!r} is not a torch dtype (bfloat16, float16, float32, auto)"
        ) from None


def load_model(model_args: ModelConfig, tokenizer, trust_remote_code: bool = False):
    """The causal LM (4/8-bit with bitsandbytes when asked), its embeddings grown to the tokenizer."""
    from transformers import AutoModelForCausalLM

    kwargs = {
        "revision": model_args.model_revision,
        "trust_remote_code": trust_remote_code,
        "attn_implementation": model_args.attn_implementation,
        "dtype": _dtype(model_args.dtype),
    }
    quantization = get_quantization_config(model_args)
    if quantization is not None:
        kwargs["quantization_config"] = quantization
        from accelerate import PartialState

        kwargs["device_map"] = {"": PartialState().local_process_index}  # each process its own GPU
    model = AutoModelForCausalLM.from_pretrained(model_args.model_name_or_path, **kwargs)
    if resize_embeddings(model, tokenizer):
        logger.info(
            "resized the embeddings of %s to %d tokens", model_args.model_name_or_path, len(tokenizer)
        )
    model.config.pad_token_id = tokenizer.pad_token_id
    return model


def lora_config(model_args: ModelConfig, model, tokenizer_grew: bool):
    """TRL's LoRA config; new tokens also train (and save) the input and output embeddings."""
    config = get_peft_config(model_args)
    if config is None:
        return None
    if tokenizer_grew:
        modules = set(config.modules_to_save or ()) | set(embedding_module_names(model))
        config.modules_to_save = sorted(modules)
        logger.info("new tokens: training and saving %s with the adapter", config.modules_to_save)
    return config


def merge_adapter(adapter_dir: Path, merged_dir: Path, dtype: str | None = None) -> Path:
    """Base + adapter merged into one model folder (with the tokenizer), loadable without PEFT."""
    from peft import AutoPeftModelForCausalLM
    from transformers import AutoTokenizer

    model = AutoPeftModelForCausalLM.from_pretrained(adapter_dir, dtype=_dtype(dtype))
    merged = model.merge_and_unload()
    merged.config.use_cache = True
    merged.save_pretrained(merged_dir)
    AutoTokenizer.from_pretrained(adapter_dir).save_pretrained(merged_dir)
    return merged_dir
