"""`trees`: one row per repository, its directory tree as `tree` prints it plus its README."""

from __future__ import annotations

from datatrove.data import Document

from codetune.documents import RecordKind, RepoTreeMeta
from codetune.subsets.base import SubsetSpec, one_row

COLUMNS = {
    "id": "string",
    "repo": "string",
    "commit": "string",
    "tree": "string",
    "readme": "string",
    "file_count": "int32",
    "directory_count": "int32",
    "license": "string",
}


def trees_row(document: Document) -> dict:
    meta = RepoTreeMeta.from_document(document)
    return {
        "id": document.id,
        "repo": meta.repo,
        "commit": meta.commit,
        "tree": document.text,
        "readme": meta.readme,
        "file_count": meta.file_count,
        "directory_count": meta.directory_count,
        "license": meta.license,
    }


TREES = SubsetSpec(
    name="trees",
    record_kinds=(RecordKind.REPO_TREE,),
    columns=COLUMNS,
    rows=one_row(trees_row),
    description="One row per repository: its directory tree (vendored dirs pruned) and its README.",
)
