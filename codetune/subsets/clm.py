"""`clm`: one row per kept file or doc, the text a causal language model continues."""

from __future__ import annotations

import datasets
from datatrove.data import Document

from codetune.documents import FileMeta, RecordKind
from codetune.subsets.base import SubsetSpec, one_row

FEATURES = datasets.Features(
    {
        "id": datasets.Value("string"),
        "text": datasets.Value("string"),
        "repo": datasets.Value("string"),
        "path": datasets.Value("string"),
        "language": datasets.Value("string"),
        "role": datasets.Value("string"),
        "license": datasets.Value("string"),
        "commit": datasets.Value("string"),
        "size": datasets.Value("int64"),
    }
)


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
    features=FEATURES,
    rows=one_row(clm_row),
    description="One row per source or doc file that passed the filters: plain text for causal LM training.",
)
