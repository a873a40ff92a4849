"""Remote repositories fetched into a bare cache, pinned per URL + revision."""

from __future__ import annotations

import fcntl
import shutil
import threading
from pathlib import Path

import pytest

from codetune.errors import EmptySourceError, SourceError
from codetune.sources.git import cache_location, clone_into_cache
from tests.gitrepo import git, make_bare_clone, make_git_repo


def url_of(path: Path) -> str:
    return path.as_uri()


def read(snapshot, path):
    return dict(snapshot.read_files([path]))[path]


def test_tag_is_fetched_into_a_bare_cache(history, tmp_path: Path):
    snapshot = clone_into_cache(url_of(history.bare), "v1", tmp_path / "cache")
    assert snapshot.commit == history.first
    assert read(snapshot, "README.md") == b"version one\n"
    assert snapshot.git_dir == cache_location(url_of(history.bare), tmp_path / "cache")
    assert git("rev-parse", "--is-bare-repository", cwd=snapshot.git_dir) == "true"
    assert snapshot.name.endswith("project")


def test_cached_revision_is_read_without_the_remote(history, tmp_path: Path):
    cache = tmp_path / "cache"
    first = clone_into_cache(url_of(history.bare), "main", cache)
    shutil.rmtree(history.bare)
    again = clone_into_cache(url_of(history.bare), "main", cache)
    assert again.commit == first.commit == history.second
    assert read(again, "src/new.py") == b"print(2)\n"


def test_cached_branch_stays_pinned_when_the_remote_moves(history, tmp_path: Path):
    cache = tmp_path / "cache"
    url = url_of(history.bare)
    pinned = clone_into_cache(url, "main", cache).commit
    moved = make_git_repo(history.work, {"README.md": "version three\n"})
    git("push", "--quiet", str(history.bare), "main", cwd=history.work)
    assert clone_into_cache(url, "main", cache).commit == pinned != moved
    assert clone_into_cache(url, moved, cache).commit == moved


def test_default_revision_is_the_remote_head(history, tmp_path: Path):
    snapshot = clone_into_cache(url_of(history.bare), None, tmp_path / "cache")
    assert snapshot.commit == history.second


def test_short_sha_is_found_by_fetching_all_branches(history, tmp_path: Path):
    snapshot = clone_into_cache(url_of(history.bare), history.first[:8], tmp_path / "cache")
    assert snapshot.commit == history.first
    assert read(snapshot, "src/app.py") == b"print(1)\n"


def test_full_sha_is_fetched(history, tmp_path: Path):
    snapshot = clone_into_cache(url_of(history.bare), history.first, tmp_path / "cache")
    assert snapshot.commit == history.first


def test_missing_revision_names_source_and_revision(history, tmp_path: Path):
    url = url_of(history.bare)
    with pytest.raises(SourceError, match=r"revision 'no-such-branch' not found") as caught:
        clone_into_cache(url, "no-such-branch", tmp_path / "cache")
    assert url in str(caught.value)


def test_empty_remote_raises_empty_source_error(tmp_path: Path):
    remote = tmp_path / "empty.git"
    remote.mkdir()
    git("init", "--quiet", "--bare", cwd=remote)
    with pytest.raises(EmptySourceError, match="no commits"):
        clone_into_cache(url_of(remote), None, tmp_path / "cache")


def test_credentials_never_appear_in_errors(tmp_path: Path):
    url = "https://alice:s3cr3t-token@127.0.0.1:9/org/repo.git"
    with pytest.raises(SourceError) as caught:
        clone_into_cache(url, "main", tmp_path / "cache")
    message = str(caught.value)
    assert "127.0.0.1:9/org/repo.git" in message
    assert "s3cr3t" not in message and "alice" not in message


def test_cache_is_keyed_without_credentials(tmp_path: Path):
    with_token = cache_location("https://x:token@example.com/org/repo.git", tmp_path)
    assert with_token == cache_location("https://example.com/org/repo.git", tmp_path)
    assert with_token != cache_location("https://example.com/org/other.git", tmp_path)


@pytest.mark.parametrize("url", ["ext::sh -c 'touch pwned'", "fd::3", "-uhttps://x/y", "ftp://host/repo.git"])
def test_dangerous_or_unknown_urls_are_refused(url: str, tmp_path: Path):
    with pytest.raises(SourceError):
        clone_into_cache(url, None, tmp_path / "cache")
    assert not (tmp_path / "pwned").exists()


def test_a_second_caller_waits_for_the_cache_lock(history, tmp_path: Path):
    cache = tmp_path / "cache"
    url = url_of(history.bare)
    repo = cache_location(url, cache)
    repo.parent.mkdir(parents=True)
    results = []
    with open(repo.with_name(repo.name + ".lock"), "ab") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        worker = threading.Thread(target=lambda: results.append(clone_into_cache(url, "v1", cache)))
        worker.start()
        worker.join(timeout=1.0)
        assert worker.is_alive() and not results
        assert not repo.exists()
        fcntl.flock(held.fileno(), fcntl.LOCK_UN)
    worker.join(timeout=60)
    assert [r.commit for r in results] == [history.first]


def test_remote_submodules_are_not_fetched(tmp_path: Path):
    work = tmp_path / "super"
    sub_commit = make_git_repo(tmp_path / "sub", {"lib.py": "x = 1\n"})
    gitmodules = f'[submodule "lib"]\n\tpath = lib\n\turl = {url_of(tmp_path / "sub")}\n'
    make_git_repo(work, {".gitmodules": gitmodules})
    git("update-index", "--add", "--cacheinfo", f"160000,{sub_commit},lib", cwd=work)
    git("commit", "--quiet", "-m", "sub", cwd=work)
    bare = make_bare_clone(work, tmp_path / "super.git")
    snapshot = clone_into_cache(url_of(bare), None, tmp_path / "cache")
    kinds = {e.path: e.kind for e in snapshot.entries()}
    assert kinds["lib"] == "submodule"
    with pytest.raises(AssertionError, match="failed"):
        git("cat-file", "-e", sub_commit, cwd=snapshot.git_dir)
