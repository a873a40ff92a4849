"""The language registry: recognising files by name, extension and shebang; loading grammars."""

from __future__ import annotations

import pytest
import tree_sitter

from codetune.parse.errors import UnsupportedLanguageError
from codetune.parse.languages import LANGUAGES, get_language, get_parser, language_for_path


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("src/app.py", "python"),
        ("typings/mod.PYI", "python"),
        ("web/index.mjs", "javascript"),
        ("web/App.jsx", "javascript"),
        ("web/app.cts", "typescript"),
        ("web/App.tsx", "tsx"),
        ("src/lib.rs", "rust"),
        ("main.go", "go"),
        ("scripts/player.gd", "gdscript"),
        ("contracts/Token.sol", "solidity"),
        ("docs/README.md", "markdown"),
        ("scenes/main.tscn", "godot-resource"),
        ("game/project.godot", "godot-resource"),
        ("Dockerfile", "dockerfile"),
        ("build/Makefile", "makefile"),
        ("notes.txt", "text"),
        ("docs/index.rst", "restructuredtext"),
        ("windows\\style.scss", "scss"),
    ],
)
def test_language_for_path_by_filename_and_extension(path, language):
    assert language_for_path(path) == language


@pytest.mark.parametrize(
    ("head", "language"),
    [
        (b"#!/usr/bin/env python3\nprint(1)\n", "python"),
        (b"#!/usr/bin/python3.11 -u\n", "python"),
        (b"#!/usr/bin/env -S node --experimental\n", "javascript"),
        (b"#!/bin/bash\nset -e\n", "shell"),
        (b"#! /bin/sh\n", "shell"),
        (b"#!/usr/bin/env FOO=1 bash\n", "shell"),
    ],
)
def test_language_for_path_falls_back_to_the_shebang(head, language):
    assert language_for_path("bin/tool", head) == language


def test_extension_wins_over_shebang():
    assert language_for_path("tool.sh", b"#!/usr/bin/env python3\n") == "shell"


@pytest.mark.parametrize(
    ("path", "head"),
    [("LICENSE", b""), ("bin/tool", b"#!/usr/bin/env perl\n"), ("data.bin", b"\x00\x01"), ("x", b"#!\n")],
)
def test_language_for_path_is_none_when_unknown(path, head):
    assert language_for_path(path, head) is None


def test_docs_languages_have_the_docs_role():
    assert {name for name, spec in LANGUAGES.items() if spec.role == "docs"} == {
        "markdown",
        "text",
        "restructuredtext",
    }


def test_extensions_are_lowercase_with_a_dot_and_unique():
    extensions = [ext for spec in LANGUAGES.values() for ext in spec.extensions]
    assert all(ext.startswith(".") and ext == ext.lower() for ext in extensions)
    assert len(extensions) == len(set(extensions))


@pytest.mark.parametrize("name", [n for n, spec in LANGUAGES.items() if spec.grammar is not None])
def test_every_grammar_loads_and_parses(name):
    parser = get_parser(name)
    assert isinstance(get_language(name), tree_sitter.Language)
    assert parser is not None and parser.parse(b"\n").root_node is not None


def test_grammar_is_loaded_once():
    assert get_language("rust") is get_language("rust")


def test_grammarless_language_has_no_parser():
    assert get_language("yaml") is None and get_parser("yaml") is None


def test_unknown_language_name_is_an_error_listing_known_ones():
    with pytest.raises(UnsupportedLanguageError, match="unknown language 'cobol'; known languages: c, cpp"):
        get_language("cobol")
