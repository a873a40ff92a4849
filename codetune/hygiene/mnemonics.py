"""Seed phrases: BIP-39 mnemonics in every wordlist the `mnemonic` package ships, checksum-checked, and
Electrum seeds validated by `bip_utils` (v2 by their version hash; v1, which has no checksum, only next to
words like "seed").

A phrase may be wrapped over comment lines or split across string concatenations. Public test phrases
(Hardhat/Anvil's "test … junk", the BIP-39 vectors made of one repeated byte) are kept.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator

from bip_utils import ElectrumV1Languages, ElectrumV1MnemonicValidator, ElectrumV2MnemonicValidator
from bip_utils.electrum.mnemonic_v1.electrum_v1_mnemonic_utils import ElectrumV1WordsListGetter
from mnemonic import Mnemonic

from codetune.hygiene.private_keys import PUBLIC_TEST_MNEMONIC
from codetune.hygiene.secret_scan import Finding, TextScan

MNEMONIC_LENGTHS = (24, 21, 18, 15, 12)
_NEIGHBOURS = 6  # listed words that may stand next to a phrase in the same run
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
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_MAX_NON_ASCII = 2000  # runs of non-ASCII letters beyond which a text is read whole
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
    # A phrase with a few listed words around it; in a longer run (a wordlist, a word game's dictionary) some
    # 12-word window passes the 4-bit checksum by chance, so only the whole run counts there.
    candidates = [(0, count)] + [
        span
        for length in MNEMONIC_LENGTHS
        if length < count <= length + _NEIGHBOURS
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


def _normal(word: str) -> str:
    return word if word.isascii() else _nfkd(word)


def _listed_groups(
    run: list[re.Match[str]], words: dict[str, str] | frozenset[str]
) -> Iterator[list[re.Match[str]]]:
    """Maximal stretches of 12+ consecutive words of one wordlist."""
    group: list[re.Match[str]] = []
    for word in [*run, None]:
        if word is not None and _normal(word.group()) in words:
            group.append(word)
            continue
        if len(group) >= 12:
            yield group
        group = []


def _findings_in_run(text: str, run: list[re.Match[str]]) -> Iterator[Finding]:
    """Stretches of 12+ words found in any wordlist (most prose has none), then each language's own."""
    for stretch in _listed_groups(run, all_words()):
        if len(stretch) > MNEMONIC_LENGTHS[0] + _NEIGHBOURS:  # a wordlist or a dictionary, not a phrase
            continue
        context = text[max(0, stretch[0].start() - 120) : stretch[0].start()]
        for language, (_, words) in wordlists().items():
            for group in _listed_groups(stretch, words):
                plain = [word.group() for word in group]
                span = _bip39_span(plain, language, context)
                if span is None and language == "english":
                    span = _electrum_span(plain, context)
                if span is not None:
                    yield Finding(group[span[0]].start(), group[span[1] - 1].end(), "mnemonic")
        if _MNEMONIC_CONTEXT.search(context):  # Electrum v1: its own older wordlist
            span = _electrum_span([word.group() for word in stretch], context)
            if span is not None:
                yield Finding(stretch[span[0]].start(), stretch[span[1] - 1].end(), "mnemonic")


@functools.lru_cache(maxsize=1)
def all_words() -> frozenset[str]:
    """Every word of every wordlist (NFKD), BIP-39's and Electrum v1's."""
    return frozenset(word for _, words in wordlists().values() for word in words) | ascii_words()


@functools.lru_cache(maxsize=1)
def ascii_words() -> frozenset[str]:
    """Every ASCII word of every wordlist (BIP-39's and Electrum v1's): five in a row open a window."""
    bip39 = {word for _, words in wordlists().values() for word in words if word.isascii()}
    v1 = ElectrumV1WordsListGetter().GetByLanguage(ElectrumV1Languages.ENGLISH)
    return frozenset(bip39 | {v1.GetWordAtIdx(index) for index in range(v1.Length())})


def _merged(hits: Iterable[tuple[int, int]], length: int) -> Iterator[tuple[int, int]]:
    """Windows around sorted hits, overlapping ones merged."""
    window: tuple[int, int] | None = None
    for hit_start, hit_end in hits:
        start, end = max(0, hit_start - _WINDOW_BEFORE), min(length, hit_end + _WINDOW_AFTER)
        if window is not None and start <= window[1]:
            window = (window[0], max(window[1], end))
            continue
        if window is not None:
            yield window
        window = (start, end)
    if window is not None:
        yield window


def _ascii_hits(text: str) -> Iterator[tuple[int, int]]:
    listed = ascii_words()
    for hit in _FIVE_WORDS.finditer(text):
        if all(word in listed for word in hit.group().split()):
            yield hit.start(), hit.end()


def _windows(text: str) -> Iterator[tuple[int, int]]:
    """Where a phrase can be: around five listed ASCII words in a row, and around non-ASCII letters (a text
    full of them is read whole)."""
    hits = list(_ascii_hits(text))
    if not text.isascii():
        non_ascii = [
            (m.start(), m.end()) for m in itertools.islice(_NON_ASCII.finditer(text), _MAX_NON_ASCII + 1)
        ]
        if len(non_ascii) > _MAX_NON_ASCII:
            yield 0, len(text)
            return
        hits = sorted(hits + non_ascii)
    yield from _merged(hits, len(text))


def find_mnemonics(scan: TextScan) -> Iterator[Finding]:
    text = scan.text
    candidates = _ASCII_CANDIDATES if text.isascii() else _UNICODE_CANDIDATES
    for start, end in _windows(text):
        for candidate in candidates.finditer(text, start, end):
            for run in _runs(text, candidate.start(), candidate.end()):
                if len(run) >= 12:
                    yield from _findings_in_run(text, run)
