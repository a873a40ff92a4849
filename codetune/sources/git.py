"""Git repositories read straight from their object store: no checkout, no hooks, no submodules."""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from codetune.errors import EmptySourceError, SourceError
from codetune.sources.gitcmd import check_revision_text, popen_git, redact_url, run_git, stderr_text
from codetune.sources.snapshot import FILE, SUBMODULE, SYMLINK, TreeEntry, link_escapes_root, path_sort_key

_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")  # SHA-1 or SHA-256 repositories
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_ALLOWED_SCHEMES = frozenset({"https", "http", "ssh", "git", "file"})
_ABSENT_BLOB_SIZE = 2**62


@dataclass(frozen=True)
class _Blob:
    kind: str
    oid: str


@dataclass(frozen=True)
class GitRepositorySnapshot:
    """A (bare or non-bare) repository's commit, read from its objects so a checkout is never needed."""

    git_dir: Path
    commit: str
    name: str
    _blobs: dict[str, _Blob] | None = field(default=None, init=False, repr=False, compare=False)
    _entries: tuple[TreeEntry, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "git_dir", Path(self.git_dir))
        if not _OBJECT_ID.fullmatch(self.commit):
            raise SourceError(
                f"source {self.name}: commit {self.commit!r} is not a full object id; "
                "resolve the revision first with resolve_revision()"
            )

    def entries(self) -> Iterator[TreeEntry]:
        """Every path of the commit's tree, sorted bytewise; symlink texts are read, never followed."""
        self._load()
        return iter(self._entries)

    def read_files(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """Stream file contents through one `git cat-file --batch` process, in the order given."""
        blobs = self._load()

        def requests() -> Iterator[tuple[str, str]]:
            for path in paths:
                blob = blobs.get(path)
                if blob is None or blob.kind != FILE:
                    kind = "not in the tree" if blob is None else f"a {blob.kind}"
                    raise SourceError(
                        f"source {self.name} at {self.commit}: {path!r} is {kind}, not a file; "
                        "pass only paths whose entry kind is 'file'"
                    )
                yield path, blob.oid

        return _cat_blobs(self.git_dir, requests(), f"{self.name} at {self.commit}")

    def _load(self) -> dict[str, _Blob]:
        if self._blobs is None:
            blobs, entries = _list_tree(self.git_dir, self.commit, self.name)
            object.__setattr__(self, "_entries", entries)
            object.__setattr__(self, "_blobs", blobs)
        assert self._blobs is not None
        return self._blobs


def _list_tree(git_dir: Path, commit: str, name: str) -> tuple[dict[str, _Blob], tuple[TreeEntry, ...]]:
    proc = run_git(["ls-tree", "-r", "-z", "--long", "--full-tree", commit], git_dir=git_dir)
    if proc.returncode != 0:
        raise SourceError(
            f"source {name}: cannot list commit {commit} ({stderr_text(proc)}); "
            "the repository may be incomplete, fetch it again"
        )
    blobs: dict[str, _Blob] = {}
    sizes: dict[str, int] = {}
    for record in proc.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, _type, oid, size = meta.decode("ascii").split()
        path = raw_path.decode("utf-8", "surrogateescape")
        if mode == "160000":
            kind = SUBMODULE
        elif mode == "120000":
            kind = SYMLINK
        elif mode.startswith("100"):
            kind = FILE
        else:
            continue
        blobs[path] = _Blob(kind, oid)
        # "BAD": the blob is absent (a partial clone, a snapshot without its large files); it can never be
        # read, so it gets a size no `max_file_bytes` allows and is dropped as too_large, unread.
        sizes[path] = 0 if size == "-" else _ABSENT_BLOB_SIZE if size == "BAD" else int(size)

    links = {path: blob.oid for path, blob in blobs.items() if blob.kind == SYMLINK}
    targets = {
        path: data.decode("utf-8", "surrogateescape")
        for path, data in _cat_blobs(git_dir, links.items(), f"{name} at {commit}")
    }
    entries = []
    for path in sorted(blobs, key=path_sort_key):
        kind = blobs[path].kind
        if kind == SYMLINK:
            target = targets[path]
            escapes = link_escapes_root(path, target, targets.get)
            entries.append(TreeEntry(path, kind, sizes[path], link_target=target, link_escapes=escapes))
        else:
            entries.append(TreeEntry(path, kind, sizes[path]))
    return blobs, tuple(entries)


def _cat_blobs(git_dir: Path, requests: Iterable[tuple[str, str]], label: str) -> Iterator[tuple[str, bytes]]:
    """(key, oid) pairs in, (key, content) out, through one cat-file process that answers as it is asked."""
    it = iter(requests)
    first = next(it, None)  # no process at all for an empty request
    if first is None:
        return
    with tempfile.TemporaryFile() as errors:
        proc = popen_git(["cat-file", "--batch"], git_dir=git_dir, stderr=errors)
        assert proc.stdin is not None and proc.stdout is not None

        def failure(what: str) -> SourceError:
            proc.kill()
            proc.wait()
            errors.seek(0)
            detail = redact_url(errors.read().decode("utf-8", "replace")).strip()
            return SourceError(f"source {label}: {what}{f' ({detail})' if detail else ''}")

        try:
            for key, oid in _chain(first, it):
                try:
                    proc.stdin.write(oid.encode("ascii") + b"\n")
                    proc.stdin.flush()
                except BrokenPipeError:
                    raise failure("git cat-file stopped early") from None
                header = proc.stdout.readline().split()
                if len(header) != 3 or header[1] != b"blob":
                    raise failure(f"object {oid} for {key!r} is missing; the repository is incomplete")
                size = int(header[2])
                data = proc.stdout.read(size)
                if len(data) != size or proc.stdout.read(1) != b"\n":
                    raise failure(f"git cat-file cut {key!r} short")
                yield key, data
        finally:
            if proc.poll() is None:
                proc.stdin.close()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            proc.stdout.close()


def _chain(first: tuple[str, str], rest: Iterator[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    yield first
    yield from rest


def resolve_revision(git_dir: Path, revision: str, source_label: str) -> str:
    """The full commit id of `revision` (branch, tag, short or full id), peeling annotated tags."""
    check_revision_text(revision, source_label)
    proc = run_git(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"], git_dir=git_dir
    )
    if proc.returncode == 0:
        return proc.stdout.decode("ascii").strip()
    if not _has_commits(git_dir, source_label):
        raise EmptySourceError(
            f"source {source_label}: the repository has no commits, so revision '{revision}' does not exist; "
            "commit something to it or drop this source"
        )
    raise SourceError(
        f"source {source_label}: revision '{revision}' not found (no branch, tag or commit of that name; "
        "check the spelling, or list the branches and tags with `git ls-remote`)"
    )


def _has_commits(git_dir: Path, source_label: str) -> bool:
    probe = run_git(["rev-parse", "--git-dir"], git_dir=git_dir)
    if probe.returncode != 0:
        raise SourceError(f"source {source_label}: not a git repository ({stderr_text(probe)})")
    refs = run_git(["for-each-ref", "--count=1", "--format=%(objectname)"], git_dir=git_dir)
    head = run_git(["rev-parse", "--verify", "--quiet", "HEAD"], git_dir=git_dir)
    return bool(refs.stdout.strip()) or head.returncode == 0


def find_git_dir(path: Path) -> Path | None:
    """The git directory of `path` if it is a work tree's root, a bare repository or a `.git` directory."""
    path = Path(path)
    if not path.is_dir():
        return None
    if os.path.lexists(path / ".git"):
        # A work tree's own files can look like a git directory (HEAD, objects/, refs/): .git decides.
        proc = run_git(["rev-parse", "--absolute-git-dir", "--show-toplevel"], work_tree=path)
        if proc.returncode != 0:
            return None
        git_dir, toplevel = proc.stdout.decode("utf-8", "surrogateescape").splitlines()[:2]
        return Path(git_dir) if Path(toplevel).resolve() == path.resolve() else None
    looks_bare = (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()
    if looks_bare and run_git(["rev-parse", "--git-dir"], git_dir=path).returncode == 0:
        return path.resolve()
    return None


def repository_name(location: str) -> str:
    """A human name: the last two parts of a URL path ("org/repo"), or a directory's basename."""
    location = redact_url(location).rstrip("/")
    if location.endswith("/.git"):
        location = location[: -len("/.git")]
    location = location.removesuffix(".git")
    if _URL_SCHEME.match(location) or re.match(r"^[^/]+:", location):
        path = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/]*", "", location)
        path = re.sub(r"^[^/]+:", "", path)
        return "/".join(path.strip("/").split("/")[-2:])
    return Path(location).name


def open_bare_repository(path: Path, revision: str | None = None) -> GitRepositorySnapshot:
    """Read a bare repository (or a `.git` directory) at `revision`, HEAD when None."""
    path = Path(path).expanduser()
    git_dir = find_git_dir(path)
    if git_dir is None:
        raise SourceError(
            f"source {path}: not a git repository; pass a bare repository, a .git directory or a git URL"
        )
    commit = resolve_revision(git_dir, revision or "HEAD", str(path))
    return GitRepositorySnapshot(git_dir, commit, repository_name(str(path)))


def cache_location(url: str, cache_dir: Path) -> Path:
    """Where clone_into_cache keeps `url`: keyed by the URL without credentials, so a new token reuses it."""
    key = hashlib.sha256(redact_url(url).encode("utf-8")).hexdigest()[:16]
    return Path(cache_dir) / "git" / key


def clone_into_cache(url: str, revision: str | None, cache_dir: Path) -> GitRepositorySnapshot:
    """Fetch `revision` (remote HEAD when None) of `url` into a bare cache repository and pin it.

    A pinned URL + revision is answered from the cache without contacting the remote, so a build
    reads the same commit every time. A lock file keeps concurrent processes from fetching into the
    same repository at once. Only objects are fetched (never a checkout, never submodules).
    """
    label = redact_url(url)
    _check_url(url, label)
    if revision is not None:
        check_revision_text(revision, label)
    repo = cache_location(url, cache_dir)
    repo.parent.mkdir(parents=True, exist_ok=True)
    pin = "refs/codetune/pins/" + hashlib.sha256(f"rev:{revision}".encode()).hexdigest()[:32]
    with _exclusive_lock(repo.with_name(repo.name + ".lock")):
        if not (repo / "HEAD").is_file():
            _init_bare(repo, label)
        commit = _commit_at(repo, pin)
        if commit is None and revision is not None and _OBJECT_ID.fullmatch(revision):
            commit = _commit_at(repo, revision)  # a full id already fetched for another revision
        if commit is None:
            commit = _fetch(repo, url, revision, label)
        if run_git(["update-ref", pin, commit], git_dir=repo).returncode != 0:
            raise SourceError(f"source {label}: cannot write to the cache at {repo}; check its permissions")
    return GitRepositorySnapshot(repo, commit, repository_name(label))


def _check_url(url: str, label: str) -> None:
    scheme = _URL_SCHEME.match(url)
    if url.startswith("-") or "::" in url.split("/", 1)[0] or any(c.isspace() for c in url):
        raise SourceError(
            f"source {label}: not a git URL; use https://, ssh://, git://, file:// or host:path"
        )
    if scheme and scheme.group(1).lower() not in _ALLOWED_SCHEMES:
        raise SourceError(
            f"source {label}: URL scheme '{scheme.group(1)}' is not allowed; "
            f"use one of {', '.join(sorted(_ALLOWED_SCHEMES))}"
        )


@contextmanager
def _exclusive_lock(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "ab") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _init_bare(repo: Path, label: str) -> None:
    # --template= skips the sample hooks; the cache never needs them.
    proc = run_git(["init", "--bare", "--quiet", "--template=", str(repo)])
    if proc.returncode != 0:
        raise SourceError(f"source {label}: cannot create the cache at {repo} ({stderr_text(proc)})")


def _commit_at(repo: Path, rev: str) -> str | None:
    args = ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"]
    proc = run_git(args, git_dir=repo)
    return proc.stdout.decode("ascii").strip() if proc.returncode == 0 else None


def _fetch(repo: Path, url: str, revision: str | None, label: str) -> str:
    """Shallow-fetch just the revision; if the server refuses (short id, old server), fetch heads and tags."""
    config = ["protocol.file.allow=always"] if url.lower().startswith("file://") else []
    base = ["fetch", "--quiet", "--no-recurse-submodules", "--no-write-fetch-head"]
    wanted = revision or "HEAD"
    shallow_ref = "refs/codetune/fetched"
    shallow = run_git(
        [*base, "--depth=1", "--no-tags", "--", url, f"+{wanted}:{shallow_ref}"],
        git_dir=repo,
        config=config,
        detach=True,
    )
    if shallow.returncode == 0 and (commit := _commit_at(repo, shallow_ref)):
        run_git(["update-ref", "-d", shallow_ref], git_dir=repo)
        return commit

    refspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]
    if revision is None:
        refspecs.append("+HEAD:refs/codetune/remote-head")
    unshallow = ["--unshallow"] if (repo / "shallow").exists() else []
    full = run_git([*base, *unshallow, "--", url, *refspecs], git_dir=repo, config=config, detach=True)
    if full.returncode != 0:
        listing = run_git(["ls-remote", "--", url], git_dir=repo, config=config, detach=True)
        if listing.returncode == 0 and not listing.stdout.strip():
            raise EmptySourceError(f"source {label}: the remote repository has no commits; drop this source")
        raise SourceError(
            f"source {label}: cannot fetch from the remote ({stderr_text(full)}); "
            "check the URL, the network and your credentials"
        )
    if revision is None:
        commit = _commit_at(repo, "refs/codetune/remote-head")
        if commit is None:
            raise EmptySourceError(f"source {label}: the remote has no commits on HEAD; drop this source")
        return commit
    try:
        return resolve_revision(repo, revision, label)
    except EmptySourceError:
        raise
    except SourceError:
        raise SourceError(
            f"source {label}: revision '{revision}' not found (not a branch, tag or commit reachable on the "
            "remote; check the spelling, or list them with `git ls-remote <url>`)"
        ) from None
