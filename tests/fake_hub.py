"""A small Hub-compatible HTTP server on 127.0.0.1 for upload and download tests, written for codetune.

Dataset and model repositories share the same endpoints (a trainer's `push_to_hub` uploads a model repo).

It implements only the endpoints `HfApi.create_repo`, `create_branch`, `upload_folder` (preupload, the LFS
batch API with "basic" transfers, the ndjson commit, the tree listing used by `delete_patterns`) and the
read side `load_dataset` uses (repo info, tree, paths-info, resolve). Uploads go through LFS, so clients
must run with `HF_HUB_DISABLE_XET=1`. Every request's headers and body are kept, so tests can check what
reached the server.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse


@dataclass
class FakeRepo:
    private: bool
    branches: dict[str, dict[str, bytes]] = field(default_factory=lambda: {"main": {}})
    commits: dict[str, str] = field(default_factory=dict)  # branch -> head commit sha
    snapshots: dict[str, dict[str, bytes]] = field(default_factory=dict)  # commit sha -> files

    def at(self, revision: str) -> dict[str, bytes] | None:
        """Files at a branch or a commit sha."""
        return self.branches.get(revision, self.snapshots.get(revision))


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class FakeHub:
    """Start with `with FakeHub() as hub:`; `hub.url` is the endpoint to put in HF_ENDPOINT."""

    def __init__(self) -> None:
        self.repos: dict[str, FakeRepo] = {}
        self.lfs: dict[str, bytes] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeHub:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def files(self, repo_id: str, branch: str = "main") -> dict[str, bytes]:
        return self.repos[repo_id].branches[branch]


def _commit_sha(files: dict[str, bytes], parent: str) -> str:
    digest = hashlib.sha1(parent.encode())
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + hashlib.sha1(files[path]).digest())
    return digest.hexdigest()


def _git_blob_sha(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def _handler_for(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        # --- plumbing --------------------------------------------------------------------------------
        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _record(self, body: bytes) -> None:
            with hub._lock:
                hub.requests.append(
                    Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )

        def _send(self, status: int, payload: object = None, raw: bytes | None = None, headers=None) -> None:
            data = raw if raw is not None else json.dumps(payload if payload is not None else {}).encode()
            self.send_response(status)
            self.send_header(
                "Content-Type", "application/octet-stream" if raw is not None else "application/json"
            )
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _error(self, status: int, message: str) -> None:
            self._send(status, {"error": message}, headers={"X-Error-Message": message})

        def _repo(self, repo_id: str) -> FakeRepo | None:
            repo = hub.repos.get(repo_id)
            if repo is None:
                self._send(404, {"error": "Repository not found"}, headers={"X-Error-Code": "RepoNotFound"})
            return repo

        # --- routing ---------------------------------------------------------------------------------
        def do_POST(self) -> None:
            body = self._body()
            self._record(body)
            path = urlparse(self.path).path
            if path == "/api/repos/create":
                return self._create_repo(json.loads(body))
            if path == "/api/validate-yaml":
                return self._send(200, {"errors": [], "warnings": []})
            if match := re.fullmatch(r"/api/(?:datasets|models)/([^/]+/[^/]+)/branch/(.+)", path):
                return self._create_branch(match[1], unquote(match[2]))
            if match := re.fullmatch(r"/api/(?:datasets|models)/([^/]+/[^/]+)/preupload/(.+)", path):
                return self._preupload(match[1], json.loads(body))
            if match := re.fullmatch(r"/(?:datasets/)?([^/]+/[^/]+)\.git/info/lfs/objects/batch", path):
                return self._lfs_batch(json.loads(body))
            if match := re.fullmatch(r"/api/(?:datasets|models)/([^/]+/[^/]+)/commit/(.+)", path):
                return self._commit(match[1], unquote(match[2]), body)
            if match := re.fullmatch(r"/api/(?:datasets|models)/([^/]+/[^/]+)/paths-info/(.+)", path):
                return self._paths_info(match[1], unquote(match[2]), body)
            self._error(404, f"no such endpoint: POST {path}")

        def do_PUT(self) -> None:
            body = self._body()
            self._record(body)
            path = urlparse(self.path).path
            if match := re.fullmatch(r"/lfs-upload/([0-9a-f]{64})", path):
                if hashlib.sha256(body).hexdigest() != match[1]:
                    return self._error(400, "sha256 mismatch")
                hub.lfs[match[1]] = body
                return self._send(200, {})
            self._error(404, f"no such endpoint: PUT {path}")

        def do_GET(self) -> None:
            self._record(b"")
            url = urlparse(self.path)
            path, query = url.path, parse_qs(url.query)
            if match := re.fullmatch(r"/api/(?:datasets|models)/([^/]+/[^/]+)/tree/([^/]+)(/.*)?", path):
                return self._tree(match[1], unquote(match[2]), unquote(match[3] or "/").strip("/"), query)
            if match := re.fullmatch(r"/api/(?:datasets|models)/([^/]+/[^/]+)(?:/revision/([^/]+))?", path):
                return self._info(match[1], unquote(match[2] or "main"))
            if match := re.fullmatch(r"/datasets/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path):
                return self._resolve(match[1], unquote(match[2]), unquote(match[3]))
            self._error(404, f"no such endpoint: GET {path}")

        do_HEAD = do_GET

        # --- endpoints -------------------------------------------------------------------------------
        def _create_repo(self, payload: dict) -> None:
            repo_id = f"{payload['organization']}/{payload['name']}"
            with hub._lock:
                if repo_id in hub.repos:  # the Hub answers a conflict with the existing repo's url
                    url = f"{hub.url}/datasets/{repo_id}"
                    return self._send(409, {"error": "You already created this dataset repo", "url": url})
                hub.repos[repo_id] = FakeRepo(private=payload.get("visibility") == "private")
            self._send(200, {"url": f"{hub.url}/datasets/{repo_id}", "name": repo_id})

        def _create_branch(self, repo_id: str, branch: str) -> None:
            if (repo := self._repo(repo_id)) is None:
                return
            if branch in repo.branches:
                return self._error(409, "Reference already exists")
            repo.branches[branch] = dict(repo.branches["main"])
            self._send(200, {})

        def _preupload(self, repo_id: str, payload: dict) -> None:
            if self._repo(repo_id) is None:
                return
            files = [
                {"path": f["path"], "uploadMode": "regular" if f["path"].endswith(".md") else "lfs",
                 "shouldIgnore": False, "oid": None}
                for f in payload["files"]
            ]  # fmt: skip
            self._send(200, {"files": files})

        def _lfs_batch(self, payload: dict) -> None:
            objects = []
            for obj in payload["objects"]:
                entry = {"oid": obj["oid"], "size": obj["size"]}
                if obj["oid"] not in hub.lfs:
                    entry["actions"] = {
                        "upload": {"href": f"{hub.url}/lfs-upload/{obj['oid']}", "header": {}}
                    }
                objects.append(entry)
            self._send(200, {"transfer": "basic", "objects": objects})

        def _commit(self, repo_id: str, branch: str, body: bytes) -> None:
            if (repo := self._repo(repo_id)) is None:
                return
            if branch not in repo.branches:
                return self._error(404, f"Invalid rev id: {branch}")
            files = dict(repo.branches[branch])
            for line in body.splitlines():
                item = json.loads(line)
                value = item["value"]
                if item["key"] == "file":
                    files[value["path"]] = base64.b64decode(value["content"])
                elif item["key"] == "lfsFile":
                    if value["oid"] not in hub.lfs:
                        return self._error(400, f"LFS object {value['oid']} was never uploaded")
                    files[value["path"]] = hub.lfs[value["oid"]]
                elif item["key"] in ("deletedFile", "deletedFolder"):
                    files = {
                        p: c
                        for p, c in files.items()
                        if p != value["path"] and not p.startswith(value["path"] + "/")
                    }
            sha = _commit_sha(files, repo.commits.get(branch, ""))
            repo.branches[branch], repo.commits[branch], repo.snapshots[sha] = files, sha, files
            self._send(200, {"commitUrl": f"{hub.url}/datasets/{repo_id}/commit/{sha}", "commitOid": sha})

        def _entry(self, path: str, content: bytes) -> dict:
            entry = {"type": "file", "path": path, "size": len(content), "oid": _git_blob_sha(content)}
            if not path.endswith(".md"):
                entry["lfs"] = {
                    "oid": hashlib.sha256(content).hexdigest(),
                    "size": len(content),
                    "pointerSize": 130,
                }
            return entry

        def _tree(self, repo_id: str, branch: str, folder: str, query: dict) -> None:
            if (repo := self._repo(repo_id)) is None:
                return
            files = repo.at(branch) or {}
            recursive = query.get("recursive", ["false"])[0].lower() == "true"
            prefix = f"{folder}/" if folder else ""
            entries, folders = [], set()
            for path in sorted(files):
                if not path.startswith(prefix):
                    continue
                rest = path[len(prefix) :]
                if recursive or "/" not in rest:
                    entries.append(self._entry(path, files[path]))
                for depth, _ in enumerate(rest.split("/")[:-1]):
                    sub = prefix + "/".join(rest.split("/")[: depth + 1])
                    if recursive or depth == 0:
                        folders.add(sub)
            entries += [
                {"type": "directory", "path": sub, "size": 0, "oid": "0" * 40} for sub in sorted(folders)
            ]
            if folder and not entries:
                return self._error(404, "Entry not found")
            self._send(200, sorted(entries, key=lambda e: e["path"]))

        def _paths_info(self, repo_id: str, branch: str, body: bytes) -> None:
            if (repo := self._repo(repo_id)) is None:
                return
            payload = parse_qs(body.decode()) if not body.startswith(b"{") else json.loads(body)
            paths = payload.get("paths", [])
            files = repo.at(branch) or {}
            found = []
            for path in paths:
                if path in files:
                    found.append(self._entry(path, files[path]))
                elif any(p.startswith(path.rstrip("/") + "/") for p in files):
                    found.append({"type": "directory", "path": path, "size": 0, "oid": "0" * 40})
            self._send(200, found)

        def _info(self, repo_id: str, branch: str) -> None:
            if (repo := self._repo(repo_id)) is None:
                return
            files = repo.at(branch)
            if files is None:
                return self._error(404, f"Invalid rev id: {branch}")
            self._send(
                200,
                {
                    "id": repo_id,
                    "_id": hashlib.sha1(repo_id.encode()).hexdigest()[:24],
                    "sha": repo.commits.get(branch, branch),
                    "private": repo.private,
                    "siblings": [{"rfilename": path} for path in sorted(files)],
                    "lastModified": "2024-01-01T00:00:00.000Z",
                    "cardData": {},
                    "tags": [],
                },
            )

        def _resolve(self, repo_id: str, branch: str, path: str) -> None:
            if (repo := self._repo(repo_id)) is None:
                return
            files = repo.at(branch) or {}
            if path not in files:
                return self._send(
                    404, {"error": "Entry not found"}, headers={"X-Error-Code": "EntryNotFound"}
                )
            content = files[path]
            etag = hashlib.sha256(content).hexdigest() if not path.endswith(".md") else _git_blob_sha(content)
            headers = {"X-Repo-Commit": repo.commits.get(branch, branch), "ETag": f'"{etag}"'}
            if not path.endswith(".md"):
                headers["X-Linked-Etag"] = f'"{etag}"'
                headers["X-Linked-Size"] = str(len(content))
            range_header = self.headers.get("Range")
            if range_header and (match := re.fullmatch(r"bytes=(\d+)-(\d*)", range_header)):
                start = int(match[1])
                end = int(match[2]) if match[2] else len(content) - 1
                part = content[start : end + 1]
                headers["Content-Range"] = f"bytes {start}-{start + len(part) - 1}/{len(content)}"
                return self._send(206, raw=part, headers=headers)
            self._send(200, raw=content, headers=headers)

    return Handler
