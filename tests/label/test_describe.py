"""`describe` prompts carry the declarations a function uses; `--dry-run` estimates without a request."""

from __future__ import annotations

from pathlib import Path

from codetune.cli import main
from codetune.label.dataset import DatasetFolder
from codetune.label.declarations import used_declarations
from codetune.label.run import LabelSettings, task_prompts
from codetune.label.tasks import TASKS

PLAYER = """extends CharacterBody2D
class_name Player

signal health_changed(value: int)
signal died
const GRAVITY := 9.8
const UNUSED_LIMIT := 3
@export var speed: float = 200.0
var health := 100

func hurt(amount: int) -> void:
\thealth -= amount
\thealth_changed.emit(health)

func fall(delta: float) -> void:
\tvelocity.y += GRAVITY * delta * speed
\thurt(1)
\tmove_and_slide()
"""

FALL = (
    "func fall(delta: float) -> void:\n\tvelocity.y += GRAVITY * delta * speed\n\thurt(1)\n\tmove_and_slide()"
)


def test_a_gdscript_method_gets_the_fields_constants_and_signatures_it_uses_and_no_others():
    used = used_declarations("gdscript", PLAYER, FALL, "fall")
    assert used == [
        "const GRAVITY := 9.8",
        "@export var speed: float = 200.0",
        "func hurt(amount: int) -> void:",
    ]


def test_python_class_members_and_module_constants_are_found():
    source = (
        "LIMIT = 10\n\n\nclass Counter:\n    step: int = 1\n\n"
        "    def bump(self) -> bool:\n        self.total += self.step\n        return self.total >= LIMIT\n"
    )
    code = "def bump(self) -> bool:\n    self.total += self.step\n    return self.total >= LIMIT"
    assert used_declarations("python", source, code, "bump") == ["LIMIT = 10", "step: int = 1"]


def test_describe_prompts_put_the_declarations_in_the_prompt_and_the_rows_input(example_out: Path):
    settings = LabelSettings(task="describe", model="m")
    prompts, template = task_prompts(DatasetFolder(example_out), TASKS["describe"], settings)
    with_context = [p for p in prompts if "Uses:" in p.input_text]
    assert with_context and "declarations from its file and class" in template
    prompt = with_context[0]
    first_declaration = prompt.input_text.split("Uses:\n")[1].splitlines()[0]
    assert first_declaration in prompt.user and prompt.source["code"] in prompt.user
    assert all(p.source["docstring"] not in p.user for p in prompts if p.source["docstring"])


def test_dry_run_prints_tokens_and_cost_before_any_request(example_out: Path, tmp_path: Path, capsys):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(example_out, out)
    argv = ["label", str(out), "--task", "describe", "--model", "m", "--dry-run", "--price-in", "3",
            "--price-out", "15", "--max-tokens", "100"]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "to send" in printed and "estimated prompt tokens ~" in printed and "cost before: $" in printed
    assert (
        not (out / "describe").exists() and not (out / ".codetune" / "label" / "describe" / "runs").exists()
    )
