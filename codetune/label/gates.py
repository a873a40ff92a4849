"""Gates every labelled row passes: each drop is counted with its reason (summary and card).

In order: empty answer, refusal, length bounds (and answers cut off at `max_tokens`), parse (tree-sitter,
for tasks whose answer is code), deprecated API (the ecosystem's table), exact duplicate, near duplicate
(MinHash LSH over word 3-grams, Jaccard ≥ `near_duplicate_jaccard`), decontamination (a shared
`ngram_size`-token n-gram with the test split, the build's own rule). Rows go through in id order, so which
of two duplicates survives does not depend on concurrency.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from codetune.definitions.hygiene_settings import DecontaminationSettings
from codetune.ecosystem import DeprecatedApi
from codetune.hygiene.decontaminate import NGramHasher

REFUSAL = re.compile(
    r"^\s*(I'?m sorry|I am sorry|Sorry, (but )?I|I cannot|I can'?t|I'?m unable|I am unable|As an AI\b|"
    r"I (?:won'?t|will not) (?:help|write|provide))",
    re.IGNORECASE,
)
_FENCE = re.compile(r"```[\w+#.-]*\n(.*?)```", re.DOTALL)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class GateSettings:
    min_chars: int = 16
    drop_truncated: bool = True  # answers cut off at max_tokens (finish_reason "length")
    max_chars: int = 6000
    near_duplicate_jaccard: float = 0.8  # word 3-grams; MinHash LSH finds the candidates
    decontaminate: bool = True
    ngram_size: int = 10  # the build's decontamination n-gram (hygiene.settings)


def answer_code(answer: str) -> str:
    """The code of an answer: its first fenced block, or the whole answer when it has none."""
    fenced = _FENCE.search(answer)
    return (fenced.group(1) if fenced else answer).strip("\n")


def deprecated_marker(api: DeprecatedApi) -> str:
    """The longest literal run of a table entry's deprecated form (`new Entity()` of `new Entity(\\1)`)."""
    parts = re.split(r"\\(?:\d+|g<[^>]+>)", api.deprecated.replace("\\\\", "\\"))
    return max((part.strip() for part in parts), key=len, default="")


def parses(language: str, code: str) -> bool | None:
    """Whether tree-sitter parses `code` without error; None when there is no grammar for `language`."""
    from codetune.parse.languages import get_parser

    parser = get_parser(language) if language else None
    if parser is None:
        return None
    return bool(code.strip()) and not parser.parse(code.encode()).root_node.has_error


class NearDuplicates:
    """MinHash LSH over word 3-grams (64 permutations, 16 bands × 4), then the exact Jaccard to confirm."""

    PRIME = (1 << 61) - 1

    def __init__(self, threshold: float, permutations: int = 64, bands: int = 16, seed: int = 0):
        generator = np.random.default_rng(seed)
        self.a = generator.integers(1, self.PRIME, permutations, dtype=np.uint64)
        self.b = generator.integers(0, self.PRIME, permutations, dtype=np.uint64)
        self.threshold, self.bands = threshold, bands
        self.buckets: dict[tuple, list[int]] = {}
        self.kept: list[frozenset[int]] = []

    @staticmethod
    def shingles(text: str) -> frozenset[int]:
        words = _WORD.findall(text.lower())
        grams = [" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))]
        return frozenset(int.from_bytes(hashlib.blake2b(g.encode(), digest_size=7).digest()) for g in grams)

    def seen(self, text: str) -> bool:
        """Whether `text` is near a kept text; if not, it is kept."""
        shingles = self.shingles(text)
        values = np.fromiter(shingles, dtype=np.uint64)
        signature = ((np.outer(values, self.a) + self.b) % self.PRIME).min(axis=0)
        keys = [(band, *chunk.tolist()) for band, chunk in enumerate(np.split(signature, self.bands))]
        for key in keys:
            for index in self.buckets.get(key, ()):
                other = self.kept[index]
                if len(shingles & other) / max(1, len(shingles | other)) >= self.threshold:
                    return True
        for key in keys:
            self.buckets.setdefault(key, []).append(len(self.kept))
        self.kept.append(shingles)
        return False


class Gates:
    """All gates for one task; `drop_reason(answer, …)` is None for a kept row, and counts every drop."""

    def __init__(
        self,
        settings: GateSettings,
        test_texts: Iterable[str] = (),
        deprecated_apis: tuple[DeprecatedApi, ...] = (),
    ):
        self.settings = settings
        self.counts: Counter[str] = Counter()
        self.exact: set[str] = set()
        self.near = NearDuplicates(settings.near_duplicate_jaccard)
        self.hasher = NGramHasher(DecontaminationSettings(ngram_size=settings.ngram_size))
        hashes = [self.hasher(text) for text in test_texts] if settings.decontaminate else []
        self.test_ngrams = np.unique(np.concatenate(hashes)) if hashes else np.empty(0, dtype=np.uint64)
        self.markers = [(api, deprecated_marker(api)) for api in deprecated_apis]

    def drop_reason(self, answer: str, finish_reason: str = "", language: str = "", code: str | None = None):
        """Why the row goes, or None. `code`: the answer's code, for the parse and deprecated-API gates."""
        reason = self._reason(answer, finish_reason, language, code)
        self.counts[f"dropped/{reason}" if reason else "kept"] += 1
        return reason

    def count_drop(self, reason: str, was_kept: bool = False) -> None:
        """A drop decided outside the gates (a task's own check, the sandbox), counted with the rest."""
        self.counts[f"dropped/{reason}"] += 1
        if was_kept:
            self.counts["kept"] -= 1

    def _reason(self, answer: str, finish_reason: str, language: str, code: str | None) -> str | None:
        text = answer.strip()
        if not text:
            return "empty"
        if REFUSAL.match(text):
            return "refusal"
        if finish_reason == "length" and self.settings.drop_truncated:
            return "truncated"
        if not self.settings.min_chars <= len(text) <= self.settings.max_chars:
            return "length"
        checked = code if code is not None else text
        if code is not None and parses(language, code) is False:
            return "parse_error"
        for api, marker in self.markers:
            if marker and marker in checked and (not api.languages or language in api.languages):
                return "deprecated_api"
        normalised = " ".join(_WORD.findall(text.lower()))
        if normalised in self.exact:
            return "exact_duplicate"
        self.exact.add(normalised)
        if self.near.seen(text):
            return "near_duplicate"
        if len(self.test_ngrams) and np.isin(self.hasher(text), self.test_ngrams).any():
            return "contaminated"
        return None
