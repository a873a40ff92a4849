"""Python: functions, methods, (decorated) classes, docstrings cut from the code."""

from __future__ import annotations

from textwrap import dedent

from codetune.parse.segment import segment_source
from tests.parse.lookup import names, only

SOURCE = dedent(
    '''\
    import os


    @dataclass(frozen=True)
    class Point(Base):
        """A point.

        Has two coordinates.
        """

        x: int = 0

        @property
        def norm(self) -> float:
            """Length of the vector."""

            return abs(self.x)

        class Inner:
            def helper(self):
                return 1


    def top(a,
            b):
        # comment, not a docstring
        def local():
            return a
        return local()


    class Protocolish:
        """Only a docstring."""
    '''
).encode()


def test_python_segments_come_in_source_order_with_kinds_and_parents():
    assert names(segment_source("python", SOURCE)) == [
        ("class", "", "Point"),
        ("method", "Point", "norm"),
        ("class", "Point", "Inner"),
        ("method", "Inner", "helper"),
        ("function", "", "top"),
        ("class", "", "Protocolish"),
    ]


def test_python_decorated_class_code_starts_at_its_decorator_and_drops_the_docstring():
    point = only(segment_source("python", SOURCE), "Point")
    assert point.docstring == "A point.\n\nHas two coordinates."
    assert point.start_line == 4 and point.end_line == 21
    assert point.code.startswith("@dataclass(frozen=True)\nclass Point(Base):\n    x: int = 0\n")
    assert '"""' not in point.code.split("@property")[0]


def test_python_method_docstring_is_separated_and_code_is_dedented():
    norm = only(segment_source("python", SOURCE), "norm")
    assert norm.docstring == "Length of the vector."
    assert norm.code == "@property\ndef norm(self) -> float:\n    return abs(self.x)"
    assert (norm.start_line, norm.end_line) == (13, 17)


def test_python_comment_is_not_a_docstring_and_local_functions_are_not_segments():
    top = only(segment_source("python", SOURCE), "top")
    assert top.docstring == ""
    assert top.code.startswith("def top(a,\n        b):\n    # comment, not a docstring\n")
    assert "local" not in [s.name for s in segment_source("python", SOURCE).segments]


def test_python_body_that_is_only_a_docstring_keeps_valid_code_with_pass():
    protocol = only(segment_source("python", SOURCE), "Protocolish")
    assert protocol.docstring == "Only a docstring."
    assert protocol.code == "class Protocolish:\n    pass"


def test_python_docstring_on_the_def_line_is_cut_with_its_semicolon():
    result = segment_source("python", b'def f(): "Say one."; return 1\n')
    assert only(result, "f").code == "def f(): return 1"
    assert only(result, "f").docstring == "Say one."


def test_python_f_strings_and_bytes_are_not_docstrings():
    result = segment_source("python", b'def f():\n    f"{x}"\n\ndef g():\n    b"raw"\n')
    assert only(result, "f").docstring == "" and 'f"{x}"' in only(result, "f").code
    assert only(result, "g").docstring == "" and 'b"raw"' in only(result, "g").code


def test_python_syntax_error_marks_the_broken_function_and_the_file():
    source = b"def ok():\n    return 1\n\ndef broken(:\n    return 2\n\ndef after():\n    return 3\n"
    result = segment_source("python", source)
    assert result.has_error
    assert [(s.name, s.has_error) for s in result.segments] == [
        ("ok", False),
        ("broken", True),
        ("after", False),
    ]


def test_python_clean_file_has_no_error():
    assert not segment_source("python", SOURCE).has_error
