"""`ast`: one row per tree-sitter segment (function, method, class, ...), doc kept apart from the code."""

from __future__ import annotations

import datasets
from datatrove.data import Document

from codetune.documents import RecordKind, SegmentMeta
from codetune.subsets.base import SubsetSpec, one_row

FEATURES = datasets.Features(
    {
        "id": datasets.Value("string"),
        "code": datasets.Value("string"),
        "docstring": datasets.Value("string"),
        "kind": datasets.Value("string"),
        "name": datasets.Value("string"),
        "parent": datasets.Value("string"),
        "language": datasets.Value("string"),
        "repo": datasets.Value("string"),
        "path": datasets.Value("string"),
        "start_line": datasets.Value("int32"),
        "end_line": datasets.Value("int32"),
        "has_error": datasets.Value("bool"),
        "license": datasets.Value("string"),
        "commit": datasets.Value("string"),
    }
)


def ast_row(document: Document) -> dict:
    meta = SegmentMeta.from_document(document)
    return {
        "id": document.id,
        "code": document.text,
        "docstring": meta.docstring,
        "kind": meta.segment_kind,
        "name": meta.name,
        "parent": meta.parent,
        "language": meta.language,
        "repo": meta.repo,
        "path": meta.path,
        "start_line": meta.start_line,
        "end_line": meta.end_line,
        "has_error": meta.has_error,
        "license": meta.license,
        "commit": meta.commit,
    }


AST = SubsetSpec(
    name="ast",
    record_kinds=(RecordKind.SEGMENT,),
    features=FEATURES,
    rows=one_row(ast_row),
    description="One row per function, method, class, struct, trait, contract or signal (tree-sitter).",
)
