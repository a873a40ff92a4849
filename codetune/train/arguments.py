"""Recipe arguments: TRL's dataclasses and parser, plus the few settings codetune adds.

`TrlParser` reads a YAML `--config` and lets the command line override any key, with TRL's standard
names (`--model_name_or_path`, `--dataset_name`, `--output_dir`, `--max_steps`, ...). The configs below
only change what TRL cannot: precision that follows the hardware, and a dataset mixture in YAML.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from trl import DPOConfig, ModelConfig, ScriptArguments, SFTConfig, TrlParser

from codetune.train.formats import Stage
from codetune.train.mixture import DatasetMixture

logger = logging.getLogger(__name__)


@dataclass
class RecipeArguments(ScriptArguments):
    """TRL's script arguments (`dataset_name`, `dataset_config`, splits) plus mixtures and the merge."""

    dataset_mixture: dict[str, Any] | None = field(
        default=None,
        metadata={
            "help": "alignment-handbook mixture: {datasets: [{id, config, split, columns, weight}], ...}"
        },
    )
    dataset_columns: list[str] | None = field(
        default=None,
        metadata={"help": "Columns of the TRL format to train on, e.g. `messages` or `prompt completion`."},
    )
    merge_adapter: bool = field(
        default=False,
        metadata={
            "help": "After LoRA training, also write the adapter merged into the base to OUTPUT/merged."
        },
    )

    def mixture(self) -> DatasetMixture:
        """`--dataset_name` (a folder or Hub id) replaces the YAML mixture with that one dataset."""
        if self.dataset_name:
            return DatasetMixture.single(
                self.dataset_name,
                self.dataset_config,
                self.dataset_train_split,
                self.dataset_test_split,
                self.dataset_columns,
            )
        if self.dataset_mixture:
            return DatasetMixture.from_dict(self.dataset_mixture)
        from codetune.errors import TrainingConfigError

        raise TrainingConfigError(
            "no training data: give `dataset_name` (a codetune build folder or a Hub id) with "
            "`dataset_config`, or a `dataset_mixture` in the YAML config"
        )


def fit_precision_to_hardware(args: Any) -> None:
    """bf16/fp16 that this machine can run: TRL defaults to bf16, which fails on a CPU-only machine.

    Where the GPU has bf16 (A100, H100) nothing changes. A GPU without it (V100, T4) falls back to fp16; a
    machine without a GPU trains in fp32. A request that cannot be met is logged, not silently dropped.
    """
    import torch
    from transformers.utils import is_torch_bf16_gpu_available

    if getattr(args, "use_cpu", False):
        return
    wanted_bf16 = args.bf16 if args.bf16 is not None else not args.fp16
    if not torch.cuda.is_available():
        if args.bf16 or args.fp16:
            logger.warning("no GPU: training in fp32 instead of %s", "bf16" if args.bf16 else "fp16")
        args.bf16, args.fp16 = False, False
    elif wanted_bf16 and not is_torch_bf16_gpu_available():
        logger.warning("this GPU has no bf16: training with fp16 mixed precision instead")
        args.bf16, args.fp16 = False, True
    else:
        args.bf16 = wanted_bf16
    # `accelerate launch` passes its config's precision to DeepSpeed through this variable; it must agree.
    launched = os.environ.get("ACCELERATE_MIXED_PRECISION")
    chosen = "bf16" if args.bf16 else "fp16" if args.fp16 else "no"
    if launched is not None and launched != chosen:
        logger.warning(
            "accelerate config asks for mixed_precision=%s; this machine runs %s", launched, chosen
        )
        os.environ["ACCELERATE_MIXED_PRECISION"] = chosen


@dataclass
class RecipeSFTConfig(SFTConfig):
    """TRL's SFTConfig with precision fitted to the hardware (used by the SFT and CPT recipes)."""

    def __post_init__(self) -> None:
        fit_precision_to_hardware(self)
        super().__post_init__()


@dataclass
class RecipeDPOConfig(DPOConfig):
    """TRL's DPOConfig with precision fitted to the hardware."""

    def __post_init__(self) -> None:
        fit_precision_to_hardware(self)
        super().__post_init__()


def training_config_class(stage: Stage) -> type:
    return RecipeDPOConfig if stage is Stage.DPO else RecipeSFTConfig


def make_parser(stage: Stage) -> TrlParser:
    return TrlParser((RecipeArguments, training_config_class(stage), ModelConfig))


def parse_recipe_args(
    stage: Stage, argv: Sequence[str] | None = None
) -> tuple[RecipeArguments, Any, ModelConfig]:
    """`--config recipe.yaml` plus overrides; an unknown key in the YAML or on the command line fails."""
    script_args, training_args, model_args = make_parser(stage).parse_args_and_config(
        args=list(argv) if argv is not None else None
    )
    if model_args.lora_target_modules == ["all-linear"]:  # from the CLI it arrives as a one-item list
        model_args.lora_target_modules = "all-linear"
    return script_args, training_args, model_args
