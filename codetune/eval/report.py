"""The comparison report: one row per model (NEARCoder's table), metric columns, a per-language breakdown,
deltas against the first model, every skip with its reason; as Markdown, JSON and one PNG per family."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from codetune.eval.runner import EvalRun, ModelRun
from codetune.eval.task_functions import FAMILY_METRICS, LOWER_IS_BETTER

HUMANEVAL_METRICS = ("pass@1", "pass@10", "pass@100")
COLUMNS: dict[str, str] = {
    "bits_per_byte": "bits/byte ↓",
    "syntax_valid": "syntax valid ↑",
    "deprecated_rate": "deprecated API ↓",
    "bleu": "BLEU ↑",
    "chrf": "chrF ↑",
    "rouge1": "ROUGE-1 ↑",
    "rougeL": "ROUGE-L ↑",
    "fim_exact_match": "FIM exact ↑",
    "fim_edit_similarity": "FIM edit sim ↑",
    "tree_path_f1": "tree path F1 ↑",
    "pass@1": "HumanEval pass@1 ↑",
    "pass@10": "HumanEval pass@10 ↑",
    "pass@100": "HumanEval pass@100 ↑",
}
_SLICE = re.compile(r"^(?P<metric>.+?)_(?P<kind>lang|repo)_(?P<name>.+)$")


@dataclass(frozen=True)
class ModelFigures:
    name: str
    overall: dict[str, float]
    languages: dict[str, dict[str, float]]  # language -> metric -> value
    repos: dict[str, dict[str, float]]


def model_figures(run: ModelRun) -> ModelFigures:
    """Flatten lm-eval's `results` (task -> "metric,filter" -> value) into overall and sliced figures."""
    overall: dict[str, float] = {}
    slices: dict[str, dict[str, dict[str, float]]] = {"lang": {}, "repo": {}}
    for task_results in run.results.values():
        for key, value in task_results.items():
            metric, _, _ = key.partition(",")
            if metric.endswith("_stderr") or not isinstance(value, (int, float)) or metric == "sample_len":
                continue
            match = _SLICE.match(metric)
            if match and (match["metric"] in COLUMNS or match["metric"] == "bpb"):
                base = "bits_per_byte" if match["metric"] == "bpb" else match["metric"]
                slices[match["kind"]].setdefault(match["name"], {})[base] = float(value)
            elif metric in COLUMNS:
                overall[metric] = float(value)
    return ModelFigures(run.spec.name, overall, slices["lang"], slices["repo"])


def _cell(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.4f}" if abs(value) < 10 else f"{value:.2f}"


def _delta(value: float | None, first: float | None, metric: str) -> str:
    if value is None or first is None:
        return "–"
    change = value - first
    better = (change < 0) if metric in LOWER_IS_BETTER else (change > 0)
    # A change the table shows as +0.0000 gets no mark: the sign of a difference below the printed precision
    # is noise, not a verdict.
    mark = "" if abs(change) < 5e-5 else (" ✓" if better else " ✗")
    return f"{change:+.4f}{mark}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def render_markdown(run: EvalRun, figures: list[ModelFigures]) -> str:
    metrics = [metric for metric in COLUMNS if any(metric in f.overall for f in figures)]
    lines = [
        f"# Evaluation of {run.ecosystem_name}: {', '.join(f.name for f in figures)}",
        "",
        f"Dataset `{run.options.dataset}`, test split (held-out repositories). "
        f"Tasks: `{run.tasks.folder.name}/` "
        f"(`lm_eval --include_path {run.tasks.folder} --tasks {run.tasks.tag}`).",
        "",
        "## Models",
        "",
    ]
    lines += _table(
        ["model", *(COLUMNS[m] for m in metrics)],
        [[f.name, *(_cell(f.overall.get(m)) for m in metrics)] for f in figures],
    )
    if len(figures) > 1:
        first = figures[0]
        lines += ["", f"## Change against {first.name}", ""]
        lines += _table(
            ["model", *(COLUMNS[m] for m in metrics)],
            [
                [f.name, *(_delta(f.overall.get(m), first.overall.get(m), m) for m in metrics)]
                for f in figures[1:]
            ],
        )
    for title, attribute in (("language", "languages"), ("repository", "repos")):
        names = sorted({name for f in figures for name in getattr(f, attribute)})
        if not names:
            continue
        sliced = [
            m for m in metrics if any(m in getattr(f, attribute).get(n, {}) for f in figures for n in names)
        ]
        lines += ["", f"## By {title}", ""]
        rows = [
            [f.name, name, *(_cell(getattr(f, attribute).get(name, {}).get(m)) for m in sliced)]
            for name in names
            for f in figures
        ]
        lines += _table(["model", title, *(COLUMNS[m] for m in sliced)], rows)
    skips = [f"- {family}: {reason}" for family, reason in run.tasks.skipped.items()]
    skips += [
        f"- {m.spec.name}, {family}: {reason}" for m in run.models for family, reason in m.skipped.items()
    ]
    if skips or run.tasks.notes:
        lines += ["", "## Skipped", "", *skips, *(f"- {note}" for note in run.tasks.notes)]
    lines += ["", "## Models evaluated", ""]
    for model in run.models:
        what = model.spec.source + (f" (adapter on {model.spec.pretrained})" if model.spec.adapter else "")
        fim = f", FIM format {model.fim_format}" if model.fim_format else ""
        lines.append(f"- {model.spec.name}: {model.spec.kind} {what}{fim}")
    return "\n".join(lines) + "\n"


def report_json(run: EvalRun, figures: list[ModelFigures]) -> dict:
    return {
        "dataset": run.options.dataset,
        "ecosystem": run.ecosystem_name,
        "tasks": {
            "folder": str(run.tasks.folder),
            "tag": run.tasks.tag,
            "perplexity": run.tasks.perplexity,
            "instruct": run.tasks.instruct,
            "trees": run.tasks.trees,
            "fim": run.tasks.fim,
            "humaneval": run.tasks.humaneval,
        },
        "skipped": run.tasks.skipped,
        "notes": run.tasks.notes,
        "models": [
            {
                "name": f.name,
                "source": m.spec.source,
                "kind": m.spec.kind,
                "base": m.spec.pretrained if m.spec.adapter else None,
                "fim_format": m.fim_format,
                "metrics": f.overall,
                "languages": f.languages,
                "repositories": f.repos,
                "skipped": m.skipped,
            }
            for f, m in zip(figures, run.models, strict=True)
        ],
    }


def write_charts(out_dir: Path, figures: list[ModelFigures]) -> list[Path]:
    """One PNG per metric family: a panel per metric, overall and per language, a bar per model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    families = {**FAMILY_METRICS, "humaneval": HUMANEVAL_METRICS}
    for family, metrics in families.items():
        present = [m for m in metrics if any(m in f.overall for f in figures)]
        if not present:
            continue
        fig, axes = plt.subplots(1, len(present), figsize=(4.5 * len(present), 3.6), squeeze=False)
        for axis, metric in zip(axes[0], present, strict=True):
            slices = [
                "all",
                *sorted({lang for f in figures for lang in f.languages if metric in f.languages[lang]}),
            ]
            width = 0.8 / len(figures)
            for index, f in enumerate(figures):
                values = [
                    (f.overall if name == "all" else f.languages.get(name, {})).get(metric, 0.0)
                    for name in slices
                ]
                axis.bar([x + index * width for x in range(len(slices))], values, width, label=f.name)
            axis.set_xticks(
                [x + width * (len(figures) - 1) / 2 for x in range(len(slices))], slices, rotation=30
            )
            axis.set_title(COLUMNS[metric])
        axes[0][0].legend(fontsize="small")
        fig.tight_layout()
        path = out_dir / f"{family}.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        written.append(path)
    return written


def write_report(run: EvalRun) -> Path:
    """report.md, report.json and the charts in the run's output folder; returns report.md."""
    figures = [model_figures(model) for model in run.models]
    out_dir = run.options.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps(report_json(run, figures), indent=2, ensure_ascii=False))
    write_charts(out_dir, figures)
    path = out_dir / "report.md"
    path.write_text(render_markdown(run, figures))
    return path
