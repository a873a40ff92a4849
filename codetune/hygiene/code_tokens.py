"""Code tokens for near-dedup shingles and decontamination n-grams: identifiers, numbers and operators.

datatrove's MinHash and n-gram steps tokenize with a natural-language word tokenizer (spacy or nltk), which
splits code badly and is a heavy dependency. Code is tokenized here with one regular expression, and its
n-grams are hashed with numpy: a token is hashed once, an n-gram is a mix of its tokens' hashes. That keeps
MinHash dominated by the permutation arithmetic instead of by Python string joins.
"""

from __future__ import annotations

import re
from itertools import chain

import numpy as np
import xxhash
from datatrove.utils.word_tokenizers import WordTokenizer

# A word: an identifier or a number (`x1`, `0x1F`, `__init__`, `变量`); an operator: a run of punctuation.
_WORD = r"\w+"
_OPERATOR = r"[^\w\s]+"
_WORDS_AND_OPERATORS = re.compile(f"{_WORD}|{_OPERATOR}")
_WORDS = re.compile(_WORD)
# The same tokens for ASCII text, a fifth faster without Unicode tables. A str pattern's \s also matches
# \x1c-\x1f (str.isspace()), an ASCII one does not: they are named so both split alike.
_ASCII_WORDS_AND_OPERATORS = re.compile(r"\w+|[^\w\s\x1c-\x1f]+", re.ASCII)
_ASCII_WORDS = re.compile(_WORD, re.ASCII)

_MIX_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # 2^64 / golden ratio: spreads the tokens of an n-gram
_FMIX_1 = np.uint64(0xFF51AFD7ED558CCD)  # MurmurHash3's 64-bit finaliser constants
_FMIX_2 = np.uint64(0xC4CEB9FE1A85EC53)
_SHIFT = np.uint64(33)


class CodeWordTokenizer(WordTokenizer):
    """Splits code into identifiers, numbers and (with `operators`) runs of operator characters.

    Case and digits are kept: `x1` and `x2`, `Node` and `node` are different tokens, which is what code
    means. Whitespace separates tokens and is otherwise ignored, so re-indented code tokenizes the same.
    """

    def __init__(self, operators: bool = True):
        super().__init__("code")
        self.operators = operators
        self._pattern = _WORDS_AND_OPERATORS if operators else _WORDS
        self._ascii_pattern = _ASCII_WORDS_AND_OPERATORS if operators else _ASCII_WORDS

    def word_tokenize(self, text: str) -> list[str]:
        return (self._ascii_pattern if text.isascii() else self._pattern).findall(text)

    def sent_tokenize(self, text: str) -> list[str]:
        """Lines stand in for sentences in code."""
        return [line for line in text.splitlines() if line.strip()]

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        return [match.span() for match in self._pattern.finditer(text)]


def token_hashes(tokens: list[str]) -> np.ndarray:
    """One 64-bit xxhash per token."""
    return np.fromiter(map(xxhash.xxh64_intdigest, tokens), dtype=np.uint64, count=len(tokens))


def _finalise(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's fmix64: makes every output bit depend on every input bit (uint64 arithmetic wraps)."""
    values ^= values >> _SHIFT
    values *= _FMIX_1
    values ^= values >> _SHIFT
    values *= _FMIX_2
    values ^= values >> _SHIFT
    return values


def _mixed_windows(hashes: np.ndarray, n: int) -> np.ndarray:
    """The hash of each window of `n` consecutive token hashes (`len(hashes) - n + 1` >= 1 of them)."""
    count = len(hashes) - n + 1
    mixed = hashes[:count].copy()
    with np.errstate(over="ignore"):
        for offset in range(1, n):
            mixed *= _MIX_MULTIPLIER
            mixed += hashes[offset : offset + count]
        return _finalise(mixed)


def ngram_hashes(tokens: list[str], n: int) -> np.ndarray:
    """A 64-bit hash per window of `n` consecutive tokens, in order; empty when there are fewer tokens."""
    if len(tokens) < n:
        return np.empty(0, dtype=np.uint64)
    return _mixed_windows(token_hashes(tokens), n)


def ngram_hash_rows(token_lists: list[list[str]], n: int) -> tuple[np.ndarray, np.ndarray]:
    """`ngram_hashes` of many token lists at once: one flat array and row offsets (row i is
    `flat[offsets[i]:offsets[i + 1]]`, empty for a list of fewer than `n` tokens).

    The tokens of all lists are hashed and mixed in one pass, and the windows that straddle two lists are
    dropped: the per-document numpy calls cost more than the arithmetic on segments, which are many and short.
    """
    counts = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
    offsets = np.zeros(len(token_lists) + 1, dtype=np.uint64)
    np.cumsum(np.maximum(counts - n + 1, 0), out=offsets[1:])
    hashes = token_hashes(list(chain.from_iterable(token_lists)))
    if len(hashes) < n:
        return np.empty(0, dtype=np.uint64), offsets
    mixed = _mixed_windows(hashes, n)
    list_ends = np.repeat(np.cumsum(counts), counts)[: len(mixed)]  # the end of each window's first list
    return mixed[np.arange(n, len(mixed) + n) <= list_ends], offsets
