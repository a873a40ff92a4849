"""Dataset mixtures in alignment-handbook's `dataset_mixture` shape, loaded into one train and one test split.

```yaml
dataset_mixture:
  datasets:
    - {id: out/example, config: clm, split: train, weight: 1.0}    # a local codetune build or a Hub id
    - {id: org/godot-code, config: fim, split: train, weight: 0.5}
  seed: 0
  test_split: test          # every dataset's own held-out split (codetune builds split by repository)
  test_split_size: null     # or carve this share off the training mixture instead
```

`weight` is alignment-handbook's: the share of that dataset's rows kept, in (0, 1]. `fraction` is TRL's:
the share each dataset takes of the final mixture (set on all entries or none; normalised; no dataset is
oversampled). Evaluation rows are never subsampled.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codetune.definitions.config_mappings import known_fields
from codetune.errors import TrainingConfigError
from codetune.train.formats import DataFormat, Stage, pick_format

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MixtureEntry:
    """One dataset of the mixture: which rows it gives and how many of them."""

    id: str
    config: str | None = None
    split: str = "train"
    columns: tuple[str, ...] | None = None
    weight: float | None = None
    fraction: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise TrainingConfigError(
                f"dataset_mixture: field 'id' must be a dataset id or folder, got {self.id!r}"
            )
        owner = f"dataset_mixture entry {self.id!r}"
        for name in ("config", "split"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise TrainingConfigError(
                    f"{owner}: field '{name}' must be a non-empty string, got {value!r}"
                )
        if self.columns is not None:
            if isinstance(self.columns, str) or not all(isinstance(c, str) for c in self.columns):
                raise TrainingConfigError(f"{owner}: field 'columns' must be a list of column names")
            object.__setattr__(self, "columns", tuple(self.columns))
        if self.weight is not None and self.fraction is not None:
            raise TrainingConfigError(
                f"{owner}: set 'weight' (share of this dataset's rows kept) or 'fraction' "
                "(share of the mixture), not both"
            )
        if self.weight is not None and not (_is_number(self.weight) and 0 < self.weight <= 1):
            raise TrainingConfigError(
                f"{owner}: field 'weight' is the share of this dataset's rows kept and must be in (0, 1], "
                f"got {self.weight!r}; to give a small dataset a larger share, lower the others' weights "
                "or use 'fraction'"
            )
        if self.fraction is not None and not (_is_number(self.fraction) and self.fraction > 0):
            raise TrainingConfigError(
                f"{owner}: field 'fraction' is this dataset's share of the mixture and must be a positive "
                f"number, got {self.fraction!r}"
            )

    @property
    def label(self) -> str:
        return f"{self.id} [{self.config}]" if self.config else self.id


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class DatasetMixture:
    datasets: tuple[MixtureEntry, ...]
    seed: int = 0
    test_split: str | None = "test"
    test_split_size: float | None = None

    def __post_init__(self) -> None:
        if not self.datasets:
            raise TrainingConfigError("dataset_mixture: field 'datasets' is empty: list at least one dataset")
        fractions = [entry.fraction is not None for entry in self.datasets]
        if any(fractions) and not all(fractions):
            unset = [entry.label for entry in self.datasets if entry.fraction is None]
            raise TrainingConfigError(
                "dataset_mixture: 'fraction' must be set on every dataset or on none; "
                f"it is missing on {unset}"
            )
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise TrainingConfigError(f"dataset_mixture: field 'seed' must be an integer, got {self.seed!r}")
        if self.test_split_size is not None and not (
            _is_number(self.test_split_size) and 0 < self.test_split_size < 1
        ):
            raise TrainingConfigError(
                "dataset_mixture: field 'test_split_size' must be a share in (0, 1), "
                f"got {self.test_split_size!r}"
            )

    @classmethod
    def from_dict(cls, data: Any) -> DatasetMixture:
        """From the YAML mapping; unknown keys are errors that list the known ones."""
        values = dict(_known(cls, data, "dataset_mixture"))
        entries = values.get("datasets")
        if not isinstance(entries, Sequence) or isinstance(entries, str):
            raise TrainingConfigError("dataset_mixture: field 'datasets' must be a list of dataset mappings")
        values["datasets"] = tuple(
            MixtureEntry(**_known(MixtureEntry, entry, f"dataset_mixture datasets[{index}]"))
            for index, entry in enumerate(entries)
        )
        return cls(**values)

    @classmethod
    def single(
        cls, dataset_id: str, config: str | None, train_split: str, test_split: str | None, columns=None
    ) -> DatasetMixture:
        """`--dataset_name/--dataset_config`: one dataset, which replaces any mixture from the YAML."""
        return cls(
            datasets=(MixtureEntry(id=dataset_id, config=config, split=train_split, columns=columns),),
            test_split=test_split,
        )


def _known(kind: type, data: Any, owner: str) -> Mapping[str, Any]:
    return known_fields(kind, data, owner, TrainingConfigError)


# --- loading -------------------------------------------------------------------------------------------


def available_configs(dataset_id: str) -> list[str]:
    """Config names of a local build folder (its card's `configs:`) or a Hub dataset."""
    import datasets

    if not Path(dataset_id).exists() and (
        dataset_id.startswith((".", "/", "~")) or dataset_id.count("/") > 1
    ):
        raise TrainingConfigError(
            f"dataset {dataset_id!r} not found: no such folder; build it with "
            f"`codetune build --out {dataset_id}` or give a Hub id (org/name)"
        )
    try:
        return list(datasets.get_dataset_config_names(dataset_id))
    except FileNotFoundError as error:
        raise TrainingConfigError(f"dataset {dataset_id!r} not found: {error}") from error


def check_config(entry: MixtureEntry) -> None:
    """A config the dataset does not have is an error listing the ones it does have."""
    configs = available_configs(entry.id)
    if entry.config is None:
        if len(configs) > 1:
            raise TrainingConfigError(
                f"dataset {entry.id!r} has several configs {configs}: choose one with `dataset_config` "
                "(or `config:` in the mixture)"
            )
        return
    if entry.config not in configs:
        raise TrainingConfigError(
            f"dataset {entry.id!r} has no config {entry.config!r}; available configs: {', '.join(configs)}"
        )


def _load_split(entry: MixtureEntry, split: str):
    import datasets

    try:
        return datasets.load_dataset(entry.id, entry.config, split=split)
    except ValueError as error:
        if "Unknown split" in str(error):
            return None
        raise


SAMPLE_ROWS = 200  # first rows of each dataset kept as a sample (the FIM sentinel scan reads them)


@dataclass(frozen=True)
class LoadedMixture:
    train: Any  # datasets.Dataset
    test: Any | None
    data_format: DataFormat
    text_sample: tuple[str, ...] = ()  # text rows from each dataset of a text mixture


def load_mixture(mixture: DatasetMixture, stage: Stage) -> LoadedMixture:
    """Every dataset's training rows (weighted), then their test rows, with the columns of one format."""
    import datasets

    trains, tests, formats, sample = [], [], [], []
    for entry in mixture.datasets:
        check_config(entry)
        train = _load_split(entry, entry.split)
        if train is None:
            raise TrainingConfigError(f"dataset {entry.label} has no split {entry.split!r}")
        if len(train) == 0:
            raise TrainingConfigError(f"dataset {entry.label}: split {entry.split!r} has no rows to train on")
        data_format = pick_format(stage, train.column_names, entry.columns, f"dataset {entry.label}")
        formats.append(data_format)
        train = train.select_columns(list(data_format.columns))
        if data_format is DataFormat.TEXT:
            sample += train.select(range(min(SAMPLE_ROWS, len(train))))["text"]
        if entry.weight is not None and entry.weight < 1:
            keep = max(1, round(entry.weight * len(train)))
            train = train.shuffle(seed=mixture.seed).select(range(keep))
        trains.append(train)
        if mixture.test_split and mixture.test_split_size is None:
            test = _load_split(entry, mixture.test_split)
            if test is None or len(test) == 0:
                logger.warning(
                    "dataset %s has no rows in split %r: not evaluated", entry.label, mixture.test_split
                )
            else:
                tests.append(test.select_columns(list(data_format.columns)))
    if len(set(formats)) > 1:
        described = {entry.label: list(f.columns) for entry, f in zip(mixture.datasets, formats, strict=True)}
        raise TrainingConfigError(
            f"dataset_mixture: the datasets give different formats {described}; set `columns` so they match"
        )
    trains = _apply_fractions(mixture, trains)
    train = datasets.concatenate_datasets(trains)
    test = datasets.concatenate_datasets(tests) if tests else None
    if mixture.test_split_size is not None:
        parts = train.train_test_split(test_size=mixture.test_split_size, seed=mixture.seed)
        train, test = parts["train"], parts["test"]
    return LoadedMixture(train=train, test=test, data_format=formats[0], text_sample=tuple(sample))


def _apply_fractions(mixture: DatasetMixture, trains: list) -> list:
    """TRL's `fraction`: shares of the mixture, with the total capped so that no dataset is oversampled."""
    if mixture.datasets[0].fraction is None:
        return trains
    shares = [entry.fraction / sum(e.fraction for e in mixture.datasets) for entry in mixture.datasets]
    total = min(len(train) / share for train, share in zip(trains, shares, strict=True))
    return [
        train.shuffle(seed=mixture.seed).select(range(max(1, round(share * total))))
        for train, share in zip(trains, shares, strict=True)
    ]
