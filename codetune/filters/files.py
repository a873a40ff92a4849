"""File filters: which files of a repository become training text, and why the others do not.

Two kinds: gates that run in the reader before a `Document` exists (path, size, bytes: there is no text to
filter yet for a binary or non-UTF-8 file), and datatrove `BaseFilter`s over the decoded text (StarCoder's
quality heuristics, generated-file markers). Every rejection carries a reason that becomes a
`dropped_<reason>` stat, so the build summary and the dataset card can say where each file went.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from dataclasses import dataclass
from enum import Enum

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter

from codetune.definitions.languages import language_for_path
from codetune.documents import RecordKind, record_kind
from codetune.ecosystem import FileFilterSettings, Source


class DropReason(str, Enum):
    """Why a file was not kept; the value is the stat name after `dropped_`."""

    SUBMODULE = "submodule"
    SYMLINK = "symlink"
    SYMLINK_OUTSIDE_REPO = "symlink_outside_repo"
    NOT_SELECTED = "not_selected"  # outside the source's include/exclude globs
    EXCLUDED_DIR = "excluded_dir"  # vendored, generated or build directory
    EXCLUDED_FILE = "excluded_file"  # lock file, minified bundle, generated code by name
    TOO_LARGE = "too_large"
    BINARY = "binary"
    INVALID_UTF8 = "invalid_utf8"
    UNKNOWN_LANGUAGE = "unknown_language"
    LANGUAGE_NOT_SELECTED = "language_not_selected"
    MAX_LINE_LENGTH = "max_line_length"
    MEAN_LINE_LENGTH = "mean_line_length"
    ALPHANUM_FRACTION = "alphanum_fraction"
    GENERATED = "generated"


def in_excluded_dir(path: str, excluded_dirs: tuple[str, ...]) -> bool:
    """Whether any directory component of a repo-relative path is a vendored/build directory."""
    directories = path.split("/")[:-1]
    return any(part in excluded_dirs for part in directories)


@functools.cache
def excluded_files_pattern(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for all of the `excluded_files` globs (`fnmatch.fnmatchcase` semantics): every listed file
    is checked against them, twice a build (planning and reading), and a glob at a time cost 20 calls each."""
    return re.compile("|".join(f"(?:{fnmatch.translate(pattern)})" for pattern in patterns) or "(?!)")


@dataclass(frozen=True)
class PathGate:
    """Decisions that need only the tree entry: run before reading a blob, so node_modules costs nothing."""

    source: Source
    settings: FileFilterSettings

    def reason(self, path: str, size: int) -> DropReason | None:
        if not self.source.selects(path):
            return DropReason.NOT_SELECTED
        if in_excluded_dir(path, self.settings.excluded_dirs):
            return DropReason.EXCLUDED_DIR
        if excluded_files_pattern(self.settings.excluded_files).match(path.rsplit("/", 1)[-1]):
            return DropReason.EXCLUDED_FILE
        if size > self.settings.max_file_bytes:
            return DropReason.TOO_LARGE
        return None


@dataclass(frozen=True)
class DecodedFile:
    text: str
    language: str


def decode_source_file(
    path: str, data: bytes, settings: FileFilterSettings
) -> tuple[DecodedFile | None, DropReason | None]:
    """Bytes to text plus language, or the reason the file cannot be training text."""
    if b"\x00" in data:
        return None, DropReason.BINARY
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, DropReason.INVALID_UTF8
    text = text.removeprefix("\ufeff")
    language = language_for_path(path, data[:256])
    if language is None:
        return None, DropReason.UNKNOWN_LANGUAGE
    if settings.languages and language not in settings.languages:
        return None, DropReason.LANGUAGE_NOT_SELECTED
    return DecodedFile(text=text, language=language), None


class FileTextFilter(BaseFilter):
    """A filter that judges file records and lets every other record kind through untouched."""

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        if record_kind(doc) is not RecordKind.FILE:
            return True
        reason = self.file_reason(doc.text)
        return True if reason is None else (False, reason.value)

    def file_reason(self, text: str) -> DropReason | None:
        raise NotImplementedError


_NON_ALPHANUMERIC = re.compile(r"[\W_]+")  # what str.isalnum rejects, removed at C speed
_ASCII_NON_ALPHANUMERIC = bytes(byte for byte in range(128) if not chr(byte).isalnum())


def alphanumeric_count(text: str) -> int:
    """How many characters of `text` are letters or digits (str.isalnum); ASCII text takes a fast path."""
    if text.isascii():  # bytes.translate deletes at memcpy speed, a regex sub is ~10x slower
        return len(text.encode("ascii").translate(None, _ASCII_NON_ALPHANUMERIC))
    return len(_NON_ALPHANUMERIC.sub("", text))


class CodeQualityFilter(FileTextFilter):
    """StarCoder's filters: long lines and low alphanumeric content mean data, minified or generated code."""

    name = "📏 Code quality"

    def __init__(self, settings: FileFilterSettings):
        super().__init__()
        self.settings = settings

    def file_reason(self, text: str) -> DropReason | None:
        lines = text.splitlines() or [""]
        longest = max(map(len, lines))
        if longest > self.settings.max_line_length:
            return DropReason.MAX_LINE_LENGTH
        if len(text) / len(lines) > self.settings.max_mean_line_length:
            return DropReason.MEAN_LINE_LENGTH
        if text and alphanumeric_count(text) / len(text) < self.settings.min_alphanum_fraction:
            return DropReason.ALPHANUM_FRACTION
        return None


# Markers that code generators write at the top of their output (GitHub linguist's generated.rb checks these).
GENERATED_MARKERS = (
    "@generated",
    "do not edit",
    "auto-generated",
    "autogenerated",
    "automatically generated",
    "code generated by",
    "generated by the protocol buffer compiler",
)


class GeneratedFileFilter(FileTextFilter):
    """Drops files whose first lines declare them generated."""

    name = "🤖 Generated files"

    def __init__(self, head_lines: int = 5):
        super().__init__()
        self.head_lines = head_lines

    def file_reason(self, text: str) -> DropReason | None:
        head = "\n".join(text[:4096].splitlines()[: self.head_lines]).lower()
        return DropReason.GENERATED if any(marker in head for marker in GENERATED_MARKERS) else None
