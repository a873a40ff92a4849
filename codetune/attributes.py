"""Repository attributes: a fact read from a project's marker file that every row records as a column.

The first one is Godot's engine version, read from `project.godot`: Godot 4 writes
`config/features=PackedStringArray("4.2", ...)` and `config_version=5`, Godot 3 writes `config_version=4`.
An ecosystem declares the attribute once:

    RepositoryAttribute(
        name="godot_version",
        marker="project.godot",
        rules=(AttributeRule(r'config/features=PackedStringArray\\([^)]*"(4\\.\\d+)"', r"\\1"),
               AttributeRule(r"^config_version=5\\b", "4"), AttributeRule(r"^config_version=4\\b", "3")),
        keep=("4", "4.*"),
    )

Every marker file of a repository is read when the build is planned (the first matching rule gives its
value). A file takes the value of the nearest marker above it, so a repository holding a Godot 3 and a
Godot 4 project keeps them apart; a file outside every marked project takes the repository's value (the
root marker's, or the one value all markers share, else `default`). With `keep`, files whose value
matches none of its globs are dropped and counted (`dropped_<name>_not_kept`), and a repository with no
kept value at all is skipped whole. Each subset gains one string column per attribute.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from codetune.errors import EcosystemConfigError

if TYPE_CHECKING:
    from datatrove.data import Document

    from codetune.ecosystem import Ecosystem
    from codetune.sources.snapshot import RepositorySnapshot, TreeEntry
    from codetune.subsets.base import SubsetSpec

MAX_MARKER_BYTES = 1_000_000  # a marker bigger than this is not a project file; it is not read
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class AttributeRule:
    """`pattern` is searched in the marker file (multi-line mode); on a match the value is `value`, in
    which `\\1` ... stand for the pattern's groups."""

    pattern: str
    value: str

    def __post_init__(self) -> None:
        owner = f"attribute rule {self.pattern!r}"
        if not isinstance(self.pattern, str) or not self.pattern:
            raise EcosystemConfigError(f"{owner}: field 'pattern' must be a non-empty regular expression")
        try:
            compiled = re.compile(self.pattern, re.MULTILINE)
        except re.error as error:
            raise EcosystemConfigError(f"{owner}: field 'pattern' is not a valid regex: {error}") from None
        if not isinstance(self.value, str):
            raise EcosystemConfigError(f"{owner}: field 'value' must be a string, got {self.value!r}")
        groups = [int(group) for group in re.findall(r"\\(\d+)", self.value)]
        if any(group > compiled.groups for group in groups):
            raise EcosystemConfigError(
                f"{owner}: field 'value' {self.value!r} refers to a group the pattern does not have"
            )

    def apply(self, text: str) -> str | None:
        match = re.search(self.pattern, text, re.MULTILINE)
        return None if match is None else match.expand(self.value)


@dataclass(frozen=True)
class RepositoryAttribute:
    """A named fact about each project of a repository, detected from its marker file."""

    name: str  # the column name, e.g. "godot_version"
    marker: str  # file name that marks a project's root, e.g. "project.godot"
    rules: tuple[AttributeRule, ...]  # the first rule that matches gives the value
    default: str = ""  # no marker above a file, or no rule matched
    keep: tuple[str, ...] = ()  # globs on the value; files with other values are dropped; () keeps all
    description: str = ""

    def __post_init__(self) -> None:
        owner = f"repository attribute {self.name!r}"
        if not isinstance(self.name, str) or not _IDENTIFIER.match(self.name):
            raise EcosystemConfigError(
                f"{owner}: field 'name' must be a lower-case identifier (a column name), got {self.name!r}"
            )
        if not isinstance(self.marker, str) or not self.marker or "/" in self.marker:
            raise EcosystemConfigError(f"{owner}: field 'marker' must be a file name without '/'")
        if isinstance(self.rules, AttributeRule) or not self.rules:
            raise EcosystemConfigError(f"{owner}: field 'rules' must be a non-empty list of AttributeRule")
        rules = tuple(AttributeRule(**rule) if isinstance(rule, Mapping) else rule for rule in self.rules)
        for index, rule in enumerate(rules):
            if not isinstance(rule, AttributeRule):
                raise EcosystemConfigError(f"{owner}: field 'rules[{index}]' must be an AttributeRule")
        object.__setattr__(self, "rules", rules)
        if isinstance(self.keep, str):
            raise EcosystemConfigError(f"{owner}: field 'keep' must be a list of globs, got {self.keep!r}")
        object.__setattr__(self, "keep", tuple(self.keep))
        if not isinstance(self.default, str):
            raise EcosystemConfigError(f"{owner}: field 'default' must be a string")

    def value_of(self, marker_text: str) -> str:
        return next(
            (value for rule in self.rules if (value := rule.apply(marker_text)) is not None), self.default
        )

    def keeps(self, value: str) -> bool:
        return not self.keep or any(fnmatch.fnmatchcase(value, pattern) for pattern in self.keep)


def check_attribute_names(attributes: tuple[RepositoryAttribute, ...], owner: str) -> None:
    """Attribute names become columns: they must not repeat or shadow a subset's own columns."""
    if not attributes:
        return
    from codetune.subsets import SUBSET_SPECS

    taken = {column for spec in SUBSET_SPECS.values() for column in spec.columns}
    seen: set[str] = set()
    for index, attribute in enumerate(attributes):
        if not isinstance(attribute, RepositoryAttribute):
            raise EcosystemConfigError(
                f"{owner}: field 'repository_attributes[{index}]' must be a RepositoryAttribute"
            )
        if attribute.name in taken or attribute.name in seen:
            raise EcosystemConfigError(
                f"{owner}: field 'repository_attributes[{index}].name' {attribute.name!r} is already "
                "a column name; choose another"
            )
        seen.add(attribute.name)


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


class _RowsWithAttributes:
    """A subset's rows plus one column per attribute (a class, so every executor can pickle it)."""

    def __init__(self, rows: Any, names: tuple[str, ...]):
        self.rows = rows
        self.names = names

    def __call__(self, document: Document, context: Any) -> Iterator[dict]:
        values = dict(document.metadata.get("attributes") or ())
        for row in self.rows(document, context):
            yield {**row, **{name: values.get(name, "") for name in self.names}}


class _ExtraRowsWithAttributes:
    """Rows that come from no repository (imported files) have no attribute values: empty strings."""

    def __init__(self, extra_rows: Any, names: tuple[str, ...]):
        self.extra_rows = extra_rows
        self.names = names

    def __call__(self, context: Any) -> Iterator[tuple[str, dict]]:
        for split, row in self.extra_rows(context):
            yield split, {**row, **dict.fromkeys(self.names, "")}


def with_attribute_columns(spec: SubsetSpec, attributes: tuple[RepositoryAttribute, ...]) -> SubsetSpec:
    """The subset's spec with a string column per attribute, after its own columns."""
    if not attributes:
        return spec
    names = tuple(attribute.name for attribute in attributes)
    return dataclasses.replace(
        spec,
        columns={**spec.columns, **dict.fromkeys(names, "string")},
        rows=_RowsWithAttributes(spec.rows, names),
        extra_rows=_ExtraRowsWithAttributes(spec.extra_rows, names),
    )


def ecosystem_subset(ecosystem: Ecosystem, name: str) -> SubsetSpec:
    """The spec of subset `name` as this ecosystem writes it: its columns plus the attribute columns."""
    from codetune.subsets import SUBSET_SPECS

    return with_attribute_columns(SUBSET_SPECS[name], ecosystem.repository_attributes)
