"""What every source yields: a repository at one commit, listed and read without a checkout."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

FILE = "file"
SYMLINK = "symlink"
SUBMODULE = "submodule"

# Symlink chains longer than this are treated as escaping: a loop must not hang the reader.
MAX_LINK_HOPS = 40


@dataclass(frozen=True)
class TreeEntry:
    """One path of a snapshot; symlinks and submodules are listed so filters count them, never followed."""

    path: str
    kind: str
    size: int
    link_target: str = ""
    link_escapes: bool = False
    mtime_ns: int = 0  # plain folders: when the entry last changed, from the listing's own stat (0 in git)


@runtime_checkable
class RepositorySnapshot(Protocol):
    """A repository at one commit, readable without a checkout."""

    name: str
    commit: str

    def entries(self) -> Iterator[TreeEntry]:
        """Every path, sorted bytewise, symlinks not followed."""
        ...

    def read_files(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """Contents of kind "file" paths, in the order given."""
        ...


README_NAMES = ("readme.md", "readme.markdown", "readme.rst", "readme.txt", "readme")


def find_readme(entries: list[TreeEntry]) -> str | None:
    """The top-level README a person would open first, by the usual name preference."""
    top_level = {
        entry.path.lower(): entry.path for entry in entries if "/" not in entry.path and entry.kind == "file"
    }
    return next((top_level[name] for name in README_NAMES if name in top_level), None)


def path_sort_key(path: str) -> bytes:
    """Bytewise order, the same for git and directory snapshots, whatever the names' encoding."""
    return os.fsencode(path)


def link_escapes_root(link_path: str, target: str, readlink: Callable[[str], str | None]) -> bool:
    """Whether a symlink resolves outside the repository root.

    Resolves like realpath, but inside the repository only: `readlink(path)` returns the target of a
    repository-relative path that is itself a symlink (None otherwise), so chains through other links are
    followed without touching anything outside. Absolute targets, climbing above the root at any step,
    and chains too long to finish (loops) all count as escaping.
    """
    if target.startswith("/"):
        return True
    resolved = link_path.split("/")[:-1]
    pending = target.split("/")
    hops = 0
    while pending:
        part = pending.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if not resolved:
                return True
            resolved.pop()
            continue
        next_target = readlink("/".join([*resolved, part]))
        if next_target is None:
            resolved.append(part)
            continue
        hops += 1
        if hops > MAX_LINK_HOPS or next_target.startswith("/"):
            return True
        pending = next_target.split("/") + pending
    return False
