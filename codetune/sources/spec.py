"""Source specs as a user writes them (`url@rev`, `path@rev`, `~/dir`) and the snapshot each one opens."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from codetune.errors import SourceError
from codetune.sources.git import (
    GitRepositorySnapshot,
    clone_into_cache,
    find_git_dir,
    open_bare_repository,
    resolve_revision,
)
from codetune.sources.gitcmd import check_revision_text, redact_url
from codetune.sources.local import DirectorySnapshot
from codetune.sources.snapshot import RepositorySnapshot

GIT_URL = "git_url"
BARE = "bare"
DIRECTORY = "directory"

_SCHEME_URL = re.compile(r"^(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/]*)(?P<path>.*)$")
# scp-like `[user@]host:path`: a colon before any slash, and more than a drive letter before it.
_SCP_URL = re.compile(r"^(?P<head>[^/:]{2,}:)(?P<path>[^:].*)$")


@dataclass(frozen=True)
class SourceSpec:
    """Where a repository is, which revision to read, and how: fetched URL, bare repository or directory."""

    location: str
    revision: str | None
    kind: str


def parse_source_spec(spec: str) -> SourceSpec:
    """Split `location@revision` and decide the kind; local paths must exist.

    For URLs the revision follows the last "@" of the path part (after the host), so
    `git@host:org/repo.git` has none and `https://host/org/repo.git@feature/x` has `feature/x`.
    A local path that exists as written (even with an "@" in its name) is taken whole.
    """
    text = spec.strip()
    if not text:
        raise SourceError("source '': empty source; give a git URL, a bare repository or a directory")
    url = _SCHEME_URL.match(text)
    if url is not None:
        return _url_spec(url.group("head"), url.group("path"), text)
    expanded = os.path.expanduser(text)
    if os.path.exists(expanded):
        return _path_spec(expanded, None, text)
    if _SCP_URL.match(text):
        scp = _SCP_URL.match(text)
        assert scp is not None
        return _url_spec(scp.group("head"), scp.group("path"), text)
    at = len(expanded)
    while (at := expanded.rfind("@", 0, at)) > 0:
        if os.path.exists(expanded[:at]):
            return _path_spec(expanded[:at], expanded[at + 1 :], text)
    raise SourceError(
        f"source {redact_url(text)}: no such file or directory; check the path, or give a git URL "
        "(https://, ssh://, git@host:org/repo.git)"
    )


def _url_spec(head: str, path: str, text: str) -> SourceSpec:
    location, at, revision = path.rpartition("@")
    if not at:
        return SourceSpec(head + path, None, GIT_URL)
    check_revision_text(revision, redact_url(text))
    return SourceSpec(head + location, revision, GIT_URL)


def _path_spec(path: str, revision: str | None, text: str) -> SourceSpec:
    if revision is not None:
        check_revision_text(revision, text)
    location = os.path.abspath(path)
    if not os.path.isdir(location):
        raise SourceError(f"source {text}: {location} is not a directory; give a repository or a directory")
    bare = _is_bare_repository(Path(location))
    return SourceSpec(location, revision, BARE if bare else DIRECTORY)


def _is_bare_repository(path: Path) -> bool:
    """A git directory itself (bare repository or `.git`), as opposed to a directory of files."""
    return not os.path.lexists(path / ".git") and find_git_dir(path) == path.resolve()


def open_snapshot(spec: SourceSpec, cache_dir: Path) -> RepositorySnapshot:
    """The snapshot a spec names; URLs are fetched into `cache_dir` (or read from it when pinned there)."""
    if spec.kind == GIT_URL:
        return clone_into_cache(spec.location, spec.revision, cache_dir)
    if spec.kind == BARE:
        return open_bare_repository(Path(spec.location), spec.revision)
    if spec.kind != DIRECTORY:
        raise SourceError(f"source {spec.location}: unknown source kind {spec.kind!r}")
    if spec.revision is None:
        return DirectorySnapshot(Path(spec.location))
    root = Path(spec.location)
    git_dir = find_git_dir(root)
    if git_dir is None:
        raise SourceError(
            f"source {spec.location}@{spec.revision}: a revision needs a git repository, and this directory "
            "is not the root of one; drop the '@revision' or point at the repository root"
        )
    commit = resolve_revision(git_dir, spec.revision, f"{spec.location}@{spec.revision}")
    return GitRepositorySnapshot(git_dir, commit, root.resolve().name)
