"""Documents between stages: one Parquet file per task in the work directory, metadata kept as JSON.

Stages hand documents to each other through folders (datatrove's way: that is what lets each stage resume
and run on another executor). The metadata of mixed record kinds is stored as a JSON string so one schema
fits them all; the typed dataclasses in `documents.py` restore the types on the way back in.
"""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.writers.parquet import ParquetWriter
from datatrove.utils.typeshelper import StatHints

from codetune.documents import RecordKind, record_kind


def _document_row(self: ParquetWriter, document: Document) -> dict:
    return {
        "id": document.id,
        "text": document.text,
        "metadata": json.dumps(document.metadata, sort_keys=True),
    }


# Text bytes (or rows) buffered before a Parquet row group is written: memory per task stays bounded by this,
# not by the size of the task (datatrove's default of 1000 whole files made peak memory grow with the
# repository), while a thousand small segments still go out in one row group. The assemble stage copies
# these row groups, so they also bound its memory (4 MiB made the 50 MB bench peak 1.19x the 10 MB one).
BATCH_TEXT_BYTES = 2**20
BATCH_MAX_ROWS = 1024


class TaskParquetWriter(ParquetWriter):
    """datatrove's ParquetWriter for our one-file-per-task outputs, minus its per-document costs.

    The stock `write` fills a `string.Template` twice and updates three stats per document, which took more
    time than the Parquet encoding itself on segment-sized rows. Here the file name comes from
    the caller, batches are bounded by text bytes, and the count goes to the stats once per task.
    """

    def __init__(self, folder: DataFolderLike, **parquet_options):
        super().__init__(
            folder,
            max_file_size=-1,  # one file per task (and split): the assemble stage shards
            batch_size=BATCH_MAX_ROWS,
            **parquet_options,
        )  # the Parquet writer's own options are set where `_open` creates it
        self._buffered_bytes: dict[str, int] = {}
        self._written = 0

    def write_row(self, filename: str, row: dict, text_bytes: int) -> None:
        """Buffers `row` for `filename`; a row group is written once the buffer holds enough text."""
        if filename not in self._writers:
            self._open(filename, row)
        batch = self._batches[filename]
        batch.append(row)
        self._written += 1
        buffered = self._buffered_bytes.get(filename, 0) + text_bytes
        if buffered >= BATCH_TEXT_BYTES or len(batch) >= self.batch_size:
            self._write_batch(filename)
        else:
            self._buffered_bytes[filename] = buffered

    def _open(self, filename: str, first_row: dict) -> None:
        # No dictionary encoding: ids, paths and code are nearly all distinct, so pyarrow would build a
        # dictionary per column chunk only to fall back to plain encoding (a third of the write time). No
        # statistics either: nothing filters work files by value, they are read whole.
        schema = self.schema if self.schema is not None else pa.RecordBatch.from_pylist([first_row]).schema
        self._writers[filename] = pq.ParquetWriter(
            self._get_output_file_with_retry(filename),
            schema,
            compression=self.compression,
            use_dictionary=False,
            write_statistics=False,
            write_page_index=False,
        )

    def _write_batch(self, filename: str) -> None:
        self._buffered_bytes[filename] = 0
        super()._write_batch(filename)

    def close(self) -> None:
        if self._written:
            self.stat_update(StatHints.total, value=self._written)
            self._written = 0
        super().close()


class WorkDocumentWriter(TaskParquetWriter):
    """Writes the documents of task `rank` (all, or only some record kinds) to `folder/<rank>.parquet`."""

    name = "📂 Work files"

    def __init__(self, folder: DataFolderLike, kinds: tuple[RecordKind, ...] = ()):
        super().__init__(folder, adapter=_document_row)
        self.kinds = kinds

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        filename = f"{rank:05d}.parquet"
        with self:
            for document in data:
                if not self.kinds or record_kind(document) in self.kinds:
                    self.write_row(filename, self.adapter(document), len(document.text))
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
                self.stat_update("documents", value=batch.num_rows)
                columns = batch.to_pydict()
                rows = zip(columns["text"], columns["id"], columns["metadata"], strict=True)
                for text, id_, metadata in rows:
                    yield Document(text=text, id=id_, metadata=json.loads(metadata))
