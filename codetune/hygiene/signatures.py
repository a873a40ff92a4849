"""MinHash signatures, the first step of near dedup: two engines writing the files datatrove's buckets read.

`RensaMinhashSignature` (the default): the code tokens' 5-gram hashes of a batch of documents in one numpy
pass (`ngram_hash_rows`), sketched in Rust by rensa's R-MinHash (Fast Similarity Sketching: every shingle of
the set counts, and the result depends neither on order nor on repeats). `CodeMinhashSignature`: datatrove's
own 250 permutations of every shingle in numpy, one document at a time, about 10x slower on code and most of
a default build's time before issue 24; kept for signatures comparable with earlier builds. Both write the
signature files datatrove's `MinhashDedupBuckets` reads, so buckets, clusters and the filter stay datatrove's.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import rensa
from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolderLike
from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupSignature, _mersenne_prime
from datatrove.utils.text import simplify_text
from datatrove.utils.typeshelper import StatHints

from codetune.documents import RecordKind, record_kind
from codetune.hygiene.code_tokens import CodeWordTokenizer, ngram_hash_rows, ngram_hashes

SIGNATURE_CHUNK = 1024  # shingles per block of permutation arithmetic: 2 MB arrays stay in cache
BATCH_CHARACTERS = 2_000_000  # text per rensa call: large enough that no per-document numpy call is left
BATCH_DOCUMENTS = 8192  # ... and a cap for streams of tiny documents
# rensa spreads a call of 32 rows or more over its Rayon threads, and a Rayon pool made before a fork is gone
# in the forked child (datatrove's local workers): such a call there waits forever. Calls of 31 rows stay on
# the calling thread, and are no slower; the executor already runs one worker per core.
RENSA_CALL_ROWS = 31
# datatrove's bucket reader treats a first value of 2^32 - 1 as the end of its hash range and stops reading
# the file there: rensa's slots are uniform 32-bit values, so the top one is folded onto its neighbour.
LARGEST_SLOT = np.uint32(2**32 - 2)


def lexicographic_order(records: np.ndarray) -> np.ndarray:
    """The order that sorts the rows of a uint32 matrix as tuples (what datatrove's `sort(order=...)` does).

    Each row's big-endian bytes compare as the tuple does; one argsort of those byte strings is ~10x faster
    than `np.lexsort` over every column.
    """
    rows = np.ascontiguousarray(records, dtype=">u4")
    return np.argsort(rows.view(f"S{rows.shape[1] * 4}").ravel(), kind="stable")


def _selected(data: DocumentsPipeline, kinds: tuple[RecordKind, ...]) -> Iterator[Document]:
    return (document for document in data if record_kind(document) in kinds)


def mod_mersenne(values: np.ndarray) -> np.ndarray:
    """`values % (2**61 - 1)` for uint64 as datatrove has it, 2× faster: (x & p) + (x >> 61), mod p.

    Works in place: `values` is overwritten.
    """
    reduced = values & _mersenne_prime
    values >>= np.uint64(61)
    reduced += values
    np.subtract(reduced, _mersenne_prime, out=reduced, where=reduced >= _mersenne_prime)
    return reduced


class CodeMinhashSignature(MinhashDedupSignature):
    """Near dedup, step 1, datatrove's engine: its MinHash signatures of the selected documents, code tokens.

    Shingles are hashed with numpy (`ngram_hashes`) and repeated shingles counted once; the permutations
    run in blocks so a 1 MB file of tiny tokens never needs a (shingles × 256) matrix at once. It consumes
    its input, so it is the last step of its stage.
    """

    name = "🎯 MinHash signatures (code)"

    def __init__(
        self,
        output_folder: DataFolderLike,
        config: MinhashConfig,
        kinds: tuple[RecordKind, ...],
        min_tokens: int = 0,
    ):
        super().__init__(output_folder, config=config, language=CodeWordTokenizer(operators=True))
        self.kinds = kinds
        self.min_tokens = min_tokens  # fewer code tokens: no shingles, so no signature (as datatrove skips)

    def get_shingles(self, text: str) -> np.ndarray:
        tokens = self.word_tokenizer.word_tokenize(simplify_text(text, self.config.norm_config))
        if len(tokens) < self.min_tokens:
            return np.empty((0, 1), dtype=np.uint64)
        return np.unique(ngram_hashes(tokens, self.config.n_grams)).reshape((-1, 1))

    def get_signature(self, shingles: np.ndarray) -> list[list[int]]:
        a, b = self.parameters
        minimum = np.full(self.num_hashes, np.iinfo(np.uint64).max, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for start in range(0, len(shingles), SIGNATURE_CHUNK):
                permuted = np.multiply(shingles[start : start + SIGNATURE_CHUNK], a)
                permuted += b
                permuted = mod_mersenne(permuted)
                if self.config.hash_config.precision == 32:
                    permuted = np.bitwise_and(permuted, self.config.hash_config.max)
                np.minimum(minimum, permuted.min(axis=0), out=minimum)
        signature = minimum.astype(self.config.hash_config.np_dtype)
        return [bucket.tolist() for bucket in np.split(signature, self.config.num_buckets)]

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> None:
        return super().run(_selected(data, self.kinds), rank, world_size)


class RensaMinhashSignature(CodeMinhashSignature):
    """Near dedup, step 1, rensa's engine: signatures of the selected documents, a batch at a time.

    A document with fewer than `min_tokens` code tokens, or no shingle at all, gets no signature (datatrove
    skips shingle-less documents the same way); the exact hash still covers it. It consumes its input, so it
    is the last step of its stage.
    """

    name = "🎯 MinHash signatures (rensa)"

    def signature_rows(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(signatures, positions): one uint32 row per text that gets a signature, and that text's index."""
        norm = self.config.norm_config
        tokens = [self.word_tokenizer.word_tokenize(simplify_text(text, norm)) for text in texts]
        shingles, offsets = ngram_hash_rows(tokens, self.config.n_grams)
        token_counts = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        shingle_counts = np.diff(offsets).astype(np.int64)
        signed = (shingle_counts > 0) & (token_counts >= self.min_tokens)
        if not signed.all():  # rensa sketches only the rows that are kept
            shingles = shingles[np.repeat(signed, shingle_counts)]
            offsets = np.zeros(int(signed.sum()) + 1, dtype=np.uint64)
            np.cumsum(shingle_counts[signed], out=offsets[1:])
        positions = np.flatnonzero(signed)
        if not len(positions):
            return np.empty((0, self.num_hashes), dtype=np.uint32), positions
        signatures = np.empty((len(positions), self.num_hashes), dtype=np.uint32)
        for start in range(0, len(positions), RENSA_CALL_ROWS):
            stop = min(start + RENSA_CALL_ROWS, len(positions))
            low, high = offsets[start], offsets[stop]
            matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
                shingles[low:high], offsets[start : stop + 1] - low, self.num_hashes, self.config.seed
            )
            signatures[start:stop] = matrix.to_rows()
        return np.minimum(signatures, LARGEST_SLOT, out=signatures), positions

    def _write_batch(self, texts: list[str], first_position: int, buckets: list) -> None:
        with self.track_time():
            signatures, positions = self.signature_rows(texts)
            documents = (positions + first_position).astype(np.uint32).reshape(-1, 1)
            width = self.config.hashes_per_bucket
            for bucket, handle in enumerate(buckets):
                band = signatures[:, bucket * width : (bucket + 1) * width]
                handle.write(np.hstack((band, documents)).astype("<u4").tobytes())  # "<{width}II" records
        self.stat_update("signed", value=len(positions))
        self.stat_update("unsigned_short", value=len(texts) - len(positions))
        self.stat_update("text_bytes", value=sum(len(text.encode("utf-8")) for text in texts))  # for MB/s

    def _sort_bucket(self, path: str) -> None:
        """What datatrove's step does before the buckets stage merges the files: records sorted."""
        with self.output_folder.open(path, mode="rb") as handle:
            records = np.frombuffer(handle.read(), dtype="<u4").reshape(-1, self.config.hashes_per_bucket + 1)
        with self.output_folder.open(path, mode="wb") as handle:
            handle.write(records[lexicographic_order(records)].tobytes())

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> None:
        if self.config.hash_config.precision != 32:
            raise ValueError("rensa's signature slots are 32-bit: configure MinhashConfig with precision 32")
        paths = [f"bucket_{bucket:03d}/{rank:05d}.minhash.sig" for bucket in range(self.config.num_buckets)]
        buckets = [self.output_folder.open(path, mode="wb") for path in paths]
        texts: list[str] = []
        first_position = characters = 0
        for position, document in enumerate(_selected(data, self.kinds)):
            self.stat_update(StatHints.total)
            texts.append(document.text)
            characters += len(document.text)
            if characters >= BATCH_CHARACTERS or len(texts) >= BATCH_DOCUMENTS:
                self._write_batch(texts, first_position, buckets)
                texts, first_position, characters = [], position + 1, 0
        if texts:
            self._write_batch(texts, first_position, buckets)
        for handle in buckets:
            handle.close()
        with self.track_time():
            for path in paths:
                self._sort_bucket(path)
