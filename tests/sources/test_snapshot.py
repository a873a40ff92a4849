"""Whether a symlink leaves the repository is decided by resolving it inside the repository only."""

from __future__ import annotations

from codetune.sources.snapshot import link_escapes_root, path_sort_key


def no_links(_path: str) -> str | None:
    return None


def test_absolute_target_escapes():
    assert link_escapes_root("etc", "/etc/passwd", no_links)


def test_parent_of_root_escapes_but_parent_of_subdir_does_not():
    assert link_escapes_root("top", "../outside", no_links)
    assert not link_escapes_root("docs/up", "../README.md", no_links)
    assert link_escapes_root("docs/up", "../../README.md", no_links)


def test_climbing_out_and_back_in_counts_as_escaping():
    assert link_escapes_root("a/link", "../../repo/a/file", no_links)


def test_chain_through_another_link_is_followed():
    links = {"sub/up": "../.."}
    assert link_escapes_root("a", "sub/up/etc", links.get)
    assert not link_escapes_root("b", "sub/up", {"sub/up": ".."}.get)


def test_link_loop_is_treated_as_escaping():
    links = {"x": "y", "y": "x"}
    assert link_escapes_root("x", "y", links.get)


def test_sort_key_is_bytewise_utf8():
    paths = ["é.md", "Z.md", "a/b", "a-b", "a.txt"]
    assert sorted(paths, key=path_sort_key) == ["Z.md", "a-b", "a.txt", "a/b", "é.md"]
