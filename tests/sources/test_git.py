"""Bare repositories and .git directories read from their objects at a revision, without a checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

from codetune.errors import EmptySourceError, SourceError
from codetune.sources import git as git_module
from codetune.sources.git import GitRepositorySnapshot, open_bare_repository, resolve_revision
from tests.gitrepo import add_gitlink, git, make_bare_clone, make_git_repo


def contents(snapshot, paths):
    return dict(snapshot.read_files(paths))


def test_bare_repository_is_read_at_a_tag(history):
    snapshot = open_bare_repository(history.bare, "v1")
    assert snapshot.commit == history.first
    assert [e.path for e in snapshot.entries()] == ["README.md", "src/app.py"]
    assert contents(snapshot, ["README.md"]) == {"README.md": b"version one\n"}
    assert snapshot.name == "project"


def test_bare_repository_is_read_at_a_full_and_a_short_sha(history):
    full = open_bare_repository(history.bare, history.first)
    short = open_bare_repository(history.bare, history.first[:10])
    assert full.commit == short.commit == history.first
    assert contents(short, ["src/app.py"]) == {"src/app.py": b"print(1)\n"}


def test_default_revision_is_head(history):
    snapshot = open_bare_repository(history.bare)
    assert snapshot.commit == history.second
    assert contents(snapshot, ["README.md", "src/new.py"]) == {
        "README.md": b"version two\n",
        "src/new.py": b"print(2)\n",
    }


def test_dot_git_directory_reads_committed_content_not_the_work_tree(history):
    (history.work / "README.md").write_text("uncommitted edit\n")
    snapshot = open_bare_repository(history.work / ".git", "main")
    assert snapshot.commit == history.second
    assert contents(snapshot, ["README.md"]) == {"README.md": b"version two\n"}


def test_annotated_tag_resolves_to_its_commit(history):
    tag_object = git("rev-parse", "v1", cwd=history.work)
    assert tag_object != history.first
    assert resolve_revision(history.bare, "v1", "label") == history.first


def test_missing_revision_names_source_and_revision(history):
    with pytest.raises(SourceError, match=r"source my/source: revision 'v9\.9' not found") as caught:
        resolve_revision(history.bare, "v9.9", "my/source")
    assert not isinstance(caught.value, EmptySourceError)


def test_revision_that_looks_like_an_option_is_refused(history):
    with pytest.raises(SourceError, match="may not start with '-'"):
        open_bare_repository(history.bare, "--output=/tmp/x")


@pytest.mark.parametrize("bare", [True, False])
def test_repository_without_commits_raises_empty_source_error(tmp_path: Path, bare: bool):
    repo = tmp_path / "empty"
    repo.mkdir()
    git("init", "--quiet", *(["--bare"] if bare else []), cwd=repo)
    with pytest.raises(EmptySourceError, match="has no commits"):
        open_bare_repository(repo if bare else repo / ".git")


def test_directory_that_is_not_a_repository_is_refused(tmp_path: Path):
    (tmp_path / "plain").mkdir()
    with pytest.raises(SourceError, match="not a git repository"):
        open_bare_repository(tmp_path / "plain")


def test_symlink_to_etc_passwd_escapes_and_is_never_read(tmp_path: Path):
    work = tmp_path / "evil"
    make_git_repo(work, {"ok.txt": "fine\n"}, symlinks={"passwd": "/etc/passwd", "up": "../../etc/passwd"})
    snapshot = open_bare_repository(make_bare_clone(work, tmp_path / "evil.git"))
    entries = {e.path: e for e in snapshot.entries()}
    assert entries["passwd"].kind == "symlink"
    assert entries["passwd"].link_target == "/etc/passwd"
    assert entries["passwd"].link_escapes
    assert entries["up"].link_escapes
    with pytest.raises(SourceError, match="is a symlink, not a file"):
        list(snapshot.read_files(["passwd"]))
    assert list(snapshot.read_files(["ok.txt"])) == [("ok.txt", b"fine\n")]


def test_symlink_inside_repository_does_not_escape(tmp_path: Path):
    work = tmp_path / "links"
    links = {"GUIDE.md": "docs/guide.md", "docs/up": ".."}
    make_git_repo(work, {"docs/guide.md": "# Guide\n"}, symlinks=links)
    entries = {e.path: e for e in open_bare_repository(work / ".git").entries()}
    assert entries["GUIDE.md"].kind == "symlink"
    assert entries["GUIDE.md"].size == len("docs/guide.md")
    assert not entries["GUIDE.md"].link_escapes
    assert not entries["docs/up"].link_escapes


def test_gitlink_is_listed_as_submodule_and_not_read(tmp_path: Path):
    work = tmp_path / "super"
    first = make_git_repo(work, {"main.py": "x = 1\n"})
    head = add_gitlink(work, "vendor/lib", first)
    snapshot = open_bare_repository(work / ".git")
    assert snapshot.commit == head
    entries = {e.path: e for e in snapshot.entries()}
    assert entries["vendor/lib"].kind == "submodule"
    assert entries["vendor/lib"].size == 0
    with pytest.raises(SourceError, match="is a submodule"):
        list(snapshot.read_files(["vendor/lib"]))


def test_paths_with_spaces_and_non_ascii_are_listed_and_read(tmp_path: Path):
    files = {"docs/guía rápida.md": "¿Qué tal?\n", "src/my file.py": "pass\n", "日本.txt": b"\x00\xff"}
    work = tmp_path / "names"
    make_git_repo(work, files)
    snapshot = open_bare_repository(work / ".git")
    entries = {e.path: e for e in snapshot.entries()}
    assert set(entries) == set(files)
    assert entries["docs/guía rápida.md"].size == len("¿Qué tal?\n".encode())
    assert contents(snapshot, list(files)) == {
        path: data.encode() if isinstance(data, str) else data for path, data in files.items()
    }


def test_entries_are_sorted_bytewise(tmp_path: Path):
    names = ["a.txt", "a/b.txt", "a-b.txt", "Z.txt", "é.txt"]
    work = tmp_path / "order"
    make_git_repo(work, dict.fromkeys(names, "x"))
    listed = [e.path for e in open_bare_repository(work / ".git").entries()]
    assert listed == sorted(names, key=lambda p: p.encode())


def test_read_files_keeps_the_requested_order_in_one_git_process(history, monkeypatch):
    started = []
    real_popen = git_module.popen_git

    def counting_popen(*args, **kwargs):
        started.append(args)
        return real_popen(*args, **kwargs)

    monkeypatch.setattr(git_module, "popen_git", counting_popen)
    snapshot = open_bare_repository(history.bare)
    order = ["src/new.py", "README.md", "src/app.py"]
    assert [path for path, _ in snapshot.read_files(order)] == order
    assert len(started) == 1


def test_stopping_a_read_early_ends_the_git_process(history, monkeypatch):
    processes = []
    real_popen = git_module.popen_git

    def keeping_popen(*args, **kwargs):
        processes.append(real_popen(*args, **kwargs))
        return processes[-1]

    monkeypatch.setattr(git_module, "popen_git", keeping_popen)
    stream = open_bare_repository(history.bare).read_files(["README.md", "src/app.py"])
    next(stream)
    stream.close()
    assert processes[0].returncode is not None


def test_snapshot_refuses_an_abbreviated_commit(history):
    with pytest.raises(SourceError, match="not a full object id"):
        GitRepositorySnapshot(history.bare, history.first[:12], "project")
