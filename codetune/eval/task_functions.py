"""The functions lm-eval calls for codetune's tasks: prompts from rows, per-sample scores from generations.

A generated task folder holds one small module (`codetune_tasks.py`) whose functions bind these to the
settings of that build (its deprecated-API table, the FIM format); lm-eval imports it by path through
`!function`, so `lm_eval --include_path <tasks>` runs the tasks without codetune's CLI.

Every score is also emitted once per slice (`<metric>_lang_<language>`, `bpb_repo_<repo>`), so one pass
gives the overall figure and the breakdown; lm-eval aggregates each key on its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from codetune.definitions.fim_formats import FimFormat
from codetune.ecosystem import DeprecatedApi
from codetune.eval.metrics import (
    applicable_apis,
    check_syntax,
    deprecated_uses,
    edit_similarity,
    exact_match,
    extract_code,
    path_set_f1,
    rouge_f1,
    tree_listing_paths,
)

FAMILY_METRICS: dict[str, tuple[str, ...]] = {
    "perplexity": ("bits_per_byte",),
    "syntax": ("syntax_valid",),
    "deprecated": ("deprecated_rate",),
    "overlap": ("bleu", "chrf", "rouge1", "rougeL"),
    "fim": ("fim_exact_match", "fim_edit_similarity"),
    "trees": ("tree_path_f1",),
}
# lm-eval aggregation of each metric: corpus figures for bits per byte, BLEU and chrF, means elsewhere.
# BLEU and chrF use the functions below, not lm-eval's registered `bleu`/`chrf`: those are re-scored by
# bootstrap for a standard error (100 corpus scores per key, minutes with per-language keys).
AGGREGATIONS = {"bits_per_byte": "bits_per_byte", "bleu": "!corpus_bleu", "chrf": "!corpus_chrf"}
LOWER_IS_BETTER = frozenset({"bits_per_byte", "deprecated_rate"})


def slug(name: str) -> str:
    """A slice name usable inside an lm-eval metric key (which may not hold ',')."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name) or "_"


def slice_key(metric: str, kind: str, name: str) -> str:
    prefix = "bpb" if metric == "bits_per_byte" else metric
    return f"{prefix}_{kind}_{slug(name)}"


def _with_slices(scores: dict, language: str, repo: str | None = None) -> dict:
    out = dict(scores)
    for metric, value in scores.items():
        out[slice_key(metric, "lang", language)] = value
        if repo is not None:
            out[slice_key(metric, "repo", repo)] = value
    return out


def corpus_bleu(items: Sequence[tuple[str, str]]) -> float:
    """sacrebleu's corpus BLEU (0-100) of (reference, prediction) pairs."""
    import sacrebleu

    references, predictions = zip(*items, strict=True)
    return sacrebleu.corpus_bleu(list(predictions), [list(references)]).score


def corpus_chrf(items: Sequence[tuple[str, str]]) -> float:
    """sacrebleu's corpus chrF (0-100) of (reference, prediction) pairs."""
    import sacrebleu

    references, predictions = zip(*items, strict=True)
    return sacrebleu.corpus_chrf(list(predictions), [list(references)]).score


# --- perplexity: clm rows -------------------------------------------------------------------------------


def longest_first(dataset) -> list[int]:
    """Row positions of a `clm` split, longest text first (ties keep split order). The lengths come from
    Arrow in one pass: lm-eval rebuilds a task's documents several times per run."""
    import numpy as np
    import pyarrow.compute as pc

    lengths = pc.utf8_length(dataset.with_format("arrow")["text"]).to_numpy(zero_copy_only=False)
    return np.argsort(-lengths, kind="stable").tolist()


def perplexity_docs(dataset):
    """The `clm` rows, longest first. lm-eval's hf backend cuts every document into windows and batches
    them in document order, each batch padded to its longest window; in split order a batch of short files
    is padded to a long one's full window. Longest first (lm-eval's own order for other requests) groups
    similar lengths: 0.57x of a bare forward loop became about 0.9x (docs/evaluation.md). The order changes
    no score: bits per byte is a sum over documents."""
    return dataset.select(longest_first(dataset))


def perplexity_scores(doc: dict, results: Sequence) -> dict:
    """(loglikelihood, bytes) pairs: lm-eval's `bits_per_byte` aggregation sums both, so every slice is a
    corpus figure, not a mean over documents."""
    loglikelihood = results[0][0] if isinstance(results[0], (tuple, list)) else results[0]
    pair = (loglikelihood, len(doc["text"].encode("utf-8")))
    return _with_slices({"bits_per_byte": pair}, doc["language"], doc["repo"])


# --- instruct rows: syntax, deprecated APIs, overlap ----------------------------------------------------


def instruct_prompt(doc: dict) -> str:
    """The row's user turn (rendered with the build's prompt template), as the model sees it."""
    users = [message["content"] for message in doc["prompt"] if message["role"] == "user"]
    return users[-1] if users else doc["instruction"]


def instruct_scores(
    doc: dict, results: Sequence[str], families: Sequence[str], apis: Sequence[DeprecatedApi]
) -> dict:
    code = extract_code(results[0])
    language, reference = doc["language"], doc["output"]
    scores: dict = {}
    if "syntax" in families:
        verdict = check_syntax(code, language)
        if verdict.valid is not None:  # a language without a grammar: n/a, not a failure
            scores["syntax_valid"] = float(verdict.valid)
    if "deprecated" in families and applicable_apis(apis, language):
        scores["deprecated_rate"] = float(bool(deprecated_uses(code, language, apis)))
    if "overlap" in families:
        scores.update(bleu=(reference, code), chrf=(reference, code), **rouge_f1(reference, code))
    return _with_slices(scores, language)


# --- fill-in-the-middle ---------------------------------------------------------------------------------


def fim_prompt(doc: dict, fmt: FimFormat) -> str:
    """Prefix and suffix in the model's sentinel format (PSM), ending where the middle starts."""
    return f"{fmt.prefix}{fmt.prefix_lead}{doc['prefix']}{fmt.suffix}{doc['suffix']}{fmt.middle}"


def fim_middle(generation: str, fmt: FimFormat) -> str:
    """The generated middle: everything before the family's end token (or the next file separator)."""
    for stop in (fmt.end, fmt.file_separator):
        if stop:
            generation = generation.split(stop, 1)[0]
    return generation


def fim_scores(doc: dict, results: Sequence[str], fmt: FimFormat) -> dict:
    middle = fim_middle(results[0], fmt)
    scores = {
        "fim_exact_match": exact_match(doc["middle"], middle),
        "fim_edit_similarity": edit_similarity(doc["middle"], middle),
    }
    return _with_slices(scores, doc["language"])


def fim_docs(dataset):
    """Rows with a middle to fill (the plain `none` rows have none)."""
    return dataset.filter(lambda row: row["ordering"] != "none" and bool(row["middle"]))


# --- directory trees ------------------------------------------------------------------------------------


def tree_prompt(doc: dict, ecosystem_name: str) -> str:
    """The README is the prompt; the answer is the repository's tree, as `tree` prints it."""
    about = "\n\n".join(doc["readme"].strip().split("\n\n")[:2])[:600]
    readme = f"README:\n{about}\n\n" if about else ""
    return (
        f"{readme}Show the directory layout of the {ecosystem_name} project `{doc['repo']}` "
        "as the `tree` command prints it.\n"
    )


def tree_scores(doc: dict, results: Sequence[str]) -> dict:
    return {"tree_path_f1": path_set_f1(tree_listing_paths(doc["tree"]), tree_listing_paths(results[0]))}
