"""Godot 4 projects in GDScript, MIT-licensed, each row tagged with its engine version.

godot-dodo's method: repositories that GitHub lists for `language:gdscript license:mit`, here the official
demo projects and GDQuest's MIT demos, pinned in `locks/godot-gdscript.lock.json` (refresh it with
`codetune discover --language gdscript --license mit --min-stars 50 --out ...`). The engine version comes
from each project's `project.godot` (`config/features=PackedStringArray("4.2", ...)`; Godot 3 writes
`config_version=4` and no 4.x feature) and is the `godot_version` column of every row ("4.2", "4" when a
Godot 4 project names no minor version, "3"). Godot 3 and 4 code never mix: this ecosystem keeps Godot 4
projects only; `godot3_gdscript.py` builds the Godot 3 ones from the same lock. A repository holding both
(a Godot 3 game and its Godot 4 port, say) is split by project folder.

Expected size (measured on the pinned commits): ~1,150 GDScript and markdown files kept of ~6,900, 2.6 MB
of text, ~4,900 `ast` rows; two Godot 3 repositories are skipped, 161 files of Godot 3 projects dropped.
"""

from __future__ import annotations

from pathlib import Path

from codetune.builder import EcosystemBuilder
from codetune.ecosystem import (
    AttributeRule,
    Ecosystem,
    FileFilterSettings,
    LicenseSettings,
    RepositoryAttribute,
)
from codetune.sources.lockfile import sources_from_lock

LOCK = Path(__file__).resolve().parent / "locks" / "godot-gdscript.lock.json"

# Godot writes config_version=5 since 4.0 and config_version=4 in 3.x (engine/core/config/project_settings).
GODOT_VERSION_RULES = (
    AttributeRule(r'^config/features=PackedStringArray\([^)\n]*"(\d+\.\d+)"', r"\1"),
    AttributeRule(r"^config_version=5\b", "4"),
    AttributeRule(r"^config_version=4\b", "3"),
)


def godot_version(major: str) -> RepositoryAttribute:
    """The `godot_version` column, keeping only projects of one major version."""
    return RepositoryAttribute(
        name="godot_version",
        marker="project.godot",
        rules=GODOT_VERSION_RULES,
        keep=(major, f"{major}.*"),
        description=f"Godot engine version from project.godot; Godot {major} projects are kept",
    )


def godot_ecosystem(major: str, name: str, lock: Path = LOCK) -> Ecosystem:
    """GDScript of the Godot `major` projects in the repositories of `lock` (the committed one by default)."""
    return Ecosystem(
        name=name,
        description=f"MIT-licensed Godot {major} projects in GDScript, with the engine version of each row.",
        sources=sources_from_lock(lock),
        filters=FileFilterSettings(languages=("gdscript", "markdown")),
        licenses=LicenseSettings(allowed=("MIT",)),  # godot-dodo kept MIT only
        repository_attributes=(godot_version(major),),
    )


ECOSYSTEM = godot_ecosystem("4", "godot-gdscript")


class GodotGdscriptEcosystem(EcosystemBuilder):
    """`GodotGdscriptEcosystem(config_name="ast").download_and_prepare()` builds Godot 4 GDScript."""

    ECOSYSTEM = ECOSYSTEM
