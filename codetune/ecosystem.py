"""What an ecosystem is: its sources and the settings of every stage, as typed, validated dataclasses.

An ecosystem is declared in a builder module under `dataset_scripts/` (or built ad hoc from CLI sources).
Validation happens when the dataclass is created, so a malformed definition fails at import with an
error naming the field, not halfway through a build.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from codetune.definitions.attributes import AttributeRule as AttributeRule  # re-exported for definitions
from codetune.definitions.attributes import RepositoryAttribute, check_attribute_names
from codetune.definitions.config_mappings import known_fields
from codetune.definitions.hygiene_settings import DecontaminationSettings, DedupSettings
from codetune.definitions.hygiene_settings import (
    EvalSource as EvalSource,
)  # re-exported for ecosystem definitions
from codetune.definitions.languages import LANGUAGES
from codetune.definitions.licenses import normalize_license_id
from codetune.definitions.subset_settings import DpoSettings, FimSettings, InstructSettings
from codetune.errors import EcosystemConfigError

SUBSETS = ("clm", "ast", "trees", "fim", "instruct", "dpo")
SPLITS = ("train", "test")
ROLES = ("code", "docs")

# Directories that hold vendored, generated or build output (BigCode / GitHub linguist conventions).
DEFAULT_EXCLUDED_DIRS = (
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "bower_components",
    "jspm_packages",
    "vendor",
    "vendors",
    "third_party",
    "third-party",
    "thirdparty",
    "external",
    "target",
    "dist",
    "build",
    "out",
    ".next",
    ".nuxt",
    ".svelte-kit",
    ".venv",
    "venv",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".tox",
    ".gradle",
    ".idea",
    ".vscode",
    ".godot",
    ".import",
    "coverage",
    "site-packages",
    "Pods",
)

# Files that are generated, minified or lock files: never useful as training code.
DEFAULT_EXCLUDED_FILES = (
    "*.min.js",
    "*.min.css",
    "*.min.mjs",
    "*.bundle.js",
    "*.map",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lockb",
    "Cargo.lock",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "composer.lock",
    "Gemfile.lock",
    "go.sum",
    "*.pb.go",
    "*_pb2.py",
    "*.generated.*",
)

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _fail(owner: str, field_name: str, problem: str) -> EcosystemConfigError:
    return EcosystemConfigError(f"{owner}: field '{field_name}' {problem}")


def _check_globs(owner: str, field_name: str, globs: Sequence[str]) -> None:
    if isinstance(globs, str):
        raise _fail(owner, field_name, f"must be a list of glob patterns, got the string {globs!r}")
    for pattern in globs:
        if not isinstance(pattern, str) or not pattern:
            raise _fail(owner, field_name, f"must hold non-empty glob strings, got {pattern!r}")
        try:
            fnmatch.translate(pattern)
        except re.error as error:  # pragma: no cover - fnmatch.translate escapes almost everything
            raise _fail(owner, field_name, f"has an invalid glob {pattern!r}: {error}") from error


@dataclass(frozen=True)
class Source:
    """A repository or docs folder: a local directory, a bare git repository, or a git URL at a revision."""

    location: str
    revision: str | None = None
    name: str | None = None  # defaults to org/repo for URLs, the folder name for paths
    role: str = "code"  # "code" or "docs"
    include: tuple[str, ...] = ()  # globs on repo-relative paths; empty = every file
    exclude: tuple[str, ...] = ()
    split: str | None = None  # "test" pins the whole repository to the test split
    allow_license: bool = False  # keep this repository even if its license is unknown or not allowed

    def __post_init__(self) -> None:
        owner = f"source {self.location!r}"
        if not isinstance(self.location, str) or not self.location.strip():
            raise EcosystemConfigError("source: field 'location' must be a non-empty path or git URL")
        if self.revision is not None and (not isinstance(self.revision, str) or not self.revision.strip()):
            raise _fail(owner, "revision", f"must be a non-empty string or None, got {self.revision!r}")
        if self.role not in ROLES:
            raise _fail(owner, "role", f"must be one of {ROLES}, got {self.role!r}")
        if self.split is not None and self.split not in SPLITS:
            raise _fail(owner, "split", f"must be one of {SPLITS} or None, got {self.split!r}")
        if self.name is not None and (not isinstance(self.name, str) or not self.name.strip()):
            raise _fail(owner, "name", f"must be a non-empty string, got {self.name!r}")
        object.__setattr__(self, "include", tuple(self._globs("include", self.include)))
        object.__setattr__(self, "exclude", tuple(self._globs("exclude", self.exclude)))
        if not isinstance(self.allow_license, bool):
            raise _fail(owner, "allow_license", f"must be true or false, got {self.allow_license!r}")

    def _globs(self, field_name: str, globs: Sequence[str]) -> Sequence[str]:
        _check_globs(f"source {self.location!r}", field_name, globs)
        return globs

    @property
    def display_name(self) -> str:
        """The repository name used in ids and the card: explicit name, else derived from the location."""
        if self.name:
            return self.name
        location = self.location.rstrip("/")
        if location.endswith(".git"):
            location = location[: -len(".git")]
        parts = re.split(r"[/:]", location)
        parts = [part for part in parts if part]
        if "://" in self.location or self.location.startswith("git@"):
            return "/".join(parts[-2:]) if len(parts) >= 2 else parts[-1]
        return parts[-1] if parts else location

    def selects(self, path: str) -> bool:
        """Whether a repo-relative path passes this source's include/exclude globs."""
        if self.include and not any(fnmatch.fnmatchcase(path, pattern) for pattern in self.include):
            return False
        return not any(fnmatch.fnmatchcase(path, pattern) for pattern in self.exclude)


@dataclass(frozen=True)
class FileFilterSettings:
    """File-level filters; the quality thresholds are StarCoder's (The Stack v1 / BigCode)."""

    max_file_bytes: int = 1_000_000
    max_line_length: int = 1000
    max_mean_line_length: float = 100.0
    min_alphanum_fraction: float = 0.25
    languages: tuple[str, ...] = ()  # empty = every known language
    excluded_dirs: tuple[str, ...] = DEFAULT_EXCLUDED_DIRS
    excluded_files: tuple[str, ...] = DEFAULT_EXCLUDED_FILES
    skip_generated: bool = True  # drop files marked "generated" / "do not edit" in their first lines

    def __post_init__(self) -> None:
        owner = "filters"
        for name in ("max_file_bytes", "max_line_length"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise _fail(owner, name, f"must be a positive integer, got {value!r}")
        if not isinstance(self.max_mean_line_length, (int, float)) or self.max_mean_line_length <= 0:
            raise _fail(
                owner, "max_mean_line_length", f"must be a positive number, got {self.max_mean_line_length!r}"
            )
        if (
            not isinstance(self.min_alphanum_fraction, (int, float))
            or not 0 <= self.min_alphanum_fraction <= 1
        ):
            raise _fail(
                owner, "min_alphanum_fraction", f"must be between 0 and 1, got {self.min_alphanum_fraction!r}"
            )
        _check_globs(owner, "excluded_files", self.excluded_files)
        if isinstance(self.languages, str):
            raise _fail(
                owner, "languages", f"must be a list of language names, got the string {self.languages!r}"
            )
        if self.languages:
            unknown = sorted(set(self.languages) - set(LANGUAGES))
            if unknown:
                raise _fail(
                    owner, "languages", f"has unknown languages {unknown}; known: {sorted(LANGUAGES)}"
                )
        object.__setattr__(self, "languages", tuple(self.languages))
        object.__setattr__(self, "excluded_dirs", tuple(self.excluded_dirs))
        object.__setattr__(self, "excluded_files", tuple(self.excluded_files))


@dataclass(frozen=True)
class SplitSettings:
    """Repository-level train/test split: pinned sources first, then a seeded hash holdout."""

    test_fraction: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.test_fraction, (int, float)) or not 0 <= self.test_fraction < 1:
            raise _fail("splits", "test_fraction", f"must be in [0, 1), got {self.test_fraction!r}")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise _fail("splits", "seed", f"must be an integer, got {self.seed!r}")


@dataclass(frozen=True)
class TreeSettings:
    """How the `trees` subset renders a repository."""

    max_entries: int = 2000  # a monorepo's tree is cut with a "... N more" line
    max_readme_bytes: int = 100_000

    def __post_init__(self) -> None:
        for name in ("max_entries", "max_readme_bytes"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise _fail("trees", name, f"must be a positive integer, got {value!r}")


@dataclass(frozen=True)
class DeprecatedApi:
    """One entry of an ecosystem's old → new API table (e.g. Decentraland SDK 6 → SDK 7).

    The `dpo` subset uses it backwards: real code (current API) is `chosen`; the same code with
    `current` rewritten to `deprecated` is `rejected`.
    """

    current: str  # regex matching the current API in real code
    deprecated: str  # `re.sub` replacement that writes the deprecated form (may use \\1 groups)
    description: str = ""
    languages: tuple[str, ...] = ()  # empty = every language

    def __post_init__(self) -> None:
        owner = f"deprecated_apis entry {self.current!r}"
        if not isinstance(self.current, str) or not self.current:
            raise _fail(owner, "current", "must be a non-empty regular expression")
        try:
            re.compile(self.current)
        except re.error as error:
            raise _fail(owner, "current", f"is not a valid regular expression: {error}") from error
        if not isinstance(self.deprecated, str):
            raise _fail(owner, "deprecated", f"must be a string, got {self.deprecated!r}")
        object.__setattr__(self, "languages", tuple(self.languages))


# Permissive licenses only (The Stack's reading of "permissive"); MPL-2.0 is weak copyleft: add it yourself.
PERMISSIVE_LICENSES = (
    "MIT",
    "Apache-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "ISC",
    "Unlicense",
    "CC0-1.0",
    "0BSD",
    "Zlib",
)


@dataclass(frozen=True)
class LicenseSettings:
    """Repository licenses a build keeps (SPDX ids); others and `unknown` need `Source.allow_license`."""

    allowed: tuple[str, ...] = PERMISSIVE_LICENSES

    def __post_init__(self) -> None:
        if isinstance(self.allowed, str):
            raise _fail("licenses", "allowed", f"must be a list of SPDX ids, got the string {self.allowed!r}")
        normalized = []
        for license_id in self.allowed:
            try:
                normalized.append(normalize_license_id(license_id))
            except ValueError as error:
                raise _fail("licenses", "allowed", str(error)) from error
        object.__setattr__(self, "allowed", tuple(normalized))


REDACTION_TYPES = ("email", "ip_address", "private_key", "api_key", "mnemonic")


@dataclass(frozen=True)
class RedactionSettings:
    """Which kinds of secrets and personal data are replaced by typed placeholders before any subset."""

    enabled: bool = True
    types: tuple[str, ...] = REDACTION_TYPES

    def __post_init__(self) -> None:
        if not isinstance(self.enabled, bool):
            raise _fail("redaction", "enabled", f"must be true or false, got {self.enabled!r}")
        if isinstance(self.types, str) or any(kind not in REDACTION_TYPES for kind in self.types):
            raise _fail("redaction", "types", f"must be a list from {REDACTION_TYPES}, got {self.types!r}")
        object.__setattr__(self, "types", tuple(self.types))


@dataclass(frozen=True)
class Ecosystem:
    """A named set of sources plus the settings of every stage; one dataset per ecosystem."""

    name: str
    sources: tuple[Source, ...]
    description: str = ""
    subsets: tuple[str, ...] = SUBSETS
    filters: FileFilterSettings = field(default_factory=FileFilterSettings)
    splits: SplitSettings = field(default_factory=SplitSettings)
    trees: TreeSettings = field(default_factory=TreeSettings)
    task_bytes: int = 8_000_000  # files per task: large repositories are cut, small ones share a task
    parse_timeout_s: float = 30.0  # a file whose parse takes longer is skipped and counted
    deprecated_apis: tuple[DeprecatedApi, ...] = ()  # old → new API table, for `dpo` negatives
    licenses: LicenseSettings = field(default_factory=LicenseSettings)
    redaction: RedactionSettings = field(default_factory=RedactionSettings)
    dedup: DedupSettings = field(default_factory=DedupSettings)
    decontamination: DecontaminationSettings = field(default_factory=DecontaminationSettings)
    fim: FimSettings = field(default_factory=FimSettings)
    instruct: InstructSettings = field(default_factory=InstructSettings)
    dpo: DpoSettings = field(default_factory=DpoSettings)
    # facts read from a project's marker file that every row records, e.g. Godot's engine version
    repository_attributes: tuple[RepositoryAttribute, ...] = ()

    def __post_init__(self) -> None:
        owner = f"ecosystem {self.name!r}"
        if not isinstance(self.name, str) or not _NAME_RE.match(self.name):
            raise EcosystemConfigError(
                f"ecosystem: field 'name' must be letters, digits, '.', '_' or '-', got {self.name!r}"
            )
        if isinstance(self.sources, (str, Source)) or not isinstance(self.sources, Sequence):
            raise _fail(owner, "sources", "must be a list of Source")
        if not self.sources:
            raise _fail(owner, "sources", "is empty: declare at least one Source")
        for index, source in enumerate(self.sources):
            if not isinstance(source, Source):
                raise _fail(owner, f"sources[{index}]", f"must be a Source, got {type(source).__name__}")
        object.__setattr__(self, "sources", tuple(self.sources))
        names: dict[str, int] = {}
        for index, source in enumerate(self.sources):
            if source.display_name in names:
                raise _fail(
                    owner,
                    f"sources[{index}].name",
                    f"repeats the repository name {source.display_name!r} "
                    f"of sources[{names[source.display_name]}]"
                    "; give one of them an explicit name",
                )
            names[source.display_name] = index
        if isinstance(self.subsets, str):
            raise _fail(owner, "subsets", f"must be a list, got the string {self.subsets!r}")
        unknown = [subset for subset in self.subsets if subset not in SUBSETS]
        if unknown or not self.subsets:
            raise _fail(
                owner, "subsets", f"must be a non-empty subset of {SUBSETS}, got {list(self.subsets)}"
            )
        object.__setattr__(self, "subsets", tuple(subset for subset in SUBSETS if subset in self.subsets))
        for name, kind in _settings_fields():
            if not isinstance(getattr(self, name), kind):
                raise _fail(
                    owner, name, f"must be a {kind.__name__}, got {type(getattr(self, name)).__name__}"
                )
        if not isinstance(self.task_bytes, int) or self.task_bytes <= 0:
            raise _fail(owner, "task_bytes", f"must be a positive integer, got {self.task_bytes!r}")
        if not isinstance(self.parse_timeout_s, (int, float)) or self.parse_timeout_s <= 0:
            raise _fail(owner, "parse_timeout_s", f"must be a positive number, got {self.parse_timeout_s!r}")
        if isinstance(self.repository_attributes, RepositoryAttribute):
            raise _fail(owner, "repository_attributes", "must be a list of RepositoryAttribute")
        object.__setattr__(self, "repository_attributes", tuple(self.repository_attributes))
        check_attribute_names(self.repository_attributes, owner)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Ecosystem:
        """Build from plain data (YAML/JSON); unknown or mistyped keys raise an error naming them."""
        if not isinstance(data, Mapping):
            raise EcosystemConfigError(f"ecosystem: expected a mapping, got {type(data).__name__}")
        owner = f"ecosystem {data.get('name', '?')!r}"
        values = dict(_known_fields(cls, data, owner))
        if "sources" in values:
            sources = values["sources"]
            if not isinstance(sources, Sequence) or isinstance(sources, str):
                raise _fail(owner, "sources", "must be a list of source mappings")
            values["sources"] = tuple(
                _source_from_dict(entry, f"{owner} sources[{index}]") for index, entry in enumerate(sources)
            )
        for name, kind in _settings_fields():
            if name in values:
                values[name] = kind(**_tuples(dict(_known_fields(kind, values[name], f"{owner} {name}"))))
        if "deprecated_apis" in values:
            values["deprecated_apis"] = tuple(
                DeprecatedApi(
                    **_tuples(dict(_known_fields(DeprecatedApi, entry, f"{owner} deprecated_apis[{i}]")))
                )
                for i, entry in enumerate(values["deprecated_apis"])
            )
        if "repository_attributes" in values:
            label = f"{owner} repository_attributes"
            values["repository_attributes"] = tuple(
                RepositoryAttribute(**_tuples(dict(_known_fields(RepositoryAttribute, entry, label))))
                for entry in values["repository_attributes"]
            )
        if "subsets" in values and isinstance(values["subsets"], list):
            values["subsets"] = tuple(values["subsets"])
        missing = [f.name for f in dataclasses.fields(cls) if f.name not in values and _required(f)]
        if missing:
            raise _fail(owner, missing[0], "is required")
        return cls(**values)


def _settings_fields() -> tuple[tuple[str, type], ...]:
    """The `Ecosystem` fields that hold a settings dataclass, with its type."""
    return (
        ("filters", FileFilterSettings),
        ("splits", SplitSettings),
        ("trees", TreeSettings),
        ("licenses", LicenseSettings),
        ("redaction", RedactionSettings),
        ("dedup", DedupSettings),
        ("decontamination", DecontaminationSettings),
        ("fim", FimSettings),
        ("instruct", InstructSettings),
        ("dpo", DpoSettings),
    )


def _required(f: dataclasses.Field) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def _known_fields(kind: type, data: Any, owner: str) -> Mapping[str, Any]:
    return known_fields(kind, data, owner, EcosystemConfigError)


def _tuples(values: dict[str, Any]) -> dict[str, Any]:
    return {key: tuple(value) if isinstance(value, list) else value for key, value in values.items()}


def _source_from_dict(entry: Any, owner: str) -> Source:
    if isinstance(entry, str):
        return Source(location=entry)
    values = _tuples(dict(_known_fields(Source, entry, owner)))
    if "location" not in values:
        raise _fail(owner, "location", "is required")
    return Source(**values)
