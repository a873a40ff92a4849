"""`fim` rows: spans, orderings, sentinels, determinism, and the inputs that get no span."""

from __future__ import annotations

from codetune.definitions.fim_formats import fim_format
from codetune.definitions.subset_settings import FimSettings
from codetune.documents import FileMeta
from codetune.parse.infill_nodes import infill_candidates
from codetune.subsets.fim import cuts_by_syntax, fim_rows
from tests.subsets.conftest import file_document

PYTHON = '''"""Level tools."""


def build(levels: list[str]) -> int:
    count = 0
    for level in levels:
        count += len(level)
    return count


def total(sizes):
    return sum(size * 2 for size in sizes if size > 0)
'''


def rows(context, text: str = PYTHON, **meta) -> list[dict]:
    return list(fim_rows(file_document(text, **meta), context))


def test_prefix_middle_suffix_are_the_file_and_text_is_rendered_with_the_family(context_for):
    for seed in range(12):
        context = context_for(
            fim=FimSettings(format="qwen2.5-coder", fim_rate=1.0, seed=seed, spans_per_file=2)
        )
        for row in rows(context):
            assert row["prefix"] + row["middle"] + row["suffix"] == PYTHON
            assert row["middle"]
            fmt = fim_format("qwen2.5-coder")
            render = fmt.render_spm if row["ordering"] == "spm" else fmt.render_psm
            assert row["text"] == render(row["prefix"], row["middle"], row["suffix"])
            assert row["format"] == "qwen2.5-coder" and row["path"] == "src/game.py"


def test_rows_are_deterministic_per_row_id_and_seed(context_for):
    settings = FimSettings(fim_rate=1.0, spans_per_file=3)
    first = rows(context_for(fim=settings))
    assert first == rows(context_for(fim=settings))
    assert len({row["id"] for row in first}) == 3
    other_seeds = [
        rows(context_for(fim=FimSettings(fim_rate=1.0, spans_per_file=3, seed=s))) for s in range(1, 6)
    ]
    assert any(other != first for other in other_seeds)


def test_fim_rate_zero_gives_plain_rows_and_spm_rate_one_gives_only_spm(context_for):
    plain = rows(context_for(fim=FimSettings(fim_rate=0.0)))
    assert [(row["ordering"], row["span"], row["text"]) for row in plain] == [("none", "none", PYTHON)]
    spm = [
        row
        for seed in range(8)
        for row in rows(context_for(fim=FimSettings(fim_rate=1, spm_rate=1, seed=seed)))
    ]
    assert {row["ordering"] for row in spm} == {"spm"}
    assert all(row["text"].startswith("<fim_prefix><fim_suffix>") for row in spm)


def test_ast_span_is_one_whole_syntax_node(context_for):
    nodes = {
        PYTHON.encode()[start:end].decode() for start, end in infill_candidates("python", PYTHON.encode())
    }
    middles = set()
    for seed in range(10):
        context = context_for(fim=FimSettings(fim_rate=1.0, span_mix={"ast": 1.0}, seed=seed))
        (row,) = rows(context)
        assert row["span"] == "ast" and row["middle"] in nodes
        middles.add(row["middle"])
    assert len(middles) > 3  # not always the same node


def test_line_spans_cut_at_line_boundaries(context_for):
    for seed in range(10):
        (row,) = rows(context_for(fim=FimSettings(fim_rate=1.0, span_mix={"line": 1.0}, seed=seed)))
        assert row["span"] == "line"
        assert row["prefix"] == "" or row["prefix"].endswith("\n")
        assert row["middle"].endswith("\n") or row["suffix"] == ""


def test_file_too_short_for_a_span_is_skipped_and_counted(context_for):
    context = context_for(fim=FimSettings(fim_rate=1.0))
    assert rows(context, "x = 1\n") == []
    assert context.counts["fim_skipped_too_short"] == 1


def test_language_without_grammar_falls_back_to_line_spans_and_counts(context_for):
    context = context_for(fim=FimSettings(fim_rate=1.0, span_mix={"ast": 1.0}))
    toml = "[project]\nname = 'game'\nversion = '1.0.0'\ndescription = 'a platformer'\n"
    (row,) = rows(context, toml, path="pyproject.toml", language="toml")
    assert row["span"] == "line"
    assert context.counts["fim_ast_fallback_no_grammar"] == 1


def test_docs_get_no_fim_rows_and_a_file_holding_sentinels_is_skipped(context_for):
    context = context_for(fim=FimSettings(fim_rate=1.0))
    assert (
        rows(
            context,
            "# Guide\n\n" + "Some words here. " * 5,
            path="README.md",
            language="markdown",
            role="docs",
        )
        == []
    )
    assert rows(context, PYTHON + "\nTOKEN = '<fim_middle>'\n") == []
    assert context.counts["fim_skipped_contains_sentinel"] == 1


def test_the_extract_stage_predicts_which_files_are_cut_by_syntax(context_for, monkeypatch):
    """`cuts_by_syntax` makes fim_rows' draws in advance: it names exactly the files that ask for holes."""
    asked: list[str] = []

    def recording_isolated(self, target):
        asked.append(target)
        return original_isolated(self, target)

    from codetune.subsets.base import SubsetContext

    original_isolated = SubsetContext.isolated
    monkeypatch.setattr(SubsetContext, "isolated", recording_isolated)
    settings = FimSettings(fim_rate=0.7, spans_per_file=2)
    context = context_for(fim=settings)
    texts = [PYTHON.replace("count", f"count{index}") for index in range(40)]
    texts += ["x = 1\n", "# <fim_prefix>\n" * 9]  # too short; holds a sentinel
    actual = 0
    for index, text in enumerate(texts):
        document = file_document(text, path=f"src/game{index}.py")
        asked.clear()
        list(fim_rows(document, context))
        actual += bool(asked)
        assert cuts_by_syntax(document, settings) == bool(asked), text
    assert 0 < actual < len(texts)  # both kinds of file were seen


def test_holes_found_by_the_extract_stage_are_used_without_a_second_parse(context_for, monkeypatch):
    from codetune.parse.extract import SegmentExtractor
    from codetune.subsets.base import SubsetContext

    settings = FimSettings(fim_rate=1.0, span_mix=(("ast", 1.0),), spans_per_file=3)
    document = file_document(PYTHON)
    extracted = list(SegmentExtractor(wants_holes=lambda doc: cuts_by_syntax(doc, settings)).run([document]))
    meta = FileMeta.from_document(extracted[0])
    assert meta.fim_holes == infill_candidates("python", PYTHON.encode())
    reparsed = rows(context_for(fim=settings))

    def no_second_parse(self, target):
        raise AssertionError(f"parsed again with {target}")

    monkeypatch.setattr(SubsetContext, "isolated", no_second_parse)
    reused = list(fim_rows(extracted[0], context_for(fim=settings)))
    assert reused == reparsed and {row["span"] for row in reused} == {"ast"}
