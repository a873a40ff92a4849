"""Decontamination: train rows that share a long n-gram with the test split or an eval source are dropped.

    extract                 TestSplitNGrams: n-gram hashes of every test-split file and segment → index/test
    decontamination_index   EvalNGrams: one task per eval source                               → index/eval
    contamination_matches   ContaminationMatcher: each train row's n-grams found in the index  → matches
    contamination           ContaminationResolver: one task; ignores ecosystem boilerplate     → remove
    rows                    ContaminatedRowFilter (datatrove's MinhashDedupFilter on those lists)

An n-gram found in train rows of at least `common_ngram_repos` repositories is boilerplate every project
shares (a license header, an import block), not a leak of the test split; it decides nothing. Without that
rule, one Apache license header in a held-out repository would take every train file that carries it.

datatrove's `NGramsDecontIndexer` needs lighteval and fetches benchmarks from the Hub, and its filter keeps
every hash in a Python dict; here the index is a sorted numpy array and lookups are `searchsorted`.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import xxhash
from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.dedup.minhash import MinhashDedupFilter

from codetune.definitions.hygiene_settings import DecontaminationSettings
from codetune.documents import RecordKind, SegmentMeta, record_kind
from codetune.hygiene.code_tokens import CodeWordTokenizer, ngram_hashes
from codetune.hygiene.eval_sources import ResolvedEvalSource, eval_texts

INDEXED_KINDS = (RecordKind.FILE, RecordKind.SEGMENT)  # of the test split; sections are parts of files
CHECKED_KINDS = (RecordKind.FILE, RecordKind.SEGMENT, RecordKind.DOC_SECTION)  # of the train split
KIND_CODES = {kind: code for code, kind in enumerate(RecordKind)}
MATCH_DTYPE = np.dtype(
    [("doc", "<u4"), ("kind", "<u1"), ("source", "<u2"), ("repo", "<u8"), ("ngram", "<u8")]
)  # `repo`: a hash of the row's repository name; one task may hold rows of several repositories
TEST_SPLIT_SOURCE = 0  # source ids: 0 is the test split, 1 + k is eval source k


def _first_of_runs(values: np.ndarray) -> np.ndarray:
    """Mask of the first element of each run of equal values in a sorted array."""
    first = np.ones(len(values), dtype=bool)
    first[1:] = values[1:] != values[:-1]
    return first


def decontamination_text(document: Document) -> str:
    """What a row shows a model: a segment's docstring is a column of its own, so it counts too."""
    if record_kind(document) is RecordKind.SEGMENT:
        docstring = SegmentMeta.from_document(document).docstring
        return f"{docstring}\n{document.text}" if docstring else document.text
    return document.text


class NGramHasher:
    """The n-gram hashes of a text with the code tokenizer and the build's settings."""

    def __init__(self, settings: DecontaminationSettings):
        self.tokenizer = CodeWordTokenizer(operators=settings.count_operators)
        self.ngram_size = settings.ngram_size

    def __call__(self, text: str) -> np.ndarray:
        return np.unique(ngram_hashes(self.tokenizer.word_tokenize(text), self.ngram_size))


def _write_hashes(folder: DataFolderLike, name: str, hashes: list[np.ndarray]) -> None:
    merged = np.unique(np.concatenate(hashes)) if hashes else np.empty(0, dtype=np.uint64)
    with get_datafolder(folder).open(name, "wb") as handle:
        handle.write(merged.astype("<u8").tobytes())


class TestSplitNGrams(PipelineStep):
    """Writes the n-gram hashes of the task's test-split files and segments; passes every document on."""

    type = "🦠 - DECONT"
    name = "🦠 test-split n-grams"

    def __init__(self, index_folder: DataFolderLike, settings: DecontaminationSettings):
        super().__init__()
        self.index_folder = index_folder
        self.hasher = NGramHasher(settings)

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        hashes: list[np.ndarray] = []
        for document in data:
            if document.metadata.get("split") == "test" and record_kind(document) in INDEXED_KINDS:
                with self.track_time():
                    hashes.append(self.hasher(decontamination_text(document)))
                self.stat_update("test_rows_indexed")
            yield document
        _write_hashes(self.index_folder, f"test/{rank:05d}.ngrams", hashes)


class EvalNGrams(PipelineStep):
    """Task k writes the n-gram hashes of eval source k."""

    type = "🦠 - DECONT"
    name = "🦠 eval n-grams"

    def __init__(
        self,
        index_folder: DataFolderLike,
        sources: tuple[ResolvedEvalSource, ...],
        settings: DecontaminationSettings,
    ):
        super().__init__()
        self.index_folder = index_folder
        self.sources = sources
        self.hasher = NGramHasher(settings)

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> None:
        hashes = []
        with self.track_time():
            for text in eval_texts(self.sources[rank]):
                hashes.append(self.hasher(text))
                self.stat_update("eval_rows_indexed")
        _write_hashes(self.index_folder, f"eval/{rank:05d}.ngrams", hashes)


class NGramIndex:
    """All indexed n-grams, sorted, each with the first source that has it."""

    def __init__(self, index_folder: DataFolderLike):
        folder = get_datafolder(index_folder)
        hashes, sources = [], []
        for name in folder.list_files(glob_pattern="**/*.ngrams"):
            with folder.open(name, "rb") as handle:
                values = np.frombuffer(handle.read(), dtype="<u8")
            source = TEST_SPLIT_SOURCE if name.startswith("test/") else 1 + int(name.split("/")[-1][:-7])
            hashes.append(values)
            sources.append(np.full(len(values), source, dtype=np.uint16))
        hashes_all = np.concatenate(hashes) if hashes else np.empty(0, dtype=np.uint64)
        sources_all = np.concatenate(sources) if sources else np.empty(0, dtype=np.uint16)
        order = np.lexsort((sources_all, hashes_all))
        hashes_all, sources_all = hashes_all[order], sources_all[order]
        first = _first_of_runs(hashes_all)
        self.hashes = hashes_all[first]
        self.sources = sources_all[first]

    def __len__(self) -> int:
        return len(self.hashes)

    def find(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The given hashes that are in the index, and the source of each."""
        if not len(self.hashes) or not len(hashes):
            return hashes[:0], self.sources[:0]
        positions = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        found = self.hashes[positions] == hashes
        return hashes[found], self.sources[positions[found]]


class ContaminationMatcher(PipelineStep):
    """Records, for each train row of the task, the indexed n-grams it contains (position in the task)."""

    type = "🦠 - DECONT"
    name = "🦠 contamination matches"

    def __init__(
        self, index_folder: DataFolderLike, matches_folder: DataFolderLike, settings: DecontaminationSettings
    ):
        super().__init__()
        self.index_folder = index_folder
        self.matches_folder = matches_folder
        self.hasher = NGramHasher(settings)

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> None:
        index = NGramIndex(self.index_folder)
        matches: list[np.ndarray] = []
        for position, document in enumerate(data):
            kind = record_kind(document)
            if document.metadata.get("split") != "train" or kind not in CHECKED_KINDS:
                continue
            with self.track_time():
                found, sources = index.find(self.hasher(decontamination_text(document)))
            self.stat_update("train_rows_checked")
            if len(found):
                match = np.empty(len(found), dtype=MATCH_DTYPE)
                match["doc"], match["kind"], match["source"], match["ngram"] = (
                    position,
                    KIND_CODES[kind],
                    sources,
                    found,
                )
                match["repo"] = xxhash.xxh64_intdigest(document.metadata["repo"])
                matches.append(match)
        merged = np.concatenate(matches) if matches else np.empty(0, dtype=MATCH_DTYPE)
        with get_datafolder(self.matches_folder).open(f"{rank:05d}.matches", "wb") as handle:
            handle.write(merged.tobytes())


class ContaminationResolver(PipelineStep):
    """One task: drops the rows whose matches include an n-gram that is not ecosystem boilerplate."""

    type = "🦠 - DECONT"
    name = "🦠 contaminated rows"

    def __init__(
        self,
        matches_folder: DataFolderLike,
        remove_folder: DataFolderLike,
        tasks: int,
        common_ngram_repos: int,
    ):
        super().__init__()
        self.matches_folder = matches_folder
        self.remove_folder = remove_folder
        self.tasks = tasks  # of the matches stage
        self.common_ngram_repos = common_ngram_repos

    def read_matches(self) -> Iterator[tuple[int, np.ndarray]]:
        folder = get_datafolder(self.matches_folder)
        for rank in range(self.tasks):
            if folder.isfile(f"{rank:05d}.matches"):
                with folder.open(f"{rank:05d}.matches", "rb") as handle:
                    yield rank, np.frombuffer(handle.read(), dtype=MATCH_DTYPE)

    def common_ngrams(self) -> np.ndarray:
        """The matched n-grams found in train rows of at least `common_ngram_repos` repositories."""
        if self.common_ngram_repos <= 0:
            return np.empty(0, dtype=np.uint64)
        pairs = [np.unique(matches[["ngram", "repo"]]) for _, matches in self.read_matches()]
        if not pairs:
            return np.empty(0, dtype=np.uint64)
        unique_pairs = np.unique(np.concatenate(pairs))  # (n-gram, repository), each once
        ngrams, repositories = np.unique(unique_pairs["ngram"], return_counts=True)
        return ngrams[repositories >= self.common_ngram_repos]

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> None:
        kinds = list(RecordKind)
        with self.track_time():
            common = self.common_ngrams()
            self.stat_update("common_ngrams_ignored", value=len(common))
            folder = get_datafolder(self.remove_folder)
            for task, matches in self.read_matches():
                leaks = matches[~np.isin(matches["ngram"], common)]
                docs, first = np.unique(leaks["doc"], return_index=True)
                with folder.open(f"{task:06d}.remove", "wb") as handle:
                    handle.write(docs.astype("<u4").tobytes())
                self.stat_update("dropped_contaminated", value=len(docs))
                for code, count in zip(*np.unique(leaks["kind"][first], return_counts=True), strict=True):
                    self.stat_update(f"contaminated_{kinds[code].value}", value=int(count))
                for source, count in zip(
                    *np.unique(self._row_sources(leaks), return_counts=True), strict=True
                ):
                    self.stat_update(f"contaminated_by_{source}", value=int(count))

    @staticmethod
    def _row_sources(leaks: np.ndarray) -> np.ndarray:
        """Per contaminated row, the first source (the test split before eval sources) it matched."""
        order = np.lexsort((leaks["source"], leaks["doc"]))
        return leaks["source"][order][_first_of_runs(leaks["doc"][order])]


class ContaminatedRowFilter(MinhashDedupFilter):
    """Drops the rows ContaminationResolver listed for this task (datatrove's index-list filter)."""

    name = "🦠 drop contaminated rows"
