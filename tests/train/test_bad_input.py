"""Bad input to the recipes: clear errors before any model loads, or rows skipped and counted, never lost."""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import pytest

from codetune.errors import TrainingConfigError
from codetune.train.encoding import (
    IGNORE_INDEX,
    PROMPT_TOO_LONG,
    encode_preference,
    encode_prompt_completion,
)
from codetune.train.formats import Stage
from codetune.train.mixture import DatasetMixture, load_mixture
from codetune.train.runner import run
from codetune.train.tokenizer import add_fim_sentinels, training_chat_template
from tests.tiny_models import train_tokenizer
from tests.train.recipe_runs import dataset_args, recipe_args


@pytest.fixture(scope="module")
def tokenizer():
    return train_tokenizer()


# --- datasets and mixtures ------------------------------------------------------------------------------


def test_a_dataset_config_that_does_not_exist_is_an_error_listing_the_available_ones(
    example_out: Path, tiny_model: Path, tmp_path: Path
):
    extra = dataset_args(example_out, "instrct")
    with pytest.raises(
        TrainingConfigError, match=r"no config 'instrct'; available configs: .*\binstruct\b"
    ) as error:
        run(Stage.SFT, recipe_args(tiny_model, tmp_path / "run", *extra))
    assert all(config in str(error.value) for config in ("clm", "fim", "dpo"))


def test_a_dataset_folder_that_does_not_exist_is_an_error(tiny_model: Path, tmp_path: Path):
    extra = dataset_args(tmp_path / "no-build", "clm")
    with pytest.raises(TrainingConfigError, match="not found"):
        run(Stage.CPT, recipe_args(tiny_model, tmp_path / "run", *extra))


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([{"id": "out/x", "config": "clm", "weight": 0}], "weight"),
        ([{"id": "out/x", "config": "clm", "weight": -0.5}], "weight"),
        ([{"id": "out/x", "config": "clm", "weight": 1.5}], "weight"),
        ([{"id": "out/x", "config": "clm", "weight": "half"}], "weight"),
        ([{"id": "out/x", "config": "clm", "weight": math.nan}], "weight"),
        ([{"id": "out/x", "config": "clm", "weight": True}], "weight"),
        ([{"id": "out/x", "config": "clm", "fraction": 0}], "fraction"),
        (
            [{"id": "out/x", "config": "clm", "fraction": 2}, {"id": "out/x", "config": "fim"}],
            "every dataset",
        ),
        ([{"id": "out/x", "config": "clm", "weight": 0.5, "fraction": 1}], "not both"),
        ([{"id": "out/x", "config": "clm", "wieght": 0.5}], "unknown field 'wieght'"),
        ([], "empty"),
    ],
)
def test_mixture_weights_that_make_no_sense_are_errors(entries: list, message: str):
    with pytest.raises(TrainingConfigError, match=message):
        DatasetMixture.from_dict({"datasets": entries})


def test_a_bad_mixture_in_the_yaml_fails_before_the_model_loads(tiny_model: Path, tmp_path: Path):
    config = tmp_path / "cpt.yaml"
    config.write_text("dataset_mixture:\n  datasets:\n    - {id: out/example, config: clm, weight: 2.0}\n")
    with pytest.raises(TrainingConfigError, match="weight"):
        run(Stage.CPT, ["--config", str(config), *recipe_args(tiny_model, tmp_path / "run")])


def test_mixture_weights_keep_that_share_of_rows_and_fractions_set_the_shares(example_out: Path):
    whole = load_mixture(
        DatasetMixture.from_dict({"datasets": [{"id": str(example_out), "config": "clm"}]}), Stage.CPT
    )
    half = load_mixture(
        DatasetMixture.from_dict({"datasets": [{"id": str(example_out), "config": "clm", "weight": 0.5}]}),
        Stage.CPT,
    )
    assert len(half.train) == round(len(whole.train) / 2)
    assert set(half.train["text"]) <= set(whole.train["text"])
    assert half.test is not None and len(half.test) == len(whole.test)  # evaluation rows are never subsampled

    # TRL's fractions: shares of the mixture, capped so that no dataset is oversampled. The clm train and test
    # splits hold different repositories, so each row's origin is known.
    shares = DatasetMixture.from_dict(
        {
            "datasets": [
                {"id": str(example_out), "config": "clm", "split": "train", "fraction": 3},
                {"id": str(example_out), "config": "clm", "split": "test", "fraction": 1},
            ],
            "test_split": None,
        }
    )
    mixed = load_mixture(shares, Stage.CPT)
    from_test = sum(1 for text in mixed.train["text"] if text in set(whole.test["text"]))
    assert from_test == len(whole.test)  # the smaller dataset is used whole, never repeated
    assert len(mixed.train) - from_test == 3 * from_test


def _one(example_out: Path, config: str) -> DatasetMixture:
    return DatasetMixture.from_dict({"datasets": [{"id": str(example_out), "config": config}]})


def test_datasets_of_different_formats_in_one_mixture_are_an_error(example_out: Path):
    mixture = DatasetMixture.from_dict(
        {
            "datasets": [
                {"id": str(example_out), "config": "clm"},
                {"id": str(example_out), "config": "instruct"},
            ]
        }
    )
    with pytest.raises(TrainingConfigError, match="different formats"):
        load_mixture(mixture, Stage.SFT)
    with pytest.raises(TrainingConfigError, match="the cpt recipe needs the columns"):
        load_mixture(_one(example_out, "dpo"), Stage.CPT)


def test_evaluating_without_test_rows_is_an_error(tiny_model: Path, tmp_path: Path):
    from datasets import Dataset

    folder = tmp_path / "data"
    folder.mkdir()
    Dataset.from_dict({"text": ["x = 1\n"] * 4}).to_parquet(str(folder / "train.parquet"))
    extra = ("--dataset_name", str(folder), "--eval_strategy", "steps")
    with pytest.raises(TrainingConfigError, match="no test rows"):
        run(Stage.CPT, recipe_args(tiny_model, tmp_path / "run", *extra))


# --- FIM sentinels ------------------------------------------------------------------------------------


def test_fim_sentinels_are_added_only_when_the_tokenizer_lacks_them(caplog: pytest.LogCaptureFixture):
    from codetune.definitions.fim_formats import fim_format

    texts = ["<fim_prefix>def f(<fim_suffix>)\n<fim_middle>x<|endoftext|>"]
    with_sentinels = train_tokenizer(special_tokens=fim_format("starcoder").special_tokens)
    with caplog.at_level(logging.WARNING, logger="codetune.train.tokenizer"):
        assert add_fim_sentinels(with_sentinels, texts, "has-them") == ()
    assert "FIM" not in caplog.text

    without = train_tokenizer()
    with caplog.at_level(logging.WARNING, logger="codetune.train.tokenizer"):
        added = add_fim_sentinels(without, texts, "lacks-them")
    assert set(added) == {"<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<|endoftext|>"}
    assert "lacks-them" in caplog.text and "no FIM sentinel tokens" in caplog.text
    assert len(without(texts[0], add_special_tokens=False)["input_ids"]) < len(texts[0])


# --- prompts longer than max_length ------------------------------------------------------------------


def test_a_prompt_longer_than_max_length_is_skipped_and_counted_not_truncated(tokenizer):
    row = {"prompt": "Write the function.\n" * 20, "completion": "def f():\n    return 1\n"}
    assert encode_prompt_completion(row, tokenizer, max_length=32)["skip"] == PROMPT_TOO_LONG
    kept = encode_prompt_completion(row, tokenizer, max_length=4096)
    assert kept["skip"] == "" and any(label != IGNORE_INDEX for label in kept["labels"])
    pair = {"prompt": row["prompt"], "chosen": "def f():\n    return 1\n", "rejected": "def f(): pass\n"}
    assert encode_preference(pair, tokenizer, max_length=32)["skip"] == PROMPT_TOO_LONG


def test_the_sft_recipe_counts_the_rows_whose_prompt_fills_max_length(
    example_out: Path, tiny_base_model: Path, tmp_path: Path
):
    from datasets import load_dataset
    from transformers import AutoTokenizer

    max_length = 110
    probe = AutoTokenizer.from_pretrained(tiny_base_model)
    probe.chat_template = training_chat_template()
    rows = load_dataset(str(example_out), "instruct", split="train")
    too_long = sum(
        len(
            probe(
                probe.apply_chat_template(p, tokenize=False, add_generation_prompt=True),
                add_special_tokens=False,
            )["input_ids"]
        )
        >= max_length
        for p in rows["prompt"]
    )
    assert 0 < too_long < len(rows)  # the example has both kinds at this length

    output = tmp_path / "run"
    extra = (*dataset_args(example_out, "instruct"), "--max_length", str(max_length))
    result = run(Stage.SFT, recipe_args(tiny_base_model, output, *extra, max_steps=1))

    train = json.loads((output / "data_stats.json").read_text())["splits"][0]
    assert train["skipped"] == {PROMPT_TOO_LONG: too_long}
    assert train["kept"] == len(rows) - too_long == len(result.trainer.train_dataset)
    assert all(
        any(label != IGNORE_INDEX for label in labels) for labels in result.trainer.train_dataset["labels"]
    )


def test_when_every_prompt_fills_max_length_the_recipe_says_so(
    example_out: Path, tiny_model: Path, tmp_path: Path
):
    extra = (*dataset_args(example_out, "instruct"), "--max_length", "4")
    with pytest.raises(TrainingConfigError, match=r"every one of \d+ rows was skipped"):
        run(Stage.SFT, recipe_args(tiny_model, tmp_path / "run", *extra))


# --- the prompt/completion boundary ------------------------------------------------------------------


def test_a_prompt_newline_the_tokenizer_merges_into_the_completion_keeps_its_boundary(tokenizer):
    from trl.data_utils import common_prefix_length

    prompt, completion = "def add(a, b):\n", "    return a + b\n"
    prompt_ids = tokenizer(prompt)["input_ids"]
    joint_ids = tokenizer(prompt + completion)["input_ids"]
    assert common_prefix_length(prompt_ids, joint_ids) < len(prompt_ids)  # "\n" + indent is one token here

    encoded = encode_prompt_completion(
        {"prompt": prompt, "completion": completion}, tokenizer, max_length=256
    )
    assert encoded["merged"]
    assert (
        encoded["input_ids"][: len(prompt_ids)] == prompt_ids
    )  # the prompt as the model sees it at inference
    trained = [
        token for token, label in zip(encoded["input_ids"], encoded["labels"], strict=True) if label >= 0
    ]
    assert tokenizer.decode(trained) == completion + tokenizer.eos_token


def test_the_sft_recipe_trains_string_prompts_with_the_boundary_kept(tiny_model: Path, tmp_path: Path):
    from datasets import Dataset

    from codetune.train.packing import document_spans

    rows = {
        "prompt": [f"def scale_{i}(value):\n" for i in range(8)],
        "completion": [f"    return value * {i}\n" for i in range(8)],
    }
    folder = tmp_path / "data"
    folder.mkdir()
    Dataset.from_dict(rows).to_parquet(str(folder / "train.parquet"))
    output = tmp_path / "run"
    extra = ("--dataset_name", str(folder), "--max_length", "64", "--packing", "true")
    result = run(Stage.SFT, recipe_args(tiny_model, output, *extra, max_steps=1))

    assert json.loads((output / "data_stats.json").read_text())["splits"][0]["boundary_merges"] == 8
    tokenizer = result.trainer.processing_class
    batch = next(iter(result.trainer.get_train_dataloader()))
    for start, end in document_spans(batch["position_ids"][0]):
        ids, labels = batch["input_ids"][0, start:end].tolist(), batch["labels"][0, start:end].tolist()
        prompt = tokenizer.decode([t for t, label in zip(ids, labels, strict=True) if label == IGNORE_INDEX])
        completion = tokenizer.decode(
            [t for t, label in zip(ids, labels, strict=True) if label != IGNORE_INDEX]
        )
        assert prompt in rows["prompt"]
        assert completion.removesuffix(tokenizer.eos_token) in rows["completion"]
