"""A small GitHub REST client: GET JSON, wait out rate limits, retry server errors, explain refusals.

Only what discovery needs. Rate limits are waited out (`Retry-After` first, then `X-RateLimit-Reset`) up
to `max_wait_s`; 5xx answers and dropped connections are retried with exponential backoff; a 401, a 403
that is not a rate limit, or an answer that is not JSON is a `DiscoveryError` saying what to do. The token
is sent only to the configured API host and never appears in a message, a log line or a repr.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Any

import codetune
from codetune.errors import DiscoveryError

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.github.com"
TOKEN_ENV = "GITHUB_TOKEN"


@dataclass(frozen=True)
class GitHubApiSettings:
    """How to talk to the API: where it is, how long to wait, how often to retry."""

    api_url: str = DEFAULT_API_URL  # a GitHub Enterprise or test server: https://host/api/v3
    per_page: int = 100  # GitHub's maximum
    max_retries: int = 5  # server errors and dropped connections, per request
    backoff_s: float = 2.0  # wait backoff_s * 2**attempt after a server error
    max_wait_s: float = 3600.0  # a rate limit lasting longer stops the run (progress kept)
    timeout_s: float = 30.0

    def __post_init__(self) -> None:
        parsed = urllib.parse.urlsplit(self.api_url)
        if parsed.scheme not in ("https", "http") or not parsed.netloc:
            raise DiscoveryError(f"GitHub API: api_url must be an http(s) URL, got {self.api_url!r}")
        if not 1 <= self.per_page <= 100:
            raise DiscoveryError(f"GitHub API: per_page must be 1..100, got {self.per_page}")
        if self.max_retries < 0 or self.backoff_s < 0 or self.max_wait_s < 0 or self.timeout_s <= 0:
            raise DiscoveryError("GitHub API: max_retries, backoff_s, max_wait_s must be >= 0, timeout_s > 0")


@dataclass(frozen=True)
class _Response:
    status: int
    headers: Message
    body: bytes


class GitHubClient:
    """GET JSON from the GitHub REST API, waiting out rate limits and retrying server errors."""

    def __init__(self, settings: GitHubApiSettings, token: str | None):
        self.settings = settings
        self._token = token or None
        self._api = urllib.parse.urlsplit(settings.api_url)

    def __repr__(self) -> str:  # never the token
        return f"GitHubClient({self.settings.api_url!r}, token={'set' if self._token else 'none'})"

    def url(self, path: str, query: dict[str, str | int] | None = None) -> str:
        base = self.settings.api_url.rstrip("/")
        return f"{base}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")

    def get_json(self, url: str) -> tuple[Any, Message]:
        response = self._get(url)
        try:
            return json.loads(response.body), response.headers
        except (json.JSONDecodeError, UnicodeDecodeError):
            preview = response.body[:80].decode("utf-8", "replace")
            raise DiscoveryError(
                f"GitHub API: the answer to {public_path(url)} is not JSON (starts with {preview!r}); "
                f"check that {self.settings.api_url} is a GitHub API URL (GitHub Enterprise: https://HOST/api/v3)"
            ) from None

    def _get(self, url: str) -> _Response:
        self._check_host(url)
        server_errors = 0
        while True:
            response = self._send(url)
            if response is not None and response.status < 400:
                self._pause_if_exhausted(response.headers)
                return response
            if response is not None and response.status in (403, 429):
                wait = _rate_limit_wait(response.headers)
                if wait is not None:
                    self._wait_for_rate_limit(url, wait)
                    continue
                raise self._refused(url, response)
            if response is not None and response.status == 401:
                raise DiscoveryError(
                    f"GitHub API refused the token in {TOKEN_ENV} (401 {_message(response)}); "
                    f"create a new token, or unset {TOKEN_ENV} to search without one (lower rate limits)"
                )
            if response is None or response.status >= 500:
                if server_errors >= self.settings.max_retries:
                    what = "no answer" if response is None else f"{response.status} {_message(response)}"
                    raise DiscoveryError(
                        f"GitHub API at {self.settings.api_url} failed {server_errors + 1} times on "
                        f"{public_path(url)} (last: {what}); the progress so far is kept, run the same "
                        "command again later"
                    )
                delay = self.settings.backoff_s * 2**server_errors
                server_errors += 1
                log.warning("GitHub API server error on %s; retrying in %.1fs", public_path(url), delay)
                time.sleep(delay)
                continue
            raise GitHubHttpError(response.status, _message(response), url)

    def _send(self, url: str) -> _Response | None:
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": f"codetune/{codetune.__version__}",
        }
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout_s) as answer:
                return _Response(answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as error:
            with error:
                return _Response(error.code, error.headers, error.read())
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            log.warning(
                "GitHub API: no answer from %s (%s)", public_path(url), getattr(error, "reason", error)
            )
            return None

    def _check_host(self, url: str) -> None:
        """The token goes only to the configured API host: a `Link` elsewhere is refused."""
        parsed = urllib.parse.urlsplit(url)
        if (parsed.scheme, parsed.netloc) != (self._api.scheme, self._api.netloc):
            raise DiscoveryError(
                f"GitHub API: a pagination link points to {parsed.scheme}://{parsed.netloc}, not to "
                f"{self.settings.api_url}; refusing to send the token there"
            )

    def _wait_for_rate_limit(self, url: str, wait: float) -> None:
        if wait > self.settings.max_wait_s:
            until = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=wait)
            raise DiscoveryError(
                f"GitHub API rate limit on {public_path(url)}: the next request is allowed in {wait:.0f}s "
                f"(at {until:%Y-%m-%d %H:%M:%S} UTC), longer than the {self.settings.max_wait_s:.0f}s "
                f"this run waits; the progress so far is kept, run the same command again then"
                + ("" if self._token else f" (a token in {TOKEN_ENV} raises the limit)")
            )
        log.warning("GitHub API rate limit: waiting %.0fs before %s", wait, public_path(url))
        time.sleep(wait)

    def _pause_if_exhausted(self, headers: Message) -> None:
        """The last request of the window succeeded: wait for the reset now, not after a 403."""
        if headers.get("X-RateLimit-Remaining") == "0" and headers.get("X-RateLimit-Reset"):
            wait = _reset_wait(headers)
            if wait is not None and 0 < wait <= self.settings.max_wait_s:
                log.warning("GitHub API rate limit used up: waiting %.0fs for the reset", wait)
                time.sleep(wait)

    def _refused(self, url: str, response: _Response) -> DiscoveryError:
        accepted = response.headers.get("X-Accepted-OAuth-Scopes")
        granted = response.headers.get("X-OAuth-Scopes")
        if self._token:
            scopes = ""
            if accepted is not None or granted is not None:
                scopes = f" (the request needs: {accepted or 'any'}; the token has: {granted or 'no scopes'})"
            return DiscoveryError(
                f"GitHub API refused {public_path(url)} with 403 {_message(response)}: the token in "
                f"{TOKEN_ENV} lacks the access this needs{scopes}; give it read access to public "
                "repositories (classic token: no scope needed; fine-grained: 'Public repositories')"
            )
        return DiscoveryError(
            f"GitHub API refused {public_path(url)} with 403 {_message(response)}; set {TOKEN_ENV} to a "
            "token with read access to public repositories"
        )


class GitHubHttpError(DiscoveryError):
    def __init__(self, status: int, message: str, url: str):
        super().__init__(f"GitHub API answered {status} {message} to {public_path(url)}")
        self.status = status
        self.message = message


def _message(response: _Response) -> str:
    """GitHub's own explanation (`message` of the JSON body), else the reason phrase."""
    try:
        message = json.loads(response.body).get("message", "")
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        message = ""
    return str(message)[:200] or _REASONS.get(response.status, "error")


_REASONS = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict", 422: "Unprocessable"}


def public_path(url: str) -> str:
    """A URL fit for a message: path and query only (no credentials can be in it, but keep it short)."""
    parsed = urllib.parse.urlsplit(url)
    return parsed.path + (f"?{parsed.query}" if parsed.query else "")


def _reset_wait(headers: Message) -> float | None:
    try:
        reset = float(headers.get("X-RateLimit-Reset", ""))
    except ValueError:
        return None
    return max(0.0, reset - time.time()) + 1.0  # a second of slack: the reset time is rounded down


def _rate_limit_wait(headers: Message) -> float | None:
    """Seconds to wait when a 403/429 is a rate limit (primary or secondary), None when it is not one."""
    retry_after = headers.get("Retry-After")
    if retry_after is not None:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            pass
    if headers.get("X-RateLimit-Remaining") == "0":
        return _reset_wait(headers) or 60.0
    return None
