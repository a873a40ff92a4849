"""Fit a base model's tokenizer to the data: a pad token, FIM sentinels, a generation-marked chat template.

Every change here is one a base code model commonly needs and that TRL does not make on its own. Tokens
added here get new embedding rows (`resize_embeddings`), which the recipe trains and saves with a LoRA
adapter (`modules_to_save`), so the adapter reloads with the vocabulary it was trained with.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from codetune.definitions.fim_formats import FIM_FORMATS, FimFormat
from codetune.errors import TrainingConfigError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenizerChanges:
    """What `prepare_tokenizer` did, so the recipe can resize embeddings and say so."""

    added_tokens: tuple[str, ...] = ()
    chat_template: str = ""  # "", "ours" (codetune's generation-marked template), "trl", or a file path

    @property
    def grew(self) -> bool:
        return bool(self.added_tokens)


def training_chat_template() -> str:
    """codetune's Alpaca-layout chat template with `{% generation %}` markers (see the file's comment)."""
    return resources.files("codetune").joinpath("templates/chat_training.j2").read_text(encoding="utf-8")


def is_single_token(tokenizer, text: str) -> bool:
    return len(tokenizer(text, add_special_tokens=False)["input_ids"]) == 1


def sentinels_in_text(fmt: FimFormat) -> tuple[str, ...]:
    """A family's sentinels as they appear in rendered text (Code Llama's carry a leading space there)."""
    tokens = (fmt.prefix, fmt.suffix, fmt.middle, fmt.end, fmt.pad, fmt.file_separator, fmt.repo_name)
    return tuple(dict.fromkeys(token.strip() for token in tokens if token.strip()))


def fim_formats_used(texts: Iterable[str]) -> list[FimFormat]:
    """The sentinel families whose prefix and middle sentinels occur in the texts (the `fim` rows)."""
    sample = list(texts)
    return [
        fmt
        for fmt in FIM_FORMATS.values()
        if any(fmt.prefix.strip() in text and fmt.middle.strip() in text for text in sample)
    ]


def add_fim_sentinels(tokenizer, texts: Iterable[str], model_name: str) -> tuple[str, ...]:
    """FIM sentinels the data uses but the tokenizer splits into pieces: added as special tokens, warned."""
    sample = list(texts)
    missing: list[str] = []
    for fmt in fim_formats_used(sample):
        used = [s for s in sentinels_in_text(fmt) if any(s in text for text in sample)]
        missing += [s for s in used if s not in missing and not is_single_token(tokenizer, s)]
    if not missing:
        return ()
    tokenizer.add_special_tokens({"additional_special_tokens": missing}, replace_extra_special_tokens=False)
    logger.warning(
        "the tokenizer of %s has no FIM sentinel tokens %s that the fim data uses: added them as special "
        "tokens and resized the embeddings. Their rows start untrained, so the model needs more FIM steps "
        "than one pretrained with FIM; the embeddings are saved with the adapter.",
        model_name,
        missing,
    )
    return tuple(missing)


def set_chat_template(
    tokenizer, model_name: str, template_path: str | None, conversational: bool, assistant_only_loss: bool
) -> str:
    """The chat template to train with: a given file, else the model's own, made training-ready if needed.

    A model without a template gets codetune's (conversational data needs one). `assistant_only_loss` needs
    `{% generation %}` markers: TRL's patched version of a template it knows, else codetune's, with a warning.
    """
    from trl.chat_template_utils import get_training_chat_template, has_generation_markers

    if template_path:
        path = Path(template_path)
        if not (path.is_file() and path.suffix in (".jinja", ".j2")):
            raise TrainingConfigError(
                f"chat_template_path: {template_path!r} must be a .jinja or .j2 file with the chat template"
            )
        tokenizer.chat_template = path.read_text(encoding="utf-8")
        return template_path
    if not tokenizer.chat_template:
        if not (conversational or assistant_only_loss):
            return ""
        tokenizer.chat_template = training_chat_template()
        return "ours"
    if not assistant_only_loss or has_generation_markers(tokenizer.chat_template):
        return ""
    try:
        patched = get_training_chat_template(tokenizer)
    except ValueError:
        patched = None
    if patched:
        tokenizer.chat_template = patched
        return "trl"
    logger.warning(
        "the chat template of %s has no {%% generation %%} markers and TRL knows no patched version: "
        "using codetune's Alpaca-layout training template instead (pass --chat_template_path to choose)",
        model_name,
    )
    tokenizer.chat_template = training_chat_template()
    return "ours"


def prepare_tokenizer(
    tokenizer,
    model_name: str,
    texts: Iterable[str] = (),
    conversational: bool = False,
    assistant_only_loss: bool = False,
    template_path: str | None = None,
) -> TokenizerChanges:
    """Pad token, FIM sentinels found in `texts`, and the chat template to train with."""
    if tokenizer.pad_token is None:
        # eos as pad is TRL's default too; labels are masked by position, never by pad id.
        tokenizer.pad_token = tokenizer.eos_token
    added = add_fim_sentinels(tokenizer, texts, model_name)
    template = set_chat_template(tokenizer, model_name, template_path, conversational, assistant_only_loss)
    return TokenizerChanges(added_tokens=added, chat_template=template)


def resize_embeddings(model, tokenizer) -> bool:
    """Grow the embeddings to the tokenizer; new rows start at the mean of the old ones (transformers)."""
    if len(tokenizer) <= model.get_input_embeddings().weight.shape[0]:
        return False
    model.resize_token_embeddings(len(tokenizer), mean_resizing=True)
    return True


def embedding_module_names(model) -> list[str]:
    """Names of the input and output embedding modules, for LoRA's `modules_to_save`."""
    wanted = {id(model.get_input_embeddings()): None, id(model.get_output_embeddings()): None}
    return sorted({name.rsplit(".", 1)[-1] for name, module in model.named_modules() if id(module) in wanted})
