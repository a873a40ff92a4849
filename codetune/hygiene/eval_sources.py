"""Evaluation data for decontamination: JSONL/Parquet files, or Hub datasets read from the local cache.

Sources are resolved and read in the driver when the plan is made, so a missing, empty or malformed file
fails the build before any stage runs, with an error naming the file and the field; their bytes go into
the build fingerprint, so a changed benchmark never reuses stale work.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from codetune.definitions.hygiene_settings import EVAL_FILE_SUFFIXES, DecontaminationSettings, EvalSource
from codetune.errors import EvalDataError


@dataclass(frozen=True)
class ResolvedEvalSource:
    """An eval source pinned to local files."""

    label: str
    files: tuple[str, ...]
    text_fields: tuple[str, ...]


def hub_snapshot(source: EvalSource) -> Path:
    """The cached snapshot folder of a Hub dataset; never a download."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        folder = snapshot_download(
            source.dataset, repo_type="dataset", revision=source.revision, local_files_only=True
        )
    except LocalEntryNotFoundError as error:
        raise EvalDataError(
            f"decontamination eval source {source.label!r}: the dataset is not in the local Hugging Face "
            f"cache (revision {source.revision or 'main'}); codetune never downloads it. Download it once "
            f"with `hf download --repo-type dataset {source.dataset}` or pass a file as `path`"
        ) from error
    return Path(folder)


def resolve_eval_source(source: EvalSource) -> ResolvedEvalSource:
    if source.path is not None:
        path = Path(source.path)
        if not path.is_file():
            raise EvalDataError(
                f"decontamination eval file {source.path}: no such file; fix the path in eval_sources"
            )
        return ResolvedEvalSource(source.label, (str(path.resolve()),), source.text_fields)
    folder = hub_snapshot(source)
    files = sorted(
        str(path) for path in folder.rglob("*") if path.is_file() and path.name.endswith(EVAL_FILE_SUFFIXES)
    )
    if not files:
        raise EvalDataError(
            f"decontamination eval source {source.label!r}: the cached snapshot {folder} holds no "
            f"{'/'.join(EVAL_FILE_SUFFIXES)} files"
        )
    return ResolvedEvalSource(source.label, tuple(files), source.text_fields)


def resolve_eval_sources(settings: DecontaminationSettings) -> tuple[ResolvedEvalSource, ...]:
    if not settings.enabled:
        return ()
    return tuple(resolve_eval_source(source) for source in settings.eval_sources)


def _field_text(value: object, path: str, where: str, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return "\n".join(value)
    raise EvalDataError(
        f"decontamination eval file {path} {where}: field '{field}' is a {type(value).__name__}, "
        "not text; name a text field in text_fields"
    )


def _missing_field(path: str, where: str, field: str, present: list[str]) -> EvalDataError:
    return EvalDataError(
        f"decontamination eval file {path} {where}: no field '{field}' "
        f"(fields: {', '.join(present) or 'none'}); "
        "set text_fields of this eval source to the field that holds the text"
    )


def _json_rows(path: str) -> Iterator[tuple[str, object]]:
    """(where, row) of a JSON-lines file, or of a JSON array of objects."""
    with open(path, encoding="utf-8") as handle:
        head = handle.read(1 << 16).lstrip()
        handle.seek(0)
        if head.startswith("["):
            for index, row in enumerate(json.load(handle)):
                yield f"item {index}", row
            return
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield f"line {number}", json.loads(line)
                except json.JSONDecodeError as error:
                    raise EvalDataError(
                        f"decontamination eval file {path} line {number}: not JSON ({error})"
                    ) from error


def _file_texts(path: str, fields: tuple[str, ...]) -> Iterator[str]:
    if path.endswith(".parquet"):
        parquet = pq.ParquetFile(path)
        names = parquet.schema_arrow.names
        for field in fields:
            if field not in names:
                raise _missing_field(path, "(schema)", field, names)
        for batch in parquet.iter_batches(columns=list(fields)):
            for row in batch.to_pylist():
                yield from (_field_text(row[field], path, "row", field) for field in fields)
        return
    for where, row in _json_rows(path):
        if not isinstance(row, dict):
            raise EvalDataError(f"decontamination eval file {path} {where}: expected a JSON object per row")
        for field in fields:
            if field not in row:
                raise _missing_field(path, where, field, list(row))
            yield _field_text(row[field], path, where, field)


def eval_texts(source: ResolvedEvalSource) -> Iterator[str]:
    """Every text of every row; an empty file or a row without a text field is an error naming both."""
    for path in source.files:
        rows = 0
        for text in _file_texts(path, source.text_fields):
            rows += 1
            yield text
        if not rows:
            raise EvalDataError(
                f"decontamination eval file {path} ({source.label}) is empty: it has no rows; "
                "remove it from eval_sources or fill it"
            )


def eval_sources_digest(settings: DecontaminationSettings) -> str:
    """What the build fingerprint needs of the eval data; reads every row, so bad data fails here."""
    digest = hashlib.sha256()
    for source in resolve_eval_sources(settings):
        digest.update(f"{source.label}\0{','.join(source.text_fields)}\0".encode())
        for path in source.files:
            with open(path, "rb") as handle:
                digest.update(hashlib.sha256(handle.read()).digest())
        for _ in eval_texts(source):
            pass
    return digest.hexdigest()
