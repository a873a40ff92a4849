"""Tiny models for training tests: a byte-level BPE tokenizer trained here and a random Llama from a config.

Nothing is downloaded: the tokenizer is trained with the `tokenizers` library on code we wrote (the bundled
example ecosystem), the model is `LlamaForCausalLM(LlamaConfig(...))` with a fixed seed. Both save with
`save_pretrained`, so recipes load them through the same `from_pretrained` path a Hub model takes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

EXAMPLE_ROOT = Path(__file__).resolve().parent.parent / "examples" / "example_ecosystem"

BOS, EOS, PAD = "<s>", "</s>", "<pad>"

# A plain chat template without `{% generation %}` markers, like most base models ship (if any).
PLAIN_CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{{ '<|' + message['role'] + '|>\n' + message['content'] + '\n' }}"
    "{% if message['role'] == 'assistant' %}{{ eos_token }}{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}"
)


def example_corpus(root: Path = EXAMPLE_ROOT) -> list[str]:
    """Every text file of the bundled example ecosystem (written for codetune), sorted for determinism."""
    texts = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            try:
                texts.append(path.read_text(encoding="utf-8"))
            except UnicodeDecodeError:
                continue
    return texts


def train_tokenizer(
    texts: Iterable[str] | None = None,
    vocab_size: int = 600,
    special_tokens: Sequence[str] = (),
    chat_template: str | None = PLAIN_CHAT_TEMPLATE,
):
    """A byte-level BPE tokenizer (GPT-2 style pre-tokenizer, so "\\n" and indentation can merge)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[PAD, BOS, EOS, *special_tokens],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator(list(texts) if texts is not None else example_corpus(), trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token=BOS,
        eos_token=EOS,
        pad_token=PAD,
        additional_special_tokens=list(special_tokens) or None,
    )
    if chat_template is not None:
        tokenizer.chat_template = chat_template
    return tokenizer


def tiny_llama(tokenizer, hidden_size: int = 64, layers: int = 2, heads: int = 4, seed: int = 0):
    """A randomly initialised Llama sized to the tokenizer; the seed makes the weights reproducible."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=hidden_size * 2,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=max(1, heads // 2),
        max_position_embeddings=1024,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
    )
    torch.manual_seed(seed)
    return LlamaForCausalLM(config)


def save_tiny_model(
    directory: Path,
    texts: Iterable[str] | None = None,
    special_tokens: Sequence[str] = (),
    chat_template: str | None = PLAIN_CHAT_TEMPLATE,
    seed: int = 0,
) -> Path:
    """Train a tokenizer, build the model, save both to `directory` (what `--model_name_or_path` takes)."""
    tokenizer = train_tokenizer(texts, special_tokens=special_tokens, chat_template=chat_template)
    model = tiny_llama(tokenizer, seed=seed)
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(directory)
    model.save_pretrained(directory)
    return directory
