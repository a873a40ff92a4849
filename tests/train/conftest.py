"""Fixtures for the recipe tests: the bundled example built once, a tiny random Llama saved once."""

from __future__ import annotations

from pathlib import Path

import pytest

from codetune.pipeline import BuildOptions, build
from dataset_scripts.example import ECOSYSTEM
from tests.tiny_models import save_tiny_model


@pytest.fixture(scope="session")
def example_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`codetune build` of the bundled example: clm, fim, instruct and dpo among its configs."""
    root = tmp_path_factory.mktemp("example-build")
    options = BuildOptions(
        out_dir=root / "out", work_dir=root / "work", cache_dir=root / "cache", progress=False
    )
    return build(ECOSYSTEM, options).out_dir


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Llama whose tokenizer has no FIM sentinels and a chat template without generation markers."""
    return save_tiny_model(tmp_path_factory.mktemp("tiny-model") / "model")


@pytest.fixture(scope="session")
def tiny_base_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same tiny Llama with no chat template at all, like StarCoder2 or Code Llama base."""
    return save_tiny_model(tmp_path_factory.mktemp("tiny-base-model") / "model", chat_template=None)
