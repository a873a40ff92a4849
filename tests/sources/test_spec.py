"""Source specs split into location, revision and kind, and open the matching snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from codetune.errors import SourceError
from codetune.sources import (
    DirectorySnapshot,
    GitRepositorySnapshot,
    SourceSpec,
    open_snapshot,
    parse_source_spec,
)
from tests.gitrepo import git


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("https://host/org/repo.git@v1.2", SourceSpec("https://host/org/repo.git", "v1.2", "git_url")),
        ("https://host/org/repo.git", SourceSpec("https://host/org/repo.git", None, "git_url")),
        ("file:///tmp/x.git@abc123", SourceSpec("file:///tmp/x.git", "abc123", "git_url")),
        ("git@github.com:org/repo.git@main", SourceSpec("git@github.com:org/repo.git", "main", "git_url")),
        ("git@github.com:org/repo.git", SourceSpec("git@github.com:org/repo.git", None, "git_url")),
        ("https://u:t@h/org/repo@feature/x", SourceSpec("https://u:t@h/org/repo", "feature/x", "git_url")),
        ("ssh://git@host:2222/org/repo.git", SourceSpec("ssh://git@host:2222/org/repo.git", None, "git_url")),
    ],
)
def test_url_specs_split_at_the_last_at_after_the_host(spec: str, expected: SourceSpec):
    assert parse_source_spec(spec) == expected


def test_home_directory_is_expanded(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "src" / "my-game").mkdir(parents=True)
    expected = SourceSpec(str(tmp_path / "src" / "my-game"), None, "directory")
    assert parse_source_spec("~/src/my-game") == expected


def test_bare_repository_path_with_revision(history, monkeypatch):
    monkeypatch.chdir(history.bare.parent)
    assert parse_source_spec("project.git@v2") == SourceSpec(str(history.bare), "v2", "bare")
    assert parse_source_spec(f"{history.bare}") == SourceSpec(str(history.bare), None, "bare")


def test_work_tree_is_a_directory_and_its_dot_git_is_bare(history):
    assert parse_source_spec(str(history.work)).kind == "directory"
    expected = SourceSpec(str(history.work / ".git"), "main", "bare")
    assert parse_source_spec(f"{history.work}/.git@main") == expected


def test_existing_directory_with_an_at_in_its_name_is_taken_whole(tmp_path: Path):
    (tmp_path / "pkg@2").mkdir()
    path = str(tmp_path / "pkg@2")
    assert parse_source_spec(path) == SourceSpec(path, None, "directory")


def test_missing_path_is_named_in_the_error(tmp_path: Path):
    missing = tmp_path / "no" / "such-repo"
    with pytest.raises(SourceError, match="no such file or directory") as caught:
        parse_source_spec(f"{missing}@v1")
    assert str(missing) in str(caught.value)


@pytest.mark.parametrize("spec", ["", "   ", "https://host/org/repo.git@", "https://host/repo@-x"])
def test_empty_or_option_like_parts_are_refused(spec: str):
    with pytest.raises(SourceError):
        parse_source_spec(spec)


def test_a_regular_file_is_not_a_source(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(SourceError, match="is not a directory"):
        parse_source_spec(str(tmp_path / "notes.txt"))


def test_open_snapshot_dispatches_on_kind(history, tmp_path: Path):
    cache = tmp_path / "cache"
    fetched = open_snapshot(parse_source_spec(f"{history.bare.as_uri()}@v1"), cache)
    bare = open_snapshot(parse_source_spec(f"{history.bare}@v1"), cache)
    directory = open_snapshot(parse_source_spec(str(history.work)), cache)
    assert isinstance(fetched, GitRepositorySnapshot) and fetched.git_dir.is_relative_to(cache)
    assert isinstance(bare, GitRepositorySnapshot) and bare.git_dir == history.bare
    assert isinstance(directory, DirectorySnapshot)
    assert fetched.commit == bare.commit == history.first
    assert directory.commit == history.second


def test_directory_with_revision_reads_the_commit_not_the_disk(history, tmp_path: Path):
    (history.work / "README.md").write_text("dirty\n")
    snapshot = open_snapshot(parse_source_spec(f"{history.work}@v1"), tmp_path / "cache")
    assert isinstance(snapshot, GitRepositorySnapshot)
    assert snapshot.name == "project"
    assert dict(snapshot.read_files(["README.md"])) == {"README.md": b"version one\n"}


def test_revision_on_a_directory_that_is_not_a_repository_is_refused(tmp_path: Path):
    (tmp_path / "plain").mkdir()
    with pytest.raises(SourceError, match="needs a git repository"):
        open_snapshot(parse_source_spec(f"{tmp_path / 'plain'}@v1"), tmp_path / "cache")


def test_bare_spec_reads_a_repository_made_with_git_init_bare(tmp_path: Path):
    bare = tmp_path / "made.git"
    bare.mkdir()
    git("init", "--quiet", "--bare", cwd=bare)
    assert parse_source_spec(str(bare)).kind == "bare"
