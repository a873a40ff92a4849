"""oss-instruct (sandbox-checked Python solutions) and self-instruct (ROUGE-L novelty) on scripted answers."""

from __future__ import annotations

from pathlib import Path

from codetune.label.dataset import DatasetFolder
from codetune.label.run import LabelSettings, run_label, task_prompts
from codetune.label.server import RequestPolicy
from codetune.label.tasks import TASKS
from tests.label.conftest import load_config

GOOD = """[Problem Description]
Write `clamp(value, low, high)` that returns value limited to the closed range [low, high].
[Solution]
```python
def clamp(value, low, high):
    return max(low, min(high, value))
```
[Tests]
```python
assert clamp(5, 0, 3) == 3
assert clamp(-1, 0, 3) == 0
```
"""
WRONG = GOOD.replace("max(low, min(high, value))", "min(low, max(high, value))").replace("clamp", "bound")
BROKEN = GOOD.replace("def clamp(value, low, high):", "def clamp(value, low, high)").replace("clamp", "limit")


def _settings(task: str, url: str = "http://127.0.0.1:9/v1") -> LabelSettings:
    return LabelSettings(
        task=task, model="scripted", endpoint=url, progress=False, policy=RequestPolicy(5, 2, 0.05)
    )


def test_oss_instruct_keeps_python_solutions_that_pass_their_tests_in_the_sandbox(
    dataset: Path, scripted_server
):
    prompts, _ = task_prompts(DatasetFolder(dataset), TASKS["oss-instruct"], _settings("oss-instruct"))
    python = [p for p in prompts if p.language == "python"][:3]
    rules = [
        {"contains": p.user, "reply": reply} for p, reply in zip(python, (GOOD, WRONG, BROKEN), strict=True)
    ]
    server = scripted_server(rules)
    report = run_label(dataset, _settings("oss-instruct", server.url))
    assert report.gates["kept"] == 1 and report.gates["dropped/tests_failed"] == 1
    assert report.gates["dropped/parse_error"] == 1
    assert report.gates["dropped/unparsable_answer"] == report.prompts - 3  # the scripted default answers
    (row,) = load_config(dataset, "oss-instruct")
    assert row["validated"] == "passed" and row["seed_id"] == python[0].source["id"]
    assert row["output"].startswith("def clamp") and "assert clamp(5, 0, 3) == 3" in row["tests"]
    assert row["completion"] == [{"role": "assistant", "content": row["output"]}]


def test_self_instruct_drops_instructions_too_close_by_rouge_l_to_a_seed_or_a_kept_one(
    dataset: Path, scripted_server
):
    prompts, _ = task_prompts(DatasetFolder(dataset), TASKS["self-instruct"], _settings("self-instruct"))
    gd = [p for p in prompts if p.language == "gdscript"][:3]
    seed = gd[0].source["instruction"]
    instruction = "Make a timer node that restarts itself every two seconds and prints a line each time."
    replies = [
        f"[Instruction]\n{instruction}\n[Solution]\n```gdscript\nfunc _ready() -> void:\n\tprint(1)\n```",
        f"[Instruction]\n{instruction.replace('two', 'three')}\n[Solution]\n```gdscript\nvar count := 3\n```",
        f"[Instruction]\n{seed}\n[Solution]\n```gdscript\nconst LIMIT := 10\n```",
    ]
    rules = [{"contains": p.user, "reply": reply} for p, reply in zip(gd, replies, strict=True)]
    server = scripted_server(rules)
    report = run_label(dataset, _settings("self-instruct", server.url))
    assert report.gates["kept"] == 1 and report.gates["dropped/rouge_l_too_similar"] == 2
    (row,) = load_config(dataset, "self-instruct")
    assert row["instruction"] == instruction and row["source"] == "self-instruct"
