"""The loop measures what training does: `recipes/cpt.py` trains the tiny model on the example build's `clm`
train split, and `codetune eval` then finds lower bits per byte on the held-out repository than before."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from codetune.cli import main
from tests.train.recipe_runs import dataset_args, recipe_args

RECIPES = Path(__file__).resolve().parents[2] / "recipes"


def cpt_main():
    spec = importlib.util.spec_from_file_location("recipe_cpt", RECIPES / "cpt.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_held_out_bits_per_byte_fall_after_continued_pretraining(
    example_out: Path, fim_tiny_model: Path, tmp_path: Path
):
    trained = tmp_path / "cpt"
    extra = (*dataset_args(example_out, "clm"), "--max_length", "256", "--packing", "true")
    cpt_main()(recipe_args(fim_tiny_model, trained, *extra, max_steps=30))
    assert (trained / "config.json").is_file()

    out = tmp_path / "evals"
    argv = ["eval", str(example_out), "--model", str(fim_tiny_model), "--model", str(trained)]
    argv += ["--name", "untrained", "--name", "cpt", "--out", str(out), "--tasks", "perplexity"]
    assert main(argv) == 0
    untrained, cpt = json.loads((out / "report.json").read_text())["models"]
    assert cpt["metrics"]["bits_per_byte"] < untrained["metrics"]["bits_per_byte"]
    for language in untrained["languages"]:  # every held-out language, not just the total
        assert cpt["languages"][language]["bits_per_byte"] < untrained["languages"][language]["bits_per_byte"]
    assert "✓" in (out / "report.md").read_text().split("## Change against untrained")[1]
