"""`codetune push` against a Hub-compatible server on 127.0.0.1, then `load_dataset` back from it.

The CLI and `load_dataset` run in subprocesses so that `HF_ENDPOINT` and `HF_HUB_DISABLE_XET` (read by
huggingface_hub at import) take effect; uploads take the LFS path the server implements (see fake_hub.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codetune.hub.push import PushError, push_dataset
from tests.fake_hub import FakeHub, FakeRepo

TOKEN = "hf_codetuneTestToken0123456789abcdef"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, example_out: Path) -> Path:
    """A private copy of the example build: pushing rewrites its card."""
    return Path(shutil.copytree(example_out, tmp_path_factory.mktemp("push") / "out"))


def _env(hub: FakeHub, home: Path, token: str | None = TOKEN) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HF_")}
    env.update(HF_ENDPOINT=hub.url, HF_HUB_DISABLE_XET="1", HF_HOME=str(home / "hf-home"),
               HF_DATASETS_CACHE=str(home / "hf-datasets"), HF_HUB_DISABLE_TELEMETRY="1")  # fmt: skip
    if token:
        env["HF_TOKEN"] = token
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_push_uploads_every_config_and_the_card_and_load_dataset_reads_it_back(built: Path, tmp_path: Path):
    with FakeHub() as hub:
        env = _env(hub, tmp_path)
        pushed = _run([sys.executable, "-m", "codetune.cli", "push", str(built), "--repo", "org/example",
                       "--private", "--revision", "v1"], env)  # fmt: skip
        assert pushed.returncode == 0, pushed.stderr
        files = hub.files("org/example", "v1")
        local = {
            str(p.relative_to(built)) for p in built.rglob("*") if p.is_file() and ".codetune" not in p.parts
        }
        assert set(files) == local and not any(path.startswith(".codetune") for path in files)
        assert all(files[path] == (built / path).read_bytes() for path in local)
        assert hub.repos["org/example"].private
        assert hub.files("org/example", "main") == {}  # the branch got the commit, main did not
        assert 'load_dataset("org/example", "instruct")' in files["README.md"].decode()
        auth = {r.headers.get("authorization") for r in hub.requests if r.method == "POST"}
        assert auth == {f"Bearer {TOKEN}"}  # the token went to the server, in headers only

        script = ("import json; from datasets import load_dataset; print(json.dumps({c: "
                  "{s: d.num_rows for s, d in load_dataset('org/example', c, revision='v1').items()} "
                  "for c in ['clm', 'fim', 'instruct', 'dpo']}))")  # fmt: skip
        loaded = _run([sys.executable, "-c", script], env)
        assert loaded.returncode == 0, loaded.stderr
        summary = json.loads((built / ".codetune" / "summary.json").read_text())
        assert json.loads(loaded.stdout.strip().splitlines()[-1]) == {
            config: summary["rows"][config] for config in ("clm", "fim", "instruct", "dpo")
        }
        written = [p for p in tmp_path.rglob("*") if p.is_file()] + [
            p for p in built.rglob("*") if p.is_file()
        ]
        assert written and not [p for p in written if TOKEN.encode() in p.read_bytes()]
        assert TOKEN not in pushed.stdout + pushed.stderr + loaded.stdout + loaded.stderr


def test_a_second_push_replaces_shards_the_build_no_longer_has(built: Path, tmp_path: Path):
    with FakeHub() as hub:
        env = _env(hub, tmp_path)
        stale = b"PAR1 stale shard"
        hub.repos["org/example"] = FakeRepo(
            private=False, branches={"main": {"fim/train-00000-of-00002.parquet": stale}}
        )
        assert (
            _run(
                [sys.executable, "-m", "codetune.cli", "push", str(built), "--repo", "org/example"], env
            ).returncode
            == 0
        )
        assert "fim/train-00000-of-00002.parquet" not in hub.files("org/example")
        assert "fim/train-00000-of-00001.parquet" in hub.files("org/example")


def test_push_without_a_token_or_a_build_is_a_clear_error(built: Path, tmp_path: Path, monkeypatch):
    with FakeHub() as hub:
        no_token = _run([sys.executable, "-m", "codetune.cli", "push", str(built), "--repo", "org/x"],
                        _env(hub, tmp_path, token=None))  # fmt: skip
        assert no_token.returncode == 2 and "set HF_TOKEN" in no_token.stderr
        assert hub.requests == []
    with pytest.raises(PushError, match="holds no codetune build"):
        push_dataset(tmp_path, "org/x", token=TOKEN)
    with pytest.raises(PushError, match="must look like 'org/name'"):
        push_dataset(built, "not a repo", token=TOKEN)
