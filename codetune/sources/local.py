"""A plain directory, or a git work tree as it is on disk, read as a snapshot; symlinks are never followed."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from codetune.errors import SourceError
from codetune.sources import beneath
from codetune.sources.gitcmd import run_git, stderr_text
from codetune.sources.snapshot import FILE, SUBMODULE, SYMLINK, TreeEntry, link_escapes_root, path_sort_key


@dataclass(frozen=True)
class DirectorySnapshot:
    """Files as on disk now; in a git work tree only the tracked and unignored ones, as `git add -A` sees."""

    root: Path
    name: str = ""
    commit: str = field(default="", init=False)
    is_git_work_tree: bool = field(default=False, init=False)
    _entries: tuple[TreeEntry, ...] | None = field(default=None, init=False, repr=False, compare=False)
    _kinds: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __init__(self, root: Path, name: str | None = None) -> None:
        given = Path(root).expanduser()
        if not given.is_dir():
            raise SourceError(f"source {given}: not a directory; pass an existing directory or a git URL")
        resolved = given.resolve()
        object.__setattr__(self, "root", resolved)
        object.__setattr__(self, "name", name or resolved.name)
        object.__setattr__(self, "_entries", None)
        object.__setattr__(self, "_kinds", {})
        is_git = _is_work_tree_root(resolved)
        object.__setattr__(self, "is_git_work_tree", is_git)
        object.__setattr__(self, "commit", _head_commit(resolved) if is_git else "")

    def entries(self) -> Iterator[TreeEntry]:
        """Every path, sorted bytewise; `.git` is skipped and in a work tree so is what .gitignore ignores."""
        return iter(self._load())

    def read_files(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """Contents of listed regular files, opened beneath the root so no symlink is ever followed."""
        self._load()
        for path in paths:
            kind = self._kinds.get(path)
            if kind != FILE:
                what = "not listed" if kind is None else f"a {kind}"
                raise SourceError(
                    f"source {self.name}: {path!r} is {what}, not a file; "
                    "pass only paths whose entry kind is 'file'"
                )
            try:
                data = beneath.read_file(self.root, path)
            except OSError as exc:
                raise SourceError(
                    f"source {self.name}: cannot read {path!r} ({exc.strerror}); "
                    "the directory changed while it was read, run again"
                ) from None
            yield path, data

    def _load(self) -> tuple[TreeEntry, ...]:
        if self._entries is None:
            found = _git_listing(self.root, self.name) if self.is_git_work_tree else _walk(self.root)
            entries = tuple(sorted(found, key=lambda e: path_sort_key(e.path)))
            object.__setattr__(self, "_kinds", {e.path: e.kind for e in entries})
            object.__setattr__(self, "_entries", entries)
        assert self._entries is not None
        return self._entries


def _is_work_tree_root(root: Path) -> bool:
    """True only for the top of a work tree: a directory inside someone's dotfiles repo stays a plain one."""
    if not os.path.lexists(root / ".git"):
        return False
    proc = run_git(["rev-parse", "--show-toplevel"], work_tree=root)
    if proc.returncode != 0:
        raise SourceError(
            f"source {root}: has a .git but git cannot read it ({stderr_text(proc)}); "
            "fix the repository or copy the files to a plain directory"
        )
    return Path(proc.stdout.decode("utf-8", "surrogateescape").strip()).resolve() == root


def _head_commit(root: Path) -> str:
    proc = run_git(["rev-parse", "--verify", "--quiet", "HEAD"], work_tree=root)
    return proc.stdout.decode("ascii").strip() if proc.returncode == 0 else ""


def _entry_on_disk(root: Path, path: str) -> TreeEntry | None:
    info = beneath.lstat(root, path)
    if info is None:
        return None
    if stat.S_ISREG(info.st_mode):
        return TreeEntry(path, FILE, info.st_size, mtime_ns=info.st_mtime_ns)
    if stat.S_ISLNK(info.st_mode):
        target = beneath.readlink(root, path)
        if target is None:
            return None
        escapes = link_escapes_root(path, target, lambda p: beneath.readlink(root, p))
        return TreeEntry(
            path,
            SYMLINK,
            info.st_size,
            link_target=target,
            link_escapes=escapes,
            mtime_ns=info.st_mtime_ns,
        )
    return None  # directories, FIFOs, sockets, devices: nothing to read


def _git_listing(root: Path, name: str) -> list[TreeEntry]:
    staged = run_git(["ls-files", "-z", "--stage"], work_tree=root)
    others = run_git(["ls-files", "-z", "--others", "--exclude-standard"], work_tree=root)
    for proc in (staged, others):
        if proc.returncode != 0:
            raise SourceError(f"source {name}: git cannot list the work tree ({stderr_text(proc)})")
    submodules: set[str] = set()
    paths: set[str] = set()
    for record in staged.stdout.split(b"\0"):
        if record:
            meta, _, raw = record.partition(b"\t")
            path = os.fsdecode(raw)
            (submodules if meta.startswith(b"160000 ") else paths).add(path)
    for raw in others.stdout.split(b"\0"):
        if raw.endswith(b"/"):  # an untracked nested repository: git does not descend, neither do we
            submodules.add(os.fsdecode(raw[:-1]))
        elif raw:
            paths.add(os.fsdecode(raw))
    found = [TreeEntry(path, SUBMODULE, 0) for path in submodules]
    for path in paths - submodules:
        entry = _entry_on_disk(root, path)
        if entry is not None:
            found.append(entry)
    return found


def _walk(root: Path) -> list[TreeEntry]:
    found: list[TreeEntry] = []
    links: list[str] = []
    pending = [""]
    while pending:
        prefix = pending.pop()
        try:
            with beneath.open_dir(root, prefix.split("/") if prefix else []) as fd, os.scandir(fd) as listing:
                for item in listing:
                    if item.name == ".git":
                        continue
                    path = f"{prefix}/{item.name}" if prefix else item.name
                    if item.is_dir(follow_symlinks=False):
                        pending.append(path)
                    elif item.is_file(follow_symlinks=False):
                        info = item.stat(follow_symlinks=False)
                        found.append(TreeEntry(path, FILE, info.st_size, mtime_ns=info.st_mtime_ns))
                    elif item.is_symlink():
                        links.append(path)
        except OSError:
            continue  # replaced by a symlink (or removed) since it was listed: not ours to read
    # Links last: whether one escapes depends on the other links around it.
    found += [entry for path in links if (entry := _entry_on_disk(root, path)) is not None]
    return found
