"""`codetune serve` end to end: llama.cpp's server on the exported q8_0 on 127.0.0.1 answers completions."""

from __future__ import annotations

import json
import math
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        try:
            with urllib.request.urlopen(f"{url}/v1/models", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"no server at {url} after {timeout} s")


@contextmanager
def serving(gguf: Path, *options: str) -> Iterator[str]:
    """`codetune serve GGUF` on a free port of 127.0.0.1, stopped on exit; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "codetune.cli", "serve", str(gguf), "--port", str(port), *options]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(exported: Path) -> Iterator[str]:
    with serving(exported / "godot-q8_0.gguf", "--n-ctx", "512") as url:
        yield url


def test_stopping_serve_stops_the_llama_cpp_server_it_started(exported: Path):
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "codetune.cli",
        "serve",
        str(exported / "godot-q8_0.gguf"),
        "--port",
        str(port),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_ready(f"http://127.0.0.1:{port}", process)
    process.terminate()
    assert process.wait(timeout=30) == 0
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=5):
        pass  # nothing listens any more: the server went with its parent


def test_serve_answers_a_completion_under_the_file_name(server: str):
    models = json.loads(urllib.request.urlopen(f"{server}/v1/models", timeout=10).read())
    assert [model["id"] for model in models["data"]] == ["godot-q8_0"]
    body = {"model": "godot-q8_0", "prompt": "func _ready():\n", "max_tokens": 8, "temperature": 0}
    first, second = post(f"{server}/v1/completions", body), post(f"{server}/v1/completions", body)
    assert first["usage"]["completion_tokens"] > 0
    assert first["choices"][0]["text"] == second["choices"][0]["text"]  # deterministic at temperature 0


def test_serve_returns_prompt_logprobs_with_echo_for_bits_per_byte(server: str):
    prompt = "extends Node\n\nfunc jump() -> void:\n\tvelocity.y = -300.0\n"
    body = {"prompt": prompt, "max_tokens": 1, "echo": True, "logprobs": 1, "temperature": 0}
    choice = post(f"{server}/v1/completions", body)["choices"][0]
    logprobs = choice["logprobs"]
    assert choice["text"].startswith(prompt)
    prompt_logprobs = logprobs["token_logprobs"][1 : len(logprobs["tokens"]) - 1]
    assert prompt_logprobs and all(math.isfinite(value) and value <= 0 for value in prompt_logprobs)
    assert "".join(logprobs["tokens"]).startswith(prompt)
