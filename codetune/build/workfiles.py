"""Documents between stages: one Arrow IPC file per task in the work directory, metadata kept as JSON.

Stages hand documents to each other through folders (datatrove's way: that is what lets each stage resume
and run on another executor). The metadata of mixed record kinds is stored as a JSON string so one schema
fits them all; the typed dataclasses in `documents.py` restore the types on the way back in.

Work files are Arrow IPC files, not Parquet: they are written once and read once, whole, by the next stage
on the same filesystem, so Parquet's encoding and compression (about half a second per 50 MB of corpus each
way, measured) buy nothing but disk space. They take about as much disk as the rows' text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

import pyarrow as pa
import pyarrow.ipc as ipc
from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.utils.typeshelper import StatHints

from codetune.documents import RecordKind, record_kind

WORK_FILE_SUFFIX = ".arrow"


def work_file_name(rank: int) -> str:
    return f"{rank:05d}{WORK_FILE_SUFFIX}"


def _document_row(self: DiskWriter, document: Document) -> dict:
    return {
        "id": document.id,
        "text": document.text,
        "metadata": json.dumps(document.metadata, sort_keys=True),
    }


# Text bytes (or rows) buffered before a record batch is written: memory per task stays bounded by this,
# not by the size of the task (datatrove's default of 1000 whole files made peak memory grow with the
# repository), while a thousand small segments still go out in one batch. The assemble stage copies these
# batches as Parquet row groups, so they also bound its memory (4 MiB made the 50 MB bench peak 1.19x the
# 10 MB one).
BATCH_TEXT_BYTES = 2**20
BATCH_MAX_ROWS = 1024


@dataclass
class _OpenWorkFile:
    writer: ipc.RecordBatchFileWriter
    schema: pa.Schema
    rows: list[dict] = field(default_factory=list)  # buffered, not yet in a record batch
    text_bytes: int = 0  # text of the buffered rows


class TaskFileWriter(DiskWriter):
    """Rows of one task to Arrow IPC work files, in record batches bounded by text bytes.

    datatrove's writers fill a `string.Template` twice and update three stats per document, which took more
    time than encoding the rows on segment-sized rows. Here the file name comes from the caller, batches are
    bounded by text bytes, and the count goes to the stats once per task.
    """

    def __init__(self, folder: DataFolderLike, schema: pa.Schema | None = None, adapter=None):
        super().__init__(folder, f"${{rank}}{WORK_FILE_SUFFIX}", compression=None, adapter=adapter, mode="wb")
        self.schema = schema  # None: taken from each file's first row
        self._files: dict[str, _OpenWorkFile] = {}
        self._written = 0

    def write_row(self, filename: str, row: dict, text_bytes: int) -> None:
        """Buffers `row` for `filename`; a record batch is written once the buffer holds enough text."""
        file = self._files.get(filename)
        if file is None:
            file = self._files[filename] = self._open(filename, row)
        file.rows.append(row)
        file.text_bytes += text_bytes
        self._written += 1
        if file.text_bytes >= BATCH_TEXT_BYTES or len(file.rows) >= BATCH_MAX_ROWS:
            self._write_batch(file)

    def _open(self, filename: str, first_row: dict) -> _OpenWorkFile:
        schema = self.schema if self.schema is not None else pa.RecordBatch.from_pylist([first_row]).schema
        return _OpenWorkFile(ipc.new_file(self._get_output_file_with_retry(filename), schema), schema)

    @staticmethod
    def _write_batch(file: _OpenWorkFile) -> None:
        if file.rows:
            file.writer.write_batch(pa.RecordBatch.from_pylist(file.rows, schema=file.schema))
        file.rows, file.text_bytes = [], 0

    def _write(self, document: dict, file_handler: IO, filename: str) -> None:
        raise NotImplementedError("work files are written row by row with write_row")

    def close(self) -> None:
        while self._files:
            filename, file = self._files.popitem()
            self._write_batch(file)
            file.writer.close()
            self.close_file(filename)
        if self._written:
            self.stat_update(StatHints.total, value=self._written)
            self._written = 0
        super().close()


def work_file_schema(path: str) -> pa.Schema:
    with pa.memory_map(path) as handle:
        return ipc.open_file(handle).schema


def read_work_batches(source: str | IO) -> Iterator[pa.RecordBatch]:
    """The record batches of a work file, in order; a local path is memory-mapped (no copy)."""
    with pa.memory_map(source) if isinstance(source, str) else pa.PythonFile(source, mode="r") as handle:
        reader = ipc.open_file(handle)
        for index in range(reader.num_record_batches):
            yield reader.get_batch(index)


class WorkDocumentWriter(TaskFileWriter):
    """Writes the documents of task `rank` (all, or only some record kinds) to `folder/<rank>.arrow`."""

    name = "📂 Work files"

    def __init__(self, folder: DataFolderLike, kinds: tuple[RecordKind, ...] = ()):
        super().__init__(folder, adapter=_document_row)
        self.kinds = kinds

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        filename = work_file_name(rank)
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

    def __init__(self, folder: DataFolderLike):
        super().__init__()
        self.folder = get_datafolder(folder)

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        filename = work_file_name(rank)
        if not self.folder.isfile(filename):
            return
        with self.folder.open(filename, "rb") as handle:
            for batch in read_work_batches(handle):
                self.stat_update("documents", value=batch.num_rows)
                columns = batch.to_pydict()
                rows = zip(columns["text"], columns["id"], columns["metadata"], strict=True)
                for text, id_, metadata in rows:
                    yield Document(text=text, id=id_, metadata=json.loads(metadata))
