"""Seed phrases: BIP-39 mnemonics in every wordlist the `mnemonic` package ships, checksum-checked, and
Electrum seeds validated by `bip_utils` (v2 by their version hash; v1, which has no checksum, only next to
words like "seed").

A phrase may be wrapped over comment lines or split across string concatenations. Public test phrases
(Hardhat/Anvil's "test … junk", the BIP-39 vectors made of one repeated byte) are kept.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

from bip_utils import ElectrumV1Languages, ElectrumV1MnemonicValidator, ElectrumV2MnemonicValidator
from bip_utils.electrum.mnemonic_v1.electrum_v1_mnemonic_utils import ElectrumV1WordsListGetter
from mnemonic import Mnemonic

from codetune.hygiene.private_keys import PUBLIC_TEST_MNEMONIC
from codetune.hygiene.secret_scan import Finding, TextScan

MNEMONIC_LENGTHS = (24, 21, 18, 15, 12)
ELECTRUM_LENGTHS = (24, 13, 12)

_SEPARATOR = re.compile(
    r"(?:[ \t\u3000]+|[ \t]*(?:\\n|\r?\n)[ \t]*(?:(?://|#|\*|--|;)[ \t]*)?"
    r"|[\"'`][ \t]*\+[ \t]*\r?\n?[ \t]*[\"'`])"
)
# First pass over ASCII text, possessive so it never backtracks: 12+ short lowercase words with separator-ish
# characters between them. Non-ASCII text gets a Unicode pass (CJK words are one character).
_ASCII_CANDIDATES = re.compile(
    r"(?<![a-z])[a-z]{3,12}+(?:(?:[ \t\n\r\"'`+/#*;-]|\\n){1,12}+[a-z]{3,12}+){11,}"
)
# A letter, or a combining mark of a decomposed one (`á` as `a` + U+0301, `げ` as `け` + U+3099): phrases are
# written in composed and in decomposed form (the wordlists themselves are NFKD).
_LETTER = r"(?:[^\W\d_]|[\u0300-\u036f\u3099\u309a])"
_UNICODE_CANDIDATES = re.compile(
    rf"(?<!\w){_LETTER}{{1,24}}+(?:(?:[ \t\u3000\n\r\"'`+/#*;-]|\\n){{1,12}}+{_LETTER}{{1,24}}+){{11,}}"
)
# The prefilter: five short lowercase words after single spaces, a literal-led scan ~8× faster than the
# candidate expression; a hit whose five words are all listed opens a window the candidates are read in
# (a phrase wrapped at 5+ words a line still shows five in a row).
_FIVE_WORDS = re.compile(r" [a-z]{3,12}+ [a-z]{3,12}+ [a-z]{3,12}+ [a-z]{3,12}+ [a-z]{3,12}+(?![a-z])")
_WINDOW_BEFORE, _WINDOW_AFTER = 300, 300  # a 24-word phrase spans ~200 characters
_WORD = re.compile(f"{_LETTER}+")
# Electrum v1 seeds are any 12 of 1,626 common words: only "seed" or "electrum" right before makes them one.
_ELECTRUM_V1_CONTEXT = re.compile(r"seed|electrum", re.IGNORECASE)
_MNEMONIC_CONTEXT = re.compile(r"mnemonic|seed|phrase|recovery|backup|secret|words|electrum", re.IGNORECASE)


def _nfkd(word: str) -> str:
    return unicodedata.normalize("NFKD", word)


@functools.lru_cache(maxsize=1)
def wordlists() -> dict[str, tuple[Mnemonic, dict[str, str]]]:
    """Each language's `Mnemonic` and its words (NFKD form → the list's own spelling)."""
    return {
        language: (mnemo, {_nfkd(word): word for word in mnemo.wordlist})
        for language in Mnemonic.list_languages()
        for mnemo in [Mnemonic(language)]
    }


@functools.lru_cache(maxsize=1)
def _electrum() -> tuple[ElectrumV2MnemonicValidator, ElectrumV1MnemonicValidator]:
    return ElectrumV2MnemonicValidator(), ElectrumV1MnemonicValidator()


def is_public_test_mnemonic(words: list[str], mnemo: Mnemonic) -> bool:
    """Hardhat/Anvil's "test … junk", and the BIP-39 vectors made of one repeated byte ("abandon … about")."""
    if " ".join(words) == PUBLIC_TEST_MNEMONIC or len(set(words)) <= 3:
        return True
    return len(set(mnemo.to_entropy(words))) == 1


def _bip39_span(words: list[str], language: str, context: str) -> tuple[int, int] | None:
    """Which words of a run of one wordlist form a mnemonic: the whole run, a checksum-valid prefix or
    suffix, or (with "mnemonic"/"seed" nearby) a run of 12–24 words whose checksum we cannot confirm."""
    mnemo, spelling = wordlists()[language]
    listed = [spelling[_nfkd(word)] for word in words]
    count = len(words)
    candidates = [(0, count)] + [
        span
        for length in MNEMONIC_LENGTHS
        if length < count
        for span in ((0, length), (count - length, count))
    ]
    for first, last in candidates:
        if last - first in MNEMONIC_LENGTHS and mnemo.check(" ".join(listed[first:last])):
            return None if is_public_test_mnemonic(listed[first:last], mnemo) else (first, last)
    if 12 <= count <= 24 and len(set(words)) > 3 and _MNEMONIC_CONTEXT.search(context):
        return 0, count
    return None


def _electrum_span(words: list[str], context: str) -> tuple[int, int] | None:
    v2, v1 = _electrum()
    for length in ELECTRUM_LENGTHS:
        for first in sorted({0, max(0, len(words) - length)}):
            phrase = " ".join(words[first : first + length])
            if len(words) >= length and v2.IsValid(phrase):
                return first, first + length
            if len(words) >= length and _ELECTRUM_V1_CONTEXT.search(context) and v1.IsValid(phrase):
                return first, first + length
    return None


def _runs(text: str, start: int, end: int) -> Iterator[list[re.Match[str]]]:
    """Runs of words joined by real separators (spaces, a wrapped line, a string concatenation), stepping
    over each separator so the `n` of an escaped newline is no word."""
    run: list[re.Match[str]] = []
    position = start
    while (word := _WORD.search(text, position, end)) is not None:
        if run and word.start() != position:  # the separator before this word was not a real one
            yield run
            run = []
        run.append(word)
        separator = _SEPARATOR.match(text, word.end(), end)
        position = separator.end() if separator is not None else word.end()
        if separator is None:
            yield run
            run = []
    if run:
        yield run


def _listed_groups(run: list[re.Match[str]], words: dict[str, str]) -> Iterator[list[re.Match[str]]]:
    """Maximal stretches of 12+ consecutive words of one wordlist."""
    group: list[re.Match[str]] = []
    for word in [*run, None]:
        if word is not None and _nfkd(word.group()) in words:
            group.append(word)
            continue
        if len(group) >= 12:
            yield group
        group = []


def _findings_in_run(text: str, run: list[re.Match[str]]) -> Iterator[Finding]:
    context = text[max(0, run[0].start() - 120) : run[0].start()]
    for language, (_, words) in wordlists().items():
        for group in _listed_groups(run, words):
            plain = [word.group() for word in group]
            span = _bip39_span(plain, language, context)
            if span is None and language == "english":
                span = _electrum_span(plain, context)
            if span is not None:
                yield Finding(group[span[0]].start(), group[span[1] - 1].end(), "mnemonic")
    if len(run) >= 12 and _MNEMONIC_CONTEXT.search(context):  # Electrum v1: its own older wordlist
        plain = [word.group() for word in run]
        span = _electrum_span(plain, context)
        if span is not None:
            yield Finding(run[span[0]].start(), run[span[1] - 1].end(), "mnemonic")


@functools.lru_cache(maxsize=1)
def ascii_words() -> frozenset[str]:
    """Every ASCII word of every wordlist (BIP-39's and Electrum v1's): five in a row open a window."""
    bip39 = {word for _, words in wordlists().values() for word in words if word.isascii()}
    v1 = ElectrumV1WordsListGetter().GetByLanguage(ElectrumV1Languages.ENGLISH)
    return frozenset(bip39 | {v1.GetWordAtIdx(index) for index in range(v1.Length())})


def _ascii_windows(text: str) -> Iterator[tuple[int, int]]:
    window: tuple[int, int] | None = None
    listed = ascii_words()
    for hit in _FIVE_WORDS.finditer(text):
        if not all(word in listed for word in hit.group().split()):
            continue
        start, end = max(0, hit.start() - _WINDOW_BEFORE), min(len(text), hit.end() + _WINDOW_AFTER)
        if window is not None and start <= window[1]:
            window = (window[0], end)
            continue
        if window is not None:
            yield window
        window = (start, end)
    if window is not None:
        yield window


def find_mnemonics(scan: TextScan) -> Iterator[Finding]:
    text = scan.text
    if text.isascii():
        spans = [
            (match.start(), match.end())
            for s, e in _ascii_windows(text)
            for match in _ASCII_CANDIDATES.finditer(text, s, e)
        ]
    else:
        spans = [(match.start(), match.end()) for match in _UNICODE_CANDIDATES.finditer(text)]
    for start, end in spans:
        for run in _runs(text, start, end):
            if len(run) >= 12:
                yield from _findings_in_run(text, run)
