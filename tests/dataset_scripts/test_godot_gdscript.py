"""Godot: the engine version read from `project.godot`, recorded per row, Godot 3 and 4 kept apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataset_scripts.godot_gdscript import GODOT_VERSION_RULES, godot_ecosystem, godot_version
from tests.dataset_scripts.standins import MIT, build_standins, rows, standin_lock

# project.godot as the Godot 4.2 editor writes it: the feature list names the version first.
GODOT_42 = """; Engine configuration file.
config_version=5

[application]

config/name="Platformer"
run/main_scene="res://main.tscn"
config/features=PackedStringArray("4.2", "Forward Plus")
config/icon="res://icon.svg"
"""
GODOT_41_MOBILE = 'config_version=5\n\n[application]\nconfig/features=PackedStringArray("4.1", "Mobile")\n'
GODOT_40_BETA = 'config_version=5\n\n[application]\nconfig/name="Old beta"\n'  # no version in the features
GODOT_35 = """config_version=4

_global_script_classes=[  ]

[application]

config/name="Dodge"
run/main_scene="res://Main.tscn"
config/icon="res://icon.png"
"""
PLAYER_4 = "extends CharacterBody2D\n\nfunc _physics_process(delta: float) -> void:\n\tmove_and_slide()\n"
PLAYER_3 = "extends KinematicBody2D\n\nfunc _physics_process(delta):\n\tvelocity = move_and_slide(velocity)\n"


@pytest.mark.parametrize(
    ("text", "version"),
    [(GODOT_42, "4.2"), (GODOT_41_MOBILE, "4.1"), (GODOT_40_BETA, "4"), (GODOT_35, "3"), ("[x]\n", "")],
)
def test_the_engine_version_is_read_from_project_godot(text: str, version: str):
    assert godot_version("4").value_of(text) == version
    assert len(GODOT_VERSION_RULES) == 3


@pytest.fixture
def godot_lock(tmp_path: Path) -> Path:
    return standin_lock(
        tmp_path,
        {
            "org/godot4-game": {"project.godot": GODOT_42, "player.gd": PLAYER_4, "LICENSE": MIT},
            "org/godot3-game": {"project.godot": GODOT_35, "player.gd": PLAYER_3, "LICENSE": MIT},
            "org/ported-game": {  # a Godot 3 game and its Godot 4 port side by side
                "game/project.godot": GODOT_35,
                "game/player.gd": PLAYER_3.replace("delta", "dt"),  # (identical files are deduplicated)
                "port/project.godot": GODOT_41_MOBILE,
                "port/player.gd": PLAYER_4.replace("delta", "dt"),
                "port/addons/tool/tool.gd": "extends Node\n\nfunc run() -> void:\n\tpass\n",
                "README.md": "# Ported\n\nBoth versions.\n",
                "LICENSE": MIT,
            },
            "org/gpl-game": {
                "project.godot": GODOT_42,
                "player.gd": PLAYER_4,
                "LICENSE": "Licensed under the GNU General Public License v3.0\n",
            },
        },
    )


def test_a_godot_4_build_keeps_only_godot_4_projects_and_records_the_version(
    tmp_path: Path, godot_lock: Path
):
    result = build_standins(
        tmp_path, godot_ecosystem("4", "godot-gdscript", godot_lock), ("clm", "ast", "trees")
    )
    clm = {(row["repo"], row["path"]): row["godot_version"] for row in rows(result, "clm")}
    assert clm == {
        ("org/godot4-game", "player.gd"): "4.2",
        ("org/ported-game", "port/player.gd"): "4.1",
        ("org/ported-game", "port/addons/tool/tool.gd"): "4.1",
    }
    ast = {(row["repo"], row["name"], row["godot_version"]) for row in rows(result, "ast")}
    assert ("org/godot4-game", "_physics_process", "4.2") in ast
    assert ("org/ported-game", "run", "4.1") in ast
    status = {source.name: source.skipped for source in result.summary.sources}
    assert status["org/godot3-game"] == "godot_version=3 not kept"
    assert status["org/gpl-game"].startswith("license_not_allowed")
    # game/player.gd, game/project.godot, and README.md + LICENSE, which belong to neither project
    assert result.summary.dropped["godot_version_not_kept"] == 4
    trees = {row["repo"]: row["godot_version"] for row in rows(result, "trees")}
    assert trees == {"org/godot4-game": "4.2", "org/ported-game": ""}  # two versions: no single value
    card = (result.out_dir / "README.md").read_text()
    assert "| `godot_version` | string |" in card and "godot_version_not_kept" in card
    assert "| `godot_version` | `project.godot` | 4, 4.* |" in card


def test_a_godot_3_build_takes_the_other_half(tmp_path: Path, godot_lock: Path):
    result = build_standins(tmp_path, godot_ecosystem("3", "godot3-gdscript", godot_lock), ("clm",))
    clm = {(row["repo"], row["path"]): row["godot_version"] for row in rows(result, "clm")}
    assert clm == {("org/godot3-game", "player.gd"): "3", ("org/ported-game", "game/player.gd"): "3"}
    status = {source.name: source.skipped for source in result.summary.sources}
    assert status["org/godot4-game"] == "godot_version=4.2 not kept"
