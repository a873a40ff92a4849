"""`trees`: one row per repository, its directory tree as `tree` prints it plus its README."""

from __future__ import annotations

import datasets
from datatrove.data import Document

from codetune.documents import RecordKind, RepoTreeMeta
from codetune.subsets.base import SubsetSpec, one_row

FEATURES = datasets.Features(
    {
        "id": datasets.Value("string"),
        "repo": datasets.Value("string"),
        "commit": datasets.Value("string"),
        "tree": datasets.Value("string"),
        "readme": datasets.Value("string"),
        "file_count": datasets.Value("int32"),
        "directory_count": datasets.Value("int32"),
        "license": datasets.Value("string"),
    }
)


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
    features=FEATURES,
    rows=one_row(trees_row),
    description="One row per repository: its directory tree (vendored dirs pruned) and its README.",
)
