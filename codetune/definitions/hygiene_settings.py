"""Settings of dedup and decontamination (`Ecosystem.dedup`, `Ecosystem.decontamination`), checked when made.

In YAML they are mappings under the same keys:

    dedup: {shingle_size: 5, num_buckets: 25, hashes_per_bucket: 10}
    decontamination:
      ngram_size: 10
      eval_sources:
        - {path: evals/humaneval.jsonl, text_fields: [prompt, canonical_solution]}
        - {dataset: openai/openai_humaneval, text_fields: [prompt]}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from codetune.definitions.config_mappings import known_fields
from codetune.errors import EcosystemConfigError

EVAL_FILE_SUFFIXES = (".jsonl", ".json", ".parquet")
SIGNATURE_ENGINES = ("rensa", "datatrove")


def _fail(owner: str, field_name: str, problem: str) -> EcosystemConfigError:
    return EcosystemConfigError(f"{owner}: field '{field_name}' {problem}")


def _check_flags(owner: str, settings: object, names: tuple[str, ...]) -> None:
    for name in names:
        if not isinstance(getattr(settings, name), bool):
            raise _fail(owner, name, f"must be true or false, got {getattr(settings, name)!r}")


def _check_count(owner: str, name: str, value: Any, minimum: int = 1, maximum: int | None = None) -> None:
    too_big = maximum is not None and isinstance(value, int) and value > maximum
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or too_big:
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise _fail(owner, name, f"must be an integer {bounds}, got {value!r}")


@dataclass(frozen=True)
class DedupSettings:
    """Exact and near-duplicate removal across all repositories, for files (`clm`) and segments (`ast`).

    Near dedup is datatrove's MinHash with BigCode's settings for The Stack: 5-token shingles, 256
    permutations as 25 buckets of 10 hashes, which catches pairs above a Jaccard similarity of about 0.7
    (`approximate_threshold`). Digits are kept by default: datatrove's text normalisation would turn every
    number into 0, which makes `x1` and `x2`, or two tables of different constants, the same document.
    """

    enabled: bool = True
    exact: bool = True  # same content once whitespace is normalised
    near: bool = True  # MinHash
    segments: bool = True  # also dedup tree-sitter segments, so a helper copied into 40 repos is kept once
    shingle_size: int = 5
    num_buckets: int = 25
    hashes_per_bucket: int = 10
    seed: int = 1  # of the MinHash permutations; the same on every worker
    normalize_numbers: bool = False  # datatrove's digit normalisation (off for code, see above)
    # Who computes the signatures (docs/dedup-speed.md): "rensa" sketches batches of documents in Rust
    # (Fast Similarity Sketching, 32-bit slots); "datatrove" is datatrove's 250 permutations
    # a·x + b mod 2^61 - 1 in numpy, one document at a time, ~10x slower: the signatures of earlier builds.
    signatures: str = "rensa"
    # Documents of fewer code tokens get no MinHash signature, only the exact (whitespace-normalised) hash.
    # With 5-token shingles, one token changed in the middle of a 32-token segment already puts the pair
    # below the threshold ((s - 5) / (s + 5) < 0.7 for s < 29 shingles): what MinHash still pairs there are
    # chance matches such as two one-field structs of different names. 0 signs every document.
    near_min_tokens: int = 32

    def __post_init__(self) -> None:
        owner = "dedup"
        _check_flags(owner, self, ("enabled", "exact", "near", "segments", "normalize_numbers"))
        _check_count(owner, "shingle_size", self.shingle_size, maximum=64)
        _check_count(owner, "num_buckets", self.num_buckets, maximum=999)
        _check_count(owner, "hashes_per_bucket", self.hashes_per_bucket, maximum=64)
        _check_count(owner, "seed", self.seed, minimum=0)
        _check_count(owner, "near_min_tokens", self.near_min_tokens, minimum=0)
        if self.signatures not in SIGNATURE_ENGINES:
            engines = ", ".join(SIGNATURE_ENGINES)
            raise _fail(owner, "signatures", f"must be one of {engines}, got {self.signatures!r}")

    @property
    def approximate_threshold(self) -> float:
        """Jaccard similarity at which a pair is found with probability ~0.5: (1/b)^(1/r)."""
        return (1 / self.num_buckets) ** (1 / self.hashes_per_bucket)

    @property
    def removes_files(self) -> bool:
        return self.enabled and (self.exact or self.near)


@dataclass(frozen=True)
class EvalSource:
    """Evaluation data that must never leak into train: a JSONL/Parquet file, or a Hub dataset in the cache.

    A Hub dataset is read from the local Hugging Face cache only (download it once with
    `hf download --repo-type dataset ID`); a build never downloads it.
    """

    path: str | None = None  # a .jsonl/.json (one object per line) or .parquet file
    dataset: str | None = None  # a Hub dataset id, e.g. "openai/openai_humaneval"
    revision: str | None = None  # of `dataset`; default: what the cache's `main` points at
    text_fields: tuple[str, ...] = ("text",)  # every row must have each of them

    def __post_init__(self) -> None:
        owner = f"decontamination eval source {self.label!r}"
        if (self.path is None) == (self.dataset is None):
            raise EcosystemConfigError(
                f"{owner}: set exactly one of 'path' (a JSONL or Parquet file) "
                "and 'dataset' (a Hub dataset id)"
            )
        if self.path is not None:
            if not isinstance(self.path, str) or not self.path.endswith(EVAL_FILE_SUFFIXES):
                raise _fail(owner, "path", f"must be a file ending in one of {EVAL_FILE_SUFFIXES}")
        elif not isinstance(self.dataset, str) or self.dataset.count("/") > 1 or not self.dataset.strip("/"):
            raise _fail(owner, "dataset", f"must be a Hub dataset id like 'org/name', got {self.dataset!r}")
        if self.revision is not None and self.dataset is None:
            raise _fail(owner, "revision", "only applies to a Hub 'dataset'")
        if isinstance(self.text_fields, str):
            object.__setattr__(self, "text_fields", (self.text_fields,))
        if not self.text_fields or not all(isinstance(name, str) and name for name in self.text_fields):
            raise _fail(
                owner, "text_fields", f"must be a non-empty list of field names, got {self.text_fields!r}"
            )
        object.__setattr__(self, "text_fields", tuple(self.text_fields))

    @property
    def label(self) -> str:
        """How the source is named in the summary and the card."""
        return self.path if self.path is not None else f"hub:{self.dataset}"


@dataclass(frozen=True)
class DecontaminationSettings:
    """Train rows sharing an `ngram_size`-token n-gram with the test split or an eval source are dropped.

    Tokens are the code tokenizer's words (identifiers and numbers); `count_operators` also counts runs of
    operator characters, which makes an n-gram much shorter: measured with one of 18 unrelated Python
    packages as the test split, 10-grams with operators matched 14-26% of the other packages' files (one
    shared line such as `def __eq__(self, other: object) -> bool:` is enough), 10-grams of words 0-2%.
    """

    enabled: bool = True
    ngram_size: int = 10
    test_split: bool = True  # against every row of the ecosystem's own test split
    eval_sources: tuple[EvalSource, ...] = ()
    count_operators: bool = False
    # An n-gram found in train rows of this many repositories is boilerplate (a license header, an import
    # block), not a leak, and decides nothing; 0 makes every shared n-gram count.
    common_ngram_repos: int = 3

    def __post_init__(self) -> None:
        owner = "decontamination"
        _check_flags(owner, self, ("enabled", "test_split", "count_operators"))
        _check_count(owner, "ngram_size", self.ngram_size, maximum=1000)
        _check_count(owner, "common_ngram_repos", self.common_ngram_repos, minimum=0)
        if isinstance(self.eval_sources, (str, Mapping, EvalSource)):
            raise _fail(owner, "eval_sources", "must be a list of eval sources")
        object.__setattr__(
            self,
            "eval_sources",
            tuple(_eval_source(entry, index) for index, entry in enumerate(self.eval_sources)),
        )


def _eval_source(entry: Any, index: int) -> EvalSource:
    """An `EvalSource`, a mapping of its fields (YAML), or a plain file path."""
    if isinstance(entry, EvalSource):
        return entry
    if isinstance(entry, str):
        return EvalSource(path=entry)
    owner = f"decontamination eval_sources[{index}]"
    if not isinstance(entry, Mapping):
        raise EcosystemConfigError(f"{owner}: expected a mapping or a file path, got {type(entry).__name__}")
    known_fields(EvalSource, entry, owner, EcosystemConfigError)
    values = {key: tuple(value) if isinstance(value, list) else value for key, value in entry.items()}
    return EvalSource(**values)
