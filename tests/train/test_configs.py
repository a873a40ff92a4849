"""Every shipped recipe config parses and validates offline; a broken one fails with the field named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from codetune.errors import TrainingConfigError
from codetune.train.formats import DataFormat, Stage
from codetune.train.validate import validate_recipe_config

RECIPES = Path(__file__).resolve().parents[2] / "recipes"
CONFIGS = sorted((RECIPES / "configs").rglob("*.yaml"))
ACCELERATE = sorted((RECIPES / "accelerate").glob("*.yaml"))


def test_configs_cover_every_model_family_and_stage():
    families = {path.parent.name for path in CONFIGS}
    assert families >= {
        "starcoder2-3b", "starcoder2-7b", "starcoder2-15b", "codellama-7b", "codellama-13b",
        "qwen2.5-coder-1.5b", "qwen2.5-coder-7b", "deepseek-coder-6.7b",
    }  # fmt: skip
    for family in families:
        files = [path for path in CONFIGS if path.parent.name == family]
        stages = {path.name.split("-")[0].removesuffix(".yaml") for path in files}
        assert stages == {"sft", "dpo", "cpt"}, family


@pytest.mark.parametrize("path", CONFIGS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_recipe_config_parses_and_validates_offline(path: Path):
    recipe = validate_recipe_config(path)
    expected = {Stage.SFT: DataFormat.PROMPT_COMPLETION, Stage.DPO: DataFormat.PREFERENCE}
    assert recipe.data_format is expected.get(recipe.stage, DataFormat.TEXT)
    assert recipe.training_args.output_dir and recipe.mixture.test_split == "test"
    if "lora" in path.name:
        assert recipe.model_args.use_peft and recipe.model_args.lora_target_modules == "all-linear"
    if "qlora" in path.name:
        assert recipe.model_args.load_in_4bit


@pytest.mark.parametrize("path", ACCELERATE, ids=lambda path: path.name)
def test_accelerate_config_loads_with_accelerate(path: Path):
    from accelerate.commands.config.config_args import load_config_from_file

    config = load_config_from_file(str(path))
    assert config.num_machines >= 1 and config.main_process_port
    if path.stem.startswith("zero"):
        assert config.distributed_type == "DEEPSPEED"
        assert config.deepspeed_config["zero_stage"] == int(path.stem[4])
        assert (config.deepspeed_config["offload_param_device"] == "cpu") == path.stem.endswith("offload")
    else:
        assert config.distributed_type == "MULTI_GPU"


BASE = RECIPES / "configs" / "starcoder2-3b" / "sft-lora.yaml"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lora_r": 0}, "lora_r"),
        ({"lora_dropout": 1.5}, "lora_dropout"),
        ({"lora_target_modules": []}, "lora_target_modules"),
        ({"use_peft": False, "load_in_4bit": True}, "use_peft"),
        ({"model_name_or_path": "not a model!"}, "model_name_or_path"),
        ({"learning_rat": 1e-4}, "learning_rat"),
        ({"dataset_mixture": {"datasets": [{"id": "out/example", "config": "instrct"}]}}, "instrct"),
        ({"dataset_mixture": {"datasets": [{"id": "out/example", "config": "dpo"}]}}, "prompt"),
        ({"dataset_mixture": {"datasets": [{"id": "out/example", "config": "clm", "weight": 0}]}}, "weight"),
        ({"assistant_only_loss": True}, "assistant_only_loss"),
    ],
)
def test_broken_config_fails_naming_what_is_wrong(tmp_path: Path, change: dict, message: str):
    config = yaml.safe_load(BASE.read_text()) | change
    path = tmp_path / "sft-broken.yaml"
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(TrainingConfigError, match=message):
        validate_recipe_config(path)
