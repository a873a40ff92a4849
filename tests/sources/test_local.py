"""Directories and git work trees read from disk: .gitignore respected, symlinks listed but never followed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codetune.errors import SourceError
from codetune.sources.local import DirectorySnapshot
from tests.gitrepo import add_gitlink, git, make_git_repo


def listing(snapshot: DirectorySnapshot) -> dict[str, str]:
    return {e.path: e.kind for e in snapshot.entries()}


def test_work_tree_respects_gitignore_and_includes_untracked_files(tmp_path: Path):
    work = tmp_path / "game"
    head = make_git_repo(work, {".gitignore": "build/\n*.log\n", "src/main.gd": "extends Node\n"})
    (work / "build").mkdir()
    (work / "build" / "out.bin").write_bytes(b"\x00")
    (work / "debug.log").write_text("noise\n")
    (work / "new.gd").write_text("# draft\n")
    snapshot = DirectorySnapshot(work)
    assert snapshot.commit == head
    assert snapshot.name == "game"
    assert listing(snapshot) == {".gitignore": "file", "new.gd": "file", "src/main.gd": "file"}


def test_work_tree_reads_what_is_on_disk_and_skips_deleted_files(tmp_path: Path):
    work = tmp_path / "w"
    make_git_repo(work, {"a.txt": "committed\n", "gone.txt": "x\n"})
    (work / "a.txt").write_text("edited\n")
    (work / "gone.txt").unlink()
    snapshot = DirectorySnapshot(work)
    assert listing(snapshot) == {"a.txt": "file"}
    assert dict(snapshot.read_files(["a.txt"])) == {"a.txt": b"edited\n"}


def test_work_tree_without_commits_has_an_empty_commit(tmp_path: Path):
    work = tmp_path / "fresh"
    work.mkdir()
    git("init", "--quiet", cwd=work)
    (work / "a.py").write_text("pass\n")
    snapshot = DirectorySnapshot(work)
    assert snapshot.commit == ""
    assert listing(snapshot) == {"a.py": "file"}


def test_subdirectory_of_a_repository_is_read_as_a_plain_directory(tmp_path: Path):
    work = tmp_path / "mono"
    make_git_repo(work, {".gitignore": "*.tmp\n", "pkg/a.py": "pass\n"})
    (work / "pkg" / "scratch.tmp").write_text("x")
    snapshot = DirectorySnapshot(work / "pkg")
    assert snapshot.commit == ""
    assert listing(snapshot) == {"a.py": "file", "scratch.tmp": "file"}


def test_plain_directory_skips_dot_git_and_lists_symlinks(tmp_path: Path):
    root = tmp_path / "plain"
    (root / "vendor" / ".git").mkdir(parents=True)
    (root / "vendor" / ".git" / "config").write_text("[core]\n")
    (root / "vendor" / "lib.py").write_text("x = 1\n")
    os.symlink("vendor/lib.py", root / "alias.py")
    snapshot = DirectorySnapshot(root, name="custom")
    assert snapshot.name == "custom"
    assert snapshot.commit == ""
    entries = {e.path: e for e in snapshot.entries()}
    assert set(entries) == {"alias.py", "vendor/lib.py"}
    assert entries["alias.py"].kind == "symlink"
    assert entries["alias.py"].link_target == "vendor/lib.py"
    assert not entries["alias.py"].link_escapes


@pytest.mark.parametrize("as_git", [True, False])
def test_symlink_to_etc_passwd_escapes_and_is_never_read(tmp_path: Path, as_git: bool):
    root = tmp_path / "evil"
    files = {"ok.txt": "fine\n"}
    links = {"passwd": "/etc/passwd", "docs/up": "../../../etc/passwd"}
    if as_git:
        make_git_repo(root, files, symlinks=links)
    else:
        (root / "docs").mkdir(parents=True)
        (root / "ok.txt").write_text("fine\n")
        for name, target in links.items():
            os.symlink(target, root / name)
    snapshot = DirectorySnapshot(root)
    entries = {e.path: e for e in snapshot.entries()}
    assert entries["passwd"].kind == entries["docs/up"].kind == "symlink"
    assert entries["passwd"].link_escapes and entries["docs/up"].link_escapes
    for path in ("passwd", "docs/up"):
        with pytest.raises(SourceError, match="is a symlink, not a file"):
            list(snapshot.read_files([path]))


def test_symlink_through_a_directory_link_that_escapes_is_flagged(tmp_path: Path):
    root = tmp_path / "chain"
    (root / "sub").mkdir(parents=True)
    os.symlink("../..", root / "sub" / "up")
    os.symlink("sub/up/etc/passwd", root / "innocent")
    entries = {e.path: e for e in DirectorySnapshot(root).entries()}
    assert entries["innocent"].link_escapes


def test_tracked_file_behind_a_symlinked_directory_is_not_read(tmp_path: Path):
    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "a.txt").write_text("SECRET\n")
    work = tmp_path / "w"
    make_git_repo(work, {"docs/a.txt": "public\n", "keep.txt": "k\n"})
    (work / "docs" / "a.txt").unlink()
    (work / "docs").rmdir()
    os.symlink(secret, work / "docs")
    snapshot = DirectorySnapshot(work)
    assert "docs/a.txt" not in listing(snapshot)
    with pytest.raises(SourceError, match="not listed"):
        list(snapshot.read_files(["docs/a.txt"]))


def test_file_swapped_for_a_symlink_after_listing_is_not_read(tmp_path: Path):
    root = tmp_path / "race"
    root.mkdir()
    (root / "a.txt").write_text("ok\n")
    snapshot = DirectorySnapshot(root)
    assert listing(snapshot) == {"a.txt": "file"}
    (root / "a.txt").unlink()
    os.symlink("/etc/passwd", root / "a.txt")
    with pytest.raises(SourceError, match="changed while it was read"):
        list(snapshot.read_files(["a.txt"]))


def test_fifo_is_skipped_instead_of_blocking(tmp_path: Path):
    root = tmp_path / "fifo"
    root.mkdir()
    os.mkfifo(root / "pipe")
    (root / "a.txt").write_text("x")
    assert listing(DirectorySnapshot(root)) == {"a.txt": "file"}


def test_gitlink_and_nested_repository_in_a_work_tree_are_submodules(tmp_path: Path):
    work = tmp_path / "super"
    first = make_git_repo(work, {"main.py": "pass\n"})
    add_gitlink(work, "libs/registered", first)
    make_git_repo(work / "libs" / "nested", {"inner.py": "pass\n"})
    entries = listing(DirectorySnapshot(work))
    assert entries == {"main.py": "file", "libs/registered": "submodule", "libs/nested": "submodule"}


def test_non_ascii_and_spaced_names_are_listed_sorted_and_read(tmp_path: Path):
    root = tmp_path / "names"
    files = {"docs/guía rápida.md": "hola\n", "src/my file.py": "pass\n", "a-b.txt": "1", "a/b.txt": "2"}
    make_git_repo(root, files)
    snapshot = DirectorySnapshot(root)
    paths = [e.path for e in snapshot.entries()]
    assert paths == sorted(files, key=lambda p: p.encode())
    assert dict(snapshot.read_files(paths)) == {p: c.encode() for p, c in files.items()}


def test_missing_directory_is_refused(tmp_path: Path):
    with pytest.raises(SourceError, match="not a directory"):
        DirectorySnapshot(tmp_path / "nope")


def test_repository_config_cannot_make_git_run_a_command(tmp_path: Path):
    work = tmp_path / "hostile"
    make_git_repo(work, {"a.py": "pass\n"})
    marker = tmp_path / "pwned"
    git("config", "core.fsmonitor", f"touch {marker}; false", cwd=work)
    assert listing(DirectorySnapshot(work)) == {"a.py": "file"}
    assert not marker.exists()
