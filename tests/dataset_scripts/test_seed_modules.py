"""Each seed builder module imports offline, validates, pins every source, and is listed and found by name."""

from __future__ import annotations

import importlib
import re

import pytest

from codetune import cli
from codetune.builder import EcosystemBuilder
from codetune.registry import load_ecosystem, registered_modules
from codetune.sources.lockfile import read_lock_file

SEED_MODULES = {
    "near-ast": "dataset_scripts.near_ast",
    "dcl-sdk7": "dataset_scripts.dcl_sdk7",
    "flyte": "dataset_scripts.flyte",
    "godot-gdscript": "dataset_scripts.godot_gdscript",
    "godot3-gdscript": "dataset_scripts.godot3_gdscript",
}


@pytest.mark.parametrize(("name", "module_name"), SEED_MODULES.items())
def test_a_seed_module_is_a_valid_pinned_ecosystem(name: str, module_name: str):
    module = importlib.import_module(module_name)
    ecosystem = module.ECOSYSTEM
    assert ecosystem.name == name and ecosystem.description
    assert "Expected size" in module.__doc__
    for source in ecosystem.sources:
        assert re.fullmatch(r"[0-9a-f]{40}", source.revision), f"{source.name} is not pinned to a commit"
        assert source.location == f"https://github.com/{source.name}.git"
    lock = read_lock_file(module.LOCK)
    assert {entry.repository for entry in lock.repositories} == {source.name for source in ecosystem.sources}
    builders = [value for value in vars(module).values() if isinstance(value, type)]
    assert any(
        issubclass(value, EcosystemBuilder) and getattr(value, "ECOSYSTEM", None) is ecosystem
        for value in builders
    )


def test_every_seed_is_registered_and_loads_by_name():
    registered = registered_modules()
    for name, module_name in SEED_MODULES.items():
        assert registered[name] == module_name
        assert load_ecosystem(name) is importlib.import_module(module_name).ECOSYSTEM


def test_codetune_list_shows_description_sources_and_subsets(capsys):
    assert cli.main(["list"]) == 0
    printed = capsys.readouterr().out
    near = importlib.import_module("dataset_scripts.near_ast").ECOSYSTEM
    assert f"near-ast: {near.description}" in printed
    assert "subsets: " + ", ".join(near.subsets) in printed
    for source in near.sources:
        assert f"{source.display_name} ({source.role})" in printed and source.revision in printed
    assert "flyteorg/flytesnacks (code) [test]" in printed
    assert "godot_version" in printed  # the Godot ecosystems' extra column


def test_flyte_pins_flyte_llamas_split():
    flyte = importlib.import_module("dataset_scripts.flyte")
    splits = {source.name: source.split or "train" for source in flyte.ECOSYSTEM.sources}
    assert {name for name, split in splits.items() if split == "test"} == {
        "flyteorg/flytesnacks",
        "flyteorg/flyte-conference-talks",
    }
    assert {name for name, split in splits.items() if split == "train"} == {
        f"flyteorg/{name}"
        for name in (
            "flyte",
            "flytekit",
            "flytepropeller",
            "flyteplugins",
            "flyteidl",
            "flyteadmin",
            "flyteconsole",
        )
    }


def test_the_godot_ecosystems_keep_apart_godot_3_and_4():
    godot4 = importlib.import_module("dataset_scripts.godot_gdscript").ECOSYSTEM
    godot3 = importlib.import_module("dataset_scripts.godot3_gdscript").ECOSYSTEM
    (four,) = godot4.repository_attributes
    (three,) = godot3.repository_attributes
    assert four.keeps("4.2") and four.keeps("4") and not four.keeps("3") and not four.keeps("")
    assert three.keeps("3") and not three.keeps("4.2")
    assert godot4.licenses.allowed == ("MIT",) == godot3.licenses.allowed
