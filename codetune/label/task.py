"""What a labelling task is: prompts from a built dataset's rows, and rows from the answers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codetune.label.dataset import DatasetFolder


@dataclass(frozen=True)
class LabelPrompt:
    """One request: its id (the source row's id + the task), the user turn, and what the row needs."""

    id: str
    user: str
    language: str
    source: dict = field(compare=False)
    input_text: str = ""
    system: str = ""  # a system turn to send before the user turn

    def messages(self) -> list[dict]:
        system = [{"role": "system", "content": self.system}] if self.system else []
        return [*system, {"role": "user", "content": self.user}]


@dataclass(frozen=True)
class TaskRow:
    """A task's row, or why the answer was dropped before the common gates (`drop`).

    `code` is the answer's code, which the parse and deprecated-API gates check (None: the answer is not
    code, or a wrong answer is the point, as in `negatives`); `companions` are rows of the task's second
    config (`LabelTask.companion_config`), kept with the row.
    """

    row: dict | None
    drop: str = ""
    code: str | None = None
    companions: tuple[dict, ...] = ()


@dataclass(frozen=True)
class LabelTask:
    name: str
    source_config: str
    columns: dict
    prompts: Callable[[DatasetFolder, Callable[..., str]], Iterator[LabelPrompt]]
    row: Callable[[LabelPrompt, str, str], TaskRow]  # (prompt, answer, model) -> row
    description: str
    # After the gates, a check made per run (dataset, work folder, settings) that sees each kept row in id
    # order and says why to drop it, or None: the sandbox's verdict, Self-Instruct's ROUGE-L rule.
    validator: Callable[[DatasetFolder, Path, Any], Callable[[dict], str | None]] | None = None
    companion_config: str = ""
    companion_columns: dict = field(default_factory=dict)


def provenance(source: dict) -> dict[str, str]:
    """Where the human side of a labelled row comes from, as the source row says."""
    return {name: source[name] for name in ("language", "repo", "path", "license", "commit")}
