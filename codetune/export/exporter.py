"""`codetune export`: a training run → merged model, GGUF files, Ollama Modelfile, model card."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from codetune.errors import ExportError
from codetune.export.card import CardFacts, card_text, dataset_record, read_eval_report, read_run_facts
from codetune.export.gguf_files import GgufFile, parse_gguf_types, write_gguf_files
from codetune.export.merge import merge_run
from codetune.export.modelfile import modelfile_text, prompt_layout

logger = logging.getLogger(__name__)

EXPORT_MARKER = ".codetune-export.json"  # what an export wrote; a folder with it may be replaced
MODELFILE_PREFERENCE = ("q4_k_m", "q8_0", "f16")  # the GGUF Ollama gets, the first of these exported


@dataclass(frozen=True)
class ExportOptions:
    run_dir: Path
    out_dir: Path
    gguf_types: str = "f16,q8_0"
    overwrite: bool = False
    eval_report: Path | None = None
    license: str = "other"
    num_ctx: int | None = None  # default: the model's context, at most 4096
    name: str = ""  # file stem and card title; default: the out folder's name


@dataclass
class ExportResult:
    out_dir: Path
    merged_dir: Path
    gguf_files: list[GgufFile]
    modelfile: Path
    card: Path
    warnings: list[str] = field(default_factory=list)


def prepare_out_dir(out_dir: Path, overwrite: bool) -> None:
    """An empty or earlier-export folder is (re)used; anything else only with --overwrite."""
    if out_dir.exists() and any(out_dir.iterdir()):
        if not (overwrite or (out_dir / EXPORT_MARKER).is_file()):
            raise ExportError(
                f"{out_dir} is not empty and holds no codetune export: pass --overwrite to replace it"
            )
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)


def _num_ctx(merged_dir: Path, wanted: int | None) -> int:
    if wanted:
        return wanted
    config = json.loads((merged_dir / "config.json").read_text())
    return min(int(config.get("max_position_embeddings") or 4096), 4096)


def _modelfile_gguf(files: list[GgufFile]) -> GgufFile:
    by_type = {f.quantization: f for f in files}
    return next((by_type[t] for t in MODELFILE_PREFERENCE if t in by_type), files[0])


def export_model(options: ExportOptions) -> ExportResult:
    from transformers import AutoTokenizer

    types = parse_gguf_types(options.gguf_types)  # before any work: a typo costs nothing
    report = read_eval_report(options.eval_report) if options.eval_report else None
    out_dir, name = options.out_dir, options.name or options.out_dir.resolve().name
    prepare_out_dir(out_dir, options.overwrite)
    merged_dir = out_dir / "merged"
    trained = merge_run(options.run_dir, merged_dir)
    files = write_gguf_files(merged_dir, out_dir, name, types)

    layout = prompt_layout(AutoTokenizer.from_pretrained(merged_dir))
    modelfile = out_dir / "Modelfile"
    modelfile.write_text(
        modelfile_text(_modelfile_gguf(files).path.name, layout, _num_ctx(merged_dir, options.num_ctx))
    )

    run = read_run_facts(options.run_dir)
    recipe = run.get("recipe") or {}
    facts = CardFacts(
        name=name,
        base_model=trained.base or recipe.get("model_name_or_path") or "unknown",
        is_adapter=trained.is_adapter,
        stage=run.get("stage", ""),
        training=run.get("training") or {},
        lora=recipe.get("lora"),
        datasets=tuple(dataset_record(entry) for entry in recipe.get("datasets", [])),
        gguf_files=tuple((f.path.name, f.size_bytes) for f in files),
        eval_report=report,
        license=options.license,
        template_family=layout.family.name if layout.family else "",
        fim_format=layout.fim.name if layout.fim else "",
    )
    card = out_dir / "README.md"
    card.write_text(card_text(facts))
    summary = {
        "run": str(options.run_dir),
        "gguf": {f.quantization: f.path.name for f in files},
        "template_family": facts.template_family,
        "fim_format": facts.fim_format,
        "warnings": list(layout.warnings),
    }
    (out_dir / EXPORT_MARKER).write_text(json.dumps(summary, indent=1))
    return ExportResult(out_dir, merged_dir, files, modelfile, card, list(layout.warnings))
