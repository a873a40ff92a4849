"""`codetune push-model` uploads the export folder to a Hub model repository (the test Hub server)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.export.conftest import run_cli
from tests.fake_hub import FakeHub
from tests.test_push import TOKEN, _env


def test_push_model_uploads_card_modelfile_gguf_and_merged_model(exported: Path, tmp_path: Path):
    with FakeHub() as hub:
        command = [sys.executable, "-m", "codetune.cli", "push-model", str(exported), "org/godot-coder"]
        pushed = subprocess.run(command, env=_env(hub, tmp_path), capture_output=True, text=True, timeout=300)
        assert pushed.returncode == 0, pushed.stderr
        files = hub.files("org/godot-coder")
        local = {str(p.relative_to(exported)) for p in exported.rglob("*") if p.is_file()}
        assert set(files) == local - {".codetune-export.json"}
        assert {"README.md", "Modelfile", "godot-q8_0.gguf", "merged/model.safetensors"} <= set(files)
        assert all(files[name] == (exported / name).read_bytes() for name in files)
        assert TOKEN not in pushed.stdout + pushed.stderr


def test_push_model_refuses_a_folder_that_is_no_export(tmp_path: Path):
    done = run_cli("push-model", str(tmp_path), "org/x")
    assert done.returncode == 2 and "holds no codetune export" in done.stderr
