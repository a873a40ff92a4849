"""`resume_from_checkpoint: true` continues from the newest checkpoint at the step it was saved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from transformers import TrainerCallback

from tests.train.recipe_runs import dataset_args, recipe_args
from tests.train.test_recipes import LORA


class StepsRun(TrainerCallback):
    """Records the global step after each optimiser step this process actually ran."""

    def __init__(self) -> None:
        self.steps: list[int] = []

    def on_step_end(self, args, state, control, **kwargs):
        self.steps.append(state.global_step)


class StopAfter(TrainerCallback):
    """Ends training after a step, the way a preempted job ends: the last checkpoint is all that is left."""

    def __init__(self, step: int) -> None:
        self.step = step

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == self.step:
            control.should_training_stop = True


def _losses(output: Path) -> dict[int, float]:
    history = json.loads((output / "trainer_state.json").read_text())["log_history"]
    return {entry["step"]: entry["loss"] for entry in history if "loss" in entry}


def test_resume_from_checkpoint_continues_at_the_saved_step_with_the_same_losses(
    example_out: Path, tiny_model: Path, tmp_path: Path
):
    from codetune.train.formats import Stage
    from codetune.train.runner import run

    data = (*dataset_args(example_out, "instruct"), "--max_length", "256", *LORA)
    data += ("--lora_dropout", "0")  # no dropout noise: the comparison with the straight run is exact
    straight = tmp_path / "straight"
    run(Stage.SFT, recipe_args(tiny_model, straight, *data, max_steps=4))

    output = tmp_path / "resumed"
    saving = ("--save_strategy", "steps", "--save_steps", "2")
    first = StepsRun()
    interrupted = recipe_args(tiny_model, output, *data, *saving, max_steps=4)
    run(Stage.SFT, interrupted, callbacks=[first, StopAfter(2)])
    assert first.steps == [1, 2] and (output / "checkpoint-2").is_dir()

    second = StepsRun()
    resume = ("--resume_from_checkpoint", "true")
    run(Stage.SFT, recipe_args(tiny_model, output, *data, *saving, *resume, max_steps=4), callbacks=[second])

    assert second.steps == [3, 4]
    losses, expected = _losses(output), _losses(straight)
    assert sorted(losses) == [1, 2, 3, 4]
    for step in (3, 4):  # same data order, optimizer and scheduler state as the uninterrupted run
        assert losses[step] == pytest.approx(expected[step], rel=1e-5)
