"""`ast`: one row per tree-sitter segment (function, method, class, ...), doc kept apart from the code."""

from __future__ import annotations

from datatrove.data import Document

from codetune.documents import RecordKind, SegmentMeta
from codetune.subsets.base import SubsetSpec, one_row

COLUMNS = {
    "id": "string",
    "code": "string",
    "docstring": "string",
    "kind": "string",
    "name": "string",
    "parent": "string",
    "language": "string",
    "repo": "string",
    "path": "string",
    "start_line": "int32",
    "end_line": "int32",
    "has_error": "bool",
    "license": "string",
    "commit": "string",
}


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
    columns=COLUMNS,
    rows=one_row(ast_row),
    description="One row per function, method, class, struct, trait, contract or signal (tree-sitter).",
)
