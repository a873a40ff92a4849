"""Writers: per-task subset rows in the work directory, then the Hub layout `OUT/<config>/<split>-*.parquet`.

Rows are written per task first (each task owns its files, so tasks run anywhere and resume), then one
assemble task per (config, split) concatenates them in task order into shards. Task order is fixed by the
plan, so the final Parquet is byte-identical whatever the worker count or executor.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from codetune.build.workfiles import (
    WORK_FILE_SUFFIX,
    TaskFileWriter,
    read_work_batches,
    work_file_name,
    work_file_schema,
)
from codetune.ecosystem import SPLITS, Ecosystem
from codetune.subsets.base import SubsetContext, SubsetSpec

# Hugging Face's push_to_hub default shard size; the Hub viewer and `datasets` stream such shards well.
DEFAULT_MAX_SHARD_BYTES = 500 * 2**20


class SubsetWriter(TaskFileWriter):
    """Writes one subset's rows, by split, to `<folder>/<split>/<rank>.arrow`; passes every document on.

    Each document the subset takes becomes zero or more rows (`SubsetSpec.rows`); task 0 also writes the
    subset's rows that come from no document (`SubsetSpec.extra_rows`) after its documents.
    """

    name = "📒 Subset rows"

    def __init__(self, subset: SubsetSpec, folder: str, ecosystem: Ecosystem):
        super().__init__(folder, schema=subset.arrow_schema)  # built here, in the driver
        self.subset = subset
        self.ecosystem = ecosystem

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        context = SubsetContext(self.ecosystem, count=self.stat_update)
        files = {split: f"{split}/{work_file_name(rank)}" for split in SPLITS}
        with self:
            for document in data:
                if self.subset.takes(document):  # no per-document track_time: it cost as much as the rows
                    for row in self.subset.rows(document, context):
                        self.write_row(files[document.metadata["split"]], row, len(document.text))
                yield document
            if rank == 0:
                with self.track_time():
                    for split, row in self.subset.extra_rows(context):
                        self.write_row(files[split], row, _text_bytes(row))


def _text_bytes(row: dict) -> int:
    return sum(len(value) for value in row.values() if isinstance(value, str))


def shard_name(split: str, index: int, count: int) -> str:
    return f"{split}-{index:05d}-of-{count:05d}.parquet"


class SubsetAssembler(PipelineStep):
    """Task r concatenates the task files of `pairs[r]` = (config, split) into the output's shards."""

    type = "💽 - WRITER"
    name = "📦 Hub layout"

    def __init__(
        self,
        rows_dir: str,
        out_dir: str,
        pairs: list[tuple[str, str]],
        max_shard_bytes: int = DEFAULT_MAX_SHARD_BYTES,
    ):
        super().__init__()
        self.rows_dir = rows_dir
        self.out_dir = out_dir
        self.pairs = pairs
        self.max_shard_bytes = max_shard_bytes

    def _inputs(self, rank: int) -> list[Path]:
        config, split = self.pairs[rank]
        return sorted((Path(self.rows_dir) / config / split).glob(f"*{WORK_FILE_SUFFIX}"))

    def input_sizes(self) -> tuple[int, ...]:
        """Bytes each task copies, known once the rows stage is done: the executor starts the largest first,
        so the two or three large subsets do not wait behind the small ones."""
        return tuple(
            sum(path.stat().st_size for path in self._inputs(rank)) for rank in range(len(self.pairs))
        )

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        config, split = self.pairs[rank]
        inputs = self._inputs(rank)
        target = Path(self.out_dir) / config
        if not inputs:  # this split got no rows (e.g. no test repository): no shard, no stale ones
            for stale in target.glob(f"{split}-*.parquet"):
                stale.unlink()
            return
        total_rows = sum(batch.num_rows for path in inputs for batch in read_work_batches(str(path)))
        total_bytes = sum(path.stat().st_size for path in inputs)  # uncompressed Arrow: about the rows' bytes
        shard_count = max(1, math.ceil(total_bytes / self.max_shard_bytes))
        rows_per_shard = max(1, math.ceil(total_rows / shard_count))
        schema = work_file_schema(str(inputs[0]))
        target.mkdir(parents=True, exist_ok=True)
        names = [shard_name(split, index, shard_count) for index in range(shard_count)]
        self._write_shards(inputs, schema, target, names, rows_per_shard)
        for stale in target.glob(f"{split}-*.parquet"):
            if stale.name not in names:
                stale.unlink()
        self.stat_update(f"rows_{config}_{split}", value=total_rows)

    def _write_shards(
        self, inputs: list[Path], schema: pa.Schema, target: Path, names: list[str], rows_per_shard: int
    ) -> None:
        """Copy the task files' record batches into shards of `rows_per_shard` rows, each written atomically.

        A record batch is what a SubsetWriter buffered (bounded by text bytes), so memory stays flat and the
        shards get row groups of about a megabyte of text rather than one per small batch.
        """
        tables = (pa.Table.from_batches([batch]) for path in inputs for batch in read_work_batches(str(path)))
        index, written = 0, 0
        partial = target / f".{names[0]}.partial"
        out = pq.ParquetWriter(partial, schema, compression="snappy", use_content_defined_chunking=True)
        try:
            for table in tables:
                while table.num_rows:
                    if written == rows_per_shard and index < len(names) - 1:
                        out.close()
                        os.replace(partial, target / names[index])
                        index, written = index + 1, 0
                        partial = target / f".{names[index]}.partial"
                        out = pq.ParquetWriter(
                            partial, schema, compression="snappy", use_content_defined_chunking=True
                        )
                    take = (
                        table.num_rows
                        if index == len(names) - 1
                        else min(table.num_rows, rows_per_shard - written)
                    )
                    out.write_table(table.slice(0, take))
                    written += take
                    table = table.slice(take)
        finally:
            out.close()
        os.replace(partial, target / names[index])
