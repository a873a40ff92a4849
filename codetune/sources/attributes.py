"""Repository attribute values, read from a repository's marker files when the build is planned.

The attributes themselves are defined in `codetune.definitions.attributes`; this is where their rules meet a
repository snapshot, and where a file or a whole repository is found to hold no kept value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from codetune.definitions.attributes import RepositoryAttribute
from codetune.sources.snapshot import RepositorySnapshot, TreeEntry

MAX_MARKER_BYTES = 1_000_000  # a marker bigger than this is not a project file; it is not read


@dataclass(frozen=True)
class DetectedAttributes:
    """One repository's attribute values: per marked project directory, and for the whole repository."""

    projects: tuple[tuple[str, str, str], ...] = ()  # (attribute, project directory, value)
    repository: tuple[tuple[str, str], ...] = ()  # (attribute, value)

    def for_repository(self) -> dict[str, str]:
        return dict(self.repository)

    def for_path(self, path: str) -> dict[str, str]:
        """The value of the nearest marked project above `path`, else the repository's value."""
        values = dict(self.repository)
        depth: dict[str, int] = {}
        for name, directory, value in self.projects:
            inside = not directory or path.startswith(directory + "/")
            if inside and len(directory) >= depth.get(name, -1):
                values[name] = value
                depth[name] = len(directory)
        return values


def detect_attributes(
    snapshot: RepositorySnapshot,
    entries: Iterable[TreeEntry],
    attributes: tuple[RepositoryAttribute, ...],
    excluded_dirs: tuple[str, ...],
) -> DetectedAttributes:
    """Read every marker file of the repository (outside vendored directories) and apply the rules."""
    if not attributes:
        return DetectedAttributes()
    markers: dict[str, list[RepositoryAttribute]] = {}
    for entry in entries:
        base = entry.path.rsplit("/", 1)[-1]
        directories = entry.path.split("/")[:-1]
        if (
            entry.kind != "file"
            or entry.size > MAX_MARKER_BYTES
            or any(d in excluded_dirs for d in directories)
        ):
            continue
        for attribute in attributes:
            if attribute.marker == base:
                markers.setdefault(entry.path, []).append(attribute)
    projects = []
    for path, text in snapshot.read_files(sorted(markers)):
        directory = path.rsplit("/", 1)[0] if "/" in path else ""
        for attribute in markers[path]:
            projects.append((attribute.name, directory, attribute.value_of(text.decode("utf-8", "replace"))))
    projects.sort()
    repository = []
    for attribute in attributes:
        found = {directory: value for name, directory, value in projects if name == attribute.name}
        if "" in found:
            value = found[""]
        elif len(set(found.values())) == 1:
            value = next(iter(found.values()))
        else:
            value = attribute.default
        repository.append((attribute.name, value))
    return DetectedAttributes(tuple(projects), tuple(repository))


def unkept_reason(detected: DetectedAttributes, attributes: tuple[RepositoryAttribute, ...]) -> str:
    """Why a whole repository is left out (no file could be kept), or "" when some can be."""
    for attribute in attributes:
        values = {value for name, _, value in detected.projects if name == attribute.name}
        values.add(detected.for_repository()[attribute.name])
        if not any(attribute.keeps(value) for value in values):
            shown = "/".join(sorted(value or "unknown" for value in values))
            return f"{attribute.name}={shown} not kept"
    return ""


def unkept_attribute(values: Mapping[str, str], attributes: tuple[RepositoryAttribute, ...]) -> str | None:
    """The name of the first attribute whose value for a file is not kept, None when the file is kept."""
    return next((a.name for a in attributes if not a.keeps(values.get(a.name, a.default))), None)
