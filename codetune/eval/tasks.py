"""Write lm-eval task folders (YAML + one module of functions) for a built dataset's test split.

Tasks are data: each YAML names the dataset folder and config (`load_dataset(folder, config)['test']`,
the held-out repositories), the prompt and score functions, and one metric entry per key those functions
emit, slices included. `lm_eval --include_path <folder> --tasks codetune_<ecosystem>` runs them as they are.
"""

from __future__ import annotations

import pprint
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from codetune.definitions.fim_formats import fim_format
from codetune.ecosystem import DeprecatedApi
from codetune.errors import EvaluationError
from codetune.eval import FAMILIES
from codetune.eval.metrics import applicable_apis, has_grammar
from codetune.eval.task_functions import (
    AGGREGATIONS,
    FAMILY_METRICS,
    LOWER_IS_BETTER,
    longest_first,
    slice_key,
)

INSTRUCT_FAMILIES = ("syntax", "deprecated", "overlap")
FAMILY_CONFIG = {
    "perplexity": "clm",
    "syntax": "instruct",
    "deprecated": "instruct",
    "overlap": "instruct",
    "fim": "fim",
    "trees": "trees",
}
FUNCTIONS_MODULE = "codetune_tasks"
# `datasets` caches a folder's Arrow under the folder's name and its configs' file patterns, not its files:
# a rebuilt `out/godot` (or any other folder called `out`) would be read from the old cache. Test splits are
# small; reading them afresh every time costs little.
# `no_checks`: the stale cache's recorded split sizes would otherwise fail the fresh read's verification.
LOAD_KWARGS = {"download_mode": "force_redownload", "verification_mode": "no_checks"}


@dataclass(frozen=True)
class TaskSettings:
    families: tuple[str, ...] = FAMILIES
    max_new_tokens: int = 256
    fim_formats: tuple[str, ...] = ()  # the sentinel families of the models being evaluated


@dataclass
class WrittenTasks:
    """What was written: task names by role, and each family left out with its reason."""

    folder: Path
    tag: str
    perplexity: str | None = None
    perplexity_order: list[int] = field(default_factory=list)  # split positions in the task's doc order
    instruct: str | None = None
    trees: str | None = None
    fim: dict[str, str] = field(default_factory=dict)  # format name -> task
    humaneval: str | None = None
    skipped: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def perplexity_samples(self, limit: int) -> list[int]:
        """lm-eval `samples` for the perplexity task that score the split's first `limit` rows, as `--limit`
        does for every other task (a plain `limit` would take the longest rows: the task sorts them)."""
        first = set(range(limit))
        return [doc for doc, position in enumerate(self.perplexity_order) if position in first]

    @property
    def raw_tasks(self) -> list[str]:
        """Tasks whose prompts must reach the model as they are (no chat template): text to score, and
        HumanEval's code to continue, as Personal Copilot's before/after check ran it."""
        return [task for task in (self.perplexity, self.humaneval) if task]

    @property
    def chat_tasks(self) -> list[str]:
        """Tasks whose prompt is a user turn (a chat template applies when the model has one)."""
        return [task for task in (self.instruct, self.trees) if task]


def test_split(dataset: str, config: str):
    """The config's test split, or None when the dataset has no such config."""
    import datasets

    if config not in datasets.get_dataset_config_names(dataset):
        return None
    if "test" not in datasets.get_dataset_split_names(dataset, config):
        return None
    return datasets.load_dataset(dataset, config, split="test", **LOAD_KWARGS)


def _metric_entries(metrics: Sequence[str]) -> list[dict]:
    entries = []
    for key in metrics:
        base = next(name for name in _all_metrics() if key == name or key.startswith(_prefix(name) + "_"))
        entries.append(
            {
                "metric": key,
                "aggregation": AGGREGATIONS.get(base, "mean"),
                "higher_is_better": base not in LOWER_IS_BETTER,
            }
        )
    return entries


def _all_metrics() -> list[str]:
    return sorted({m for ms in FAMILY_METRICS.values() for m in ms}, key=len, reverse=True)


def _prefix(metric: str) -> str:
    return "bpb" if metric == "bits_per_byte" else metric


def _sliced(metrics: Sequence[str], languages: Sequence[str], repos: Sequence[str] = ()) -> list[str]:
    keys = list(metrics)
    for metric in metrics:
        keys += [slice_key(metric, "lang", language) for language in languages]
        keys += [slice_key(metric, "repo", repo) for repo in repos]
    return keys


class TaskWriter:
    """Writes one task YAML per role into `folder`, plus the functions module they share."""

    def __init__(self, dataset: str, ecosystem_name: str, folder: Path, settings: TaskSettings):
        self.dataset, self.ecosystem_name, self.folder, self.settings = (
            str(dataset),
            ecosystem_name,
            folder,
            settings,
        )
        self.tag = f"codetune_{ecosystem_name}"
        self.written = WrittenTasks(folder, self.tag)

    def _write_yaml(self, name: str, config: str, body: dict, functions: dict[str, str], tagged=True) -> str:
        task = {"task": name, **({"tag": [self.tag]} if tagged else {})}
        task |= {"dataset_path": self.dataset, "dataset_name": config, "dataset_kwargs": dict(LOAD_KWARGS)}
        task |= {"test_split": "test"}
        task |= body
        text = yaml.safe_dump(task, sort_keys=False, allow_unicode=True)
        text = re.sub(r"aggregation: '?!(\w+)'?", rf"aggregation: !function {FUNCTIONS_MODULE}.\1", text)
        text += "".join(f"{key}: !function {FUNCTIONS_MODULE}.{fn}\n" for key, fn in functions.items())
        text += "metadata:\n  version: 1.0\n"
        (self.folder / f"{name}.yaml").write_text(text)
        return name

    def _generation(self, until: Sequence[str]) -> dict:
        return {
            "output_type": "generate_until",
            "generation_kwargs": {
                "until": list(until),
                "max_gen_toks": self.settings.max_new_tokens,
                "do_sample": False,
                "temperature": 0.0,
            },
        }

    def perplexity(self, rows) -> None:
        languages, repos = sorted(set(rows["language"])), sorted(set(rows["repo"]))
        self.written.perplexity = self._write_yaml(
            f"{self.tag}_perplexity",
            "clm",
            {
                "output_type": "loglikelihood_rolling",
                "doc_to_text": "",
                "doc_to_target": "text",
                "metric_list": _metric_entries(_sliced(["bits_per_byte"], languages, repos)),
            },
            {"process_docs": "perplexity_docs", "process_results": "perplexity_scores"},
        )
        self.written.perplexity_order = longest_first(rows)

    def instruct(self, rows, families: tuple[str, ...], apis: Sequence[DeprecatedApi]) -> None:
        languages = sorted(set(rows["language"]))
        metrics: list[str] = []
        if "syntax" in families:
            graded = [language for language in languages if has_grammar(language)]
            missing = sorted(set(languages) - set(graded))
            if missing:
                self.written.notes.append(f"syntax validity n/a for {', '.join(missing)} (no grammar)")
            metrics += _sliced(["syntax_valid"], graded)
        if "deprecated" in families:
            metrics += _sliced(
                ["deprecated_rate"], [lang for lang in languages if applicable_apis(apis, lang)]
            )
        if "overlap" in families:
            metrics += _sliced(list(FAMILY_METRICS["overlap"]), languages)
        self.written.instruct = self._write_yaml(
            f"{self.tag}_instruct",
            "instruct",
            {
                **self._generation(["\n```\n\n", "<|im_end|>", "<|endoftext|>"]),
                "doc_to_target": "output",
                "metric_list": _metric_entries(metrics),
            },
            {"doc_to_text": "instruct_prompt", "process_results": "instruct_scores"},
        )

    def fim(self, rows, format_name: str) -> None:
        fmt = fim_format(format_name)
        languages = sorted({row["language"] for row in rows if row["ordering"] != "none"})
        key = format_name.replace(".", "_").replace("-", "_")
        self.written.fim[format_name] = self._write_yaml(
            f"{self.tag}_fim_{key}",
            "fim",
            {
                **self._generation([stop for stop in (fmt.end, fmt.file_separator) if stop]),
                "doc_to_target": "middle",
                "metric_list": _metric_entries(_sliced(list(FAMILY_METRICS["fim"]), languages)),
            },
            {
                "process_docs": "fim_docs",
                "doc_to_text": f"fim_prompt_{key}",
                "process_results": f"fim_scores_{key}",
            },
            tagged=False,  # a FIM task fits one model family: not part of the ecosystem's tag
        )

    def trees(self) -> None:
        self.written.trees = self._write_yaml(
            f"{self.tag}_trees",
            "trees",
            {
                **self._generation(["\n\n\n", "<|im_end|>", "<|endoftext|>"]),
                "doc_to_target": "tree",
                "metric_list": _metric_entries(["tree_path_f1"]),
            },
            {"doc_to_text": "tree_prompt", "process_results": "tree_scores"},
        )

    def functions_module(self, families: Sequence[str], apis: Sequence[DeprecatedApi]) -> None:
        table = [
            {
                "current": a.current,
                "deprecated": a.deprecated,
                "description": a.description,
                "languages": list(a.languages),
            }
            for a in apis
        ]
        lines = [
            f'"""Written by `codetune eval` for the {self.ecosystem_name} build: binds codetune\'s task',
            'functions to its settings. lm-eval imports it through the task YAMLs\' `!function` entries."""',
            "",
            "from codetune.ecosystem import DeprecatedApi",
            "from codetune.eval import task_functions as functions",
            "from codetune.definitions.fim_formats import fim_format",
            "",
            f"ECOSYSTEM = {self.ecosystem_name!r}",
            f"FAMILIES = {tuple(families)!r}",
            "DEPRECATED_APIS = tuple(",
            f"    DeprecatedApi(**entry) for entry in {pprint.pformat(table, width=100, sort_dicts=False)}",
            ")",
            "",
            "perplexity_docs = functions.perplexity_docs",
            "perplexity_scores = functions.perplexity_scores",
            "instruct_prompt = functions.instruct_prompt",
            "fim_docs = functions.fim_docs",
            "tree_scores = functions.tree_scores",
            "corpus_bleu = functions.corpus_bleu",
            "corpus_chrf = functions.corpus_chrf",
            "",
            "",
            "def instruct_scores(doc, results):",
            "    return functions.instruct_scores(doc, results, FAMILIES, DEPRECATED_APIS)",
            "",
            "",
            "def tree_prompt(doc):",
            "    return functions.tree_prompt(doc, ECOSYSTEM)",
        ]
        for format_name in self.written.fim:
            key = format_name.replace(".", "_").replace("-", "_")
            lines += [
                "",
                "",
                f"def fim_prompt_{key}(doc):",
                f"    return functions.fim_prompt(doc, fim_format({format_name!r}))",
                "",
                "",
                f"def fim_scores_{key}(doc, results):",
                f"    return functions.fim_scores(doc, results, fim_format({format_name!r}))",
            ]
        (self.folder / f"{FUNCTIONS_MODULE}.py").write_text("\n".join(lines) + "\n")


def write_tasks(
    dataset: str,
    ecosystem_name: str,
    apis: Sequence[DeprecatedApi] | None,
    folder: Path,
    settings: TaskSettings,
) -> WrittenTasks:
    """Every task the dataset supports among `settings.families`; the others are skipped with a reason."""
    folder.mkdir(parents=True, exist_ok=True)
    writer = TaskWriter(dataset, ecosystem_name, folder, settings)
    skipped = writer.written.skipped
    splits = {}
    for family in settings.families:
        config = FAMILY_CONFIG.get(family)
        if config is None or config in splits:
            continue
        splits[config] = test_split(dataset, config)
    if splits and all(rows is None for rows in splits.values()):
        raise EvaluationError(
            f"dataset {dataset}: no test split in {', '.join(sorted(splits))}. Evaluation needs held-out "
            "repositories: give some sources split='test' in the ecosystem definition and build again"
        )

    def rows_for(family: str):
        rows = splits[FAMILY_CONFIG[family]]
        if rows is None:
            skipped[family] = f"the dataset has no '{FAMILY_CONFIG[family]}' config with a test split"
        elif len(rows) == 0:
            skipped[family] = f"the '{FAMILY_CONFIG[family]}' test split is empty"
            return None
        return rows

    families = settings.families
    if "perplexity" in families and (rows := rows_for("perplexity")) is not None:
        writer.perplexity(rows)
    instruct_families = tuple(family for family in INSTRUCT_FAMILIES if family in families)
    if "deprecated" in instruct_families and not apis:
        skipped["deprecated"] = f"ecosystem {ecosystem_name!r} has no deprecated_apis table"
        instruct_families = tuple(family for family in instruct_families if family != "deprecated")
    usable = tuple(family for family in instruct_families if rows_for(family) is not None)
    if usable:
        writer.instruct(splits["instruct"], usable, apis or ())
    if "fim" in families and (rows := rows_for("fim")) is not None:
        if not any(row["ordering"] != "none" for row in rows):
            skipped["fim"] = "the 'fim' test split has no row with a middle"
        for format_name in settings.fim_formats:
            writer.fim(rows, format_name)
    if "trees" in families and rows_for("trees") is not None:
        writer.trees()
    writer.functions_module(usable, apis or ())
    return writer.written
