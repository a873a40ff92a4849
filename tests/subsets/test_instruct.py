"""`instruct` rows from docstrings, doc examples and imported files; prompt templates; bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codetune.definitions.subset_settings import InstructionImport, InstructSettings
from codetune.documents import CodeExample, DocSectionMeta, make_document
from codetune.parse.segment import segment_source
from codetune.subsets.instruct import imported_rows, imports_digest, instruct_rows, render_user_turn
from codetune.subsets.instruction_imports import InstructionImportError
from tests.subsets.conftest import ecosystem, segment_document

MOVE = "func move(delta: float) -> void:\n\tvelocity.y += 9.8 * delta\n\tmove_and_slide()"
DOC = "Moves the player and applies gravity every physics frame."


def test_docstring_becomes_the_instruction_and_the_function_the_output(context_for):
    context = context_for()
    (row,) = instruct_rows(segment_document(MOVE, docstring=DOC), context)
    assert row["instruction"] == DOC and row["output"] == MOVE and DOC not in row["output"]
    assert "Language: gdscript" in row["input"] and "Function: move" in row["input"]
    assert row["messages"] == [*row["prompt"], *row["completion"]]
    assert [m["role"] for m in row["messages"]] == ["user", "assistant"]
    assert row["completion"] == [{"role": "assistant", "content": MOVE}]
    assert row["prompt"][0]["content"].startswith(DOC) and row["source"] == "docstring"


def test_python_docstring_is_stripped_from_the_output_and_a_docstring_only_function_is_skipped(context_for):
    source = (
        'def area(width, height):\n    """Returns the area of a width by height rectangle."""\n'
        "    size = width * height\n    return size\n\n\n"
        'def todo():\n    """Does nothing yet but has a long enough docstring."""\n'
    )
    context = context_for()
    rows = []
    for segment in segment_source("python", source.encode()).segments:
        document = segment_document(segment.code, segment.docstring, segment.name, language="python")
        rows += instruct_rows(document, context)
    (row,) = rows
    assert row["output"] == "def area(width, height):\n    size = width * height\n    return size"
    assert context.counts["instruct_skipped_trivial_body"] == 1  # `todo` is its docstring plus `pass`


def test_short_docstrings_and_broken_code_are_skipped_and_counted(context_for):
    context = context_for(instruct=InstructSettings(min_docstring_chars=30))
    assert list(instruct_rows(segment_document(MOVE, docstring="Moves."), context)) == []
    assert list(instruct_rows(segment_document(MOVE, docstring=DOC, has_error=True), context)) == []
    assert list(instruct_rows(segment_document(MOVE, docstring=DOC, kind="class"), context)) == []
    assert context.counts == {"instruct_skipped_short_docstring": 1, "instruct_skipped_parse_error": 1}


def _section(*examples: CodeExample):
    meta = DocSectionMeta(
        repo="docs", commit="", split="test", license="MIT", path="guide.md", title="Systems", level=2,
        heading_path=("SDK 7", "Systems"), start_line=3, end_line=30, code_examples=examples,
    )  # fmt: skip
    return make_document("## Systems\n...", meta)


def test_prose_before_a_fenced_example_is_the_instruction_and_a_bare_block_is_skipped(context_for):
    context = context_for()
    section = _section(
        CodeExample("typescript", "engine.addSystem(rise)\n", "Register the system with the engine.", 5),
        CodeExample("typescript", "engine.removeSystem('rise')\n", "", 12),
    )
    (row,) = instruct_rows(section, context)
    assert row["instruction"] == "Register the system with the engine."
    assert row["output"] == "engine.addSystem(rise)" and row["source"] == "doc_example"
    assert "Section: SDK 7 > Systems" in row["input"]
    assert context.counts["instruct_skipped_no_prose"] == 1


def test_alpaca_template_has_code_alpacas_wording_with_and_without_input():
    with_input = render_user_turn("alpaca", "Sum a list.", "xs = [1, 2]")
    assert with_input.startswith("Below is an instruction that describes a task, paired with an input")
    assert with_input.endswith("### Input:\nxs = [1, 2]\n\n### Response:")
    without = render_user_turn("alpaca", "Sum a list.", "")
    assert "### Input" not in without and without.endswith("### Instruction:\nSum a list.\n\n### Response:")
    assert render_user_turn("chat", "Sum a list.", "") == "Sum a list."


def test_system_prompt_goes_before_the_user_turn(context_for):
    context = context_for(instruct=InstructSettings(system_prompt="You write GDScript for Godot 4."))
    (row,) = instruct_rows(segment_document(MOVE, docstring=DOC), context)
    assert [m["role"] for m in row["prompt"]] == ["system", "user"]


def _write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def test_alpaca_json_and_prompt_completion_jsonl_are_imported(tmp_path: Path, context_for):
    alpaca = _write(tmp_path / "code_alpaca.json", json.dumps([
        {"instruction": "Add two numbers.", "input": "", "output": "def add(a, b):\n    return a + b"},
        {"instruction": "Reverse a string.", "output": "s[::-1]"},
    ], indent=1))  # fmt: skip
    pairs = _write(tmp_path / "pairs.jsonl", '{"prompt": "Say hi", "completion": "print(\\"hi\\")"}\n')
    imports = (
        InstructionImport(alpaca, license="CC-BY-NC-4.0"),
        InstructionImport(pairs, "prompt_completion", "test"),
    )
    context = context_for(instruct=InstructSettings(imports=imports))
    rows = list(imported_rows(context))
    assert [(split, row["instruction"], row["input"]) for split, row in rows] == [
        ("train", "Add two numbers.", ""),
        ("train", "Reverse a string.", ""),
        ("test", "Say hi", ""),
    ]
    assert rows[0][1]["license"] == "CC-BY-NC-4.0" and rows[0][1]["id"] == "import:code_alpaca:L2"
    assert rows[2][1]["completion"] == [{"role": "assistant", "content": 'print("hi")'}]


def test_alpaca_file_with_a_missing_field_names_file_line_and_field(tmp_path: Path):
    path = _write(
        tmp_path / "broken.json", '[\n  {"instruction": "a", "output": "b"},\n  {"instruction": "c"}\n]\n'
    )
    with pytest.raises(InstructionImportError, match=r"broken\.json: line 3: missing field 'output'"):
        imports_digest(ecosystem(instruct=InstructSettings(imports=(InstructionImport(path),))))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"prompt": "a", "completion": "b"}\n{"prompt": 1, "completion": "b"}\n',
            r"line 2: field 'prompt' must be a string",
        ),
        ('{"prompt": "a", "completion": "b"}\nnot json\n', r"line 2: invalid JSON"),
        ("", r"holds no records"),
    ],
)
def test_malformed_prompt_completion_files_are_clear_errors(tmp_path: Path, text: str, message: str):
    path = _write(tmp_path / "pairs.jsonl", text)
    spec = InstructionImport(path, format="prompt_completion")
    with pytest.raises(InstructionImportError, match=message):
        imports_digest(ecosystem(instruct=InstructSettings(imports=(spec,))))


def test_missing_import_file_is_an_error_before_any_stage(tmp_path: Path, git_fixtures):
    from codetune.build.pipeline import BuildOptions, build
    from codetune.ecosystem import Ecosystem, Source

    eco = Ecosystem(
        name="e",
        sources=(Source(str(git_fixtures.game_bare), allow_license=True),),
        instruct=InstructSettings(imports=(InstructionImport(str(tmp_path / "missing.json")),)),
    )
    with pytest.raises(InstructionImportError, match=r"missing\.json.*file not found"):
        build(eco, BuildOptions(out_dir=tmp_path / "out", cache_dir=tmp_path / "c", progress=False))
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "docstring",
    [
        "@param status 'loading' or 'finished'",
        ":param speed: metres per second\n:returns: the new velocity",
        "Args:\n    speed: metres per second\n\nReturns:\n    the new velocity",
    ],
)
def test_a_docstring_made_only_of_tags_gives_no_row_and_is_counted(context_for, docstring: str):
    context = context_for()
    assert list(instruct_rows(segment_document(MOVE, docstring=docstring), context)) == []
    assert context.counts == {"instruct_skipped_tags_only": 1}


def test_a_prose_tag_gives_its_sentence_and_free_prose_keeps_the_tags(context_for):
    context = context_for()
    tagged = "@description Moves the player and applies gravity.\n@param delta seconds since the last frame"
    (from_tag,) = instruct_rows(segment_document(MOVE, docstring=tagged), context)
    assert from_tag["instruction"] == "Moves the player and applies gravity."
    mixed = f"{DOC}\n@param delta seconds since the last frame"
    (from_prose,) = instruct_rows(segment_document(MOVE, docstring=mixed), context)
    assert from_prose["instruction"] == mixed
    assert context.counts["instruct_instruction_from_prose_tag"] == 1
    assert context.counts["instruct_rows_docstring"] == 2


def test_shell_only_doc_examples_are_counted_apart_and_kept_only_when_asked(context_for):
    section = _section(
        CodeExample("bash", "npm i -g decentraland\n", "Install the CLI with npm.", 3),
        CodeExample("", "$ npm install\n$ npm run start\n", "Then start the scene.", 8),
        CodeExample("typescript", "engine.addSystem(rise)\n", "Register the system with the engine.", 12),
    )
    context = context_for()
    (row,) = instruct_rows(section, context)
    assert row["output"] == "engine.addSystem(rise)"
    assert context.counts["instruct_shell_examples"] == 2
    assert context.counts["instruct_skipped_shell_example"] == 2
    kept = context_for(instruct=InstructSettings(shell_examples=True))
    outputs = [r["output"] for r in instruct_rows(section, kept)]
    assert outputs == ["npm i -g decentraland", "$ npm install\n$ npm run start", "engine.addSystem(rise)"]
    assert kept.counts["instruct_shell_examples"] == 2 and "instruct_skipped_shell_example" not in kept.counts
