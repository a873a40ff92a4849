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

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass

from codetune.errors import EcosystemConfigError

# Every column some subset writes (tests/test_layout.py checks this against `codetune.subsets.SUBSET_SPECS`):
# an attribute becomes a column, so it must not take one of these names. Kept here as data so the definition
# layer needs no subset module to check an ecosystem.
SUBSET_COLUMN_NAMES = frozenset(
    {
        "chosen", "code", "commit", "completion", "directory_count", "docstring", "end_line", "file_count",
        "format", "has_error", "id", "input", "instruction", "kind", "language", "license", "messages",
        "middle", "name", "negative_kind", "ordering", "output", "parent", "path", "prefix", "prompt",
        "readme", "rejected", "repo", "role", "rule", "size", "source", "span", "start_line", "suffix",
        "text", "tree",
    }
)  # fmt: skip
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
    taken = SUBSET_COLUMN_NAMES
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
