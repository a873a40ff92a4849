"""The redaction prefilter: one cheap pass over a text that tells the finders which lines can hold a secret.

Measured on generated code (issue 24): running every detector over every line cost ~0.17 s per MB, most of it
in regex scans that start at every character. Nearly all token-shaped secrets contain a run of 15+ base64-ish
characters that is not made of words, and nearly no ordinary line does, so one scan for such runs (plus a few
`str.find`s for secret-like names) picks the handful of lines the expensive detectors then read.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Finding:
    """A span of text to replace and what it is; the value itself is never stored or logged."""

    start: int
    end: int
    kind: str


# A run of token characters, taken whole (possessive, anchored at its start): scanning stays linear.
_TOKEN_RUN = re.compile(r"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_=-]{15,}+")
_TOKEN_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_=-"
# For ASCII text the same runs come 5× faster from bytes: token characters become "a", all else " ", and
# `bytes.find` looks for fifteen "a"s in a row.
_TOKEN_TABLE = bytes(ord("a") if byte in _TOKEN_CHARS else ord(" ") for byte in range(256))
_RUN = b"a" * 15


def token_runs(text: str) -> Iterator[tuple[int, int]]:
    """Start and end of each run of 15+ token characters."""
    if not text.isascii():
        for match in _TOKEN_RUN.finditer(text):
            yield match.start(), match.end()
        return
    marked = text.encode("ascii").translate(_TOKEN_TABLE)
    start = marked.find(_RUN)
    while start >= 0:
        end = marked.find(b" ", start + 15)
        end = len(marked) if end < 0 else end
        yield start, end
        start = marked.find(_RUN, end)


_WORD_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")

# Lowercase stems of secret-like names, found with str.find (a case-insensitive regex is 10× slower).
SECRET_NAME_STEMS = (
    "secret",
    "token",
    "pass",
    "pwd",
    "apikey",
    "api_key",
    "api-key",
    "credential",
    "accesskey",
    "auth",
    "contribsys",
)


def shannon_entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


_HAS_DIGIT = re.compile(r"\d").search
_SEPARATORS = re.compile(r"[_\-+/=]+")


@functools.lru_cache(maxsize=1 << 16)  # identifiers repeat within a file and across files
def random_looking_token(token: str) -> bool:
    """Not an identifier made of words: has a digit, or its parts are too short or too long to be words."""
    if _HAS_DIGIT(token):
        return True
    if token.islower() or token.isupper():  # snake_case, kebab-case, SCREAMING_CASE: one split is enough
        parts = [part for part in _SEPARATORS.split(token) if part]
    else:
        parts = _WORD_PARTS.findall(token)
    if not parts:
        return False
    lengths = [len(part) for part in parts]
    return sum(lengths) / len(parts) < 3.5 or max(lengths) > 14


def name_parts(name: str) -> list[str]:
    """`apiKey`, `API_KEY`, `api-key`, `zendesk.key` → ["api", "key"] ..."""
    return [part.lower() for part in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)]


@dataclass(frozen=True)
class LineSpan:
    start: int
    end: int


class TextScan:
    """What the prefilter learned about one text, computed lazily and shared by every finder."""

    def __init__(self, text: str):
        self.text = text

    @functools.cached_property
    def lower(self) -> str:
        return self.text.lower()

    def line_at(self, position: int) -> LineSpan:
        start = self.text.rfind("\n", 0, position) + 1
        end = self.text.find("\n", position)
        return LineSpan(start, len(self.text) if end < 0 else end)

    @functools.cached_property
    def random_tokens(self) -> list[tuple[int, int]]:
        """Runs of 15+ token characters that do not read as words: where token-shaped secrets live."""
        text = self.text
        return [(start, end) for start, end in token_runs(text) if random_looking_token(text[start:end])]

    @functools.cached_property
    def token_lines(self) -> list[LineSpan]:
        return _unique_lines(self, (start for start, _ in self.random_tokens))

    @functools.cached_property
    def stem_positions(self) -> list[int]:
        """Where a secret-like name stem (`password`, `api_key`, `auth` ...) occurs."""
        return list(_stem_positions(self.lower))

    @functools.cached_property
    def name_lines(self) -> list[LineSpan]:
        """Lines holding a secret-like name, whatever the value's shape."""
        return _unique_lines(self, iter(self.stem_positions))

    def line_texts(self, lines: list[LineSpan]) -> Iterator[tuple[int, str]]:
        for line in lines:
            yield line.start, self.text[line.start : line.end]


def _stem_positions(lowered: str) -> Iterator[int]:
    for stem in SECRET_NAME_STEMS:
        position = lowered.find(stem)
        while position >= 0:
            yield position
            position = lowered.find(stem, position + len(stem))


def _unique_lines(scan: TextScan, positions: Iterator[int]) -> list[LineSpan]:
    seen: dict[int, LineSpan] = {}
    for position in positions:
        line = scan.line_at(position)
        seen.setdefault(line.start, line)
    return [seen[start] for start in sorted(seen)]
