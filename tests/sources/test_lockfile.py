"""Lock files: round trip, clear errors on bad input, sources from a lock, gone repositories and commits."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from codetune import cli
from codetune.build.pipeline import BuildOptions, build
from codetune.ecosystem import Ecosystem
from codetune.errors import LockFileError, SourceError
from codetune.sources.lockfile import LockEntry, LockFile, read_lock_file, sources_from_lock, write_lock_file
from tests.gitrepo import make_bare_clone, make_git_repo

GONE_COMMIT = "0123456789abcdef0123456789abcdef01234567"


def entry(name: str, commit: str = "a" * 40, url: str | None = None, **fields) -> LockEntry:
    return LockEntry(name, url or f"https://github.com/{name}.git", "main", commit, **fields)


def test_a_lock_round_trips_sorted_by_repository(tmp_path: Path):
    lock = LockFile((entry("org/zeta", license="MIT", stars=3, size_kb=10), entry("Org/alpha")), query="q")
    path = write_lock_file(tmp_path / "sources.lock.json", lock)
    again = read_lock_file(path)
    assert again == lock
    assert again.names() == ["Org/alpha", "org/zeta"]
    assert json.loads(path.read_text())["codetune_lock"] == 1
    assert write_lock_file(tmp_path / "copy.json", again).read_text() == path.read_text()


HEAD = '{"codetune_lock": 1, "repositories": [{"repository": "org/x", "url": "u", "default_branch": "m"'
SHA = '"' + "a" * 40 + '"'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file; write it with `codetune discover"),
        ("{not json", "not valid JSON"),
        ('{"repositories": []}', 'expected a JSON object with "codetune_lock": 1'),
        ('{"codetune_lock": 1, "repositories": {}}', "field 'repositories' must be a list"),
        (
            HEAD + "}]}",
            r"repositories\[0\] \(org/x\): field 'commit' is required",
        ),
        (
            HEAD + ', "commit": "v1.2"}]}',
            "'org/x': field 'commit' must be a full 40-hex commit id",
        ),
        (
            HEAD + ', "commit": ' + SHA + ', "stars": "many"}]}',
            "field 'stars' must be a non-negative integer",
        ),
        (
            HEAD + ', "commit": ' + SHA + ', "branch": "x"}]}',
            "unknown field 'branch'",
        ),
    ],
)
def test_a_malformed_lock_names_the_file_entry_and_field(tmp_path: Path, content, message):
    path = tmp_path / "bad.lock.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(LockFileError, match=message) as raised:
        read_lock_file(path)
    assert str(path) in str(raised.value)


def test_a_repository_listed_twice_is_an_error(tmp_path: Path):
    with pytest.raises(LockFileError, match=r"(?i)'org/x' is listed twice"):
        LockFile((entry("org/x"), entry("ORG/X")))


def test_sources_from_a_lock_are_pinned_named_and_split(tmp_path: Path):
    path = write_lock_file(tmp_path / "l.json", LockFile((entry("org/app", "b" * 40), entry("org/examples"))))
    sources = sources_from_lock(
        path,
        include=("*.py",),
        test_repositories=("org/examples",),
        per_repository={"org/app": {"allow_license": True, "exclude": ("tests/*",)}},
    )
    app, examples = sources
    assert (app.name, app.revision, app.location) == ("org/app", "b" * 40, "https://github.com/org/app.git")
    assert (app.split, app.allow_license, app.include, app.exclude) == (None, True, ("*.py",), ("tests/*",))
    assert (examples.split, examples.allow_license) == ("test", False)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"test_repositories": ("org/typo",)},
            r"test_repositories names \['org/typo'\].*it holds \['org/app'\]",
        ),
        ({"per_repository": {"org/typo": {"split": "test"}}}, r"per_repository names \['org/typo'\]"),
        ({"per_repository": {"org/app": {"revision": "main"}}}, "sets 'revision'; it may set"),
    ],
)
def test_naming_a_repository_the_lock_does_not_hold_is_an_error(tmp_path: Path, options, message):
    path = write_lock_file(tmp_path / "l.json", LockFile((entry("org/app"),)))
    with pytest.raises(LockFileError, match=message):
        sources_from_lock(path, **options)


# --- a repository or commit that is gone ---------------------------------------------------------------


@pytest.fixture
def lock_with_gone_entries(tmp_path: Path) -> Path:
    """org/kept builds; org/gone-repo points at no repository; org/gone-commit at a commit it never had."""
    work = tmp_path / "work"
    kept = make_git_repo(work, {"main.py": "def main():\n    return 1\n", "LICENSE": "MIT License\n"})
    bare = make_bare_clone(work, tmp_path / "kept.git")
    lock = LockFile(
        (
            entry("org/kept", kept, url=bare.as_uri()),
            entry("org/gone-repo", kept, url=(tmp_path / "deleted.git").as_uri()),
            entry("org/gone-commit", GONE_COMMIT, url=bare.as_uri()),
        )
    )
    return write_lock_file(tmp_path / "sources.lock.json", lock)


def locked_ecosystem(lock: Path) -> Ecosystem:
    return Ecosystem(name="locked", sources=sources_from_lock(lock), subsets=("clm",))


def options(tmp_path: Path, **overrides) -> BuildOptions:
    return BuildOptions(out_dir=tmp_path / "out", cache_dir=tmp_path / "cache", progress=False, **overrides)


def test_a_gone_repository_or_commit_stops_the_build_naming_it(tmp_path: Path, lock_with_gone_entries: Path):
    with pytest.raises(SourceError) as raised:
        build(locked_ecosystem(lock_with_gone_entries), options(tmp_path))
    message = str(raised.value)
    assert message.startswith(f"org/gone-commit at {GONE_COMMIT}: ")
    assert f"revision '{GONE_COMMIT}' not found" in message and "--skip-missing" in message
    assert not (tmp_path / "out" / "clm").exists()

    entries = read_lock_file(lock_with_gone_entries).repositories
    path = write_lock_file(
        tmp_path / "l.json", LockFile(tuple(e for e in entries if e.repository != "org/gone-commit"))
    )
    with pytest.raises(SourceError, match=r"^org/gone-repo at [0-9a-f]{40}: .*deleted\.git.*--skip-missing"):
        build(locked_ecosystem(path), options(tmp_path))


def test_skip_missing_builds_the_rest_and_lists_what_was_skipped(
    tmp_path: Path, lock_with_gone_entries: Path
):
    result = build(locked_ecosystem(lock_with_gone_entries), options(tmp_path, skip_missing=True))
    status = {source.name: source.skipped for source in result.summary.sources}
    assert status == {"org/kept": "", "org/gone-repo": "missing", "org/gone-commit": "missing"}
    rows = pq.read_table(next((tmp_path / "out" / "clm").glob("train-*.parquet"))).to_pylist()
    assert {row["repo"] for row in rows} == {"org/kept"}
    card = (tmp_path / "out" / "README.md").read_text()
    assert "org/gone-commit" in card and "skipped: missing" in card


def test_the_cli_needs_skip_missing_to_build_past_a_gone_entry(
    tmp_path: Path, lock_with_gone_entries, capsys
):
    module = tmp_path / "locked_ecosystem.py"
    module.write_text(
        "from pathlib import Path\n"
        "from codetune.ecosystem import Ecosystem\n"
        "from codetune.sources.lockfile import sources_from_lock\n\n"
        f"LOCK = Path({str(lock_with_gone_entries)!r})\n"
        "ECOSYSTEM = Ecosystem(name='locked', sources=sources_from_lock(LOCK), subsets=('clm',))\n"
    )
    common = [
        "build",
        str(module),
        "--out",
        str(tmp_path / "out"),
        "--cache-dir",
        str(tmp_path / "c"),
        "--no-progress",
    ]
    assert cli.main(common) == 2
    assert "--skip-missing" in capsys.readouterr().err
    assert cli.main([*common, "--skip-missing"]) == 0
    printed = capsys.readouterr().out
    assert "org/gone-repo" in printed and "skipped: missing" in printed
