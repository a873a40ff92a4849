"""The generated lm-eval tasks, run by lm-eval on a registered LM that returns fixed outputs: every score
equals the same figure computed directly from the rows and those outputs."""

from __future__ import annotations

import math
import re
from pathlib import Path

import datasets
import pytest
import sacrebleu
from lm_eval import simple_evaluate
from lm_eval.api.model import LM
from lm_eval.api.registry import register_model
from lm_eval.tasks import TaskManager

from codetune.definitions.fim_formats import fim_format
from codetune.eval.metrics import edit_similarity, path_set_f1, rouge_f1, tree_listing_paths
from codetune.eval.task_functions import fim_prompt, instruct_prompt, tree_prompt
from codetune.eval.tasks import TaskSettings, write_tasks
from dataset_scripts.example import DEPRECATED_APIS

ANSWERS: dict[str, str] = {}  # prompt -> the generation the fixed LM returns
SCORED: list[str] = []  # the texts lm-eval asked the fixed LM to score, in the order it asked
EXTRA_NATS = 10.0  # each document's loglikelihood is -(its bytes + 10) nats


@register_model("codetune-fixed-outputs")
class FixedOutputsLM(LM):
    """Answers from `ANSWERS`; a rolling loglikelihood known in advance."""

    def loglikelihood(self, requests):
        raise NotImplementedError

    def loglikelihood_rolling(self, requests, disable_tqdm: bool = False):
        SCORED.extend(request.args[0] for request in requests)
        return [-(len(request.args[0].encode()) + EXTRA_NATS) for request in requests]

    def generate_until(self, requests, disable_tqdm: bool = False):
        return [ANSWERS[request.args[0]] for request in requests]


def _sdk6(code: str) -> str:
    for api in DEPRECATED_APIS:
        if "typescript" in api.languages:
            code = re.sub(api.current, api.deprecated, code)
    return code


@pytest.fixture(scope="module")
def fixed_run(example_out: Path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("tasks")
    settings = TaskSettings(
        families=("perplexity", "syntax", "deprecated", "overlap", "fim", "trees"), fim_formats=("starcoder",)
    )
    written = write_tasks(str(example_out), "example", DEPRECATED_APIS, folder, settings)
    rows = {
        config: list(datasets.load_dataset(str(example_out), config, split="test"))
        for config in ("clm", "instruct", "fim", "trees")
    }
    instruct = rows["instruct"]
    outputs = [
        f"Here it is:\n```typescript\n{instruct[0]['output']}\n```\n",  # valid, exact
        "",  # empty: invalid
        _sdk6(instruct[0]["output"]),  # SDK 6 API (createCube uses three entries of the table)
        "function broken( {\n",  # a syntax error
        instruct[4]["output"][: len(instruct[4]["output"]) // 2],  # cut in half
    ]
    for row, output in zip(instruct, outputs, strict=True):
        ANSWERS[instruct_prompt(row)] = output
    fmt = fim_format("starcoder")
    fim = [row for row in rows["fim"] if row["ordering"] != "none"]
    middles = [row["middle"] if index % 2 == 0 else "x" for index, row in enumerate(fim)]
    for row, middle in zip(fim, middles, strict=True):
        ANSWERS[fim_prompt(row, fmt)] = middle + fmt.end + "trailing text"
    tree = rows["trees"][0]
    ANSWERS[tree_prompt(tree, "example")] = "\n".join(tree["tree"].split("\n")[:-4])
    manager = TaskManager(include_path=str(folder), include_defaults=False)
    output = simple_evaluate(
        model="codetune-fixed-outputs",
        tasks=[written.perplexity, written.instruct, written.fim["starcoder"], written.trees],
        task_manager=manager,
        bootstrap_iters=0,
    )
    return output["results"], rows, outputs, fim, middles


def test_bits_per_byte_is_a_corpus_figure_overall_per_language_and_per_repository(fixed_run):
    results, rows, *_ = fixed_run
    clm = rows["clm"]

    def corpus_bpb(selected):
        total_bytes = sum(len(row["text"].encode()) for row in selected)
        return (total_bytes + EXTRA_NATS * len(selected)) / total_bytes / math.log(2)

    perplexity = results["codetune_example_perplexity"]
    assert perplexity["bits_per_byte,none"] == pytest.approx(corpus_bpb(clm))
    for language in {row["language"] for row in clm}:
        selected = [row for row in clm if row["language"] == language]
        assert perplexity[f"bpb_lang_{language},none"] == pytest.approx(corpus_bpb(selected))
    assert perplexity["bpb_repo_dcl-scene,none"] == pytest.approx(corpus_bpb(clm))


def test_perplexity_rows_reach_the_model_longest_first(fixed_run):
    """lm-eval batches rolling windows in document order: similar lengths side by side pad least."""
    _, rows, *_ = fixed_run
    texts = [row["text"] for row in rows["clm"]]
    scored = SCORED[: len(texts)]
    assert sorted(scored) == sorted(texts)
    assert [len(text) for text in scored] == sorted(map(len, texts), reverse=True)
    assert scored != texts  # the split itself is not in that order, so the task did the sorting


def test_limited_perplexity_scores_the_first_rows_of_the_split(fixed_run, example_out: Path, tmp_path):
    """`--limit N` scores the split's first N rows, as for every other task, not the N longest."""
    _, rows, *_ = fixed_run
    settings = TaskSettings(("perplexity",))
    written = write_tasks(str(example_out), "example", DEPRECATED_APIS, tmp_path, settings)
    SCORED.clear()
    output = simple_evaluate(
        model="codetune-fixed-outputs",
        tasks=[written.perplexity],
        task_manager=TaskManager(include_path=str(tmp_path), include_defaults=False),
        samples={written.perplexity: written.perplexity_samples(2)},
        bootstrap_iters=0,
    )
    first = rows["clm"][:2]
    assert sorted(SCORED) == sorted(row["text"] for row in first)
    total_bytes = sum(len(row["text"].encode()) for row in first)
    expected = (total_bytes + 2 * EXTRA_NATS) / total_bytes / math.log(2)
    assert output["results"][written.perplexity]["bits_per_byte,none"] == pytest.approx(expected)


def test_syntax_deprecated_and_overlap_scores_equal_a_direct_recomputation(fixed_run):
    results, rows, outputs, *_ = fixed_run
    instruct = results["codetune_example_instruct"]
    references = [row["output"] for row in rows["instruct"]]
    code = [outputs[0].split("```typescript\n")[1].split("\n```")[0], *outputs[1:]]
    # valid: the fenced reference, the SDK 6 rewrite; invalid: empty, broken, cut in half
    assert instruct["syntax_valid,none"] == pytest.approx(2 / 5)
    assert instruct["syntax_valid_lang_typescript,none"] == pytest.approx(2 / 5)
    assert instruct["deprecated_rate,none"] == pytest.approx(1 / 5)
    assert instruct["bleu,none"] == pytest.approx(sacrebleu.corpus_bleu(code, [references]).score)
    assert instruct["chrf,none"] == pytest.approx(sacrebleu.corpus_chrf(code, [references]).score)
    for metric in ("rouge1", "rougeL"):
        expected = sum(rouge_f1(ref, pred)[metric] for ref, pred in zip(references, code, strict=True)) / 5
        assert instruct[f"{metric},none"] == pytest.approx(expected)


def test_fim_scores_the_middle_before_the_end_token(fixed_run):
    results, _, _, fim, middles = fixed_run
    scores = results["codetune_example_fim_starcoder"]
    exact = [float(row["middle"].strip() == middle.strip()) for row, middle in zip(fim, middles, strict=True)]
    similarity = [edit_similarity(row["middle"], middle) for row, middle in zip(fim, middles, strict=True)]
    assert scores["fim_exact_match,none"] == pytest.approx(sum(exact) / len(fim))
    assert scores["fim_edit_similarity,none"] == pytest.approx(sum(similarity) / len(fim))
    assert 0 < scores["fim_exact_match,none"] < 1


def test_tree_path_f1_against_the_real_tree(fixed_run):
    results, rows, *_ = fixed_run
    tree = rows["trees"][0]["tree"]
    predicted = tree_listing_paths("\n".join(tree.split("\n")[:-4]))
    expected = path_set_f1(tree_listing_paths(tree), predicted)
    assert 0 < expected < 1
    assert results["codetune_example_trees"]["tree_path_f1,none"] == pytest.approx(expected)
