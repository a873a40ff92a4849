"""Real git repositories for tests, built with the system git and isolated from the user's config."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

_ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
    "LANG": "C",
    "LC_ALL": "C",
}


def git(*args: str, cwd: Path) -> str:
    """Run git in `cwd` and return its stdout; a failure fails the test with git's message."""
    proc = subprocess.run(["git", *args], cwd=cwd, env=_ENV, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout.strip()


def make_git_repo(
    path: Path,
    files: Mapping[str, bytes | str],
    symlinks: Mapping[str, str] | None = None,
    tag: str | None = None,
    message: str = "commit",
) -> str:
    """Write `files` and `symlinks` (path -> link text) into the work tree `path`, commit, return the sha.

    Calling it again on the same path adds a commit on top, so tests can build history.
    """
    path.mkdir(parents=True, exist_ok=True)
    if not (path / ".git").exists():
        git("init", "--quiet", "--initial-branch=main", cwd=path)
    for name, content in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    for name, link_text in (symlinks or {}).items():
        link = path / name
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(link_text, link)
    git("add", "--all", cwd=path)
    git("commit", "--quiet", "--allow-empty", "-m", message, cwd=path)
    if tag is not None:
        git("tag", "-a", tag, "-m", f"release {tag}", cwd=path)
    return git("rev-parse", "HEAD", cwd=path)


def add_gitlink(path: Path, sub_path: str, sha: str) -> str:
    """Commit a submodule entry (mode 160000) pointing at `sha` without any .gitmodules or clone."""
    git("update-index", "--add", "--cacheinfo", f"160000,{sha},{sub_path}", cwd=path)
    git("commit", "--quiet", "-m", f"add submodule {sub_path}", cwd=path)
    return git("rev-parse", "HEAD", cwd=path)


def make_bare_clone(source: Path, dest: Path) -> Path:
    """A bare copy of `source` with all branches and tags, as a server or a mirror would hold it."""
    git("clone", "--quiet", "--bare", "--no-local", str(source), str(dest), cwd=source.parent)
    return dest
