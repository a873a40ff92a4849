"""Which TRL dataset format a recipe trains on, chosen from the columns a dataset has.

TRL reads four standard formats; codetune's configs already use their column names, so choosing a format
is choosing columns: `clm`/`fim` give `text`, `instruct` gives `prompt`/`completion` and `messages`, `dpo`
gives `prompt`/`chosen`/`rejected`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from enum import Enum

from codetune.errors import TrainingConfigError


class DataFormat(Enum):
    TEXT = ("text",)
    PROMPT_COMPLETION = ("prompt", "completion")
    MESSAGES = ("messages",)
    PREFERENCE = ("prompt", "chosen", "rejected")

    @property
    def columns(self) -> tuple[str, ...]:
        return self.value


class Stage(str, Enum):
    """A recipe: supervised fine-tuning, preference tuning, or continued pretraining."""

    SFT = "sft"
    DPO = "dpo"
    CPT = "cpt"


# In order of preference when a dataset offers several (instruct rows carry both prompt/completion and
# messages; prompt/completion trains the completion only without needing a chat template).
STAGE_FORMATS: dict[Stage, tuple[DataFormat, ...]] = {
    Stage.SFT: (DataFormat.PROMPT_COMPLETION, DataFormat.MESSAGES, DataFormat.TEXT),
    Stage.DPO: (DataFormat.PREFERENCE,),
    Stage.CPT: (DataFormat.TEXT,),
}


def pick_format(
    stage: Stage, available: Collection[str], requested: Sequence[str] | None, where: str
) -> DataFormat:
    """The format `stage` trains on with these columns; `requested` (the `columns` setting) narrows it."""
    accepted = STAGE_FORMATS[stage]
    if requested:
        missing = [column for column in requested if column not in available]
        if missing:
            raise TrainingConfigError(
                f"{where}: columns {missing} are not in the dataset; it has {sorted(available)}"
            )
        for data_format in accepted:
            if set(requested) == set(data_format.columns):
                return data_format
        raise TrainingConfigError(
            f"{where}: columns {list(requested)} are not a format the {stage.value} recipe trains on; "
            f"use one of {[list(f.columns) for f in accepted]}"
        )
    for data_format in accepted:
        if set(data_format.columns) <= set(available):
            return data_format
    raise TrainingConfigError(
        f"{where}: the {stage.value} recipe needs the columns of one of "
        f"{[list(f.columns) for f in accepted]}, but the dataset has {sorted(available)}; "
        f"pick a config built for it ({', '.join(stage_configs_hint(stage))})"
    )


def stage_configs_hint(stage: Stage) -> tuple[str, ...]:
    return {Stage.SFT: ("instruct", "clm", "fim"), Stage.DPO: ("dpo",), Stage.CPT: ("clm", "fim")}[stage]
