"""llama.cpp's own HF → GGUF converter, taken from the pinned llama-cpp-python sdist and cached.

Why the sdist: `convert_hf_to_gguf.py` (with its `conversion/` and `gguf-py/` folders) ships in no installed
package, and taking it from the same sdist that builds the llama.cpp we quantise and serve with keeps the
converter and the runtime at one llama.cpp commit. The `convert-hf-to-gguf` wheel repackages some other
commit and installs a top-level `gguf` that shadows the real one. The sdist is fetched once with pip (which
has usually cached it while building llama-cpp-python), its sha256 checked, and the three paths extracted
into the cache; nothing of llama.cpp is committed to this repository.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from codetune.errors import ExportError
from codetune.export.convert_runner import UNSUPPORTED_EXIT

LLAMA_CPP_PYTHON_VERSION = "0.3.36"  # keep equal to the pin in pyproject.toml's `export` extra
SDIST_SHA256 = "832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"
SDIST_ENV = "CODETUNE_LLAMA_CPP_SDIST"  # a local copy of the sdist, for machines without PyPI
CONVERTER_PATHS = ("convert_hf_to_gguf.py", "conversion/", "gguf-py/", "LICENSE")


@dataclass(frozen=True)
class Converter:
    """An extracted converter: `root` holds convert_hf_to_gguf.py, conversion/ and gguf-py/."""

    root: Path

    @property
    def script(self) -> Path:
        return self.root / "convert_hf_to_gguf.py"


def cache_root() -> Path:
    base = os.environ.get("CODETUNE_CACHE") or Path.home() / ".cache" / "codetune"
    return Path(base) / f"llama.cpp-{LLAMA_CPP_PYTHON_VERSION}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download_sdist(folder: Path) -> Path:
    """The sdist through pip (its HTTP cache usually has it from the llama-cpp-python build)."""
    local = os.environ.get(SDIST_ENV)
    if local:
        return Path(local)
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
               f"llama-cpp-python=={LLAMA_CPP_PYTHON_VERSION}", "--dest", str(folder)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    found = sorted(folder.glob("llama_cpp_python-*.tar.gz"))
    if done.returncode != 0 or not found:
        raise ExportError(
            f"could not fetch the llama-cpp-python {LLAMA_CPP_PYTHON_VERSION} sdist with pip (it holds "
            f"llama.cpp's converter): {done.stderr.strip()[-500:]}. Offline, set {SDIST_ENV} to a local copy."
        )
    return found[0]


def _extract(sdist: Path, target: Path) -> None:
    prefix = f"llama_cpp_python-{LLAMA_CPP_PYTHON_VERSION}/vendor/llama.cpp/"
    with tarfile.open(sdist, "r:gz") as archive:
        members = []
        for member in archive.getmembers():
            inner = member.name.removeprefix(prefix)
            if member.name.startswith(prefix) and inner.startswith(CONVERTER_PATHS):
                member.name = inner
                members.append(member)
        archive.extractall(target, members=members, filter="data")


def ensure_converter() -> Converter:
    """The cached converter, fetched and checked on first use."""
    root = cache_root()
    marker = root / "codetune-source.json"
    if marker.is_file():
        return Converter(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root.parent) as scratch:
        sdist = _download_sdist(Path(scratch))
        digest = _sha256(sdist)
        if digest != SDIST_SHA256:
            raise ExportError(
                f"{sdist.name} has sha256 {digest}, expected {SDIST_SHA256} (llama-cpp-python "
                f"{LLAMA_CPP_PYTHON_VERSION}); refusing to run its converter"
            )
        staging = Path(scratch) / "converter"
        _extract(sdist, staging)
        if not (staging / "convert_hf_to_gguf.py").is_file():
            raise ExportError(f"{sdist.name} holds no vendor/llama.cpp/convert_hf_to_gguf.py")
        source = {"package": "llama-cpp-python", "version": LLAMA_CPP_PYTHON_VERSION, "sha256": digest}
        (staging / marker.name).write_text(json.dumps(source))
        if not marker.is_file():  # another process may have finished first
            shutil.rmtree(root, ignore_errors=True)
            staging.rename(root)
    return Converter(root)


def pre_tokenizer_fallback(model_dir: Path) -> str:
    """The llama.cpp pre-tokenizer for a BPE tokenizer the converter has no hash for ("" if none fits).

    The converter identifies a BPE pre-tokenizer by hashing the token ids of a probe text; a tokenizer
    trained for this model (every test tokenizer) has no known hash. A plain byte-level pre-tokenizer
    splits exactly like GPT-2's, so it maps to "gpt-2"; measured: token ids identical to HF (NOTES.md).
    """
    path = model_dir / "tokenizer.json"
    if not path.is_file():
        return ""
    pre = json.loads(path.read_text(encoding="utf-8")).get("pre_tokenizer") or {}
    steps = pre.get("pretokenizers", [pre]) if pre.get("type") == "Sequence" else [pre]
    if len(steps) == 1 and steps[0].get("type") == "ByteLevel" and steps[0].get("use_regex", True):
        return "gpt-2"
    return ""


def convert(model_dir: Path, out_file: Path, outtype: str = "f16") -> Path:
    """Run the converter in a subprocess (torch and its memory stay out of this process)."""
    converter = ensure_converter()
    command = [sys.executable, "-m", "codetune.export.convert_runner", str(converter.root),
               pre_tokenizer_fallback(model_dir), str(model_dir), "--outfile", str(out_file),
               "--outtype", outtype]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode == UNSUPPORTED_EXIT:
        raise ExportError(done.stderr.strip().splitlines()[-1])
    if done.returncode != 0 or not out_file.is_file():
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise ExportError(f"llama.cpp's converter failed on {model_dir} (exit {done.returncode}):\n{tail}")
    return out_file
