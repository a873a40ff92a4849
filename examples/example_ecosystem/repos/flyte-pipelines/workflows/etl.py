"""Extract, clean and aggregate daily sales records with Flyte tasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from flytekit import Resources, task, workflow
from flytekit.types.file import FlyteFile


@dataclass
class SalesConfig:
    """Settings that control which rows the ETL keeps and how it groups them."""

    region: str = "emea"
    min_amount: float = 0.0
    group_by: list[str] = field(default_factory=lambda: ["store_id", "day"])


class ColumnCleaner:
    """Normalises column names and types so downstream tasks see a stable schema."""

    def __init__(self, renames: dict[str, str] | None = None) -> None:
        self.renames = renames or {}

    def normalise_names(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Lower-cases column names, replaces spaces with underscores and applies renames."""
        frame = frame.rename(columns=lambda name: name.strip().lower().replace(" ", "_"))
        return frame.rename(columns=self.renames)

    def coerce_types(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Parses the day column as a date and the amount column as a float."""
        frame = frame.copy()
        frame["day"] = pd.to_datetime(frame["day"]).dt.date
        frame["amount"] = pd.to_numeric(frame["amount"], errors="coerce").fillna(0.0)
        return frame

    def __call__(self, frame: pd.DataFrame) -> pd.DataFrame:
        return self.coerce_types(self.normalise_names(frame))


@task(requests=Resources(cpu="1", mem="1Gi"), cache=True, cache_version="1.0")
def extract(source: FlyteFile) -> pd.DataFrame:
    """Downloads the raw CSV export and loads it into a data frame."""
    source.download()
    return pd.read_csv(source.path)


@task
def clean(raw: pd.DataFrame, config: SalesConfig) -> pd.DataFrame:
    """Cleans column names and types, then drops rows outside the configured region or amount."""
    frame = ColumnCleaner(renames={"shop": "store_id"})(raw)
    frame = frame[frame["region"] == config.region]
    return frame[frame["amount"] >= config.min_amount].reset_index(drop=True)


@task
def aggregate(frame: pd.DataFrame, config: SalesConfig) -> pd.DataFrame:
    """Sums sales per group and adds the number of transactions in each group."""
    grouped = frame.groupby(config.group_by, as_index=False)
    return grouped.agg(total=("amount", "sum"), transactions=("amount", "count"))


def _latest_day(frame: pd.DataFrame) -> date:
    return max(frame["day"]) if len(frame) else date.today()


@task
def report(summary: pd.DataFrame) -> str:
    """Builds a one-line human-readable report of the aggregated sales."""
    if summary.empty:
        return "No sales matched the filter."
    best = summary.sort_values("total", ascending=False).iloc[0]
    return f"{len(summary)} groups up to {_latest_day(summary)}; best store {best['store_id']} sold {best['total']:.2f}"


@workflow
def sales_etl(source: FlyteFile, config: SalesConfig = SalesConfig()) -> str:
    """Runs the whole sales ETL: extract, clean, aggregate and report."""
    raw = extract(source=source)
    cleaned = clean(raw=raw, config=config)
    summary = aggregate(frame=cleaned, config=config)
    return report(summary=summary)
