"""`codetune discover` against a GitHub-compatible server on 127.0.0.1: pages, pins, faults, resume."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from codetune import cli
from codetune.build.pipeline import BuildOptions, build
from codetune.discover.discovery import SearchQuery, discover, progress_path
from codetune.discover.github_api import GitHubApiSettings
from codetune.ecosystem import Ecosystem
from codetune.errors import DiscoveryError
from codetune.sources.lockfile import read_lock_file, sources_from_lock
from tests.github_server import Fault, GitHubStandIn, repository_item, serve
from tests.gitrepo import git, make_bare_clone, make_git_repo

TOKEN = "ghp_testtoken0123456789abcdefghijkl"
QUERY = SearchQuery(language="gdscript", license="mit", min_stars=5, topics=("godot",))
NAMES = [f"org/game-{letter}" for letter in "abcde"]


def sha(index: int) -> str:
    return f"{index:040x}"


def stand_in(count: int = 5, **options) -> GitHubStandIn:
    names = NAMES[:count]
    items = [
        repository_item(name, f"https://github.com/{name}.git", stars=100 - i) for i, name in enumerate(names)
    ]
    return GitHubStandIn(items, {name: sha(i + 1) for i, name in enumerate(names)}, **options)


def settings(server: GitHubStandIn, **overrides) -> GitHubApiSettings:
    return GitHubApiSettings(api_url=server.base_url, **{"backoff_s": 0.05, **overrides})


def search_pages(server: GitHubStandIn) -> list[str]:
    return [route for route in server.routes() if route.startswith("search:")]


def test_pages_through_link_headers_and_pins_every_default_branch(tmp_path: Path):
    out = tmp_path / "sources.lock.json"
    with serve(stand_in()) as server:
        result = discover(QUERY, out, settings(server), token=TOKEN)
    assert search_pages(server) == ["search:1", "search:2", "search:3"]  # 5 results, 2 a page
    lock = read_lock_file(out)
    assert lock.names() == NAMES  # sorted by name
    assert lock.query == "language:gdscript license:mit stars:>=5 topic:godot"
    first = lock.entry("org/game-a")
    assert (first.commit, first.license, first.stars, first.default_branch) == (sha(1), "MIT", 100, "main")
    assert first.url == "https://github.com/org/game-a.git"
    assert {auth for _, auth in server.requests} == {f"Bearer {TOKEN}"}
    assert result.skipped == {} and not result.resumed
    assert not progress_path(out).exists()


def test_the_search_asks_for_the_qualifiers_sorted_by_stars(tmp_path: Path):
    with serve(stand_in(1)) as server:
        discover(QUERY, tmp_path / "lock.json", settings(server), token=TOKEN)
    assert server.requests[0][0] == "search:1"
    lock = read_lock_file(tmp_path / "lock.json")
    assert lock.api_url == server.base_url


def test_a_403_rate_limit_is_waited_out_until_the_reset(tmp_path: Path):
    server = stand_in()
    reset = int(time.time()) + 1
    limited = Fault(
        403,
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
        b'{"message": "API rate limit exceeded"}',
    )
    server.faults["search:2"] = [limited]
    with serve(server):
        started = time.monotonic()
        discover(QUERY, tmp_path / "lock.json", settings(server), token=TOKEN)
        waited = time.monotonic() - started
    assert search_pages(server) == ["search:1", "search:2", "search:2", "search:3"]
    assert waited >= 0.9  # the reset was 0-1 s ahead, plus a second of slack
    assert len(read_lock_file(tmp_path / "lock.json").repositories) == 5


def test_a_secondary_rate_limit_with_retry_after_is_waited_out(tmp_path: Path):
    server = stand_in(2)
    server.faults["commit:org/game-b"] = [
        Fault(429, {"Retry-After": "1"}, b'{"message": "secondary rate limit"}')
    ]
    with serve(server):
        started = time.monotonic()
        discover(QUERY, tmp_path / "lock.json", settings(server), token=TOKEN)
        waited = time.monotonic() - started
    assert server.routes().count("commit:org/game-b") == 2
    assert waited >= 1.0


def test_a_rate_limit_longer_than_max_wait_stops_and_the_next_run_resumes(tmp_path: Path):
    out = tmp_path / "lock.json"
    server = stand_in()
    far = str(int(time.time()) + 3600)
    server.faults["search:3"] = [Fault(403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": far}, b"{}")]
    with serve(server):
        with pytest.raises(DiscoveryError, match=r"rate limit .* run the same command again"):
            discover(QUERY, out, settings(server, max_wait_s=5), token=TOKEN)
        assert progress_path(out).exists() and not out.exists()
        first_run = len(server.requests)
        result = discover(QUERY, out, settings(server, max_wait_s=5), token=TOKEN)
    assert result.resumed
    again = [route for route in server.routes()[first_run:] if route.startswith("search:")]
    assert again == ["search:3"]  # pages 1 and 2 were not asked for again
    assert read_lock_file(out).names() == NAMES


def test_server_errors_are_retried_with_backoff(tmp_path: Path):
    server = stand_in(2)
    server.faults["search:1"] = [Fault(502, body=b"<html>Bad Gateway</html>"), Fault(503)]
    with serve(server):
        discover(QUERY, tmp_path / "lock.json", settings(server), token=TOKEN)
    assert search_pages(server) == ["search:1", "search:1", "search:1"]


def test_persistent_server_errors_stop_with_a_clear_error_and_keep_the_progress(tmp_path: Path):
    out = tmp_path / "lock.json"
    server = stand_in()
    server.faults["commit:org/game-d"] = [Fault(500) for _ in range(3)]
    with serve(server):
        with pytest.raises(
            DiscoveryError, match=r"failed 3 times .*commits/main .*run the same command again"
        ):
            discover(QUERY, out, settings(server, max_retries=2), token=TOKEN)
        before = len(server.requests)
        discover(QUERY, out, settings(server, max_retries=2), token=TOKEN)
    again = server.routes()[before:]
    assert again == ["commit:org/game-d", "commit:org/game-e"]  # no search page, no finished pin
    assert read_lock_file(out).entry("org/game-d").commit == sha(4)


def test_an_answer_that_is_not_json_is_a_clear_error(tmp_path: Path):
    server = stand_in()
    server.faults["search:1"] = [Fault(200, body=b"<html><body>Sign in</body></html>")]
    with serve(server), pytest.raises(DiscoveryError, match=r"is not JSON .*GitHub API URL"):
        discover(QUERY, tmp_path / "lock.json", settings(server), token=TOKEN)


def test_a_result_without_the_expected_fields_is_a_clear_error(tmp_path: Path):
    server = stand_in(1)
    del server.repositories[0]["clone_url"]
    with serve(server), pytest.raises(DiscoveryError, match=r"'org/game-a' .* no valid 'clone_url'"):
        discover(QUERY, tmp_path / "lock.json", settings(server), token=TOKEN)


def test_zero_results_is_an_error_and_writes_nothing(tmp_path: Path):
    out = tmp_path / "lock.json"
    with serve(stand_in(0)) as server, pytest.raises(DiscoveryError, match=r"found no repositories.*Loosen"):
        discover(QUERY, out, settings(server), token=TOKEN)
    assert not out.exists() and not progress_path(out).exists()


def test_a_token_without_the_scope_is_a_clear_error_that_never_shows_the_token(tmp_path, caplog):
    server = stand_in()
    refused = Fault(
        403,
        {"X-Accepted-OAuth-Scopes": "repo", "X-OAuth-Scopes": ""},
        b'{"message": "Resource not accessible by personal access token"}',
    )
    server.faults["search:1"] = [refused]
    caplog.set_level(logging.DEBUG)
    with serve(server), pytest.raises(DiscoveryError) as raised:
        discover(QUERY, tmp_path / "lock.json", settings(server), token=TOKEN)
    message = str(raised.value)
    assert "GITHUB_TOKEN lacks the access" in message and "needs: repo" in message and "no scopes" in message
    assert "Resource not accessible" in message
    assert TOKEN not in message and TOKEN not in caplog.text


def test_rejected_credentials_are_a_clear_error(tmp_path: Path):
    server = stand_in()
    server.faults["search:1"] = [Fault(401, body=b'{"message": "Bad credentials"}')]
    with (
        serve(server),
        pytest.raises(DiscoveryError, match=r"refused the token in GITHUB_TOKEN \(401 Bad credentials\)"),
    ):
        discover(QUERY, tmp_path / "lock.json", settings(server), token=TOKEN)


def test_the_token_is_never_sent_to_another_host(tmp_path: Path):
    server = stand_in()
    body = json.dumps(
        {"total_count": 5, "incomplete_results": False, "items": server.repositories[:2]}
    ).encode()
    elsewhere = '<http://198.51.100.7/search/repositories?page=2>; rel="next"'
    server.faults["search:1"] = [Fault(200, {"Link": elsewhere}, body)]
    with serve(server), pytest.raises(DiscoveryError, match="refusing to send the token"):
        discover(QUERY, tmp_path / "lock.json", settings(server), token=TOKEN)


def test_a_repository_gone_before_its_pin_is_left_out_and_reported(tmp_path: Path):
    server = stand_in(3)
    del server.commits["org/game-b"]
    with serve(server):
        result = discover(QUERY, tmp_path / "lock.json", settings(server), token=TOKEN)
    assert read_lock_file(tmp_path / "lock.json").names() == ["org/game-a", "org/game-c"]
    assert "org/game-b" in result.skipped


def test_the_limit_stops_the_search(tmp_path: Path):
    with serve(stand_in()) as server:
        discover(
            SearchQuery(language="gdscript", limit=3), tmp_path / "lock.json", settings(server), token=TOKEN
        )
    assert search_pages(server) == ["search:1", "search:2"]
    assert read_lock_file(tmp_path / "lock.json").names() == NAMES[:3]


def test_a_killed_run_resumes_where_it_stopped(tmp_path: Path):
    """Kill the CLI while it waits on the 4th pin; the rerun asks for no page and no finished pin again."""
    out = tmp_path / "sources.lock.json"
    server = stand_in()
    server.faults["commit:org/game-d"] = [Fault(hold=True)]
    args = [
        "--language",
        "gdscript",
        "--license",
        "mit",
        "--min-stars",
        "5",
        "--topic",
        "godot",
        "--out",
        str(out),
    ]
    with serve(server):
        env = {**os.environ, "GITHUB_TOKEN": TOKEN}
        command = [sys.executable, "-m", "codetune.cli", "discover", *args, "--api-url", server.base_url]
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert server.reached.wait(60), "the client never reached the held request"
        finally:
            proc.kill()
            proc.wait()
        server.release.set()
        assert not out.exists() and progress_path(out).exists()
        before = len(server.requests)
        result = discover(QUERY, out, settings(server), token=TOKEN)
    assert result.resumed
    assert server.routes()[before:] == ["commit:org/game-d", "commit:org/game-e"]
    lock = read_lock_file(out)
    assert [(entry.repository, entry.commit) for entry in lock.repositories] == [
        (name, sha(index + 1)) for index, name in enumerate(NAMES)
    ]
    assert TOKEN not in out.read_text()


def test_progress_of_another_query_is_not_reused(tmp_path: Path):
    out = tmp_path / "lock.json"
    server = stand_in()
    server.faults["commit:org/game-a"] = [Fault(500) for _ in range(2)]
    with serve(server):
        with pytest.raises(DiscoveryError):
            discover(QUERY, out, settings(server, max_retries=1), token=TOKEN)
        result = discover(SearchQuery(language="rust"), out, settings(server), token=TOKEN)
    assert not result.resumed
    assert read_lock_file(out).query == "language:rust"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pushed_after": "last week"}, "'pushed_after' must be a date"),
        ({}, "give at least one of"),
        ({"language": "game maker"}, "'language' must be one word"),
        ({"min_stars": -1}, "'min_stars' must be a non-negative integer"),
        ({"topics": "godot"}, "'topics' must be a list"),
    ],
)
def test_a_malformed_search_names_the_field(fields, message):
    with pytest.raises(DiscoveryError, match=message):
        SearchQuery(**fields)


def test_the_cli_writes_the_lock_and_reports_zero_results_as_an_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    with serve(stand_in(2)) as server:
        code = cli.main(
            [
                "discover",
                "--language",
                "gdscript",
                "--out",
                str(tmp_path / "a.json"),
                "--api-url",
                server.base_url,
            ]
        )
    assert code == 0
    assert "pinned 2 repositories" in capsys.readouterr().out
    with serve(stand_in(0)) as server:
        code = cli.main(
            [
                "discover",
                "--language",
                "cobol",
                "--out",
                str(tmp_path / "b.json"),
                "--api-url",
                server.base_url,
            ]
        )
    assert code == 2
    assert "found no repositories" in capsys.readouterr().err


def test_a_build_from_a_discovered_lock_reads_the_pinned_commits(tmp_path: Path):
    """Discover → lock → build: rows carry the pinned commit even after the repository moved on."""
    repos = {}
    for name, files in {
        "org/game-a": {
            "main.gd": "extends Node\n\nfunc _ready() -> void:\n\tprint(1)\n",
            "LICENSE": "MIT License\n",
        },
        "org/game-b": {
            "player.gd": "extends Node2D\n\nfunc jump() -> void:\n\tpass\n",
            "LICENSE": "MIT License\n",
        },
    }.items():
        work = tmp_path / "work" / name
        make_git_repo(work, files)
        repos[name] = make_bare_clone(work, tmp_path / "bare" / f"{name}.git")
    items = [repository_item(name, bare.as_uri(), stars=10) for name, bare in repos.items()]
    commits = {name: git("rev-parse", "HEAD", cwd=bare) for name, bare in repos.items()}
    with serve(GitHubStandIn(items, commits)) as server:
        discover(QUERY, tmp_path / "lock.json", settings(server), token=TOKEN)
    later = tmp_path / "work" / "org/game-a"
    make_git_repo(later, {"later.gd": "extends Node\n"})
    git("push", "--quiet", str(repos["org/game-a"]), "main", cwd=later)

    ecosystem = Ecosystem(
        name="discovered", sources=sources_from_lock(tmp_path / "lock.json"), subsets=("clm",)
    )
    result = build(
        ecosystem, BuildOptions(out_dir=tmp_path / "out", cache_dir=tmp_path / "cache", progress=False)
    )
    rows = pq.read_table(next((tmp_path / "out" / "clm").glob("train-*.parquet"))).to_pylist()
    assert {(row["repo"], row["commit"]) for row in rows} == set(commits.items())
    assert "later.gd" not in {row["path"] for row in rows}
    assert {source.name for source in result.summary.sources} == set(commits)


def test_a_progress_line_cut_by_a_kill_is_dropped_and_later_progress_still_counts(tmp_path: Path):
    out = tmp_path / "lock.json"
    server = stand_in()
    server.faults["commit:org/game-b"] = [Fault(500) for _ in range(2)]
    server.faults["commit:org/game-d"] = [Fault(500) for _ in range(2)]
    with serve(server):
        with pytest.raises(DiscoveryError):
            discover(QUERY, out, settings(server, max_retries=1), token=TOKEN)  # stops at game-b
        with progress_path(out).open("a") as handle:
            handle.write(
                '{"commit": "00000',
            )  # what a kill in the middle of a write leaves
        with pytest.raises(DiscoveryError):
            discover(QUERY, out, settings(server, max_retries=1), token=TOKEN)  # pins b and c, stops at d
        before = len(server.requests)
        discover(QUERY, out, settings(server, max_retries=1), token=TOKEN)
    assert server.routes()[before:] == ["commit:org/game-d", "commit:org/game-e"]
    assert read_lock_file(out).names() == NAMES
