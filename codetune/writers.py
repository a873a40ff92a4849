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
from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.writers.parquet import ParquetWriter

from codetune.ecosystem import Ecosystem
from codetune.subsets.base import SubsetContext, SubsetSpec

# Hugging Face's push_to_hub default shard size; the Hub viewer and `datasets` stream such shards well.
DEFAULT_MAX_SHARD_BYTES = 500 * 2**20
# Rows per record batch (and output row group) while assembling: memory stays flat as the corpus grows.
ASSEMBLE_BATCH_ROWS = 256


class SubsetWriter(ParquetWriter):
    """Writes one subset's rows, by split, to `<folder>/<split>/<rank>.parquet`; passes every document on.

    Each document the subset takes becomes zero or more rows (`SubsetSpec.rows`); task 0 also writes the
    subset's rows that come from no document (`SubsetSpec.extra_rows`) after its documents.
    """

    name = "📒 Subset rows"

    def __init__(self, subset: SubsetSpec, folder: str, ecosystem: Ecosystem):
        super().__init__(
            folder,
            output_filename="${split}/${rank}.parquet",
            schema=subset.features.arrow_schema,
            use_content_defined_chunking=False,
            max_file_size=-1,  # one file per task and split: the assemble stage shards
            batch_size=256,  # rows held before a row group is written: bounded memory per task
        )
        self.subset = subset
        self.ecosystem = ecosystem

    def _default_adapter(self, document: Document) -> dict:
        return document.metadata["row"]

    def _write_row(self, split: str, row: dict, rank: int) -> None:
        self.write(Document(text="", id=row["id"], metadata={"split": split, "row": row}), rank)

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        with self, SubsetContext(self.ecosystem, count=self.stat_update) as context:
            for document in data:
                if self.subset.takes(document):
                    with self.track_time():
                        for row in self.subset.rows(document, context):
                            self._write_row(document.metadata["split"], row, rank)
                yield document
            if rank == 0:
                with self.track_time():
                    for split, row in self.subset.extra_rows(context):
                        self._write_row(split, row, rank)


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

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        config, split = self.pairs[rank]
        inputs = sorted((Path(self.rows_dir) / config / split).glob("*.parquet"))
        target = Path(self.out_dir) / config
        if not inputs:  # this split got no rows (e.g. no test repository): no shard, no stale ones
            for stale in target.glob(f"{split}-*.parquet"):
                stale.unlink()
            return
        metadata = [pq.read_metadata(path) for path in inputs]
        total_rows = sum(meta.num_rows for meta in metadata)
        total_bytes = sum(
            meta.row_group(i).total_byte_size for meta in metadata for i in range(meta.num_row_groups)
        )
        shard_count = max(1, math.ceil(total_bytes / self.max_shard_bytes))
        rows_per_shard = max(1, math.ceil(total_rows / shard_count))
        schema = pq.read_schema(inputs[0])
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
        """Stream record batches into shards of `rows_per_shard` rows; each shard appears atomically."""
        batches = (
            batch
            for path in inputs
            for batch in pq.ParquetFile(path).iter_batches(batch_size=ASSEMBLE_BATCH_ROWS)
        )
        index, written = 0, 0
        partial = target / f".{names[0]}.partial"
        out = pq.ParquetWriter(partial, schema, compression="snappy", use_content_defined_chunking=True)
        try:
            for batch in batches:
                while batch.num_rows:
                    if written == rows_per_shard and index < len(names) - 1:
                        out.close()
                        os.replace(partial, target / names[index])
                        index, written = index + 1, 0
                        partial = target / f".{names[index]}.partial"
                        out = pq.ParquetWriter(
                            partial, schema, compression="snappy", use_content_defined_chunking=True
                        )
                    take = (
                        batch.num_rows
                        if index == len(names) - 1
                        else min(batch.num_rows, rows_per_shard - written)
                    )
                    out.write_batch(batch.slice(0, take))
                    written += take
                    batch = batch.slice(take)
        finally:
            out.close()
        os.replace(partial, target / names[index])
