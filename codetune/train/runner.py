"""The flow every recipe shares: data, tokenizer, model, trainer, train, save, evaluate, merge, push.

`recipes/sft.py`, `recipes/cpt.py` and `recipes/dpo.py` each call `run(Stage.X)`; the stage decides which
dataset formats are accepted and which TRL trainer runs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codetune.errors import TrainingConfigError
from codetune.train.arguments import RecipeArguments, parse_recipe_args
from codetune.train.encoding import (
    EncodingReport,
    apply_encoding,
    check_messages,
    encode_preference,
    encode_prompt_completion,
)
from codetune.train.formats import DataFormat, Stage
from codetune.train.mixture import LoadedMixture, load_mixture
from codetune.train.model import load_model, load_tokenizer, lora_config, merge_adapter
from codetune.train.packing import guard_packed_attention, is_padding_free, packing_report
from codetune.train.tokenizer import TokenizerChanges, prepare_tokenizer
from codetune.train.trainers import RecipeDPOTrainer, RecipeSFTTrainer

logger = logging.getLogger(__name__)

DATA_STATS = "data_stats.json"  # in OUTPUT: rows kept and skipped per split, tokens added, packing fill


@dataclass
class RecipeResult:
    trainer: Any
    output_dir: Path
    reports: list[EncodingReport] = field(default_factory=list)
    tokenizer_changes: TokenizerChanges = field(default_factory=TokenizerChanges)
    eval_metrics: dict[str, float] = field(default_factory=dict)
    merged_dir: Path | None = None


def run(stage: Stage, argv: Sequence[str] | None = None, callbacks: Sequence[Any] = ()) -> RecipeResult:
    """Parse `--config recipe.yaml` plus overrides and train; `callbacks` are TrainerCallbacks."""
    script_args, training_args, model_args = parse_recipe_args(stage, argv)
    return train(stage, script_args, training_args, model_args, callbacks)


def _is_conversational(data: LoadedMixture) -> bool:
    """Rows of messages, or prompts that are message lists (instruct and dpo rows are)."""
    if data.data_format is DataFormat.MESSAGES:
        return True
    return data.data_format is not DataFormat.TEXT and isinstance(data.train[0]["prompt"], list)


def _encode(data: LoadedMixture, tokenizer, training_args) -> tuple[Any, Any, list[EncodingReport]]:
    """Tokenize where TRL would lose the prompt boundary or silently drop rows; count what is skipped."""
    max_length = training_args.max_length
    if data.data_format is DataFormat.PROMPT_COMPLETION:
        encode, keep = encode_prompt_completion, False
    elif data.data_format is DataFormat.PREFERENCE:
        encode, keep = encode_preference, False
    elif data.data_format is DataFormat.MESSAGES and training_args.assistant_only_loss:
        encode, keep = check_messages, True
    else:
        return data.train, data.test, []
    train, train_report = apply_encoding(data.train, encode, tokenizer, max_length, "train", keep)
    reports = [train_report]
    test = None
    if data.test is not None:
        test, test_report = apply_encoding(data.test, encode, tokenizer, max_length, "test", keep)
        reports.append(test_report)
    if data.data_format is DataFormat.PROMPT_COMPLETION and training_args.completion_only_loss is False:
        # Asked to train on the prompt too: every token is a label.
        train = train.map(lambda row: {"labels": row["input_ids"]})
        test = test.map(lambda row: {"labels": row["input_ids"]}) if test is not None else None
    return train, test, reports


def resolve_checkpoint(training_args) -> str | None:
    """`resume_from_checkpoint`: a path, or `true` for the newest checkpoint in `output_dir` (if any)."""
    from transformers.trainer_utils import get_last_checkpoint

    value = training_args.resume_from_checkpoint
    if value in (None, "", "false", "False", False):
        return None
    if value in ("true", "True", "last", True):
        output_dir = Path(training_args.output_dir)
        last = get_last_checkpoint(str(output_dir)) if output_dir.is_dir() else None
        if last is None:
            logger.warning("resume_from_checkpoint: no checkpoint in %s yet, starting at step 0", output_dir)
        return last
    if not Path(value).is_dir():
        raise TrainingConfigError(f"resume_from_checkpoint: {value!r} is not a checkpoint folder")
    return str(value)


def _make_trainer(stage: Stage, model, training_args, train, test, tokenizer, peft_config, callbacks):
    kwargs = {
        "callbacks": list(callbacks) or None,
        "model": model,
        "args": training_args,
        "train_dataset": train,
        "eval_dataset": test,
        "processing_class": tokenizer,
        "peft_config": peft_config,
    }
    if stage is Stage.DPO:
        return RecipeDPOTrainer(**kwargs)
    return RecipeSFTTrainer(**kwargs)


def train(
    stage: Stage, script_args: RecipeArguments, training_args, model_args, callbacks: Sequence[Any] = ()
) -> RecipeResult:
    from transformers import set_seed

    set_seed(training_args.seed)
    data = load_mixture(script_args.mixture(), stage)
    if training_args.eval_strategy != "no" and data.test is None:
        raise TrainingConfigError(
            f"eval_strategy is {training_args.eval_strategy!r} but the data has no test rows; "
            "set eval_strategy: 'no', or test_split / test_split_size in the dataset_mixture"
        )
    tokenizer = load_tokenizer(model_args, training_args.trust_remote_code)
    changes = prepare_tokenizer(
        tokenizer,
        model_args.model_name_or_path,
        texts=data.text_sample,
        conversational=_is_conversational(data),
        assistant_only_loss=bool(getattr(training_args, "assistant_only_loss", False)),
        template_path=getattr(training_args, "chat_template_path", None),
    )
    train_rows, test_rows, reports = _encode(data, tokenizer, training_args)
    model = load_model(model_args, tokenizer, training_args.trust_remote_code)
    peft_config = lora_config(model_args, model, changes.grew)
    guard_packed_attention(model, training_args)
    trainer = _make_trainer(
        stage, model, training_args, train_rows, test_rows, tokenizer, peft_config, callbacks
    )

    train_output = trainer.train(resume_from_checkpoint=resolve_checkpoint(training_args))
    trainer.save_metrics("train", train_output.metrics)
    trainer.save_state()  # trainer_state.json: the log history, losses per step
    output_dir = Path(training_args.output_dir)
    result = RecipeResult(trainer=trainer, output_dir=output_dir, reports=reports, tokenizer_changes=changes)
    if test_rows is not None:
        result.eval_metrics = trainer.evaluate()
        trainer.save_metrics("eval", result.eval_metrics)
    trainer.save_model(str(output_dir))
    if trainer.accelerator.is_main_process:
        _write_data_stats(output_dir, stage, result, training_args, _recipe_summary(script_args, model_args))
        if script_args.merge_adapter:
            result.merged_dir = _merge(output_dir, peft_config, model_args)
    trainer.accelerator.wait_for_everyone()
    if training_args.push_to_hub:
        trainer.push_to_hub(dataset_name=script_args.dataset_name)
    return result


def _merge(output_dir: Path, peft_config, model_args) -> Path | None:
    if peft_config is None:
        logger.warning(
            "merge_adapter: full fine-tuning has no adapter to merge; the model in %s is it", output_dir
        )
        return None
    return merge_adapter(output_dir, output_dir / "merged", model_args.dtype)


# Settings the model card states (codetune export); the rest stays in training_args.bin.
CARD_SETTINGS = ("learning_rate", "num_train_epochs", "max_steps", "per_device_train_batch_size",
                 "gradient_accumulation_steps", "max_length", "packing", "seed",
                 "lr_scheduler_type")  # fmt: skip


def _recipe_summary(script_args: RecipeArguments, model_args) -> dict[str, Any]:
    """The base model and the datasets (ids, configs, splits) for the model card."""
    mixture = script_args.mixture()
    return {
        "model_name_or_path": model_args.model_name_or_path,
        "model_revision": model_args.model_revision,
        "lora": {"r": model_args.lora_r, "alpha": model_args.lora_alpha} if model_args.use_peft else None,
        "datasets": [
            {"id": entry.id, "config": entry.config, "split": entry.split, "weight": entry.weight}
            for entry in mixture.datasets
        ],
    }


def _plain(value: Any) -> Any:
    """A JSON value: enums (the scheduler type) become their value."""
    return (
        value
        if value is None or isinstance(value, (bool, int, float, str))
        else str(getattr(value, "value", value))
    )


def _write_data_stats(
    output_dir: Path, stage: Stage, result: RecipeResult, training_args, recipe: dict[str, Any]
) -> None:
    stats: dict[str, Any] = {
        "stage": stage.value,
        "recipe": recipe,
        "training": {name: _plain(getattr(training_args, name, None)) for name in CARD_SETTINGS},
        "splits": [report.to_dict() for report in result.reports],
        "added_tokens": list(result.tokenizer_changes.added_tokens),
        "chat_template": result.tokenizer_changes.chat_template,
        "distributed_type": str(result.trainer.accelerator.distributed_type.value),
    }
    plugin = result.trainer.accelerator.state.deepspeed_plugin
    if plugin is not None:
        stats["zero_stage"] = plugin.zero_stage
    if getattr(training_args, "packing", False) and training_args.max_length:
        report = packing_report(
            result.trainer.train_dataset, training_args.max_length, training_args.per_device_train_batch_size
        )
        stats["packing"] = {
            "strategy": training_args.packing_strategy,
            "padding_free": is_padding_free(training_args),
            "mean_fill": round(report.mean_fill, 4),
            "min_fill": round(report.min_fill, 4),
        }
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / DATA_STATS).write_text(json.dumps(stats, indent=1))
