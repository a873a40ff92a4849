"""Small local stand-ins for an ecosystem's repositories, pinned in a lock file as discovery writes one."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

import pyarrow.parquet as pq

from codetune.build.pipeline import BuildOptions, BuildResult, build
from codetune.ecosystem import Ecosystem
from codetune.sources.lockfile import LockEntry, LockFile, write_lock_file
from tests.gitrepo import make_bare_clone, make_git_repo

MIT = "MIT License\n\nCopyright (c) 2024 Test Author\n"
APACHE = "Licensed under the Apache License, Version 2.0\n"


def standin_lock(root: Path, repositories: Mapping[str, Mapping[str, str]]) -> Path:
    """A bare repository per `owner/name` (file:// URL) at one commit, and the lock that pins them."""
    entries = []
    for name, files in repositories.items():
        work = root / "work" / name
        commit = make_git_repo(work, files)
        bare = make_bare_clone(work, root / "bare" / f"{name}.git")
        entries.append(LockEntry(name, bare.as_uri(), "main", commit, license=None))
    return write_lock_file(root / "standin.lock.json", LockFile(tuple(entries)))


def build_standins(root: Path, ecosystem: Ecosystem, subsets: tuple[str, ...]) -> BuildResult:
    ecosystem = dataclasses.replace(ecosystem, subsets=subsets)
    options = BuildOptions(
        out_dir=root / "out", work_dir=root / "work-dir", cache_dir=root / "cache", progress=False
    )
    return build(ecosystem, options)


def rows(result: BuildResult, config: str, split: str = "train") -> list[dict]:
    return [
        row
        for path in sorted((result.out_dir / config).glob(f"{split}-*.parquet"))
        for row in pq.read_table(path).to_pylist()
    ]
