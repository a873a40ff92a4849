"""Resolve an ecosystem's sources to pinned commits and cut the work into tasks fixed by the data.

The plan is computed once, in the driver, before any executor starts: every source is cloned or opened,
its revision resolved to a commit, and its files grouped into tasks of about `task_bytes`. Tasks depend on
the data and settings only, never on the worker count, which is what makes the output identical across
`--num-proc` values and executors, and what lets a killed build resume task by task.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import xxhash

import codetune
from codetune.documents import UNKNOWN_LICENSE
from codetune.ecosystem import Ecosystem, Source
from codetune.errors import EmptySourceError, SourceError
from codetune.filters.files import PathGate
from codetune.hygiene.eval_sources import eval_sources_digest
from codetune.hygiene.licenses import detect_license, license_skip_reason
from codetune.sources import (
    DirectorySnapshot,
    GitRepositorySnapshot,
    RepositorySnapshot,
    TreeEntry,
    clone_into_cache,
    open_bare_repository,
    parse_source_spec,
)
from codetune.sources.attributes import DetectedAttributes, detect_attributes, unkept_reason
from codetune.subsets import SUBSET_SPECS

# Raised whenever a change makes work folders or output of earlier code unsafe to reuse under the same
# version (how tasks are cut, what the work files hold): a build interrupted before such a change then
# starts afresh instead of resuming tasks cut the old way. 2: tasks pack small repositories (TaskPart).
# 3: the last tasks halve down to task_bytes / 16, with no sliver below that. 4: work files are Arrow IPC.
WORK_FORMAT = 4


@dataclass(frozen=True)
class ResolvedSource:
    """A source pinned to what a task needs to reopen it: where its objects or files live, and the commit."""

    index: int
    source: Source
    name: str
    reader: str  # "git" (objects read at `commit`, no checkout) or "directory" (files read from disk)
    path: str  # the git directory or the directory root
    commit: str
    split: str
    skipped: str = ""  # why the whole source was skipped ("empty_repository"), "" if it is built
    license: str = UNKNOWN_LICENSE  # SPDX expression detected at plan time, stamped on every row
    attributes: DetectedAttributes = field(default_factory=DetectedAttributes)  # values per project

    def open(self) -> RepositorySnapshot:
        if self.reader == "git":
            return GitRepositorySnapshot(Path(self.path), self.commit, self.name)
        return DirectorySnapshot(Path(self.path), self.name)


@dataclass(frozen=True)
class TaskPart:
    """A contiguous, path-ordered run of one repository's files: all of it, or a slice of a large one."""

    source_index: int
    start_path: str  # entries with start_path <= path < end_path (bytewise); "" / None mean unbounded
    end_path: str | None
    size: int = 0  # bytes of the files it reads

    @property
    def starts_repository(self) -> bool:
        """The first part of its repository: the task that reads it also writes the repository's tree row."""
        return self.start_path == ""

    def covers(self, path: str) -> bool:
        key = path.encode()
        if key < self.start_path.encode():
            return False
        return self.end_path is None or key < self.end_path.encode()


@dataclass(frozen=True)
class Task:
    """One datatrove rank of the collect stage: about `task_bytes` of files, in source then path order.

    A repository larger than `task_bytes` is cut into several tasks; small ones share a task, so a task's
    fixed costs (logs, completion marker, work files) are paid per `task_bytes`, not per repository.
    """

    parts: tuple[TaskPart, ...]

    @property
    def size(self) -> int:
        """Bytes of the files it reads: executors start the largest tasks first."""
        return sum(part.size for part in self.parts)


@dataclass(frozen=True)
class BuildPlan:
    ecosystem: Ecosystem
    sources: tuple[ResolvedSource, ...]
    tasks: tuple[Task, ...]
    fingerprint: str

    def __deepcopy__(self, memo: dict) -> BuildPlan:
        # Read-only input of every step that holds it. datatrove deep-copies a stage's pipeline for each task
        # it runs in process; copying the plan too would cost O(sources) per task, O(sources x tasks) a stage.
        return self

    @property
    def built_sources(self) -> tuple[ResolvedSource, ...]:
        return tuple(source for source in self.sources if not source.skipped)


def assign_split(source: Source, name: str, test_fraction: float, seed: int) -> str:
    """A pinned split wins; otherwise a seeded hash of the repository name decides, so it never moves."""
    if source.split:
        return source.split
    if test_fraction <= 0:
        return "train"
    draw = xxhash.xxh64_intdigest(f"{seed}:{name}") / 2**64
    return "test" if draw < test_fraction else "train"


def resolve_source(index: int, source: Source, ecosystem: Ecosystem, cache_dir: Path) -> ResolvedSource:
    """Clone or open one source and pin its commit; an empty repository becomes a counted skip."""
    name = source.display_name
    split = assign_split(source, name, ecosystem.splits.test_fraction, ecosystem.splits.seed)
    spec = parse_source_spec(
        source.location if source.revision is None else f"{source.location}@{source.revision}"
    )
    base = {"index": index, "source": source, "name": name, "split": split}
    try:
        if spec.kind == "git_url":
            snapshot = clone_into_cache(spec.location, spec.revision, cache_dir)
        elif spec.kind == "bare":
            snapshot = open_bare_repository(Path(spec.location), spec.revision)
        elif spec.revision is not None:  # a work tree read at a revision: its objects, not its files
            snapshot = open_bare_repository(Path(spec.location) / ".git", spec.revision)
        else:
            snapshot = DirectorySnapshot(Path(spec.location), name)
    except EmptySourceError:
        return ResolvedSource(**base, reader="git", path=spec.location, commit="", skipped="empty_repository")
    if isinstance(snapshot, GitRepositorySnapshot):
        return ResolvedSource(**base, reader="git", path=str(snapshot.git_dir), commit=snapshot.commit)
    return ResolvedSource(
        **base, reader="directory", path=str(Path(spec.location).resolve()), commit=snapshot.commit
    )


def apply_license_policy(resolved: ResolvedSource, license: str, ecosystem: Ecosystem) -> ResolvedSource:
    """Stamp the detected license; a repository outside the allowlist is skipped unless opted in."""
    skipped = license_skip_reason(license, ecosystem.licenses.allowed, resolved.source.allow_license)
    return dataclasses.replace(resolved, license=license, skipped=skipped)


def apply_repository_attributes(
    resolved: ResolvedSource, snapshot: RepositorySnapshot, entries: list[TreeEntry], ecosystem: Ecosystem
) -> ResolvedSource:
    """Read the marker files (e.g. `project.godot`); a repository with no kept value is skipped whole."""
    attributes = ecosystem.repository_attributes
    if not attributes or resolved.skipped:
        return resolved
    detected = detect_attributes(snapshot, entries, attributes, ecosystem.filters.excluded_dirs)
    return dataclasses.replace(resolved, attributes=detected, skipped=unkept_reason(detected, attributes))


def missing_source(
    index: int, source: Source, ecosystem: Ecosystem, error: SourceError, skip_missing: bool
) -> ResolvedSource:
    """A repository or commit that cannot be had: an error, or with `skip_missing` a skip that is listed."""
    if not skip_missing:
        pinned = f" at {source.revision}" if source.revision else ""
        raise SourceError(
            f"{source.display_name}{pinned}: {error}; to build the other sources without it, pass "
            "--skip-missing (BuildOptions(skip_missing=True))"
        ) from error
    logging.getLogger(__name__).warning("skipping source %s: %s", source.display_name, error)
    name = source.display_name
    split = assign_split(source, name, ecosystem.splits.test_fraction, ecosystem.splits.seed)
    return ResolvedSource(
        index, source, name, reader="git", path=source.location, commit="", split=split, skipped="missing"
    )


class TaskPacker:
    """Cuts the sources' path-ordered files into tasks, in source order: large repositories are sliced, small
    ones packed together.

    Tasks hold about `task_bytes`, except the last ones: once what is left fits in two tasks, each task takes
    half of it, down to `task_bytes / 16`, and what is left below twice that is one task (no sliver that
    costs a task's fixed overhead for a few files). Workers that finish at different times then find small
    tasks left (the executors start the largest first), so a stage does not end with one worker running a
    full task alone. A task closes before the file that would take it past its size; a file is never split.
    A source with no file to read still gets a part, in whichever task is open: that task writes its tree
    row.
    """

    def __init__(self, task_bytes: int):
        self.task_bytes = task_bytes
        self._sources: list[tuple[int, list[tuple[str, int]]]] = []  # the gated files (path, size) of each

    def add_source(self, source_index: int, entries: list[TreeEntry], gate: PathGate) -> None:
        files = [
            (entry.path, entry.size)
            for entry in entries
            if entry.kind == "file" and gate.reason(entry.path, entry.size) is None
        ]
        self._sources.append((source_index, files))

    def target(self, remaining: int) -> int:
        """The size of the task that starts when `remaining` bytes are left to cut."""
        smallest = max(self.task_bytes // 16, 1)
        if remaining > 2 * self.task_bytes:
            return self.task_bytes
        if remaining < 2 * smallest:
            return remaining
        return max(smallest, remaining // 2)

    def finish(self) -> tuple[Task, ...]:
        tasks: list[Task] = []
        parts: list[TaskPart] = []  # of the open task
        remaining = sum(size for _, files in self._sources for _, size in files)
        task_bytes, target = 0, self.target(remaining)
        for source_index, files in self._sources:
            start, part_bytes = "", 0
            for path, size in files:
                if task_bytes and task_bytes + size > target:
                    if part_bytes:
                        parts.append(TaskPart(source_index, start, path, part_bytes))
                        start, part_bytes = path, 0
                    tasks.append(Task(tuple(parts)))
                    parts, task_bytes, target = [], 0, self.target(remaining)
                part_bytes += size
                task_bytes += size
                remaining -= size
            parts.append(TaskPart(source_index, start, None, part_bytes))
        if parts:
            tasks.append(Task(tuple(parts)))
        return tuple(tasks)


def _listing_digest(resolved: ResolvedSource, entries: list[TreeEntry]) -> str:
    """What identifies a source's content: the commit for git, names + sizes + mtimes for a plain folder
    (the mtimes the listing read, not a second stat of every file)."""
    digest = hashlib.sha256(resolved.commit.encode())
    if resolved.reader == "directory":
        for entry in entries:
            digest.update(f"{entry.path}\0{entry.kind}\0{entry.size}\0{entry.mtime_ns}\n".encode())
    return digest.hexdigest()


def make_plan(ecosystem: Ecosystem, cache_dir: Path, skip_missing: bool = False) -> BuildPlan:
    sources: list[ResolvedSource] = []
    packer = TaskPacker(ecosystem.task_bytes)
    fingerprint = hashlib.sha256()
    fingerprint.update(f"codetune {codetune.__version__} work format {WORK_FORMAT}\n".encode())
    fingerprint.update(json.dumps(dataclasses.asdict(ecosystem), sort_keys=True, default=str).encode())
    for subset in ecosystem.subsets:  # inputs outside the repositories (imported files): checked, hashed
        fingerprint.update(f"{subset}\0{SUBSET_SPECS[subset].input_digest(ecosystem)}\n".encode())
    # evaluation data of decontamination: checked (empty file, missing field) and hashed before any stage
    fingerprint.update(f"eval\0{eval_sources_digest(ecosystem.decontamination)}\n".encode())
    for index, source in enumerate(ecosystem.sources):
        try:
            resolved = resolve_source(index, source, ecosystem, cache_dir)
        except SourceError as error:
            resolved = missing_source(index, source, ecosystem, error, skip_missing)
        snapshot = None if resolved.skipped else resolved.open()
        entries = [] if snapshot is None else list(snapshot.entries())
        if snapshot is not None and not entries:
            resolved = dataclasses.replace(resolved, skipped="empty_repository")
        elif snapshot is not None:
            resolved = apply_license_policy(resolved, detect_license(snapshot, entries), ecosystem)
            resolved = apply_repository_attributes(resolved, snapshot, entries, ecosystem)
        sources.append(resolved)
        fingerprint.update(
            f"{resolved.name}\0{resolved.skipped}\0{resolved.license}\0"
            f"{_listing_digest(resolved, entries)}\n".encode()
        )
        if resolved.skipped:
            continue
        packer.add_source(index, entries, PathGate(source, ecosystem.filters))
    return BuildPlan(ecosystem, tuple(sources), packer.finish(), fingerprint.hexdigest())
