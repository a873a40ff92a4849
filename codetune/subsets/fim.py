"""`fim`: fill-in-the-middle rows for continued pretraining of completion models.

One code file gives, with probability `fim_rate`, `spans_per_file` rows cut into prefix / middle / suffix
and rendered with the sentinels of one model family (PSM, or SPM with probability `spm_rate`); otherwise
one plain row (`ordering == "none"`, the whole file in `prefix` and `text`), as StarCoder mixes them.
`prefix + middle + suffix` is always the file, so another template can be applied later; a row never spans
two files. Every choice is drawn from a generator seeded by the FIM seed and the row id.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from datatrove.data import Document

from codetune.definitions.fim_formats import FimFormat, fim_format
from codetune.definitions.subset_settings import FimSettings
from codetune.documents import FileMeta, RecordKind
from codetune.parse.isolation import ParseFailure
from codetune.parse.languages import LANGUAGES
from codetune.subsets.base import SubsetContext, SubsetSpec, row_seed

INFILL_TARGET = "codetune.parse.infill_nodes:infill_candidates"

COLUMNS = {
    "id": "string",
    "text": "string",
    "prefix": "string",
    "middle": "string",
    "suffix": "string",
    "ordering": "string",  # psm | spm | none
    "span": "string",  # ast | line | random | none
    "format": "string",
    "repo": "string",
    "path": "string",
    "language": "string",
    "license": "string",
    "commit": "string",
}


@dataclass(frozen=True)
class Span:
    """A middle as character offsets into the file, and how it was chosen."""

    mode: str
    start: int
    end: int


def random_span(text: str, rng: random.Random) -> Span:
    """Two distinct cut points anywhere in the file (Bavarian et al. 2022, character level)."""
    start, end = sorted(rng.sample(range(len(text) + 1), 2))
    return Span("random", start, end)


def line_span(text: str, rng: random.Random) -> Span | None:
    """A run of whole lines, never the whole file; None for a one-line file."""
    lines = text.splitlines(keepends=True)
    if len(lines) < 2:
        return None
    first = rng.randrange(len(lines))
    last = rng.randrange(first, len(lines))
    if first == 0 and last == len(lines) - 1:
        last -= 1
    start = sum(len(line) for line in lines[:first])
    return Span("line", start, start + sum(len(line) for line in lines[first : last + 1]))


def ast_span(text: str, candidates: tuple[tuple[int, int], ...], rng: random.Random) -> Span | None:
    """One whole syntax node (body, block, expression, argument list), uniformly among the candidates."""
    if not candidates:
        return None
    start_byte, end_byte = candidates[rng.randrange(len(candidates))]
    source = text.encode("utf-8")
    start = len(source[:start_byte].decode("utf-8"))
    return Span("ast", start, start + len(source[start_byte:end_byte].decode("utf-8")))


def choose_mode(settings: FimSettings, rng: random.Random) -> str:
    modes = [mode for mode, _ in settings.span_mix]
    return rng.choices(modes, weights=[weight for _, weight in settings.span_mix])[0]


def render(fmt: FimFormat, ordering: str, prefix: str, middle: str, suffix: str) -> str:
    return (fmt.render_spm if ordering == "spm" else fmt.render_psm)(prefix, middle, suffix)


class _Candidates:
    """The file's AST hole candidates, parsed at most once per file and only if a row asks for them."""

    def __init__(self, document: Document, meta: FileMeta, context: SubsetContext):
        self.document, self.meta, self.context = document, meta, context
        self._spans: tuple[tuple[int, int], ...] | None = None

    def get(self) -> tuple[tuple[int, int], ...]:
        if self._spans is None and self.meta.fim_holes is not None:  # found by the extract stage's parse
            self._spans = self.meta.fim_holes
        if self._spans is None:
            self._spans = ()
            if LANGUAGES[self.meta.language].grammar is None:
                self.context.count("fim_ast_fallback_no_grammar")
                return self._spans
            result = self.context.isolated(INFILL_TARGET).segment(
                self.meta.language, self.document.text.encode("utf-8")
            )
            if isinstance(result, ParseFailure):
                self.context.count(f"fim_ast_fallback_{result.reason}")
            else:
                self._spans = result
        return self._spans


def pick_span(
    mode: str, text: str, candidates: _Candidates, rng: random.Random, context: SubsetContext
) -> Span:
    """The span of the drawn mode; AST falls back to lines (no grammar, no node), lines to characters."""
    span = ast_span(text, candidates.get(), rng) if mode == "ast" else None
    if mode == "ast" and span is None:
        context.count("fim_ast_fallback_line")
    if span is None and mode in ("ast", "line"):
        span = line_span(text, rng)
    return span or random_span(text, rng)


def non_blank_characters(text: str, enough: int) -> int:
    """How many characters of `text` are not whitespace, counted only as far as needed to reach `enough`.

    `str.split()` splits on exactly the characters `str.isspace()` is true for, in C: a character-by-character
    count in Python over every file was a tenth of a default build's time.
    """
    head = sum(map(len, text[: 4 * enough].split()))
    return head if head >= enough or len(text) <= 4 * enough else sum(map(len, text.split()))


def _skip_reason(meta: FileMeta, text: str, settings: FimSettings, fmt: FimFormat) -> str | None:
    """Why the file gives no FIM row ("" for docs, which are not counted), or None when it gives some."""
    if meta.role != "code" or LANGUAGES[meta.language].role != "code":
        return ""  # docs are not completion targets
    if non_blank_characters(text, settings.min_chars) < settings.min_chars:
        return "fim_skipped_too_short"
    if any(token in text for token in (fmt.prefix.strip(), fmt.suffix.strip(), fmt.middle.strip())):
        return "fim_skipped_contains_sentinel"  # the file would teach the model a false hole
    return None


def cuts_by_syntax(document: Document, settings: FimSettings) -> bool:
    """Whether `fim_rows` will ask this file for its syntax holes: the same draws, made in advance, so the
    extract stage finds the holes in the parse it makes anyway (`FileMeta.fim_holes`). A wrong guess costs
    time only: without holes recorded, the subset parses the file itself."""
    meta = FileMeta.from_document(document)
    if LANGUAGES[meta.language].grammar is None:
        return False
    if _skip_reason(meta, document.text, settings, fim_format(settings.format)) is not None:
        return False
    if random.Random(row_seed(settings.seed, document.id)).random() >= settings.fim_rate:
        return False
    return any(
        choose_mode(settings, random.Random(row_seed(settings.seed, f"{document.id}#fim{index}"))) == "ast"
        for index in range(settings.spans_per_file)
    )


def fim_rows(document: Document, context: SubsetContext) -> Iterator[dict]:
    meta = FileMeta.from_document(document)
    settings = context.ecosystem.fim
    fmt = fim_format(settings.format)
    text = document.text
    if (reason := _skip_reason(meta, text, settings, fmt)) is not None:
        if reason:
            context.count(reason)
        return
    base = {
        "format": fmt.name,
        "repo": meta.repo,
        "path": meta.path,
        "language": meta.language,
        "license": meta.license,
        "commit": meta.commit,
    }
    if random.Random(row_seed(settings.seed, document.id)).random() >= settings.fim_rate:
        context.count("fim_rows_plain")
        yield {
            "id": f"{document.id}#fim",
            "text": text,
            "prefix": text,
            "middle": "",
            "suffix": "",
            "ordering": "none",
            "span": "none",
            **base,
        }
        return
    candidates = _Candidates(document, meta, context)
    for index in range(settings.spans_per_file):
        row_id = f"{document.id}#fim{index}"
        rng = random.Random(row_seed(settings.seed, row_id))
        mode = choose_mode(settings, rng)
        ordering = "spm" if rng.random() < settings.spm_rate else "psm"
        span = pick_span(mode, text, candidates, rng, context)
        prefix, middle, suffix = text[: span.start], text[span.start : span.end], text[span.end :]
        context.count(f"fim_rows_{ordering}_{span.mode}")
        yield {
            "id": row_id,
            "text": render(fmt, ordering, prefix, middle, suffix),
            "prefix": prefix,
            "middle": middle,
            "suffix": suffix,
            "ordering": ordering,
            "span": span.mode,
            **base,
        }


FIM = SubsetSpec(
    name="fim",
    record_kinds=(RecordKind.FILE,),
    columns=COLUMNS,
    rows=fim_rows,
    description="Fill-in-the-middle rows of code files (PSM/SPM, AST-aware, line and random spans) "
    "rendered with one model family's sentinels; `prefix`, `middle`, `suffix` kept raw.",
)
