"""Typed metadata for each record kind that travels through the pipeline as a datatrove `Document`.

A datatrove `Document` is `text` + `id` + a free-form `metadata` dict. codetune keeps that dict typed: one
frozen dataclass per record kind, converted with `to_metadata()` / `from_document()`, so no step pokes at
loose keys. Ids are stable and meaningful (`repo@commit:path`, `...#L10-L42`), which makes every sort, hash
and split deterministic.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, TypeVar

from datatrove.data import Document


class RecordKind(str, Enum):
    """What a document is; stored under the `kind` metadata key."""

    FILE = "file"
    SEGMENT = "segment"
    DOC_SECTION = "doc_section"
    REPO_TREE = "repo_tree"


UNKNOWN_LICENSE = "unknown"  # no license detected (codetune.hygiene.licenses)


def short_commit(commit: str) -> str:
    """12 hex digits identify a commit in ids; a directory without git history reads as `worktree`."""
    return commit[:12] if commit else "worktree"


def file_id(repo: str, commit: str, path: str) -> str:
    return f"{repo}@{short_commit(commit)}:{path}"


def span_id(repo: str, commit: str, path: str, start_line: int, end_line: int) -> str:
    return f"{file_id(repo, commit, path)}#L{start_line}-L{end_line}"


M = TypeVar("M", bound="RecordMeta")


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    """Field names per metadata class in declaration order, computed once: this runs for every row."""
    return tuple(field.name for field in dataclasses.fields(kind))


@dataclass(frozen=True)
class RecordMeta:
    """Base for typed metadata: the fields every record shares."""

    KIND: ClassVar[RecordKind]

    repo: str
    commit: str
    split: str
    license: str
    # Values of the repository attributes (codetune.definitions.attributes), e.g. (("godot_version", "4.2"),)
    attributes: tuple[tuple[str, str], ...] = dataclasses.field(default=(), kw_only=True)

    def to_metadata(self) -> dict[str, Any]:
        data = dict(self.__dict__)  # exactly the fields, in declaration order: a copy, not a getattr each
        data["kind"] = self.KIND.value
        return data

    def provenance(self) -> dict[str, Any]:
        """The fields a record cut out of this one inherits: repo, commit, split, license, attributes."""
        return {name: getattr(self, name) for name in _field_names(RecordMeta)}

    @classmethod
    def from_document(cls: type[M], document: Document) -> M:
        kind = document.metadata.get("kind")
        if kind != cls.KIND.value:
            raise ValueError(f"document {document.id} is a {kind!r} record, not {cls.KIND.value!r}")
        metadata = document.metadata
        names = _field_names(cls)
        values = cls._coerce({name: metadata[name] for name in names if name in metadata})
        if "attributes" in values:  # JSON and Parquet give lists back
            pairs = values["attributes"] or ()
            values["attributes"] = tuple((str(name), str(value)) for name, value in pairs)
        if len(values) < len(names):  # defaults to fill in, or a missing field to complain about
            return cls(**values)
        # Every field is there: fill the instance directly, a third of the frozen __init__'s cost (this runs
        # once or more per row; the classes have no __post_init__ to skip).
        meta = object.__new__(cls)
        meta.__dict__.update(values)
        return meta

    @classmethod
    def _coerce(cls, values: dict[str, Any]) -> dict[str, Any]:
        """Turn values read back from Parquet (lists, dicts) into the dataclass's field types."""
        return values

    def with_changes(self: M, **changes: Any) -> M:
        return dataclasses.replace(self, **changes)


_RECORD_KINDS = {kind.value: kind for kind in RecordKind}


def record_kind(document: Document) -> RecordKind:
    return _RECORD_KINDS[document.metadata["kind"]]  # a dict lookup: Enum lookup by value is ~10x slower


@dataclass(frozen=True)
class FileMeta(RecordMeta):
    """One source file or doc file that passed the file filters."""

    KIND: ClassVar[RecordKind] = RecordKind.FILE

    path: str
    language: str
    role: str  # "code" or "docs": the role of the source it came from
    size: int  # bytes of the UTF-8 text
    # Byte spans of the tree-sitter nodes the `fim` subset may cut out, found by the extract stage's parse for
    # the files that subset will cut by syntax (None: not looked for; the subset parses the file itself).
    fim_holes: tuple[tuple[int, int], ...] | None = None

    @property
    def id(self) -> str:
        return file_id(self.repo, self.commit, self.path)

    @classmethod
    def _coerce(cls, values: dict[str, Any]) -> dict[str, Any]:
        if values.get("fim_holes") is not None:  # JSON gives lists back
            values["fim_holes"] = tuple((int(start), int(end)) for start, end in values["fim_holes"])
        return values


@dataclass(frozen=True)
class SegmentMeta(RecordMeta):
    """A function, method, class, ... cut out of a file by tree-sitter; the document text is its code."""

    KIND: ClassVar[RecordKind] = RecordKind.SEGMENT

    path: str
    language: str
    segment_kind: str
    name: str
    parent: str
    docstring: str
    start_line: int
    end_line: int
    has_error: bool

    @property
    def id(self) -> str:
        return span_id(self.repo, self.commit, self.path, self.start_line, self.end_line)


@dataclass(frozen=True)
class CodeExample:
    """A fenced code block of a doc section, with the prose that introduces it."""

    language: str
    code: str
    prose: str
    start_line: int


@dataclass(frozen=True)
class DocSectionMeta(RecordMeta):
    """A markdown section (heading + body); the document text is the section's markdown."""

    KIND: ClassVar[RecordKind] = RecordKind.DOC_SECTION

    path: str
    title: str
    level: int
    heading_path: tuple[str, ...]
    start_line: int
    end_line: int
    code_examples: tuple[CodeExample, ...]

    def to_metadata(self) -> dict[str, Any]:
        data = super().to_metadata()
        data["heading_path"] = list(self.heading_path)
        # A flat dataclass of strings and ints: its __dict__ copied is what dataclasses.asdict gives, at a
        # tenth of asdict's recursive walk (a doc section can hold dozens of examples).
        data["code_examples"] = [dict(example.__dict__) for example in self.code_examples]
        return data

    @classmethod
    def _coerce(cls, values: dict[str, Any]) -> dict[str, Any]:
        examples = values.get("code_examples", ())
        return values | {
            "heading_path": tuple(values.get("heading_path", ())),
            "code_examples": tuple(e if isinstance(e, CodeExample) else CodeExample(**e) for e in examples),
        }

    @property
    def id(self) -> str:
        return span_id(self.repo, self.commit, self.path, self.start_line, self.end_line)


@dataclass(frozen=True)
class RepoTreeMeta(RecordMeta):
    """One repository's directory tree; the document text is the rendered tree."""

    KIND: ClassVar[RecordKind] = RecordKind.REPO_TREE

    readme: str
    file_count: int
    directory_count: int

    @property
    def id(self) -> str:
        return f"{self.repo}@{short_commit(self.commit)}"


def make_document(text: str, meta: FileMeta | SegmentMeta | DocSectionMeta | RepoTreeMeta) -> Document:
    return Document(text=text, id=meta.id, metadata=meta.to_metadata())
