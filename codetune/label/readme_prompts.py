"""`readme-prompts` (NEARCoder): a README becomes the user's request for its repository's structure.

Each `trees` train row with a README goes to the model, which writes a "Build a … that …" request. The row
of config `readme-prompts` pairs that request with the real directory tree (structure-aware training, as
`prompt`/`completion` and `messages`); config `readme-prompts-dpo` re-prompts the build's `dpo` pairs of
that repository whose rejected side is a corrupted tree (`negative_kind = "corrupted_tree"`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from codetune.label.dataset import DatasetFolder
from codetune.label.task import LabelPrompt, LabelTask, TaskRow
from codetune.subsets import dpo, instruct

MAX_README_CHARS = 6000  # the start of a long README says what the project is
_LEADING_LABEL = re.compile(r"^\s*(?:\*\*)?(?:Request|Prompt)(?:\*\*)?\s*:\s*", re.IGNORECASE)


def _prompts(dataset: DatasetFolder, render: Callable[..., str]) -> Iterator[LabelPrompt]:
    pairs: dict[str, list[dict]] = {}
    if dataset.has("dpo", "train"):
        for row in dataset.rows("dpo", "train"):
            if row["negative_kind"] == "corrupted_tree":
                pairs.setdefault(row["repo"], []).append(row)
    for row in dataset.rows("trees", "train"):
        if not row["readme"].strip():
            continue
        user = render(repo=row["repo"], readme=row["readme"][:MAX_README_CHARS])
        source = {**row, "dpo_pairs": pairs.get(row["repo"], [])}
        yield LabelPrompt(f"{row['id']}#readme-prompt", user, "", source)


def _row(prompt: LabelPrompt, answer: str, model: str) -> TaskRow:
    source = prompt.source
    request = _LEADING_LABEL.sub("", answer.strip())
    user = [{"role": "user", "content": request}]
    tree = [{"role": "assistant", "content": source["tree"]}]
    row = {
        "id": prompt.id,
        "instruction": request,
        "input": "",
        "output": source["tree"],
        "messages": [*user, *tree],
        "prompt": user,
        "completion": tree,
        "source": "readme-prompts",
        "language": "",
        "repo": source["repo"],
        "path": "README.md",
        "license": source["license"],
        "commit": source["commit"],
        "label_model": model,
    }
    companions = tuple(
        {
            **pair,
            "id": f"{pair['id']}#readme-prompt",
            "prompt": user,
            "rule": f"{pair['rule']}; prompt by {model}",
        }
        for pair in source["dpo_pairs"]
    )
    return TaskRow(row, companions=companions)


README_PROMPTS = LabelTask(
    name="readme-prompts",
    source_config="trees",
    columns={**instruct.COLUMNS, "label_model": "string"},
    prompts=_prompts,
    row=_row,
    description='A model-written request ("Build a … that …") from each repository\'s README, answered by '
    "its real directory tree (NEARCoder); `readme-prompts-dpo` holds the corrupted-tree pairs re-prompted.",
    companion_config="readme-prompts-dpo",
    companion_columns=dict(dpo.COLUMNS),
)
