"""Lock files: the repositories of an ecosystem pinned to commits, so a build is the same a year later.

`codetune discover` writes one from a GitHub search; a builder module may also commit one written by
hand. An ecosystem takes its code sources from it with `sources_from_lock(path)`:

    {
      "codetune_lock": 1,
      "query": "language:gdscript license:mit stars:>=50",
      "api_url": "https://api.github.com",
      "generated_by": "codetune discover",
      "repositories": [
        {"repository": "org/game", "url": "https://github.com/org/game.git", "default_branch": "main",
         "commit": "<40 hex>", "license": "MIT", "stars": 120, "size_kb": 2048}
      ]
    }

`license` is the SPDX id GitHub reports (`null` when it detects none). Entries are kept sorted by
repository name, so two locks of the same repositories diff cleanly.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from codetune.ecosystem import Source
from codetune.errors import LockFileError

LOCK_FORMAT = 1
_REPOSITORY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+$")
_COMMIT = re.compile(r"^([0-9a-f]{40}|[0-9a-f]{64})$")


@dataclass(frozen=True)
class LockEntry:
    """One repository pinned to a commit, with what GitHub said about it when it was pinned."""

    repository: str  # "owner/name"
    url: str  # what git fetches: the clone URL
    default_branch: str
    commit: str  # full commit id the build reads
    license: str | None = None  # SPDX id as GitHub reports it; None when it detected none
    stars: int | None = None  # None: not recorded (a lock written by hand)
    size_kb: int | None = None  # GitHub's repository size, in KB

    def __post_init__(self) -> None:
        owner = f"lock entry {self.repository!r}"
        if not isinstance(self.repository, str) or not _REPOSITORY.match(self.repository):
            raise LockFileError(
                f"lock entry: field 'repository' must be 'owner/name', got {self.repository!r}"
            )
        for name in ("url", "default_branch"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise LockFileError(f"{owner}: field '{name}' must be a non-empty string, got {value!r}")
        if not isinstance(self.commit, str) or not _COMMIT.match(self.commit):
            raise LockFileError(
                f"{owner}: field 'commit' must be a full 40-hex commit id, got {self.commit!r}; "
                "pin a commit, not a branch or tag (run `codetune discover` again to re-pin)"
            )
        if self.license is not None and (not isinstance(self.license, str) or not self.license.strip()):
            raise LockFileError(f"{owner}: field 'license' must be an SPDX id or null, got {self.license!r}")
        for name in ("stars", "size_kb"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise LockFileError(
                    f"{owner}: field '{name}' must be a non-negative integer or null, got {value!r}"
                )


@dataclass(frozen=True)
class LockFile:
    """A lock file's repositories (sorted by name) and how they were found."""

    repositories: tuple[LockEntry, ...]
    query: str = ""  # the GitHub search that found them ("" for a lock written by hand)
    api_url: str = ""
    generated_by: str = ""
    discovered_at: str = ""  # UTC ISO time of the pin
    notes: str = ""

    def __post_init__(self) -> None:
        entries = tuple(sorted(self.repositories, key=lambda entry: entry.repository.lower()))
        seen: set[str] = set()
        for entry in entries:
            if entry.repository.lower() in seen:
                raise LockFileError(f"lock file: repository {entry.repository!r} is listed twice")
            seen.add(entry.repository.lower())
        object.__setattr__(self, "repositories", entries)

    def entry(self, repository: str) -> LockEntry:
        for entry in self.repositories:
            if entry.repository.lower() == repository.lower():
                return entry
        raise LockFileError(f"lock file has no repository {repository!r}; it has {self.names()}")

    def names(self) -> list[str]:
        return [entry.repository for entry in self.repositories]


def lock_to_json(lock: LockFile) -> str:
    data: dict[str, Any] = {"codetune_lock": LOCK_FORMAT}
    for name in ("query", "api_url", "generated_by", "discovered_at", "notes"):
        if getattr(lock, name):
            data[name] = getattr(lock, name)
    data["repositories"] = [asdict(entry) for entry in lock.repositories]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_lock_file(path: Path, lock: LockFile) -> Path:
    """Write atomically: a reader never sees half a lock file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(lock_to_json(lock))
    os.replace(partial, path)
    return path


def read_lock_file(path: Path) -> LockFile:
    """Parse and validate a lock file; every problem names the file, the entry and the field."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise LockFileError(
            f"lock file {path}: no such file; write it with `codetune discover ... --out {path}`"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise LockFileError(f"lock file {path}: cannot be read ({error})") from None
    except json.JSONDecodeError as error:
        raise LockFileError(f"lock file {path}: not valid JSON ({error})") from None
    if not isinstance(data, dict) or data.get("codetune_lock") != LOCK_FORMAT:
        raise LockFileError(
            f"lock file {path}: not a codetune lock file of format {LOCK_FORMAT} "
            '(expected a JSON object with "codetune_lock": 1)'
        )
    entries = data.get("repositories")
    if not isinstance(entries, list):
        raise LockFileError(f"lock file {path}: field 'repositories' must be a list")
    known = {name for name in LockEntry.__dataclass_fields__}
    repositories = []
    for index, entry in enumerate(entries):
        label = f"lock file {path}: repositories[{index}]"
        if not isinstance(entry, dict):
            raise LockFileError(f"{label}: expected an object, got {type(entry).__name__}")
        unknown = sorted(set(entry) - known)
        if unknown:
            raise LockFileError(f"{label}: unknown field '{unknown[0]}'; known fields: {sorted(known)}")
        missing = [name for name in ("repository", "url", "default_branch", "commit") if name not in entry]
        if missing:
            raise LockFileError(f"{label} ({entry.get('repository', '?')}): field '{missing[0]}' is required")
        try:
            repositories.append(LockEntry(**entry))
        except LockFileError as error:
            raise LockFileError(f"lock file {path}: {error}") from None
    try:
        return LockFile(
            repositories=tuple(repositories),
            **{
                name: str(data.get(name, ""))
                for name in ("query", "api_url", "generated_by", "discovered_at", "notes")
            },
        )
    except LockFileError as error:
        raise LockFileError(f"lock file {path}: {error}") from None


_OVERRIDABLE = ("role", "include", "exclude", "split", "allow_license")


def sources_from_lock(
    path: Path,
    *,
    role: str = "code",
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    test_repositories: Iterable[str] = (),
    per_repository: Mapping[str, Mapping[str, Any]] | None = None,
    locate: Callable[[LockEntry], str] | None = None,
) -> tuple[Source, ...]:
    """One `Source` per lock entry, pinned to its commit and named `owner/name`.

    `test_repositories` pins whole repositories to the test split. `per_repository` sets other `Source`
    fields for single repositories (`role`, `include`, `exclude`, `split`, `allow_license`). Naming a
    repository the lock does not hold is an error, so a typo cannot silently move a repository into
    train. `locate` maps an entry to where git reads it (a local mirror, say); the default is its URL.
    """
    lock = read_lock_file(path)
    if not lock.repositories:
        raise LockFileError(f"lock file {path}: holds no repositories; an ecosystem needs at least one")
    held = {entry.repository.lower() for entry in lock.repositories}
    test = {name.lower() for name in test_repositories}
    overrides = {name.lower(): dict(values) for name, values in (per_repository or {}).items()}
    for option, names in (("test_repositories", test), ("per_repository", set(overrides))):
        unknown = sorted(names - held)
        if unknown:
            raise LockFileError(
                f"lock file {path}: {option} names {unknown}, which the lock does not hold; "
                f"it holds {lock.names()}"
            )
    for name, values in overrides.items():
        bad = sorted(set(values) - set(_OVERRIDABLE))
        if bad:
            raise LockFileError(
                f"lock file {path}: per_repository[{name!r}] sets '{bad[0]}'; it may set {list(_OVERRIDABLE)}"
            )
    sources = []
    for entry in lock.repositories:
        fields: dict[str, Any] = {
            "role": role,
            "include": include,
            "exclude": exclude,
            "split": "test" if entry.repository.lower() in test else None,
        }
        fields.update(overrides.get(entry.repository.lower(), {}))
        location = locate(entry) if locate else entry.url
        sources.append(Source(location=location, revision=entry.commit, name=entry.repository, **fields))
    return tuple(sources)
