"""docs/building.md's "Add your own ecosystem in 30 lines" module runs as written, on a stand-in lock."""

from __future__ import annotations

import re
from pathlib import Path

from codetune.registry import load_definition_file
from tests.dataset_scripts.standins import MIT, build_standins, rows, standin_lock

README = Path(__file__).resolve().parents[2] / "docs" / "building.md"


def howto_module() -> str:
    section = README.read_text().split("## Add your own ecosystem in 30 lines", 1)[1].split("\n## ", 1)[0]
    (module,) = [block for block in re.findall(r"```python\n(.*?)```", section, re.S) if "ECOSYSTEM" in block]
    return module


def test_the_howto_module_is_about_30_lines():
    code_lines = [line for line in howto_module().splitlines() if line.strip()]
    assert len(code_lines) <= 36


def test_the_howto_module_builds_a_godot_4_dataset(tmp_path: Path):
    folder = tmp_path / "dataset_scripts"
    (folder / "locks").mkdir(parents=True)
    lock = standin_lock(
        tmp_path / "repos",
        {
            "org/game": {
                "project.godot": 'config_version=5\nconfig/features=PackedStringArray("4.3")\n',
                "main.gd": 'extends Node\n\nfunc _ready() -> void:\n\tprint("ready")\n',
                "LICENSE": MIT,
            },
            "org/old-game": {
                "project.godot": "config_version=4\n",
                "main.gd": "extends Node\n",
                "LICENSE": MIT,
            },
        },
    )
    (folder / "locks" / "my-godot.lock.json").write_text(lock.read_text())
    (folder / "my_godot.py").write_text(howto_module())
    ecosystem = load_definition_file(folder / "my_godot.py")
    result = build_standins(tmp_path, ecosystem, ("clm",))
    assert [(row["repo"], row["path"], row["godot_version"]) for row in rows(result, "clm")] == [
        ("org/game", "main.gd", "4.3")
    ]
