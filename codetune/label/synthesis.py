"""Synthesis tasks: new problems and solutions written by the model from the ecosystem's own material.

- `oss-instruct` (Magicoder's OSS-Instruct, StarCoder2-Instruct's self-align): a seed snippet (an `ast`
  function or a docs example) inspires a problem and its solution in the ecosystem's language. The
  solution must parse and use no deprecated API (the gates); for Python, the model also writes `assert`
  tests, and solution + tests run in the eval sandbox (`codetune.eval.sandbox`): a failure drops the row.
- `self-instruct` (Code Alpaca): three seed tasks from the docs (`instruct` doc-example instructions) in each
  prompt; the model writes one new task and its solution. A new instruction is kept only if its ROUGE-L
  against every seed and every instruction kept before it (id order) is below 0.7 (Self-Instruct's rule).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from codetune.definitions.subset_settings import InstructSettings
from codetune.label.dataset import DatasetFolder
from codetune.label.gates import answer_code
from codetune.label.task import LabelPrompt, LabelTask, TaskRow, provenance
from codetune.subsets import instruct
from codetune.subsets.instruct import instruction_row

_SECTION = re.compile(
    r"^\s*(?:#+\s*)?\*{0,2}\[?(Problem Description|Solution|Tests|Instruction)\]?\*{0,2}:?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_SEED_KINDS = ("function", "method", "class")
SELF_INSTRUCT_MAX_ROUGE_L = 0.7  # Self-Instruct (Wang et al. 2023): keep only instructions below this
SEEDS_PER_PROMPT = 3


def answer_sections(answer: str) -> dict[str, str]:
    """`[Problem Description] … [Solution] … [Tests] …` → {"problem description": …, "solution": …}."""
    parts = _SECTION.split(answer)
    return {parts[i].lower(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


COLUMNS = {
    **instruct.COLUMNS,
    "seed_id": "string",
    "tests": "string",
    "validated": "string",
    "label_model": "string",
}


def _row(prompt: LabelPrompt, instruction: str, solution: str, tests: str, model: str, source: str) -> dict:
    language = prompt.language
    row = instruction_row(
        InstructSettings(),
        prompt.id,
        instruction,
        f"Language: {language}",
        solution,
        source=source,
        **provenance(prompt.source),
    )
    validated = "not_python" if language != "python" else ("pending" if tests else "no_tests")
    return {
        **row,
        "language": language,
        "seed_id": prompt.source["id"],
        "tests": tests,
        "validated": validated,
        "label_model": model,
    }


# --- oss-instruct -------------------------------------------------------------------------------------


def _seed_rows(dataset: DatasetFolder) -> Iterator[tuple[dict, str]]:
    """(seed row, snippet): real functions and classes, then the docs' examples."""
    for row in dataset.rows("ast", "train"):
        if row["kind"] in _SEED_KINDS and not row["has_error"] and row["code"].count("\n") >= 2:
            yield row, row["code"]
    for row in dataset.rows("instruct", "train"):
        if row["source"] == "doc_example" and row["language"]:
            yield row, row["output"]


def _oss_prompts(dataset: DatasetFolder, render: Callable[..., str]) -> Iterator[LabelPrompt]:
    for row, snippet in _seed_rows(dataset):
        language = row["language"]
        user = render(language=language, snippet=snippet, with_tests=language == "python")
        yield LabelPrompt(f"{row['id']}#oss-instruct", user, language, row)


def _oss_row(prompt: LabelPrompt, answer: str, model: str) -> TaskRow:
    sections = answer_sections(answer)
    problem, solution = sections.get("problem description", ""), answer_code(sections.get("solution", ""))
    if not problem or not solution:
        return TaskRow(None, "unparsable_answer")
    tests = answer_code(sections.get("tests", "")) if prompt.language == "python" else ""
    return TaskRow(_row(prompt, problem, solution, tests, model, "oss-instruct"), code=solution)


def sandbox_validator(work: Path, allow_unsandboxed: bool) -> Callable[[dict], str | None]:
    """Runs a Python row's solution with its tests in the sandbox; verdicts cached by program hash."""
    cache_path = work / "sandbox-verdicts.json"
    cache: dict[str, str] = json.loads(cache_path.read_text()) if cache_path.exists() else {}

    def validate(row: dict) -> str | None:
        if row["validated"] != "pending":
            return None
        from codetune.eval.sandbox import SandboxLimits, run_python

        program = f"{row['output']}\n\n\n{row['tests']}\n"
        key = hashlib.sha256(program.encode()).hexdigest()
        if key not in cache:
            limits = SandboxLimits(cpu_seconds=5, wall_seconds=10, allow_unsandboxed=allow_unsandboxed)
            cache[key] = run_python(program, limits).status
            cache_path.write_text(json.dumps(cache, sort_keys=True))
        row["validated"] = cache[key]
        return None if cache[key] == "passed" else f"tests_{cache[key]}"

    return validate


OSS_INSTRUCT = LabelTask(
    name="oss-instruct",
    source_config="ast",
    columns=COLUMNS,
    prompts=_oss_prompts,
    row=_oss_row,
    description="Problems and solutions a model wrote from seed snippets of the ecosystem's code and docs "
    "(Magicoder's OSS-Instruct); Python solutions passed their own tests in the sandbox (`validated`).",
    validator=lambda dataset, work, settings: sandbox_validator(work, settings.allow_unsandboxed_exec),
)


# --- self-instruct ------------------------------------------------------------------------------------


def _doc_tasks(dataset: DatasetFolder) -> list[dict]:
    return [
        row for row in dataset.rows("instruct", "train") if row["source"] == "doc_example" and row["language"]
    ]


def _self_instruct_prompts(dataset: DatasetFolder, render: Callable[..., str]) -> Iterator[LabelPrompt]:
    seeds = _doc_tasks(dataset)
    for index, row in enumerate(seeds):
        same_language = [seed for seed in seeds if seed["language"] == row["language"] and seed is not row]
        others = random.Random(f"self-instruct:{row['id']}").sample(
            same_language, min(SEEDS_PER_PROMPT - 1, len(same_language))
        )
        examples = [seed["instruction"] for seed in (row, *others)]
        user = render(language=row["language"], seeds=examples, count=1)
        yield LabelPrompt(f"{row['id']}#self-instruct-{index}", user, row["language"], row)


def _self_instruct_row(prompt: LabelPrompt, answer: str, model: str) -> TaskRow:
    sections = answer_sections(answer)
    instruction, solution = sections.get("instruction", ""), answer_code(sections.get("solution", ""))
    if not instruction or not solution:
        return TaskRow(None, "unparsable_answer")
    return TaskRow(_row(prompt, instruction, solution, "", model, "self-instruct"), code=solution)


def novelty_validator(dataset: DatasetFolder) -> Callable[[dict], str | None]:
    """Self-Instruct's rule: ROUGE-L against every seed and kept instruction below 0.7, else dropped."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"])
    kept = [row["instruction"] for row in _doc_tasks(dataset)]

    def validate(row: dict) -> str | None:
        if any(
            scorer.score(old, row["instruction"])["rougeL"].fmeasure >= SELF_INSTRUCT_MAX_ROUGE_L
            for old in kept
        ):
            return "rouge_l_too_similar"
        kept.append(row["instruction"])
        return None

    return validate


SELF_INSTRUCT = LabelTask(
    name="self-instruct",
    source_config="instruct",
    columns=COLUMNS,
    prompts=_self_instruct_prompts,
    row=_self_instruct_row,
    description="New tasks and solutions a model wrote from seed tasks of the docs (Code Alpaca's "
    "self-instruct), each instruction's ROUGE-L below 0.7 against the seeds and every kept one.",
    validator=lambda dataset, work, settings: novelty_validator(dataset),
)
