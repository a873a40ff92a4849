"""GGUF files from a merged model: llama.cpp's converter writes a float file, its quantizer the rest.

Each file is then loaded by llama.cpp in a subprocess, so a file llama.cpp cannot read is an error message
here, not a crash of the user's server later (or of this process now).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from codetune.errors import ExportError
from codetune.export.converter import convert

FLOAT_TYPES = ("f32", "f16", "bf16")  # written by the converter itself


def quantization_types() -> dict[str, int]:
    """llama.cpp's file types by their usual lower-case names (q8_0, q4_k_m, ...), from llama-cpp-python."""
    import llama_cpp

    prefix = "LLAMA_FTYPE_MOSTLY_"
    types = {name.removeprefix(prefix).lower(): getattr(llama_cpp, name) for name in dir(llama_cpp)
             if name.startswith(prefix)}  # fmt: skip
    types["f32"] = llama_cpp.LLAMA_FTYPE_ALL_F32
    return types


def parse_gguf_types(value: str) -> tuple[str, ...]:
    """`f16,q8_0,Q4_K_M` -> ("f16", "q8_0", "q4_k_m"); an unknown name is an error listing the known ones."""
    names = tuple(dict.fromkeys(name.strip().lower() for name in value.split(",") if name.strip()))
    known = quantization_types()
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise ExportError(
            f"--gguf: unknown quantization type(s) {', '.join(unknown) or '(none given)'}; "
            f"llama.cpp knows: {', '.join(sorted(known))}"
        )
    return names


@dataclass(frozen=True)
class GgufFile:
    path: Path
    quantization: str
    size_bytes: int
    n_vocab: int
    fim_prefix_id: int  # -1 when llama.cpp found no FIM sentinel in the vocabulary


def _run_worker(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "codetune.export.llama_worker", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _failure(done: subprocess.CompletedProcess) -> str:
    code = f"signal {-done.returncode}" if done.returncode < 0 else f"exit {done.returncode}"
    tail = "\n".join(done.stderr.strip().splitlines()[-8:])
    return f"{code}{': ' + tail if tail else ''}"


def check_loads(path: Path) -> dict[str, int]:
    """Load a GGUF with llama.cpp in a subprocess; a failure or a crash is an ExportError."""
    done = _run_worker("load", str(path))
    if done.returncode != 0:
        raise ExportError(
            f"llama.cpp cannot load {path} ({_failure(done)}). The file is damaged or was written for "
            "another llama.cpp version; export it again."
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def quantize(source: Path, target: Path, quantization: str) -> Path:
    ftype = quantization_types()[quantization]
    done = _run_worker("quantize", str(source), str(target), str(ftype))
    if done.returncode != 0 or not target.is_file():
        raise ExportError(f"llama.cpp's quantizer failed to write {target.name} ({_failure(done)})")
    return target


def write_gguf_files(merged_dir: Path, out_dir: Path, stem: str, types: tuple[str, ...]) -> list[GgufFile]:
    """One `{stem}-{type}.gguf` per type; quantized types start from an f16 file (kept only if asked)."""
    written: dict[str, Path] = {}
    base_type = "f16"
    base_path = out_dir / f"{stem}-{base_type}.gguf"
    for quantization in types:
        if quantization in FLOAT_TYPES:
            written[quantization] = convert(merged_dir, out_dir / f"{stem}-{quantization}.gguf", quantization)
    quantized = [name for name in types if name not in FLOAT_TYPES]
    if quantized and base_type not in written:
        convert(merged_dir, base_path, base_type)
    for quantization in quantized:
        written[quantization] = quantize(base_path, out_dir / f"{stem}-{quantization}.gguf", quantization)
    if base_type not in types:
        base_path.unlink(missing_ok=True)
    files = []
    for quantization in types:
        path = written[quantization]
        loaded = check_loads(path)
        files.append(
            GgufFile(path, quantization, path.stat().st_size, loaded["n_vocab"], loaded["fim_prefix"])
        )
    return files
