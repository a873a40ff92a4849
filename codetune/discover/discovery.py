"""GitHub discovery: search repositories, pin each default branch to a commit, write a lock file.

    codetune discover --language gdscript --license mit --min-stars 50 --out sources.lock.json

The search API returns at most 1,000 repositories per query (GitHub's cap) in pages of up to 100. Each
found repository's default branch is then pinned to its current commit. Progress is appended to
`<out>.progress` as it goes (one JSON line per page and per pin), so a killed run started again with the
same query asks GitHub only for what it does not have yet. Rate limits are waited out (`Retry-After`,
then `X-RateLimit-Reset`), server errors retried with backoff; everything else is a `DiscoveryError` that
says what to do. The token comes from `GITHUB_TOKEN`, is sent only to the API host, and is never logged
or written anywhere.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import codetune
from codetune.discover.github_api import (
    TOKEN_ENV,
    GitHubApiSettings,
    GitHubClient,
    GitHubHttpError,
    public_path,
)
from codetune.errors import DiscoveryError, LockFileError
from codetune.sources.lockfile import LockEntry, LockFile, write_lock_file

log = logging.getLogger(__name__)

GITHUB_SEARCH_CAP = 1000  # the search API never returns more results than this for one query
_QUALIFIER_VALUE = re.compile(r"^[^\s\"]+$")
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


@dataclass(frozen=True)
class SearchQuery:
    """The qualifiers of a GitHub repository search; each becomes one `key:value` of `q`."""

    language: str | None = None
    license: str | None = None  # SPDX-like key GitHub knows: mit, apache-2.0, ...
    min_stars: int | None = None
    pushed_after: str | None = None  # YYYY-MM-DD
    topics: tuple[str, ...] = ()  # every topic must be present
    orgs: tuple[str, ...] = ()  # any of these organisations (or users)
    limit: int | None = None  # stop after this many repositories

    def __post_init__(self) -> None:
        for name in ("language", "license"):
            value = getattr(self, name)
            if value is not None and not _QUALIFIER_VALUE.match(value):
                raise DiscoveryError(f"search: field '{name}' must be one word without quotes, got {value!r}")
        for name in ("topics", "orgs"):
            values = getattr(self, name)
            if isinstance(values, str):
                raise DiscoveryError(f"search: field '{name}' must be a list, got the string {values!r}")
            for value in values:
                if not isinstance(value, str) or not _QUALIFIER_VALUE.match(value):
                    raise DiscoveryError(f"search: field '{name}' holds an invalid value {value!r}")
            object.__setattr__(self, name, tuple(values))
        for name in ("min_stars", "limit"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise DiscoveryError(f"search: field '{name}' must be a non-negative integer, got {value!r}")
        if self.limit == 0:
            raise DiscoveryError("search: field 'limit' must be at least 1")
        if self.pushed_after is not None:
            try:
                dt.date.fromisoformat(self.pushed_after)
            except (TypeError, ValueError):
                raise DiscoveryError(
                    f"search: field 'pushed_after' must be a date YYYY-MM-DD, got {self.pushed_after!r}"
                ) from None
        if not self.qualifiers():
            raise DiscoveryError(
                "search: give at least one of language, license, min_stars, pushed_after, topics, orgs"
            )

    def qualifiers(self) -> str:
        """The `q` parameter, e.g. `language:gdscript license:mit stars:>=50`."""
        parts = []
        if self.language:
            parts.append(f"language:{self.language}")
        if self.license:
            parts.append(f"license:{self.license}")
        if self.min_stars is not None:
            parts.append(f"stars:>={self.min_stars}")
        if self.pushed_after:
            parts.append(f"pushed:>={self.pushed_after}")
        parts += [f"topic:{topic}" for topic in self.topics]
        parts += [f"org:{org}" for org in self.orgs]
        return " ".join(parts)


@dataclass(frozen=True)
class FoundRepository:
    """A search result, before its default branch is pinned."""

    repository: str
    url: str
    default_branch: str
    license: str | None
    stars: int
    size_kb: int


@dataclass(frozen=True)
class DiscoveryResult:
    lock: LockFile
    path: Path
    skipped: dict[str, str]  # repository -> why it was not pinned (deleted, empty since the search)
    resumed: bool
    incomplete_results: bool  # GitHub said the search timed out and the results may be partial


# --- progress ----------------------------------------------------------------------------------------


def progress_path(out: Path) -> Path:
    return Path(out).with_name(Path(out).name + ".progress")


@dataclass
class _Progress:
    """What a run knows so far, rebuilt from the progress file's lines."""

    next_url: str | None
    found: list[FoundRepository]
    pinned: dict[str, str]
    skipped: dict[str, str]
    incomplete_results: bool = False
    search_done: bool = False


class ProgressLog:
    """Append-only JSON lines: a header with the query, then one line per page and per pin.

    Appending a line is all a step costs; a run killed mid-line leaves a partial last line, which
    reading ignores, so the worst a kill can do is repeat one request.
    """

    def __init__(self, path: Path, header: dict[str, Any]):
        self.path = path
        self.header = header

    def load(self) -> _Progress | None:
        """The progress of an earlier run of the same query, or None (no file, or another query's)."""
        if not self.path.is_file():
            return None
        lines = self.path.read_text().splitlines()
        records = []
        for line in lines:
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                break  # a line cut short by a kill: everything before it stands
        if not records or records[0].get("header") != self.header:
            log.warning("%s belongs to another search; starting this one afresh", self.path)
            return None
        if len(records) < len(lines):  # drop the cut line, so what this run appends can be read back
            self.path.write_text("".join(line + "\n" for line in lines[: len(records)]))
        progress = _Progress(next_url=None, found=[], pinned={}, skipped={})
        for record in records[1:]:
            if "page" in record:
                progress.found += [FoundRepository(**item) for item in record["items"]]
                progress.next_url = record["next"]
                progress.incomplete_results |= bool(record.get("incomplete_results"))
                progress.search_done = record["next"] is None
            elif "pinned" in record:
                progress.pinned[record["pinned"]] = record["commit"]
            elif "skipped" in record:
                progress.skipped[record["skipped"]] = record["reason"]
        return progress

    def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps({"header": self.header}) + "\n")

    def append(self, record: dict[str, Any]) -> None:
        with self.path.open("a") as handle:
            handle.write(json.dumps(record, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())


# --- the search ----------------------------------------------------------------------------------------


def _found_repository(item: Any, url: str) -> FoundRepository:
    if not isinstance(item, dict):
        raise DiscoveryError(
            f"GitHub API: a search result from {public_path(url)} is not an object: {item!r:.60}"
        )
    fields = {"full_name": str, "clone_url": str, "default_branch": str, "stargazers_count": int, "size": int}
    for name, kind in fields.items():
        if not isinstance(item.get(name), kind):
            raise DiscoveryError(
                f"GitHub API: search result {item.get('full_name', '?')!r} from {public_path(url)} has "
                f"no valid '{name}' field; is {url.split('/search')[0]} a GitHub-compatible API?"
            )
    license_info = item.get("license")
    spdx = license_info.get("spdx_id") if isinstance(license_info, dict) else None
    return FoundRepository(
        repository=item["full_name"],
        url=item["clone_url"],
        default_branch=item["default_branch"],
        license=spdx if isinstance(spdx, str) and spdx else None,
        stars=item["stargazers_count"],
        size_kb=item["size"],
    )


def search_pages(
    client: GitHubClient, first_url: str
) -> Iterator[tuple[list[FoundRepository], str | None, bool]]:
    """(repositories, next page URL, incomplete) per page, following the `Link: rel="next"` header."""
    url: str | None = first_url
    while url is not None:
        try:
            data, headers = client.get_json(url)
        except GitHubHttpError as error:
            if error.status == 422:
                raise DiscoveryError(
                    f"GitHub API rejected the search ({error.message}); check the qualifiers "
                    "(language and license names as GitHub spells them, dates as YYYY-MM-DD)"
                ) from None
            raise
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            raise DiscoveryError(
                f"GitHub API: the answer to {public_path(url)} has no 'items' list; is "
                f"{client.settings.api_url} a GitHub-compatible API?"
            )
        found = [_found_repository(item, url) for item in data["items"]]
        match = _LINK_NEXT.search(headers.get("Link", "") or "")
        url = urllib.parse.urljoin(url, match.group(1)) if match and found else None
        yield found, url, bool(data.get("incomplete_results"))


def pin_commit(client: GitHubClient, repository: FoundRepository) -> str | None:
    """The commit the default branch points at now; None when the repository is gone or empty."""
    branch = urllib.parse.quote(repository.default_branch, safe="")
    owner_name = "/".join(urllib.parse.quote(part, safe="") for part in repository.repository.split("/"))
    url = client.url(f"/repos/{owner_name}/commits/{branch}")
    try:
        data, _ = client.get_json(url)
    except GitHubHttpError as error:
        if error.status in (404, 409, 422, 451):  # deleted, empty, branch gone, blocked
            return None
        raise
    sha = data.get("sha") if isinstance(data, dict) else None
    if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", sha):
        raise DiscoveryError(
            f"GitHub API: the answer to {public_path(url)} has no commit 'sha'; is "
            f"{client.settings.api_url} a GitHub-compatible API?"
        )
    return sha


def discover(
    query: SearchQuery,
    out: Path,
    settings: GitHubApiSettings | None = None,
    token: str | None = None,
) -> DiscoveryResult:
    """Search, pin every result, write the lock file at `out`; resumes from `<out>.progress`.

    Zero results is an error (nothing is written): an empty lock builds nothing, and the usual cause
    is a misspelt qualifier.
    """
    settings = settings or GitHubApiSettings()
    token = token if token is not None else os.environ.get(TOKEN_ENV)
    if not token:
        log.warning("%s is not set: searching without a token (10 searches a minute)", TOKEN_ENV)
    client = GitHubClient(settings, token)
    out = Path(out)
    q = query.qualifiers()
    header = {"query": q, "limit": query.limit, "api_url": settings.api_url, "per_page": settings.per_page}
    journal = ProgressLog(progress_path(out), header)
    progress = journal.load()
    resumed = progress is not None
    if progress is None:
        journal.start()
        progress = _Progress(next_url=None, found=[], pinned={}, skipped={})
    else:
        log.info("resuming %s: %d found, %d pinned", out, len(progress.found), len(progress.pinned))
    first = progress.next_url or client.url(
        "/search/repositories", {"q": q, "sort": "stars", "order": "desc", "per_page": settings.per_page}
    )

    limit = min(query.limit or GITHUB_SEARCH_CAP, GITHUB_SEARCH_CAP)
    if not progress.search_done and len(progress.found) < limit:
        for found, next_url, incomplete in search_pages(client, first):
            known = {repo.repository for repo in progress.found}
            found = [repo for repo in found if repo.repository not in known][: limit - len(progress.found)]
            done = next_url is None or len(progress.found) + len(found) >= limit
            journal.append(
                {
                    "page": True,
                    "items": [asdict(repo) for repo in found],
                    "next": None if done else next_url,
                    "incomplete_results": incomplete,
                }
            )
            progress.found += found
            progress.incomplete_results |= incomplete
            if done:
                break
    if not progress.found:
        journal.path.unlink(missing_ok=True)
        raise DiscoveryError(
            f"the search `{q}` found no repositories on {settings.api_url}; nothing was written. "
            "Loosen it: fewer --topic/--org, a lower --min-stars, an earlier --pushed-after, and check "
            "the language and license names (GitHub's spelling, e.g. gdscript, mit, apache-2.0)"
        )

    for repo in progress.found:
        if repo.repository in progress.pinned or repo.repository in progress.skipped:
            continue
        commit = pin_commit(client, repo)
        if commit is None:
            reason = "gone or empty since the search"
            log.warning("%s: %s; left out of the lock", repo.repository, reason)
            journal.append({"skipped": repo.repository, "reason": reason})
            progress.skipped[repo.repository] = reason
        else:
            journal.append({"pinned": repo.repository, "commit": commit})
            progress.pinned[repo.repository] = commit

    entries = [
        LockEntry(**{**asdict(repo), "commit": progress.pinned[repo.repository]})
        for repo in progress.found
        if repo.repository in progress.pinned
    ]
    if not entries:
        raise DiscoveryError(
            f"the search `{q}` found {len(progress.found)} repositories but none could be pinned "
            "(all gone or empty); nothing was written"
        )
    try:
        lock = LockFile(
            repositories=tuple(entries),
            query=q,
            api_url=settings.api_url,
            generated_by=f"codetune {codetune.__version__} discover",
            discovered_at=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
    except LockFileError as error:
        raise DiscoveryError(f"GitHub API: the results cannot make a lock file: {error}") from None
    write_lock_file(out, lock)
    journal.path.unlink(missing_ok=True)
    return DiscoveryResult(
        lock=lock,
        path=out,
        skipped=dict(progress.skipped),
        resumed=resumed,
        incomplete_results=progress.incomplete_results,
    )
