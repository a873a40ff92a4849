"""Train and evaluate a small scikit-learn classifier as a Flyte workflow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd
from flytekit import Resources, dynamic, task, workflow
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split


@dataclass
class TrainConfig:
    """Hyperparameters and split settings for one training run."""

    n_estimators: int = 200
    max_depth: int = 8
    test_size: float = 0.2
    seed: int = 42


class Split(NamedTuple):
    train: pd.DataFrame
    test: pd.DataFrame


class Metrics(NamedTuple):
    accuracy: float
    f1: float


@task(cache=True, cache_version="2")
def load_dataset(url: str) -> pd.DataFrame:
    """Loads the labelled dataset from a CSV URL and drops rows with missing labels."""
    frame = pd.read_csv(url)
    return frame.dropna(subset=["label"])


@task
def split_dataset(frame: pd.DataFrame, config: TrainConfig) -> Split:
    """Splits the data into stratified train and test sets."""
    train, test = train_test_split(
        frame, test_size=config.test_size, random_state=config.seed, stratify=frame["label"]
    )
    return Split(train=train, test=test)


@task(requests=Resources(cpu="4", mem="4Gi"))
def train_model(train: pd.DataFrame, config: TrainConfig) -> RandomForestClassifier:
    """Fits a random forest on every column except the label."""
    model = RandomForestClassifier(
        n_estimators=config.n_estimators, max_depth=config.max_depth, random_state=config.seed
    )
    model.fit(train.drop(columns=["label"]), train["label"])
    return model


@task
def evaluate(model: RandomForestClassifier, test: pd.DataFrame) -> Metrics:
    """Scores the model on the held-out set with accuracy and macro F1."""
    predictions = model.predict(test.drop(columns=["label"]))
    return Metrics(
        accuracy=float(accuracy_score(test["label"], predictions)),
        f1=float(f1_score(test["label"], predictions, average="macro")),
    )


def _depths(base: int) -> list[int]:
    return sorted({max(2, base // 2), base, base * 2})


@workflow
def training_pipeline(url: str, config: TrainConfig = TrainConfig()) -> Metrics:
    """Loads data, trains one model and returns its test metrics."""
    frame = load_dataset(url=url)
    split = split_dataset(frame=frame, config=config)
    model = train_model(train=split.train, config=config)
    return evaluate(model=model, test=split.test)


@dynamic
def depth_sweep(url: str, base: TrainConfig) -> list[Metrics]:
    """Trains one model per tree depth around the base depth, to compare them."""
    results = []
    for depth in _depths(base.max_depth):
        config = TrainConfig(
            n_estimators=base.n_estimators, max_depth=depth, test_size=base.test_size, seed=base.seed
        )
        results.append(training_pipeline(url=url, config=config))
    return results
