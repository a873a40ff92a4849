"""A GitHub-compatible REST server on 127.0.0.1 for discovery tests: search with Link pagination, commits.

It answers the two endpoints discovery uses the way api.github.com does (JSON shapes, `Link` headers,
rate-limit headers, error bodies), serves a fixed page size whatever `per_page` asks, and can be told to
answer a route with a scripted fault first: a status with headers and body, bytes that are not JSON, or a
hold until the test releases it (to kill a client mid-run).
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Fault:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    hold: bool = False  # keep the request open until `GitHubStandIn.release` is set


@dataclass
class GitHubStandIn:
    repositories: list[dict]  # search items, in the order search returns them
    commits: dict[str, str]  # full_name -> sha of the default branch (absent: 404)
    page_size: int = 2
    faults: dict[str, list[Fault]] = field(default_factory=dict)  # route -> faults, used in order
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (route, Authorization)
    reached: threading.Event = field(default_factory=threading.Event)  # a held request arrived
    release: threading.Event = field(default_factory=threading.Event)
    base_url: str = ""

    def routes(self) -> list[str]:
        return [route for route, _ in self.requests]


def repository_item(
    full_name: str, clone_url: str, stars: int, spdx: str | None = "MIT", branch: str = "main"
):
    """A search result as GitHub returns it (the fields discovery reads, and a few it ignores)."""
    return {
        "id": abs(hash(full_name)) % 10**8,
        "full_name": full_name,
        "name": full_name.split("/")[1],
        "owner": {"login": full_name.split("/")[0]},
        "private": False,
        "html_url": f"https://github.com/{full_name}",
        "clone_url": clone_url,
        "default_branch": branch,
        "stargazers_count": stars,
        "size": 12,
        "license": None if spdx is None else {"key": spdx.lower(), "spdx_id": spdx, "name": spdx},
        "archived": False,
        "fork": False,
    }


def _handler(state: GitHubStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # keep the test output clean
            pass

        def do_GET(self) -> None:
            parsed = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(parsed.query)
            if parsed.path == "/search/repositories":
                route = f"search:{int(query.get('page', ['1'])[0])}"
            elif parsed.path.startswith("/repos/") and "/commits/" in parsed.path:
                owner, name = parsed.path.split("/")[2:4]
                route = f"commit:{owner}/{name}"
            else:
                route = f"other:{parsed.path}"
            state.requests.append((route, self.headers.get("Authorization")))
            faults = state.faults.get(route)
            if faults:
                fault = faults.pop(0)
                if fault.hold:
                    state.reached.set()
                    state.release.wait(30)
                    return
                self._send(fault.status, fault.body, fault.headers)
                return
            if route.startswith("search:"):
                self._search(int(route.split(":")[1]), query)
            elif route.startswith("commit:"):
                self._commit(route.split(":", 1)[1])
            else:
                self._send(404, json.dumps({"message": "Not Found"}).encode())

        def _search(self, page: int, query: dict[str, list[str]]) -> None:
            start = (page - 1) * state.page_size
            items = state.repositories[start : start + state.page_size]
            headers = {"X-RateLimit-Remaining": "29", "X-RateLimit-Limit": "30"}
            if start + state.page_size < len(state.repositories):
                params = {key: values[0] for key, values in query.items()} | {"page": str(page + 1)}
                next_url = f"{state.base_url}/search/repositories?{urllib.parse.urlencode(params)}"
                headers["Link"] = f'<{next_url}>; rel="next", <{state.base_url}/x?page=1>; rel="first"'
            body = {"total_count": len(state.repositories), "incomplete_results": False, "items": items}
            self._send(200, json.dumps(body).encode(), headers)

        def _commit(self, full_name: str) -> None:
            sha = state.commits.get(full_name)
            if sha is None:
                self._send(404, json.dumps({"message": "Not Found"}).encode())
            else:
                self._send(200, json.dumps({"sha": sha, "commit": {"message": "x"}}).encode())

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def serve(state: GitHubStandIn) -> Iterator[GitHubStandIn]:
    """Run the stand-in on a free port of 127.0.0.1 for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join()
