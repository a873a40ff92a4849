"""Parsing with a time limit, shared by code segmentation and markdown splitting."""

from __future__ import annotations

import warnings

import tree_sitter

from codetune.parse.errors import ParseTimeout, UnsupportedLanguageError
from codetune.parse.languages import get_language

# How long one file may keep tree-sitter busy inside the parse worker before it is skipped and counted.
DEFAULT_TIMEOUT_MICROS = 5_000_000


def parse_tree(language: str, source: bytes, timeout_micros: int) -> tree_sitter.Tree:
    """Parses with a time limit; raises ParseTimeout instead of returning a partial or missing tree."""
    grammar = get_language(language)
    if grammar is None:
        raise UnsupportedLanguageError(f"language {language!r} has no tree-sitter grammar to parse it with")
    parser = tree_sitter.Parser(grammar)  # new per call: after a timeout a parser would resume the old parse
    with warnings.catch_warnings():
        # Deprecated in 0.25 in favour of parse(progress_callback=...), which 0.25.2 never calls for bytes.
        warnings.simplefilter("ignore", DeprecationWarning)
        parser.timeout_micros = timeout_micros
    try:
        tree = parser.parse(source)
    except ValueError:  # tree-sitter 0.25.2 raises "Parsing failed" where its docs promise None
        tree = None
    if tree is None:
        raise ParseTimeout(
            f"tree-sitter could not parse {len(source)} bytes of {language} within {timeout_micros} µs"
        )
    return tree
