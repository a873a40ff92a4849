"""Godot 3 projects in GDScript, MIT-licensed: the Godot 3 half of `godot_gdscript.py`'s lock.

Same repositories, same `godot_version` column; only projects whose `project.godot` says Godot 3
(`config_version=4`) are kept, so a model for Godot 3 never learns Godot 4's API and the reverse.

Expected size (measured on the pinned commits): ~70 GDScript and markdown files, 0.05 MB of text, ~250
`ast` rows (the lock is mostly Godot 4; pin Godot 3 projects in it for more).
"""

from __future__ import annotations

from codetune.builder import EcosystemBuilder
from dataset_scripts.godot_gdscript import LOCK, godot_ecosystem

ECOSYSTEM = godot_ecosystem("3", "godot3-gdscript", LOCK)


class Godot3GdscriptEcosystem(EcosystemBuilder):
    """`Godot3GdscriptEcosystem(config_name="clm").download_and_prepare()` builds Godot 3 GDScript."""

    ECOSYSTEM = ECOSYSTEM
