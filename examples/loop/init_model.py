"""A small Llama from random initialisation, with a tokenizer trained on a build's `clm` rows (no download).

`python examples/loop/init_model.py out/example out/loop/init` — the starting point of `make loop`: the model
knows nothing, so what continued pretraining teaches it (and what export costs) shows in the evaluation.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(build: Path, out: Path, vocab_size: int = 1024) -> None:
    import torch
    from datasets import load_dataset
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    from codetune.train.tokenizer import training_chat_template

    texts = load_dataset(str(build), "clm", split="train")["text"]
    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(
        add_prefix_space=False
    )  # GPT-2's split: llama.cpp's "gpt-2"
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=["<pad>", "<s>", "</s>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator(texts, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, bos_token="<s>", eos_token="</s>", pad_token="<pad>"
    )
    tokenizer.chat_template = training_chat_template()
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=128,
        intermediate_size=256,
        num_hidden_layers=4,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
    )
    torch.manual_seed(0)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(out)
    LlamaForCausalLM(config).save_pretrained(out)
    print(f"random-init model: {out} ({len(tokenizer)} tokens)")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
