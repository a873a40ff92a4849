"""Which language a file is written in, and the tree-sitter grammar that parses it.

Files of grammar-less languages are still recognised so they can go to the plain code (clm) subset.
"""

from __future__ import annotations

import functools
import importlib
import warnings

import tree_sitter

from codetune.definitions.languages import LANGUAGES as LANGUAGES  # re-exported: parse's callers use it here
from codetune.definitions.languages import LanguageSpec as LanguageSpec
from codetune.definitions.languages import language_for_path as language_for_path
from codetune.parse.errors import UnsupportedLanguageError

# Grammar key -> "module:function" returning the grammar's language capsule.
GRAMMARS: dict[str, str] = {
    "python": "tree_sitter_python:language",
    "javascript": "tree_sitter_javascript:language",
    "typescript": "tree_sitter_typescript:language_typescript",
    "tsx": "tree_sitter_typescript:language_tsx",
    "rust": "tree_sitter_rust:language",
    "go": "tree_sitter_go:language",
    "gdscript": "tree_sitter_gdscript:language",
    "solidity": "tree_sitter_solidity:language",
    "markdown": "tree_sitter_markdown:language",
}


def _spec(name: str) -> LanguageSpec:
    try:
        return LANGUAGES[name]
    except KeyError:
        known = ", ".join(sorted(LANGUAGES))
        raise UnsupportedLanguageError(f"unknown language {name!r}; known languages: {known}") from None


@functools.cache
def _load_grammar(key: str) -> tree_sitter.Language:
    module_name, function_name = GRAMMARS[key].split(":")
    module = importlib.import_module(module_name)
    with warnings.catch_warnings():
        # Older grammar wheels (gdscript, solidity) hand over an int pointer; tree-sitter 0.25 warns.
        warnings.simplefilter("ignore", DeprecationWarning)
        return tree_sitter.Language(getattr(module, function_name)())


def get_language(name: str) -> tree_sitter.Language | None:
    """The grammar of a registered language (loaded once per process); None if it has no grammar."""
    grammar = _spec(name).grammar
    return None if grammar is None else _load_grammar(grammar)


def get_parser(name: str) -> tree_sitter.Parser | None:
    """A new parser for a registered language; new each call because a parser keeps state between parses."""
    language = get_language(name)
    return None if language is None else tree_sitter.Parser(language)
