"""`codetune serve`: llama.cpp's OpenAI-compatible server (llama-cpp-python's) on a GGUF, local by default."""

from __future__ import annotations

import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from codetune.errors import ExportError


@dataclass(frozen=True)
class ServeOptions:
    gguf: Path
    host: str = "127.0.0.1"  # local only unless asked: the server has no authentication
    port: int = 8080
    n_ctx: int = 2048
    alias: str = ""  # the model name clients send; default: the file name without .gguf


def check_gguf(path: Path) -> None:
    if not path.is_file():
        raise ExportError(f"{path}: no such GGUF file (codetune export writes them into its --out folder)")
    with path.open("rb") as handle:
        if handle.read(4) != b"GGUF":
            raise ExportError(f"{path} is not a GGUF file (it does not start with the GGUF magic bytes)")


def server_command(options: ServeOptions) -> list[str]:
    """llama_cpp.server's command line (OpenAI routes under /v1: completions with echo+logprobs, chat).

    It runs through `codetune.export.llama_server`, which aligns echoed prompt logprobs for vocabularies
    without a BOS token (an upstream bug; see that module).
    """
    return [sys.executable, "-m", "codetune.export.llama_server", "--model", str(options.gguf),
            "--host", options.host, "--port", str(options.port), "--n_ctx", str(options.n_ctx),
            "--model_alias", options.alias or options.gguf.name.removesuffix(".gguf")]  # fmt: skip


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM when `codetune serve` dies, however it dies (no orphan on the port)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def serve(options: ServeOptions) -> int:
    """Run the server until it stops; SIGTERM or Ctrl-C stop it with us (no orphan keeps the port).

    A crash inside llama.cpp becomes an error message.
    """
    check_gguf(options.gguf)
    process = subprocess.Popen(server_command(options), preexec_fn=_die_with_parent)
    stopping: list[int] = []

    def stop(signum: int, frame: object) -> None:
        stopping.append(signum)
        process.terminate()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        code = process.wait()
    except KeyboardInterrupt:  # the terminal sent SIGINT to the server too
        stopping.append(signal.SIGINT)
        code = process.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
    if stopping:
        return 0
    if code < 0:
        raise ExportError(f"llama.cpp's server died with signal {-code} serving {options.gguf}")
    return code
