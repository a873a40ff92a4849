"""segment_source as a whole: language checks, timeouts, kinds, non-UTF-8 input."""

from __future__ import annotations

import pytest

from codetune.errors import CodetuneError
from codetune.parse.errors import ParseTimeout, UnsupportedLanguageError
from codetune.parse.segment import SEGMENT_KINDS, segment_source
from codetune.parse.segment_rules import RULES
from tests.parse.lookup import only


def test_parse_timeout_is_raised_when_parsing_exceeds_the_limit():
    source = b"def f(x):\n    return [x for x in range(10)]\n" * 20_000
    with pytest.raises(ParseTimeout, match="within 1 µs"):
        segment_source("python", source, timeout_micros=1)


def test_parse_timeout_is_a_codetune_error():
    assert issubclass(ParseTimeout, CodetuneError)


@pytest.mark.parametrize("language", ["json", "markdown", "cobol"])
def test_languages_without_segment_rules_are_refused_with_the_supported_list(language):
    with pytest.raises(UnsupportedLanguageError, match="supports: gdscript, go, javascript, python"):
        segment_source(language, b"{}")


def test_every_grammar_language_except_markdown_has_segment_rules():
    from codetune.parse.languages import LANGUAGES

    with_grammar = {name for name, spec in LANGUAGES.items() if spec.grammar is not None}
    assert with_grammar - set(RULES) == {"markdown"}


@pytest.mark.parametrize(
    ("language", "source"),
    [
        ("python", b"class A:\n    def f(self): pass\n"),
        ("rust", b"struct S;\nenum E {}\ntrait T {}\nimpl S { fn f() {} }\nmod m {}\ntype A = S;\n"),
        ("solidity", b"contract C { event E(); error X(); modifier m() { _; } }\n"),
        ("gdscript", b"signal s\nclass K:\n\tfunc f():\n\t\tpass\n"),
        ("typescript", b"interface I {}\nenum E {}\ntype T = I;\nnamespace N {}\n"),
    ],
)
def test_every_segment_kind_is_a_documented_kind(language, source):
    kinds = {s.kind for s in segment_source(language, source).segments}
    assert kinds and kinds <= SEGMENT_KINDS


def test_invalid_utf8_is_replaced_not_raised():
    result = segment_source("python", b"def f():\n    return '\xff'\n")
    assert only(result, "f").code == "def f():\n    return '\ufffd'"


def test_empty_source_has_no_segments_and_no_error():
    result = segment_source("go", b"")
    assert result.segments == () and not result.has_error
