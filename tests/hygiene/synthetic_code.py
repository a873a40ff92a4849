"""Deterministic Python sources for the dedup and decontamination tests: distinct code, planted copies."""

from __future__ import annotations

import random
import string
from pathlib import Path

from tests.conftest import MIT_LICENSE
from tests.gitrepo import make_git_repo


def word(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 9)))


def unique_function(rng: random.Random) -> str:
    """A function whose identifiers are random words: no two calls share a 5-token shingle by chance."""
    name, items, total, field = word(rng), word(rng), word(rng), word(rng)
    lines = [f"def {name}({items}, {word(rng)}=None):", f"    {total} = {rng.randint(0, 99)}"]
    for _ in range(rng.randint(3, 6)):
        lines.append(f"    {word(rng)} = {word(rng)}({items}.{field}, {word(rng)}) + {rng.randint(1, 999)}")
    lines += [
        f"    for {word(rng)} in {items}:",
        f"        {total} += {word(rng)}.{word(rng)}",
        f"    return {total}",
    ]
    return "\n".join(lines) + "\n"


def unique_module(seed: int, functions: int = 6) -> str:
    rng = random.Random(seed)
    return "\n\n".join(unique_function(rng) for _ in range(functions))


def make_repo(root: Path, name: str, files: dict[str, str]) -> Path:
    """A real git repository with an MIT license (builds keep only licensed repositories)."""
    make_git_repo(root / name, {"LICENSE": MIT_LICENSE, **files})
    return root / name
