"""Fixtures for the recipe tests: a tiny random Llama saved once (`example_out` is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tiny_models import save_tiny_model


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Llama whose tokenizer has no FIM sentinels and a chat template without generation markers."""
    return save_tiny_model(tmp_path_factory.mktemp("tiny-model") / "model")


@pytest.fixture(scope="session")
def tiny_base_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same tiny Llama with no chat template at all, like StarCoder2 or Code Llama base."""
    return save_tiny_model(tmp_path_factory.mktemp("tiny-base-model") / "model", chat_template=None)
