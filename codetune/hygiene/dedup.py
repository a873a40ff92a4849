"""Exact and near-duplicate removal across all repositories, as datatrove steps wired by folders.

For one record kind (files, then segments) the build runs:

    signatures  (in the stage that produces the documents, one task per plan task)
                ContentHashes → exact/<rank>.hashes        RensaMinhashSignature (or datatrove's engine,
                                                           CodeMinhashSignature) → signatures/bucket_*/<rank>
    buckets     SortedMinhashBuckets (datatrove's MinhashDedupBuckets, merged by numpy),
                min(buckets, plan tasks) tasks                      → buckets/*.dups
    duplicates  MinhashDedupCluster + DuplicateResolver, one task → remove/<rank>.remove
    filter      DuplicateFilter (datatrove's MinhashDedupFilter) in the next stage, over the same documents

Which copy survives is decided by DuplicateResolver, not by datatrove's union-by-size: in every group of
exact copies and in every MinHash cluster the first document in plan order (source order, then path, then
position in the file) is kept. Exact copies always fall into the same MinHash cluster (same tokens, same
signature; documents under `near_min_tokens` tokens get none and are in no cluster), so keeping the first
of each cluster never drops all copies of a text. Document indices are
positions among the selected documents of a task, which the plan fixes: the result is the same on every
run, worker count and executor.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import xxhash
from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.dedup.minhash import (
    MinhashConfig,
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
)
from datatrove.utils.hashing import HashConfig
from datatrove.utils.text import TextNormConfig

from codetune.definitions.hygiene_settings import DedupSettings
from codetune.documents import RecordKind, record_kind
from codetune.hygiene.bucket_pairs import SortedMinhashBuckets
from codetune.hygiene.signatures import (  # noqa: F401 (SIGNATURE_CHUNK: the dedup tests import it from here)
    SIGNATURE_CHUNK,
    CodeMinhashSignature,
    RensaMinhashSignature,
)

CONTENT_HASH_DTYPE = np.dtype([("high", "<u8"), ("low", "<u8"), ("doc", "<u4")])
REMOVE_DTYPE = np.dtype("<u4")  # what MinhashDedupFilter reads: sorted document indices of one task
# Signature records each bucket reader reads at once: datatrove's default of 5 is a read call per 5 records.
BUCKET_READ_RECORDS = 1024


@dataclass(frozen=True)
class DedupFolders:
    """Where one record kind's dedup stages hand their results to each other."""

    root: str

    @property
    def exact(self) -> str:
        return f"{self.root}/exact"

    @property
    def signatures(self) -> str:
        return f"{self.root}/signatures"

    @property
    def buckets(self) -> str:
        return f"{self.root}/buckets"

    @property
    def clusters(self) -> str:
        return f"{self.root}/clusters"

    @property
    def remove(self) -> str:
        return f"{self.root}/remove"


def minhash_config(settings: DedupSettings) -> MinhashConfig:
    """datatrove's MinHash configured for code: case and punctuation kept, digits kept unless asked.

    rensa's signature slots are 32-bit, datatrove's own 64-bit (values below 2^61 - 1).
    """
    return MinhashConfig(
        n_grams=settings.shingle_size,
        num_buckets=settings.num_buckets,
        hashes_per_bucket=settings.hashes_per_bucket,
        seed=settings.seed,
        norm_config=TextNormConfig(
            lowercase=False,
            norm_whitespace=False,  # the tokenizer ignores whitespace anyway
            remove_punctuation=False,  # operators are tokens
            norm_unicode_diacritics=False,
            norm_numbers=settings.normalize_numbers,
        ),
        hash_config=HashConfig(precision=32 if settings.signatures == "rensa" else 64, hash_fc="xxhash"),
    )


def normalised_content_hash(text: str) -> tuple[int, int]:
    """128-bit hash of the text with every whitespace run made one space: re-indented copies are equal."""
    digest = xxhash.xxh3_128_intdigest(" ".join(text.split()).encode("utf-8"))
    return digest >> 64, digest & 0xFFFF_FFFF_FFFF_FFFF


class ContentHashes(PipelineStep):
    """Exact dedup, step 1: the content hash of each selected document of the task; passes all on."""

    type = "🫂 - DEDUP"
    name = "🟰 content hashes"

    def __init__(self, output_folder: DataFolderLike, kinds: tuple[RecordKind, ...]):
        super().__init__()
        self.output_folder = get_datafolder(output_folder)
        self.kinds = kinds

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        hashes: list[tuple[int, int, int]] = []
        for document in data:
            if record_kind(document) in self.kinds:
                with self.track_time():
                    hashes.append((*normalised_content_hash(document.text), len(hashes)))
            yield document
        with self.output_folder.open(f"{rank:05d}.hashes", "wb") as handle:
            handle.write(np.array(hashes, dtype=CONTENT_HASH_DTYPE).tobytes())


def _keys(rank: int, doc: np.ndarray) -> np.ndarray:
    """(task, position) as one sortable uint64: plan order."""
    return (np.uint64(rank) << np.uint64(32)) | doc.astype(np.uint64)


class DuplicateResolver(PipelineStep):
    """Exact dedup step 2 and the end of near dedup: which documents each task drops, keeping the first.

    Reads every task's content hashes and datatrove's MinHash clusters, keeps the first document in plan
    order of each group, and writes `<rank>.remove` files in the format MinhashDedupFilter reads.
    """

    type = "🫂 - DEDUP"
    name = "🧮 duplicates: keep the first"

    def __init__(self, folders: DedupFolders, tasks: int, exact: bool, near: bool):
        super().__init__()
        self.folders = folders
        self.tasks = tasks
        self.exact = exact
        self.near = near

    def exact_duplicates(self) -> np.ndarray:
        """Keys of documents whose normalised content an earlier document already has."""
        folder = get_datafolder(self.folders.exact)
        keys, highs, lows = [], [], []
        for rank in range(self.tasks):
            if not folder.isfile(f"{rank:05d}.hashes"):
                continue
            with folder.open(f"{rank:05d}.hashes", "rb") as handle:
                hashes = np.frombuffer(handle.read(), dtype=CONTENT_HASH_DTYPE)
            keys.append(_keys(rank, hashes["doc"]))
            highs.append(hashes["high"])
            lows.append(hashes["low"])
        if not keys:
            return np.empty(0, dtype=np.uint64)
        key, high, low = np.concatenate(keys), np.concatenate(highs), np.concatenate(lows)
        order = np.lexsort((key, low, high))  # by content, then plan order
        high, low, key = high[order], low[order], key[order]
        repeated = (high[1:] == high[:-1]) & (low[1:] == low[:-1])
        return np.sort(key[1:][repeated])

    def cluster_duplicates(self) -> tuple[np.ndarray, int]:
        """Keys of MinHash cluster members other than each cluster's first document, and the cluster count."""
        folder = get_datafolder(self.folders.clusters)
        keys, clusters = [], []
        for name in folder.list_files(glob_pattern="*.clusters"):
            with folder.open(name, "rb") as handle:
                pairs = np.frombuffer(handle.read(), dtype="<u4").reshape(-1, 2)  # (doc, cluster id)
            keys.append(_keys(int(name.removesuffix(".clusters")), pairs[:, 0]))
            clusters.append(pairs[:, 1])
        if not keys:
            return np.empty(0, dtype=np.uint64), 0
        key, cluster = np.concatenate(keys), np.concatenate(clusters)
        order = np.lexsort((key, cluster))  # by cluster, then plan order
        key, cluster = key[order], cluster[order]
        first = np.concatenate(([True], cluster[1:] != cluster[:-1]))
        return np.sort(key[~first]), int(first.sum())

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> None:
        with self.track_time():
            exact = self.exact_duplicates() if self.exact else np.empty(0, dtype=np.uint64)
            near, clusters = self.cluster_duplicates() if self.near else (np.empty(0, dtype=np.uint64), 0)
            near = np.setdiff1d(near, exact)
            removed = np.union1d(exact, near)  # sorted: (task, position) in plan order
            folder = get_datafolder(self.folders.remove)
            task_of = removed >> np.uint64(32)
            bounds = np.searchsorted(task_of, np.arange(self.tasks + 1, dtype=np.uint64))
            for task in range(self.tasks):
                docs = removed[bounds[task] : bounds[task + 1]] & np.uint64(0xFFFF_FFFF)
                with folder.open(f"{task:06d}.remove", "wb") as handle:
                    handle.write(docs.astype(REMOVE_DTYPE).tobytes())
        self.stat_update("dropped_exact_duplicate", value=len(exact))
        self.stat_update("dropped_near_duplicate", value=len(near))
        self.stat_update("near_duplicate_clusters", value=clusters)


class MinhashBucketGroup(PipelineStep):
    """Near dedup, step 2: datatrove's MinhashDedupBuckets for a group of buckets in one task.

    datatrove runs one task per bucket; a small build would pay 25 task start-ups (seconds each on Ray)
    for milliseconds of work. Task `r` of `tasks` runs buckets r, r + tasks, ...: the `.dups` files are the
    same whatever the grouping.
    """

    type = "🫂 - DEDUP"
    name = "🎯 MinHash buckets"

    def __init__(self, buckets: MinhashDedupBuckets, tasks: int):
        super().__init__()
        self.buckets = buckets
        self.tasks = tasks
        self.stats = buckets.stats  # the executor saves the stats of the steps it was given

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> None:
        num_buckets = self.buckets.config.num_buckets
        for bucket in range(rank, num_buckets, self.tasks):
            self.buckets.run(None, bucket, num_buckets)


class DuplicateFilter(MinhashDedupFilter):
    """Dedup's last step: datatrove's MinhashDedupFilter on the selected kinds; others pass in place."""

    name = "🎯 drop duplicates"

    def __init__(self, folders: DedupFolders, kinds: tuple[RecordKind, ...]):
        super().__init__(folders.remove)
        self.kinds = kinds

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        others: deque[Document] = deque()

        def selected() -> Iterator[Document]:
            for document in data:
                if record_kind(document) in self.kinds:
                    yield document
                else:
                    others.append(document)

        # The filter pulls one selected document at a time, so `others` holds exactly the documents that
        # came before the one it yields: emitting them first keeps the original order.
        for document in super().run(selected(), rank, world_size):
            while others:
                yield others.popleft()
            yield document
        while others:
            yield others.popleft()


def signature_steps(
    settings: DedupSettings, folders: DedupFolders, kinds: tuple[RecordKind, ...]
) -> list[PipelineStep]:
    """Steps appended to the stage that produces the documents (the MinHash step consumes, so it is last)."""
    steps: list[PipelineStep] = []
    if settings.exact:
        steps.append(ContentHashes(folders.exact, kinds))
    if settings.near:
        signer = RensaMinhashSignature if settings.signatures == "rensa" else CodeMinhashSignature
        steps.append(signer(folders.signatures, minhash_config(settings), kinds, settings.near_min_tokens))
    return steps


def resolution_pipelines(
    settings: DedupSettings, folders: DedupFolders, tasks: int
) -> list[tuple[str, list[PipelineStep], int]]:
    """(name, steps, task count) of the stages between signatures and filter: buckets, then duplicates."""
    stages: list[tuple[str, list[PipelineStep], int]] = []
    cluster: list[PipelineStep] = []
    if settings.near:
        config = minhash_config(settings)
        buckets = SortedMinhashBuckets(
            folders.signatures, folders.buckets, config=config, lines_to_buffer=BUCKET_READ_RECORDS
        )
        bucket_tasks = min(settings.num_buckets, tasks)  # the work grows with the plan, and so do the tasks
        stages.append(("buckets", [MinhashBucketGroup(buckets, bucket_tasks)], bucket_tasks))
        cluster = [
            MinhashDedupCluster(folders.buckets, folders.clusters, config=config, save_cluster_id=True)
        ]
    resolver = DuplicateResolver(folders, tasks, exact=settings.exact, near=settings.near)
    stages.append(("duplicates", [*cluster, resolver], 1))
    return stages
