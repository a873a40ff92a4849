"""Per-sample metric functions on outputs whose answers are known by hand."""

from __future__ import annotations

import re

import pytest

from codetune.eval.metrics import (
    check_syntax,
    deprecated_uses,
    edit_similarity,
    exact_match,
    extract_code,
    path_set_f1,
    rouge_f1,
    tree_listing_paths,
)
from codetune.parse.trees import render_tree
from dataset_scripts.example import DEPRECATED_APIS

SDK7 = (
    "export function spawn(): Entity {\n  const cube = engine.addEntity()\n"
    "  Transform.create(cube, { position: Vector3.create(1, 2, 3) })\n  MeshRenderer.setBox(cube)\n"
    "  return cube\n}\n"
)
GODOT4 = "func die() -> void:\n\tdied.emit()\n\thealth_changed.emit(0)\n"


def test_code_is_the_first_fenced_block_or_else_the_raw_text():
    assert extract_code("Here:\n```gdscript\nfunc f():\n\tpass\n```\nDone.") == "func f():\n\tpass\n"
    assert extract_code("```python\nx = 1\n") == "x = 1\n"  # fence cut off by max tokens
    assert extract_code("x = 1\n") == "x = 1\n"


def test_valid_code_parses_and_broken_code_reports_its_first_error_line():
    assert check_syntax(SDK7, "typescript").valid is True
    broken = check_syntax("def ok():\n    return 1\n\ndef broken(:\n    return\n", "python")
    assert broken.valid is False
    assert broken.error_line == 4


def test_empty_generation_is_invalid_not_an_error():
    verdict = check_syntax("  \n", "gdscript")
    assert (verdict.valid, verdict.reason) == (False, "empty")


def test_language_without_grammar_is_not_applicable():
    assert check_syntax('{"a": 1}', "json").valid is None
    assert check_syntax("x", "no-such-language").valid is None


def test_code_rewritten_by_the_dpo_table_is_found_deprecated_and_the_original_is_not():
    rewritten = SDK7
    for api in DEPRECATED_APIS:
        if "typescript" in api.languages:
            rewritten = re.sub(api.current, api.deprecated, rewritten)
    assert deprecated_uses(SDK7, "typescript", DEPRECATED_APIS) == []
    assert deprecated_uses(rewritten, "typescript", DEPRECATED_APIS) == [
        "SDK 6 entities: new Entity()",
        "SDK 6 components: entity.addComponent(new Transform(...))",
        "SDK 6 shapes: BoxShape",
    ]
    godot3 = GODOT4
    for api in DEPRECATED_APIS:
        if "gdscript" in api.languages:
            godot3 = re.sub(api.current, api.deprecated, godot3)
    assert deprecated_uses(GODOT4, "gdscript", DEPRECATED_APIS) == []
    assert len(deprecated_uses(godot3, "gdscript", DEPRECATED_APIS)) == 2
    # entries are per language: Godot 3 code in a TypeScript row is not counted
    assert deprecated_uses(godot3, "typescript", DEPRECATED_APIS) == []


def test_edit_similarity_and_exact_match_of_middles():
    assert edit_similarity("kitten", "sitting") == pytest.approx(1 - 3 / 7)
    assert edit_similarity("", "") == 1.0
    assert edit_similarity("abc", "") == 0.0
    assert exact_match("  x = 1\n", "x = 1") == 1.0
    assert exact_match("x = 1", "x = 2") == 0.0


def test_rouge_of_identical_text_is_one():
    assert rouge_f1("a b c", "a b c") == {"rouge1": 1.0, "rougeL": 1.0}
    assert rouge_f1("a b c d", "a b")["rouge1"] == pytest.approx(2 * 1.0 * 0.5 / 1.5)


def test_tree_path_f1_from_rendered_and_generated_listings():
    real = render_tree("scene", ["src/index.ts", "src/systems.ts", "package.json", "README.md"]).text
    assert tree_listing_paths(real) == {"src/index.ts", "src/systems.ts", "package.json", "README.md"}
    generated = "Here is the layout:\nscene\n├── src/\n│   └── index.ts\n└── scene.json\n"
    predicted = tree_listing_paths(generated)
    assert predicted == {"src/index.ts", "scene.json"}
    assert path_set_f1(tree_listing_paths(real), predicted) == pytest.approx(2 * 0.5 * 0.25 / 0.75)
    assert path_set_f1({"a"}, set()) == 0.0


def test_a_report_delta_below_the_printed_precision_is_unmarked_and_a_real_one_says_better_or_worse():
    from codetune.eval.report import _delta

    assert _delta(3.86332, 3.86331, "bits_per_byte") == "+0.0000"
    assert _delta(3.8, 4.9, "bits_per_byte") == "-1.1000 ✓"
    assert _delta(0.5, 0.2, "syntax_valid") == "+0.3000 ✓"
    assert _delta(0.1, 0.2, "syntax_valid") == "-0.1000 ✗"
