"""The numpy bucket merge writes the `.dups` files of datatrove's own `MinhashDedupBuckets`, byte for byte."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupBuckets
from datatrove.utils.hashing import HashConfig

import codetune.hygiene.bucket_pairs as bucket_pairs
from codetune.hygiene.bucket_pairs import SortedMinhashBuckets
from codetune.hygiene.signatures import lexicographic_order

CONFIG = MinhashConfig(num_buckets=2, hashes_per_bucket=3, hash_config=HashConfig(precision=32))


def write_signature_files(folder: Path, seed: int = 0) -> None:
    """Five task files per bucket: random signatures plus copies planted within and across files (pairs and
    triples, some sharing only the first hash), each file sorted as the signature step writes it."""
    rng = np.random.default_rng(seed)
    width = CONFIG.hashes_per_bucket
    for bucket in range(CONFIG.num_buckets):
        shared = rng.integers(0, 2**32 - 1, size=(40, width), dtype=np.uint32)
        shared[::4, 1:] = rng.integers(0, 2**32 - 1, size=(10, width - 1), dtype=np.uint32)  # same first hash
        files = []
        for _rank in range(5):
            own = rng.integers(0, 2**32 - 1, size=(int(rng.integers(0, 300)), width), dtype=np.uint32)
            copies = shared[rng.integers(0, len(shared), size=30)]
            signatures = np.concatenate([own, copies, copies[:5]])  # repeats inside one file too
            files.append(signatures)
        files.append(np.empty((0, width), dtype=np.uint32))  # a task with no signed document
        for rank, signatures in enumerate(files):
            documents = np.arange(len(signatures), dtype=np.uint32).reshape(-1, 1)
            records = np.hstack((signatures, documents))
            path = folder / f"bucket_{bucket:03d}" / f"{rank:05d}.minhash.sig"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(records[lexicographic_order(records)].astype("<u4").tobytes())


def run_buckets(step_class, signatures: Path, out: Path, world_size: int) -> dict[str, bytes]:
    for rank in range(world_size):
        step_class(str(signatures), str(out), config=CONFIG).run(None, rank, world_size)
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())}


@pytest.mark.parametrize("workers_per_bucket", [1, 3])
@pytest.mark.parametrize("slice_records", [1 << 21, 64])
def test_dups_files_are_byte_identical_to_datatrove(tmp_path, monkeypatch, workers_per_bucket, slice_records):
    monkeypatch.setattr(bucket_pairs, "SLICE_RECORDS", slice_records)  # many hash slices per bucket too
    write_signature_files(tmp_path / "signatures")
    world_size = CONFIG.num_buckets * workers_per_bucket
    expected = run_buckets(MinhashDedupBuckets, tmp_path / "signatures", tmp_path / "datatrove", world_size)
    produced = run_buckets(SortedMinhashBuckets, tmp_path / "signatures", tmp_path / "numpy", world_size)
    assert produced == expected
    pairs = sum(len(data) for data in expected.values()) // 16
    assert pairs > 100  # the planted copies were found, so the comparison says something


def test_a_remote_folder_runs_datatroves_own_merge(tmp_path, monkeypatch):
    write_signature_files(tmp_path / "signatures")
    step = SortedMinhashBuckets(str(tmp_path / "signatures"), str(tmp_path / "out"), config=CONFIG)
    calls = []
    monkeypatch.setattr(MinhashDedupBuckets, "run", lambda self, *args: calls.append(args))
    monkeypatch.setattr(bucket_pairs, "LocalFileSystem", type("Elsewhere", (), {}))
    step.run(None, 0, CONFIG.num_buckets)
    assert calls == [(None, 0, CONFIG.num_buckets)]
