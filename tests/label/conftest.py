"""Real servers on 127.0.0.1 for labelling tests (a scripted one to kill and stop) and a copy of a build."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_ready(url: str, process: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/v1/models", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server at {url} not ready after {timeout} s")


class ScriptedServerProcess:
    """`tests/label/scripted_server.py` in its own process; `received()` counts requests per prompt."""

    def __init__(self, folder: Path, rules: list[dict]):
        self.folder = folder
        self.script = folder / "script.json"
        self.script.write_text(json.dumps(rules))
        self.log = folder / "requests.jsonl"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.process: subprocess.Popen | None = None

    def start(self) -> ScriptedServerProcess:
        command = [
            sys.executable,
            "-m",
            "tests.label.scripted_server",
            str(self.port),
            str(self.log),
            str(self.script),
        ]
        self.process = subprocess.Popen(command, cwd=ROOT)
        wait_until_ready(self.url.removesuffix("/v1"), self.process)
        return self

    def signal(self, number: int) -> None:
        assert self.process is not None
        os.kill(self.process.pid, number)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        assert self.process is not None
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait()

    def received(self) -> Counter[str]:
        if not self.log.exists():
            return Counter()
        return Counter(json.loads(line)["user_sha"] for line in self.log.read_text().splitlines() if line)


@pytest.fixture
def scripted_server(tmp_path: Path):
    servers: list[ScriptedServerProcess] = []

    def start(rules: list[dict] | None = None) -> ScriptedServerProcess:
        folder = tmp_path / f"server{len(servers)}"
        folder.mkdir()
        server = ScriptedServerProcess(folder, rules or [])
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def dataset(example_out: Path, tmp_path: Path) -> Path:
    """A writable copy of the example build (labelling adds configs and rewrites the card)."""
    copy = tmp_path / "out"
    shutil.copytree(example_out, copy)
    return copy


def load_config(dataset: Path, config: str):
    """`load_dataset(OUT, CONFIG)["train"]` with a cache of the test's own.

    `datasets` caches a folder's config by folder name in the user's cache, where it found a config of
    another folder named `out` (measured here).
    """
    from datasets import load_dataset

    return load_dataset(str(dataset), config, cache_dir=str(dataset.parent / "hf-cache"))["train"]
