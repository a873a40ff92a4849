"""Packing on the example data: batches with (almost) no padding, and packed documents that stay apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codetune.train.formats import Stage
from codetune.train.packing import document_spans
from codetune.train.runner import run
from tests.train.recipe_runs import dataset_args, recipe_args

MAX_LENGTH = 512


def non_padding_fraction(batch) -> float:
    """Real tokens over the positions the batch makes the model compute."""
    if "attention_mask" in batch:
        return batch["attention_mask"].float().mean().item()
    return 1.0 if "position_ids" in batch else float("nan")  # padding-free: one flat row, nothing padded


def cpt_run(example_out: Path, tiny_model: Path, output: Path, packing: bool):
    extra = (*dataset_args(example_out, "clm"), "--max_length", str(MAX_LENGTH))
    extra += ("--packing", str(packing).lower(), "--packing_strategy", "bfd_split")
    return run(Stage.CPT, recipe_args(tiny_model, output, *extra, max_steps=1))


@pytest.fixture(scope="module")
def packed_run(example_out: Path, tiny_model: Path, tmp_path_factory: pytest.TempPathFactory):
    return cpt_run(example_out, tiny_model, tmp_path_factory.mktemp("packed") / "run", packing=True)


def test_packed_batches_are_at_least_98_percent_real_tokens_unlike_padded_ones(
    packed_run, example_out: Path, tiny_model: Path, tmp_path: Path
):
    packed = [non_padding_fraction(batch) for batch in packed_run.trainer.get_train_dataloader()]
    assert min(packed) >= 0.98

    stats = json.loads((packed_run.output_dir / "data_stats.json").read_text())["packing"]
    assert stats["padding_free"] and stats["mean_fill"] >= 0.95  # the packed rows are nearly full too

    padded_run = cpt_run(example_out, tiny_model, tmp_path / "padded", packing=False)
    padded = [non_padding_fraction(batch) for batch in padded_run.trainer.get_train_dataloader()]
    assert sum(padded) / len(padded) < 0.9  # the same files one per row waste a tenth or more on padding


def test_packed_documents_do_not_attend_to_each_other(packed_run):
    import torch

    model = packed_run.trainer.model.eval()
    assert model.config.use_cache is False  # the recipe's guard: padding-free batches never use the cache
    checked = 0
    for batch in packed_run.trainer.get_train_dataloader():
        spans = document_spans(batch["position_ids"][0])
        if len(spans) <= packed_run.trainer.args.per_device_train_batch_size:
            continue  # every row holds one document: nothing packed together in this batch
        inputs = {key: value for key, value in batch.items() if key != "labels"}
        with torch.no_grad():
            packed = model(**inputs).logits[0]
            leaking = model(**inputs, use_cache=True).logits[0]
            worst = worst_leak = 0.0
            for start, end in spans:
                alone = model(input_ids=batch["input_ids"][:, start:end]).logits[0]
                worst = max(worst, (alone - packed[start:end]).abs().max().item())
                worst_leak = max(worst_leak, (alone - leaking[start:end]).abs().max().item())
        assert worst < 1e-4
        assert worst_leak > 1e-2  # what the guard prevents: with the cache on, attention crosses documents
        checked += 1
        if checked == 3:
            break
    assert checked  # at least one batch packed several documents into a row
