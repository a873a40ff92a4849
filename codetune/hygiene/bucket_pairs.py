"""Near dedup, step 2: datatrove's `MinhashDedupBuckets`, with its merge of a bucket done by numpy.

datatrove merges a bucket's sorted signature files through a heap of dataclass records, one Python
comparison at a time: 4 s of a 36 s default build on the 50 MB bench (56,000 segments in 25 buckets), as much
as the signatures of those segments. `SortedMinhashBuckets` reads the same files and writes the same `.dups`
files, byte for byte (tests compare it with datatrove's own run), but sorts the records of a range of first
hashes at once and pairs equal neighbours with array operations. The task split (bucket and hash range per
rank) and every file format stay datatrove's, so the stage spreads over machines as before. Where the fast
path does not apply (a folder that is not local, an index of earlier datasets, 64-bit hashes) datatrove's own
merge runs.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
from datatrove.pipeline.dedup.minhash import MinhashDedupBuckets
from fsspec.implementations.local import LocalFileSystem

from codetune.hygiene.signatures import lexicographic_order

# Records sorted at once: memory stays about this many × (hashes per bucket + 2) × 4 bytes per task (90 MB at
# the default 10 hashes), whatever the corpus size. Signature slots are uniform 32-bit values, so slices of
# equal hash width hold about equal numbers of records.
SLICE_RECORDS = 1 << 21


class SortedMinhashBuckets(MinhashDedupBuckets):
    """Duplicate pairs of one bucket (or one hash range of it), in datatrove's order and format."""

    def run(self, data=None, rank: int = 0, world_size: int = 1) -> None:
        fast = (
            self.index_folder is None
            and isinstance(self.input_folder.fs, LocalFileSystem)
            and self.config.hash_config.precision == 32
        )
        if not fast:
            return super().run(data, rank, world_size)
        assert data is None, "You should not use an input block before MinhashDedupBuckets"
        assert world_size % self.config.num_buckets == 0, "Number of tasks must be divisible by num_buckets"
        bucket, bucket_worker = divmod(rank, world_size // self.config.num_buckets)
        with self.track_time():
            names = self.input_folder.list_files(subdirectory=f"bucket_{bucket:03d}")
            hash_min, hash_max = self.get_worker_hash_range(names, rank, world_size)
            tables = [self._records(name) for name in names]
            stems = np.array([int(Path(name).name.removesuffix(".minhash.sig")) for name in names], "<u4")
            with self.output_folder.open(f"{bucket:05d}_{bucket_worker:02d}.dups", mode="wb") as out:
                total = sum(len(table) for table in tables)
                slices = max(1, math.ceil(total / SLICE_RECORDS))
                bounds = np.linspace(hash_min, hash_max, slices + 1).astype(np.uint64)
                bounds[-1] = hash_max  # the range is [hash_min, hash_max), as datatrove reads it
                for low, high in itertools.pairwise(bounds):
                    pairs = self._pairs(tables, stems, int(low), int(high))
                    out.write(pairs.tobytes())
                    self.stat_update("total_matches", value=len(pairs))

    def _records(self, name: str) -> np.ndarray:
        """The file's records (hashes..., document index) as a read-only uint32 matrix, memory-mapped."""
        width = self.config.hashes_per_bucket + 1
        path = self.input_folder.resolve_paths(name)
        if Path(path).stat().st_size == 0:
            return np.empty((0, width), dtype="<u4")
        return np.memmap(path, dtype="<u4", mode="r").reshape(-1, width)

    def _pairs(self, tables: list[np.ndarray], stems: np.ndarray, low: int, high: int) -> np.ndarray:
        """(file, document, file, document) rows for each record whose signature equals the one before it,
        over the records whose first hash lies in [low, high), in datatrove's heap order: signature, then
        file, then document."""
        width = self.config.hashes_per_bucket
        parts = []
        for file_id, table in enumerate(tables):
            first = table[:, 0]
            start, stop = np.searchsorted(first, [low, high], side="left")
            if stop > start:
                part = np.empty((stop - start, width + 2), dtype=np.uint32)
                part[:, :width] = table[start:stop, :width]
                part[:, width] = file_id
                part[:, width + 1] = table[start:stop, width]
                parts.append(part)
        if not parts:
            return np.empty((0, 4), dtype="<u4")
        records = np.concatenate(parts)
        records = records[lexicographic_order(records)]
        equal = (records[1:, :width] == records[:-1, :width]).all(axis=1)
        before, after = records[:-1][equal], records[1:][equal]
        return np.column_stack(
            (stems[before[:, width]], before[:, width + 1], stems[after[:, width]], after[:, width + 1])
        ).astype("<u4")
