"""Packing: how full the packed rows are, and the guard that keeps packed documents from seeing each other.

TRL's `bfd` packing is padding-free: a batch is one flat row with `position_ids` restarting at every
document and no attention mask. The model keeps documents apart only when it runs with `use_cache=False`;
with the cache on, attention crosses documents (logits off by ~0.5 on a tiny Llama) and nothing warns.
TRL's own loss passes `use_cache=False`; `guard_packed_attention` makes it the model's default, so no
other forward on a packed batch (evaluation, a callback, a user's own loop) can leak.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

PADDING_FREE_STRATEGIES = ("bfd", "bfd_split")


def is_padding_free(training_args) -> bool:
    packing = getattr(training_args, "packing", False)
    strategy = getattr(training_args, "packing_strategy", "")
    return bool(
        getattr(training_args, "padding_free", False) or (packing and strategy in PADDING_FREE_STRATEGIES)
    )


def guard_packed_attention(model, training_args) -> bool:
    """Turn the KV cache off by default while training on padding-free batches; returns whether it did."""
    if not is_padding_free(training_args):
        return False
    model.config.use_cache = False
    logger.info(
        "padding-free packing: use_cache off by default so packed documents cannot attend to each other"
    )
    return True


def document_spans(position_ids) -> list[tuple[int, int]]:
    """(start, end) of each document in a flat padding-free row: positions restart at 0 for each one."""
    positions = [int(p) for p in position_ids]
    starts = [i for i, p in enumerate(positions) if p == 0]
    return [(start, end) for start, end in zip(starts, [*starts[1:], len(positions)], strict=True)]


@dataclass(frozen=True)
class PackingReport:
    """Real tokens over the positions a batch would cost, per batch of packed rows."""

    max_length: int
    batch_size: int
    batch_fill: tuple[float, ...]

    @property
    def mean_fill(self) -> float:
        return sum(self.batch_fill) / len(self.batch_fill) if self.batch_fill else 0.0

    @property
    def min_fill(self) -> float:
        return min(self.batch_fill) if self.batch_fill else 0.0


def packing_report(dataset, max_length: int, batch_size: int) -> PackingReport:
    """Fill of each batch of the packed dataset against `max_length` per row (what padding would cost)."""
    lengths = [len(ids) for ids in dataset["input_ids"]]
    fills = []
    for start in range(0, len(lengths), batch_size):
        chunk = lengths[start : start + batch_size]
        fills.append(sum(chunk) / (len(chunk) * max_length))
    return PackingReport(max_length=max_length, batch_size=batch_size, batch_fill=tuple(fills))
