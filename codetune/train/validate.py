"""Check a recipe YAML without downloading anything: it parses, names a model, codetune configs and sane LoRA.

Run on every file in `recipes/configs/` by the tests, so a typo in a config fails in CI rather than an hour
into a GPU job. The model is checked by name only (a Hub id or a local folder), the datasets against the
configs codetune builds, and the LoRA settings by building PEFT's `LoraConfig`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codetune.errors import TrainingConfigError
from codetune.train.arguments import RecipeArguments, parse_recipe_args
from codetune.train.formats import DataFormat, Stage, pick_format
from codetune.train.mixture import DatasetMixture

# Hub repository ids: "name" or "org/name", letters, digits, "-", "_", "." (no "--" or ".." runs).
HUB_MODEL_ID = re.compile(r"^(?:[A-Za-z0-9][\w.-]{0,95}/)?[A-Za-z0-9][\w.-]{0,95}$")


@dataclass(frozen=True)
class ValidatedRecipe:
    path: Path
    stage: Stage
    script_args: RecipeArguments
    training_args: Any
    model_args: Any
    mixture: DatasetMixture
    data_format: DataFormat


def stage_of(path: Path) -> Stage:
    """The recipe a config is for, from its file name: `sft-lora.yaml`, `dpo-lora.yaml`, `cpt.yaml`, ..."""
    for stage in Stage:
        if path.name.startswith(stage.value):
            return stage
    raise TrainingConfigError(f"{path}: the file name must start with one of {[s.value for s in Stage]}")


def check_model_name(name: str | None, where: str) -> None:
    if not name:
        raise TrainingConfigError(f"{where}: field 'model_name_or_path' is required")
    if Path(name).is_dir():
        return
    if not HUB_MODEL_ID.match(name) or "--" in name or ".." in name:
        raise TrainingConfigError(
            f"{where}: field 'model_name_or_path' {name!r} is neither a local folder nor a Hub id (org/name)"
        )


def check_lora(model_args: Any, where: str) -> None:
    from trl import get_peft_config

    if (model_args.load_in_4bit or model_args.load_in_8bit) and not model_args.use_peft:
        raise TrainingConfigError(
            f"{where}: load_in_4bit/load_in_8bit (QLoRA) trains an adapter on a quantized model; "
            "set use_peft: true"
        )
    if not model_args.use_peft:
        return
    if isinstance(model_args.lora_r, bool) or not isinstance(model_args.lora_r, int) or model_args.lora_r < 1:
        raise TrainingConfigError(
            f"{where}: field 'lora_r' must be a positive integer, got {model_args.lora_r!r}"
        )
    if not isinstance(model_args.lora_alpha, (int, float)) or model_args.lora_alpha <= 0:
        raise TrainingConfigError(
            f"{where}: field 'lora_alpha' must be positive, got {model_args.lora_alpha!r}"
        )
    if not 0 <= model_args.lora_dropout < 1:
        raise TrainingConfigError(
            f"{where}: field 'lora_dropout' must be in [0, 1), got {model_args.lora_dropout!r}"
        )
    if not model_args.lora_target_modules:
        raise TrainingConfigError(
            f"{where}: field 'lora_target_modules' is empty; use all-linear (QLoRA's choice) or module names"
        )
    try:
        get_peft_config(model_args)
    except (TypeError, ValueError) as error:
        raise TrainingConfigError(f"{where}: the LoRA settings do not make a LoraConfig: {error}") from error


def check_mixture_configs(mixture: DatasetMixture, stage: Stage, where: str) -> DataFormat:
    """Every dataset names a config codetune builds, with the columns the stage trains on."""
    from codetune.subsets import SUBSET_SPECS

    formats = set()
    for entry in mixture.datasets:
        if entry.config not in SUBSET_SPECS:
            raise TrainingConfigError(
                f"{where}: dataset {entry.id!r} names config {entry.config!r}; "
                f"codetune builds {', '.join(SUBSET_SPECS)}"
            )
        columns = list(SUBSET_SPECS[entry.config].columns)
        formats.add(pick_format(stage, columns, entry.columns, f"{where}: dataset {entry.label}"))
    if len(formats) > 1:
        raise TrainingConfigError(f"{where}: the mixture's datasets give different formats; set `columns`")
    return formats.pop()


def validate_recipe_config(path: Path) -> ValidatedRecipe:
    """Parse and check one recipe YAML offline; a problem raises `TrainingConfigError` naming the file."""
    path = Path(path)
    stage = stage_of(path)
    where = str(path)
    try:
        script_args, training_args, model_args = parse_recipe_args(stage, ["--config", str(path)])
    except ValueError as error:
        raise TrainingConfigError(f"{where}: {error}") from error
    check_model_name(model_args.model_name_or_path, where)
    mixture = script_args.mixture()
    data_format = check_mixture_configs(mixture, stage, where)
    check_lora(model_args, where)
    if getattr(training_args, "assistant_only_loss", False) and data_format is not DataFormat.MESSAGES:
        raise TrainingConfigError(
            f"{where}: assistant_only_loss needs the messages format (columns: [messages])"
        )
    if getattr(training_args, "packing", False) and not training_args.max_length:
        raise TrainingConfigError(f"{where}: packing needs max_length")
    return ValidatedRecipe(path, stage, script_args, training_args, model_args, mixture, data_format)
