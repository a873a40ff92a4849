"""`clm`: one row per kept file or doc, the text a causal language model continues."""

from __future__ import annotations

from datatrove.data import Document

from codetune.documents import FileMeta, RecordKind
from codetune.subsets.base import SubsetSpec, one_row

COLUMNS = {
    "id": "string",
    "text": "string",
    "repo": "string",
    "path": "string",
    "language": "string",
    "role": "string",
    "license": "string",
    "commit": "string",
    "size": "int64",
}


def clm_row(document: Document) -> dict:
    meta = FileMeta.from_document(document)
    return {
        "id": document.id,
        "text": document.text,
        "repo": meta.repo,
        "path": meta.path,
        "language": meta.language,
        "role": meta.role,
        "license": meta.license,
        "commit": meta.commit,
        "size": meta.size,
    }


CLM = SubsetSpec(
    name="clm",
    record_kinds=(RecordKind.FILE,),
    columns=COLUMNS,
    rows=one_row(clm_row),
    description="One row per source or doc file that passed the filters: plain text for causal LM training.",
)
