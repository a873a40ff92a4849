"""Errors of the parsing layer; each derives from CodetuneError so callers can catch them together."""

from codetune.errors import CodetuneError


class UnsupportedLanguageError(CodetuneError):
    """A language name is not registered, or has no grammar / segment rules for the requested operation."""


class ParseTimeout(CodetuneError):
    """tree-sitter gave up on a file after the allowed parse time; the caller should skip the file."""


class SegmenterOptionError(CodetuneError):
    """IsolatedSegmenter was given an option it cannot work with; the message names the option."""


class WorkerStartError(CodetuneError):
    """The parse worker process could not start or import its target; its stderr says why."""
