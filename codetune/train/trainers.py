"""TRL's trainers with the two things the recipes add: perplexity in the eval logs, pre-encoded DPO rows."""

from __future__ import annotations

import math

from trl import DPOTrainer, SFTTrainer


def perplexity(loss: float) -> float:
    """exp(mean token cross-entropy); inf rather than an OverflowError for a diverged model."""
    return math.exp(loss) if loss < 700 else math.inf


class PerplexityLogging:
    """Adds `eval_perplexity` next to every `eval_loss`: in the logs, the trackers and `evaluate()`."""

    def log(self, logs: dict[str, float], start_time: float | None = None) -> None:
        if "eval_loss" in logs:
            logs["eval_perplexity"] = perplexity(logs["eval_loss"])
        super().log(logs, start_time)


class RecipeSFTTrainer(PerplexityLogging, SFTTrainer):
    """SFTTrainer for the SFT and continued-pretraining recipes."""


class RecipeDPOTrainer(DPOTrainer):
    """DPOTrainer that takes rows already encoded by `codetune.train.encoding` as they are.

    TRL re-tokenizes prompt+answer and moves the prompt boundary where a code BPE merges across it; rows
    that already carry `prompt_ids`/`chosen_ids`/`rejected_ids` keep the boundary they were encoded with.
    """

    def _prepare_dataset(self, dataset, processing_class, args, dataset_name):
        from trl.data_utils import get_dataset_column_names

        if {"prompt_ids", "chosen_ids", "rejected_ids"} <= set(get_dataset_column_names(dataset)):
            return dataset
        return super()._prepare_dataset(dataset, processing_class, args, dataset_name)
