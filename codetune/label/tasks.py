"""Labelling tasks: which rows of a built dataset become prompts, and what an answer turns into.

- `describe` (godot-dodo): every `ast` function or method (docstring removed) with the declarations it
  uses from its file and class; the model writes the instruction, the human code is the answer. The row
  records the human docstring it replaces (`replaced_instruction`), which may have been empty or tags only.
- `negatives` (NEARCoder): a model answers each `instruct` prompt; its answer is `rejected`, the human
  code `chosen`. Pairs whose sides are equal after normalisation or too close by ROUGE-L are dropped.

A task only builds prompts and rows; sending, retries, resume and gates live elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from codetune.definitions.subset_settings import InstructSettings
from codetune.label.dataset import DatasetFolder
from codetune.label.declarations import used_declarations
from codetune.label.readme_prompts import README_PROMPTS
from codetune.label.synthesis import OSS_INSTRUCT, SELF_INSTRUCT
from codetune.label.task import LabelPrompt, LabelTask, TaskRow, provenance
from codetune.subsets import dpo, instruct
from codetune.subsets.instruct import instruction_row, is_trivial

# --- describe -----------------------------------------------------------------------------------------

_DESCRIBE_KINDS = ("function", "method")
_LEADING_LABEL = re.compile(r"^\s*(?:\*\*)?(?:Instruction|Task)(?:\*\*)?\s*:\s*", re.IGNORECASE)


def _describe_prompts(dataset: DatasetFolder, render: Callable[..., str]) -> Iterator[LabelPrompt]:
    files = {(row["repo"], row["path"]): row["text"] for row in dataset.rows("clm", "train")}
    for row in dataset.rows("ast", "train"):
        if row["kind"] not in _DESCRIBE_KINDS or row["has_error"] or is_trivial(row["code"], 3):
            continue
        source = files.get((row["repo"], row["path"]), "")
        declarations = used_declarations(row["language"], source, row["code"], row["name"]) if source else []
        lines = [
            f"Language: {row['language']}",
            f"File: {row['path']}",
            f"{row['kind'].capitalize()}: {row['name']}",
        ]
        if row["parent"]:
            lines.append(f"In: {row['parent']}")
        if declarations:
            lines += ["Uses:", *declarations]
        user = render(
            language=row["language"],
            kind=row["kind"],
            name=row["name"],
            path=row["path"],
            parent=row["parent"],
            code=row["code"],
            declarations=declarations,
        )
        yield LabelPrompt(f"{row['id']}#describe", user, row["language"], row, "\n".join(lines))


def _describe_row(prompt: LabelPrompt, answer: str, model: str) -> TaskRow:
    source = prompt.source
    instruction = _LEADING_LABEL.sub("", answer.strip())
    row = instruction_row(
        InstructSettings(),
        prompt.id,
        instruction,
        prompt.input_text,
        source["code"],
        source="describe",
        **provenance(source),
        replaced_instruction=source["docstring"],
        label_model=model,
    )
    return TaskRow(row)


DESCRIBE = LabelTask(
    name="describe",
    source_config="ast",
    columns={**instruct.COLUMNS, "replaced_instruction": "string", "label_model": "string"},
    prompts=_describe_prompts,
    row=_describe_row,
    description="Model-written instructions for human functions (godot-dodo), with the declarations each "
    "uses in `input`; `replaced_instruction` is the human docstring it replaces.",
)


# --- negatives ----------------------------------------------------------------------------------------

NEGATIVE_MAX_ROUGE_L = 0.9  # a rejected side this close to the chosen one teaches no preference


def _negative_prompts(dataset: DatasetFolder, render: Callable[..., str]) -> Iterator[LabelPrompt]:
    for row in dataset.rows("instruct", "train"):
        (user,) = [turn["content"] for turn in row["prompt"] if turn["role"] == "user"]
        system = "\n".join(turn["content"] for turn in row["prompt"] if turn["role"] == "system")
        yield LabelPrompt(f"{row['id']}#negative", render(prompt=user), row["language"], row, system=system)


def normalised_code(text: str) -> str:
    from codetune.label.gates import answer_code

    return " ".join(answer_code(text).split())


def rouge_l(reference: str, candidate: str) -> float:
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rougeL"]).score(reference, candidate)["rougeL"].fmeasure


def _negative_row(prompt: LabelPrompt, answer: str, model: str) -> TaskRow:
    source = prompt.source
    chosen = source["output"]
    if normalised_code(answer) == normalised_code(chosen):
        return TaskRow(None, "rejected_equals_chosen")
    if rouge_l(chosen, answer) >= NEGATIVE_MAX_ROUGE_L:
        return TaskRow(None, "rejected_too_close")
    return TaskRow(
        {
            "id": prompt.id,
            "prompt": source["prompt"],
            "chosen": source["completion"],
            "rejected": [{"role": "assistant", "content": answer}],
            "negative_kind": "model",
            "rule": f"answer of {model}",
            **provenance(source),
        }
    )


NEGATIVES = LabelTask(
    name="negatives",
    source_config="instruct",
    columns=dict(dpo.COLUMNS),
    prompts=_negative_prompts,
    row=_negative_row,
    description="Preference pairs whose rejected side is a model's answer to an `instruct` prompt and chosen "
    "side the human code (NEARCoder).",
)

TASKS = {task.name: task for task in (DESCRIBE, NEGATIVES, README_PROMPTS, OSS_INSTRUCT, SELF_INSTRUCT)}
