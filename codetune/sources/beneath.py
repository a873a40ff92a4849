"""Filesystem access confined to a root: every path component is opened without following symlinks.

Checking a path and then opening it by name races with a repository that swaps a directory for a
symlink; opening each component relative to its parent's descriptor with O_NOFOLLOW does not.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _CLOEXEC
# O_NONBLOCK: opening a FIFO planted in the tree must not hang the reader.
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | _CLOEXEC


def split_relative(path: str) -> list[str]:
    """The components of a repository-relative POSIX path; absolute paths and '..' are refused."""
    parts = path.split("/")
    if not path or path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise OSError(errno.EINVAL, "not a plain relative path", path)
    return parts


@contextmanager
def open_dir(root: Path, parts: list[str]) -> Iterator[int]:
    """A descriptor for root/parts..., each a real directory (no symlink anywhere below root)."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)
    try:
        for part in parts:
            child = os.open(os.fsencode(part), _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = child
        yield fd
    finally:
        os.close(fd)


def lstat(root: Path, path: str) -> os.stat_result | None:
    """lstat of root/path, or None when it is missing or reached through a symlink."""
    try:
        *dirs, name = split_relative(path)
        with open_dir(root, dirs) as fd:
            return os.stat(os.fsencode(name), dir_fd=fd, follow_symlinks=False)
    except OSError:
        return None


def readlink(root: Path, path: str) -> str | None:
    """The text of the symlink root/path, or None when it is not a symlink reachable without one."""
    try:
        *dirs, name = split_relative(path)
        with open_dir(root, dirs) as fd:
            return os.fsdecode(os.readlink(os.fsencode(name), dir_fd=fd))
    except OSError:
        return None


def read_file(root: Path, path: str) -> bytes:
    """The bytes of the regular file root/path; OSError for symlinks, FIFOs, devices or escapes."""
    *dirs, name = split_relative(path)
    with open_dir(root, dirs) as dir_fd:
        fd = os.open(os.fsencode(name), _FILE_FLAGS, dir_fd=dir_fd)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
        return handle.read()
