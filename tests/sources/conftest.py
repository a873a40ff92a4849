"""Fixtures shared by the source tests: a small repository with history, tags and a bare copy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.gitrepo import make_bare_clone, make_git_repo


@dataclass(frozen=True)
class History:
    """A work tree with two commits (the first tagged v1) and a bare clone of it."""

    work: Path
    bare: Path
    first: str
    second: str


@pytest.fixture
def history(tmp_path: Path) -> History:
    work = tmp_path / "project"
    first = make_git_repo(work, {"README.md": "version one\n", "src/app.py": "print(1)\n"}, tag="v1")
    second = make_git_repo(work, {"README.md": "version two\n", "src/new.py": "print(2)\n"})
    bare = make_bare_clone(work, tmp_path / "project.git")
    return History(work, bare, first, second)
