"""Metric functions on one generation and its reference: small, pure, and the same in tests and tasks.

lm-eval aggregates what these return (a mean of 0/1 values, corpus BLEU over (reference, prediction)
pairs); the functions here only look at one sample.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from codetune.ecosystem import DeprecatedApi
from codetune.parse.errors import UnsupportedLanguageError
from codetune.parse.languages import get_parser

# A fenced block: ``` or ~~~ with an optional info string; the closing fence may be cut off by max tokens.
_FENCE = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n(.*?)(?:^[ \t]*\1[ \t]*$|\Z)", re.S | re.M)
_GROUP_REFERENCE = re.compile(r"\\(?:(\d+)|g<(\w+)>)")
_TREE_CONNECTOR = re.compile(r"(├──|└──|\|--|`--)\s?")


def extract_code(generation: str) -> str:
    """The code of a generation: the first fenced block's body when there is one, else the raw text."""
    match = _FENCE.search(generation)
    return match.group(2) if match else generation


# --- syntax validity (godot-dodo's measure) ------------------------------------------------------------


@dataclass(frozen=True)
class SyntaxVerdict:
    """`valid` is None when the language has no grammar (syntax validity is n/a, not a failure)."""

    valid: bool | None
    error_line: int | None = None  # 1-based line of the first ERROR or MISSING node
    reason: str = ""


def has_grammar(language: str) -> bool:
    try:
        return get_parser(language) is not None
    except UnsupportedLanguageError:
        return False


def check_syntax(code: str, language: str) -> SyntaxVerdict:
    """Parse with codetune's tree-sitter grammar: valid = non-empty and no ERROR or MISSING node.

    An empty generation parses without error in tree-sitter, so emptiness is checked first.
    """
    if not has_grammar(language):
        return SyntaxVerdict(None, reason=f"no grammar for {language!r}")
    if not code.strip():
        return SyntaxVerdict(False, reason="empty")
    parser = get_parser(language)
    tree = parser.parse(code.encode("utf-8"))
    if not tree.root_node.has_error:
        return SyntaxVerdict(True)
    node = _first_error(tree.root_node)
    line = node.start_point[0] + 1 if node is not None else 1
    kind = "missing " + node.type if node is not None and node.is_missing else "syntax error"
    return SyntaxVerdict(False, error_line=line, reason=f"{kind} at line {line}")


def _first_error(root):
    """The first ERROR or MISSING node in document order (children are visited in order)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            return node
        if node.has_error:
            stack.extend(reversed(node.children))
    return None


# --- deprecated APIs (the table the `dpo` negatives are made from) --------------------------------------


def _literal_pattern(text: str) -> str:
    """A literal piece of a replacement as a pattern where any run of whitespace matches any other."""
    return r"\s+".join(re.escape(piece) for piece in re.split(r"\s+", text)) if text.strip() else r"\s*"


@cache
def deprecated_pattern(api: DeprecatedApi) -> re.Pattern[str]:
    """A pattern that finds the deprecated form an entry writes: its replacement with each group as `.*?`."""
    parts, position = [], 0
    for match in _GROUP_REFERENCE.finditer(api.deprecated):
        parts.append(_literal_pattern(api.deprecated[position : match.start()]))
        parts.append(r".*?")
        position = match.end()
    parts.append(_literal_pattern(api.deprecated[position:]))
    return re.compile("".join(part for part in parts if part))


def applicable_apis(apis: Iterable[DeprecatedApi], language: str) -> tuple[DeprecatedApi, ...]:
    return tuple(api for api in apis if not api.languages or language in api.languages)


def deprecated_uses(code: str, language: str, apis: Sequence[DeprecatedApi]) -> list[str]:
    """The descriptions of the table's entries whose deprecated form appears in `code`."""
    return [
        api.description or api.deprecated
        for api in applicable_apis(apis, language)
        if deprecated_pattern(api).search(code)
    ]


# --- overlap with the reference (NEARCoder's table) ----------------------------------------------------


@cache
def _rouge_scorer():
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rouge1", "rougeL"])


def rouge_f1(reference: str, prediction: str) -> dict[str, float]:
    """ROUGE-1 and ROUGE-L F-measures of one prediction (rouge-score, its default tokenizer)."""
    scores = _rouge_scorer().score(reference, prediction)
    return {"rouge1": scores["rouge1"].fmeasure, "rougeL": scores["rougeL"].fmeasure}


# --- fill-in-the-middle (Code Llama's and SantaCoder's infilling metrics) --------------------------------


def levenshtein(a: str, b: str) -> int:
    """Character edit distance (insert, delete, substitute), two rows of the usual table."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def edit_similarity(reference: str, prediction: str) -> float:
    """1 - edit distance / the longer length; two empty strings are identical (1.0)."""
    longest = max(len(reference), len(prediction))
    return 1.0 if longest == 0 else 1.0 - levenshtein(reference, prediction) / longest


def exact_match(reference: str, prediction: str) -> float:
    """1.0 when the middles are equal up to surrounding whitespace."""
    return float(reference.strip() == prediction.strip())


# --- directory trees (NEARCoder's dApp structures) ------------------------------------------------------


def tree_listing_paths(text: str) -> set[str]:
    """The file paths of a `tree`-style listing; lines without a connector (root, summary, prose) are
    skipped, so a model's listing with extra text around it still scores."""
    entries: list[tuple[int, str]] = []
    for line in text.split("\n"):
        match = _TREE_CONNECTOR.search(line)
        name = line[match.end() :].strip().rstrip("/") if match else ""
        if match and name:
            entries.append((match.start() // 4, name))
    paths, stack = set(), []
    for position, (depth, name) in enumerate(entries):
        del stack[depth:]
        if position + 1 < len(entries) and entries[position + 1][0] > depth:
            stack.append(name)
        else:
            paths.add("/".join([*stack, name]))
    return paths


def path_set_f1(reference: set[str], predicted: set[str]) -> float:
    """F1 of the predicted file-path set against the real one."""
    if not reference and not predicted:
        return 1.0
    hits = len(reference & predicted)
    if not hits:
        return 0.0
    precision, recall = hits / len(predicted), hits / len(reference)
    return 2 * precision * recall / (precision + recall)
