"""Documents between stages: one Parquet file per task in the work directory, metadata kept as JSON.

Stages hand documents to each other through folders (datatrove's way: that is what lets each stage resume
and run on another executor). The metadata of mixed record kinds is stored as a JSON string so one schema
fits them all; the typed dataclasses in `documents.py` restore the types on the way back in.
"""

from __future__ import annotations

import json

import pyarrow.parquet as pq
from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.writers.parquet import ParquetWriter

from codetune.documents import RecordKind, record_kind


def _document_row(self: ParquetWriter, document: Document) -> dict:
    return {
        "id": document.id,
        "text": document.text,
        "metadata": json.dumps(document.metadata, sort_keys=True),
    }


# Rows buffered before a Parquet row group is written: memory per task stays bounded by this, not by the size
# of the task (datatrove's default of 1000 whole files made peak memory grow with the repository).
WORK_BATCH_ROWS = 64


class WorkDocumentWriter(ParquetWriter):
    """Writes the documents of task `rank` (all, or only some record kinds) to `folder/<rank>.parquet`."""

    name = "📂 Work files"

    def __init__(self, folder: DataFolderLike, kinds: tuple[RecordKind, ...] = ()):
        super().__init__(
            folder,
            output_filename="${rank}.parquet",
            adapter=_document_row,
            use_content_defined_chunking=False,
            max_file_size=-1,
            batch_size=WORK_BATCH_ROWS,
        )
        self.kinds = kinds

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        with self:
            for document in data:
                if not self.kinds or record_kind(document) in self.kinds:
                    with self.track_time():
                        self.write(document, rank)
                yield document


class WorkDocumentReader(PipelineStep):
    """Reads back exactly the file that task `rank` of the previous stage wrote (none if it wrote nothing).

    datatrove's own readers shard a folder's file list across ranks; reading by rank instead keeps each
    repository slice in the same task through every stage, so per-task outputs stay in a fixed order.
    """

    type = "📖 - READER"
    name = "📂 Work files"

    def __init__(self, folder: DataFolderLike, batch_size: int = 256):
        super().__init__()
        self.folder = get_datafolder(folder)
        self.batch_size = batch_size

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        filename = f"{rank:05d}.parquet"
        if not self.folder.isfile(filename):
            return
        with self.folder.open(filename, "rb") as handle, pq.ParquetFile(handle) as parquet:
            for batch in parquet.iter_batches(batch_size=self.batch_size):
                for row in batch.to_pylist():
                    self.stat_update("documents")
                    yield Document(text=row["text"], id=row["id"], metadata=json.loads(row["metadata"]))
