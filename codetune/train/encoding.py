"""Tokenize prompt/completion and preference rows so the prompt ends where the model will see it end.

Two things TRL does that code data trips over:
* A code BPE merges a prompt's last "\\n" with the completion's indentation ("\\n    " is one token). TRL
  then moves the boundary into the prompt and drops that newline from what the model learns to condition
  on, with a warning. Here the prompt is tokenized alone (as at inference) and the completion after it.
* A prompt longer than `max_length` truncates to an example with no completion tokens, which TRL drops
  silently. Here such rows are skipped and counted, and the counts reach the log and `data_stats.json`.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from codetune.errors import TrainingConfigError

logger = logging.getLogger(__name__)

IGNORE_INDEX = -100  # label of a token that does not count in the loss (PyTorch's cross-entropy default)


@dataclass
class EncodingReport:
    """Rows of one split before and after encoding, and why any were skipped."""

    split: str
    rows: int = 0
    kept: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    truncated: int = 0  # kept, but longer than max_length: their completion is cut (not their prompt)
    boundary_merges: int = 0  # rows whose prompt end the tokenizer merges into the completion (kept apart)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def log(self) -> None:
        for reason, count in self.skipped.items():
            logger.warning("%s: skipped %d of %d rows: %s", self.split, count, self.rows, reason)
        if self.boundary_merges:
            logger.info(
                "%s: %d rows end their prompt on a token the tokenizer merges with the completion; "
                "tokenized apart so the prompt ends as at inference",
                self.split,
                self.boundary_merges,
            )


PROMPT_TOO_LONG = "prompt_too_long"
NO_ASSISTANT_TOKENS = "no_assistant_tokens"


def render_conversation(tokenizer, prompt: list, completion: list) -> tuple[str, str]:
    """Conversational prompt/completion as text: the prompt with its generation prompt, then the rest."""
    prompt_text = tokenizer.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
    full_text = tokenizer.apply_chat_template(prompt + completion, tokenize=False)
    if not full_text.startswith(prompt_text):
        raise TrainingConfigError(
            "the chat template renders the prompt differently alone than followed by the completion; "
            "pass --chat_template_path with a template whose generation prompt is a prefix of the answer"
        )
    return prompt_text, full_text[len(prompt_text) :]


def completion_token_ids(tokenizer, prompt: str, completion: str) -> tuple[list[int], bool]:
    """The completion's ids to append after the prompt's, and whether a token straddled the boundary.

    When no token of `prompt + completion` straddles the boundary, its tail is exact (this keeps
    SentencePiece's word-start handling right); when one does, the completion is tokenized on its own.
    """
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    full = tokenizer(prompt + completion, add_special_tokens=False, return_offsets_mapping=True)
    straddles = any(start < len(prompt) < end for start, end in full["offset_mapping"])
    if not straddles and full["input_ids"][: len(prompt_ids)] == prompt_ids:
        return list(full["input_ids"][len(prompt_ids) :]), False
    return list(tokenizer(completion, add_special_tokens=False)["input_ids"]), True


def _texts(tokenizer, prompt: Any, completion: Any) -> tuple[str, str, bool]:
    """(prompt, completion, prompt already carries special tokens) for string or conversational rows."""
    if isinstance(prompt, list):
        prompt_text, completion_text = render_conversation(tokenizer, prompt, completion)
        return prompt_text, completion_text, True
    return prompt, completion, False


def _with_eos(tokenizer, ids: list[int]) -> list[int]:
    if tokenizer.eos_token_id is not None and (not ids or ids[-1] != tokenizer.eos_token_id):
        return [*ids, tokenizer.eos_token_id]
    return ids


def encode_prompt_completion(row: dict, tokenizer, max_length: int | None) -> dict:
    """`input_ids` and `labels` (prompt masked), or a skip reason when the prompt fills `max_length`."""
    prompt, completion, templated = _texts(tokenizer, row["prompt"], row["completion"])
    prompt_ids = tokenizer(prompt, add_special_tokens=not templated)["input_ids"]
    completion_ids, merged = completion_token_ids(tokenizer, prompt, completion)
    if not templated:  # a chat template ends the turn itself
        completion_ids = _with_eos(tokenizer, completion_ids)
    if max_length is not None and len(prompt_ids) >= max_length:
        return {"input_ids": [], "labels": [], "skip": PROMPT_TOO_LONG, "merged": merged}
    return {
        "input_ids": prompt_ids + completion_ids,
        "labels": [IGNORE_INDEX] * len(prompt_ids) + completion_ids,
        "skip": "",
        "merged": merged,
    }


def encode_preference(row: dict, tokenizer, max_length: int | None) -> dict:
    """TRL's `prompt_ids`/`chosen_ids`/`rejected_ids`, each answer tokenized after the same prompt ids."""
    prompt, chosen, templated = _texts(tokenizer, row["prompt"], row["chosen"])
    _, rejected, _ = _texts(tokenizer, row["prompt"], row["rejected"])
    prompt_ids = tokenizer(prompt, add_special_tokens=not templated)["input_ids"]
    chosen_ids, merged_chosen = completion_token_ids(tokenizer, prompt, chosen)
    rejected_ids, merged_rejected = completion_token_ids(tokenizer, prompt, rejected)
    skip = PROMPT_TOO_LONG if max_length is not None and len(prompt_ids) >= max_length else ""
    return {
        "prompt_ids": prompt_ids,
        "chosen_ids": chosen_ids if templated else _with_eos(tokenizer, chosen_ids),
        "rejected_ids": rejected_ids if templated else _with_eos(tokenizer, rejected_ids),
        "skip": skip,
        "merged": merged_chosen or merged_rejected,
    }


def check_messages(row: dict, tokenizer, max_length: int | None) -> dict:
    """For `assistant_only_loss`: skip a conversation with no assistant token inside `max_length`."""
    encoded = tokenizer.apply_chat_template(
        row["messages"], tokenize=True, return_dict=True, return_assistant_tokens_mask=True
    )
    mask = list(encoded["assistant_masks"])
    if 1 not in mask:
        return {"skip": NO_ASSISTANT_TOKENS, "merged": False}
    if max_length is not None and mask.index(1) >= max_length:
        return {"skip": PROMPT_TOO_LONG, "merged": False}
    return {"skip": "", "merged": False}


def apply_encoding(
    dataset, encode, tokenizer, max_length: int | None, split: str, keep_columns: bool = False
):
    """Run `encode` over a split, drop and count skipped rows; returns (dataset, report)."""
    report = EncodingReport(split=split, rows=len(dataset))
    removed = [] if keep_columns else dataset.column_names
    encoded = dataset.map(
        encode,
        fn_kwargs={"tokenizer": tokenizer, "max_length": max_length},
        remove_columns=removed,
        desc=f"codetune: encoding {split}",
    )
    for reason in encoded["skip"]:
        if reason:
            report.skipped[reason] = report.skipped.get(reason, 0) + 1
    report.boundary_merges = sum(encoded["merged"])
    kept = encoded.filter(lambda row: not row["skip"]).remove_columns(["skip", "merged"])
    report.kept = len(kept)
    if max_length is not None and "input_ids" in kept.column_names:
        report.truncated = sum(1 for ids in kept["input_ids"] if len(ids) > max_length)
    report.log()
    if report.rows and not report.kept:
        raise TrainingConfigError(
            f"{split}: every one of {report.rows} rows was skipped ({report.skipped}); raise max_length "
            "or check the chat template"
        )
    return kept, report
