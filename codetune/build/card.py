"""The dataset card a build writes beside its Parquet (README.md): YAML `configs:` for `load_dataset`, plus
the facts of the build."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import datasets
import jinja2

import codetune
from codetune.build.summary import BuildSummary
from codetune.ecosystem import Ecosystem
from codetune.hygiene.licenses import LICENSE_SKIP_PREFIX, hub_license
from codetune.hygiene.redact import PLACEHOLDERS
from codetune.sources.gitcmd import redact_url
from codetune.subsets.attribute_columns import ecosystem_subset

PLACEHOLDER_REPO = "ORG/{name}"  # the card's usage snippets before the dataset has a Hub home


def feature_type(feature: object) -> str:
    """A column's type as the card shows it: `string`, `int32`, `list<{role: string, content: string}>`."""
    if isinstance(feature, datasets.Value):
        return feature.dtype
    if isinstance(feature, (datasets.List, datasets.LargeList)):
        return f"list<{feature_type(feature.feature)}>"
    if isinstance(feature, list):
        return f"list<{feature_type(feature[0])}>"
    if isinstance(feature, dict):
        return "{" + ", ".join(f"{name}: {feature_type(inner)}" for name, inner in feature.items()) + "}"
    return type(feature).__name__


@dataclass(frozen=True)
class CardConfig:
    name: str
    splits: tuple[str, ...]
    description: str
    fields: tuple[tuple[str, str], ...]


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("codetune", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    environment.filters["public_location"] = redact_url  # credentials in a URL never reach a card
    return environment


def render_dataset_card(ecosystem: Ecosystem, summary: BuildSummary, repo_id: str | None = None) -> str:
    configs = []
    for name in ecosystem.subsets:
        splits = tuple(split for split in ("train", "test") if summary.rows.get(name, {}).get(split))
        if not splits:
            continue
        spec = ecosystem_subset(ecosystem, name)  # with the ecosystem's attribute columns
        fields = tuple((column, feature_type(feature)) for column, feature in spec.features.items())
        configs.append(CardConfig(name, splits, spec.description, fields))
    empty = [name for name in ecosystem.subsets if name not in {config.name for config in configs}]
    return (
        _environment()
        .get_template("dataset_card.md.j2")
        .render(
            ecosystem=ecosystem,
            summary=summary,
            configs=configs,
            empty_configs=empty,
            repo_id=repo_id or PLACEHOLDER_REPO.format(name=ecosystem.name),
            version=codetune.__version__,
            hub_license=hub_license(source.license for source in summary.sources if not source.skipped),
            placeholders=PLACEHOLDERS,
            excluded_by_license=[
                (source.name, source.license)
                for source in summary.sources
                if source.skipped.startswith(LICENSE_SKIP_PREFIX)
            ],
        )
    )


def write_dataset_card(out_dir: Path, ecosystem: Ecosystem, summary: BuildSummary) -> Path:
    path = Path(out_dir) / "README.md"
    path.write_text(render_dataset_card(ecosystem, summary))
    return path
