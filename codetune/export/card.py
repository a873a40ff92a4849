"""The model card (README.md) of an export: what the model is, what it was trained on, how it scored.

The YAML header is huggingface_hub's `ModelCardData`, so the Hub renders the evaluation as `model-index`
and `ModelCard.load` reads it back. Facts come from the run folder (`data_stats.json`, written by the
recipes), the datasets' own build records (`.codetune/summary.json`: source commits and licenses) and a
`codetune eval` report (`report.json`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codetune.errors import ExportError


@dataclass(frozen=True)
class CardFacts:
    name: str
    base_model: str
    is_adapter: bool
    stage: str = ""
    training: dict[str, Any] = field(default_factory=dict)
    lora: dict[str, Any] | None = None
    datasets: tuple[dict[str, Any], ...] = ()
    gguf_files: tuple[tuple[str, int], ...] = ()  # (file name, bytes)
    eval_report: dict[str, Any] | None = None
    license: str = "other"
    template_family: str = ""
    fim_format: str = ""


def dataset_record(entry: dict[str, Any]) -> dict[str, Any]:
    """A mixture entry plus, for a local codetune build, its fingerprint and sources' commits and licenses."""
    record = dict(entry)
    summary_path = Path(str(entry.get("id", ""))) / ".codetune" / "summary.json"
    if summary_path.is_file():
        summary = json.loads(summary_path.read_text())
        record["build_fingerprint"] = summary.get("fingerprint", "")
        record["sources"] = [
            {"name": s["name"], "commit": s.get("commit", ""), "license": s.get("license", "")}
            for s in summary.get("sources", [])
            if not s.get("skipped")
        ]
    return record


def read_run_facts(run_dir: Path) -> dict[str, Any]:
    """data_stats.json of a recipe run ({} for a folder trained elsewhere)."""
    path = run_dir / "data_stats.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def read_eval_report(path: Path) -> dict[str, Any]:
    try:
        report = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise ExportError(f"--eval {path}: not a readable codetune eval report.json ({error})") from None
    if not isinstance(report.get("models"), list):
        raise ExportError(f"--eval {path}: no 'models' list; pass the report.json that `codetune eval` wrote")
    return report


def eval_results(report: dict[str, Any] | None) -> list:
    """One `EvalResult` per model of the report and metric: the rows of the Hub's evaluation table."""
    from huggingface_hub import EvalResult

    if not report:
        return []
    dataset = str(report.get("dataset", "evaluation data"))
    results = []
    for model in report["models"]:
        for metric, value in sorted(model.get("metrics", {}).items()):
            results.append(
                EvalResult(
                    task_type="text-generation",
                    dataset_type=dataset,
                    dataset_name=f"{report.get('ecosystem') or dataset} test split",
                    dataset_split="test",
                    metric_type=metric,
                    metric_value=float(value),
                    metric_name=f"{metric} ({model['name']})",
                )
            )
    return results


def _eval_table(report: dict[str, Any] | None) -> list[str]:
    if not report:
        return ["No evaluation was attached (`codetune export --eval report.json`)."]
    metrics = sorted({m for model in report["models"] for m in model.get("metrics", {})})
    lines = ["| model | " + " | ".join(metrics) + " |", "|---" * (len(metrics) + 1) + "|"]
    for model in report["models"]:
        cells = [f"{model['metrics'][m]:.4f}" if m in model.get("metrics", {}) else "–" for m in metrics]
        lines.append(f"| {model['name']} | " + " | ".join(cells) + " |")
    intro = f"On the test split of `{report.get('dataset')}` (held-out repositories), by `codetune eval`:"
    return [intro, "", *lines]


def _datasets_section(datasets: tuple[dict[str, Any], ...]) -> list[str]:
    if not datasets:
        return ["Not recorded (the run folder has no data_stats.json)."]
    lines = []
    for entry in datasets:
        where = f"`{entry['id']}`" + (f", config `{entry['config']}`" if entry.get("config") else "")
        fingerprint = f", build {entry['build_fingerprint'][:16]}" if entry.get("build_fingerprint") else ""
        lines.append(f"- {where}, split `{entry.get('split', 'train')}`{fingerprint}")
        for source in entry.get("sources", []):
            where = f"@ `{source['commit'][:12]}`" if source["commit"] else "(a folder: no commit)"
            lines.append(f"  - {source['name']} {where}, license {source['license'] or 'unknown'}")
    return lines


def data_licenses(datasets: tuple[dict[str, Any], ...]) -> list[str]:
    return sorted({s["license"] for d in datasets for s in d.get("sources", []) if s.get("license")})


def card_text(facts: CardFacts) -> str:
    from huggingface_hub import ModelCard, ModelCardData

    dataset_ids = [str(d["id"]) for d in facts.datasets if "/" in str(d["id"]) and not Path(d["id"]).exists()]
    data = ModelCardData(
        model_name=facts.name,
        base_model=facts.base_model if not Path(facts.base_model).exists() else None,
        license=facts.license,
        library_name="transformers",
        pipeline_tag="text-generation",
        tags=["codetune", "code", "gguf", "llama.cpp", "ollama"],
        datasets=dataset_ids or None,
        eval_results=eval_results(facts.eval_report) or None,
    )
    how = f"a LoRA adapter ({facts.lora}) merged into" if facts.is_adapter else "a full fine-tune of"
    settings = [f"- `{key}`: {value}" for key, value in facts.training.items() if value is not None]
    files = [f"- `{name}` ({size / 1e6:.1f} MB)" for name, size in facts.gguf_files]
    body = [
        f"# {facts.name}", "",
        f"{how} `{facts.base_model}`, trained by codetune's `{facts.stage or 'unknown'}` recipe.", "",
        "## Files", "", "- `merged/`: the model for transformers (safetensors, tokenizer with its chat "
        "template and FIM tokens, generation config)", *files,
        "- `Modelfile`: `ollama create NAME -f Modelfile`", "",
        "## Training data", "", *_datasets_section(facts.datasets), "",
        "## Training settings", "", *(settings or ["Not recorded."]), "",
        "## Evaluation", "", *_eval_table(facts.eval_report), "",
        "## Intended use", "",
        "Code completion, fill-in-the-middle and short instructions in the ecosystem of the training data, "
        "run locally (llama.cpp, Ollama) or with transformers. "
        + (f"Prompt layout: {facts.template_family}. " if facts.template_family else "")
        + (f"FIM sentinels: {facts.fim_format}." if facts.fim_format else ""), "",
        "## Licenses", "",
        f"- Model weights: {facts.license} (the base model's license applies to the merged weights).",
        f"- Training data: {', '.join(data_licenses(facts.datasets)) or 'see the datasets above'}.", "",
        "## Limitations", "",
        "- Trained on a small, niche corpus: expect outdated or invented APIs outside it; review generated "
        "code and run it only in a sandbox.",
        "- Quantized files (q8_0, q4_k_m, ...) trade accuracy for size: compare their rows above.",
        "- The evaluation covers the held-out repositories of the same ecosystem only.",
    ]  # fmt: skip
    text = f"---\n{data.to_yaml()}\n---\n\n" + "\n".join(body) + "\n"
    ModelCard(text)  # parses the header back: a broken card fails here, not on the Hub
    return text
