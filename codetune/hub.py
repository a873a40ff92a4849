"""The local Hub layout's dataset card: YAML `configs:` for `load_dataset(OUT, CONFIG)`, plus the facts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

import codetune
from codetune.ecosystem import Ecosystem
from codetune.subsets import SUBSET_SPECS
from codetune.summary import BuildSummary

_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


def public_location(location: str) -> str:
    """A source location fit for a public card: credentials in a URL are cut out."""
    return _USERINFO.sub("", location)


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
    environment.filters["public_location"] = public_location
    return environment


def render_dataset_card(ecosystem: Ecosystem, summary: BuildSummary, repo_id: str | None = None) -> str:
    configs = []
    for name in ecosystem.subsets:
        splits = tuple(split for split in ("train", "test") if summary.rows.get(name, {}).get(split))
        if not splits:
            continue
        spec = SUBSET_SPECS[name]
        fields = tuple((column, str(feature.dtype)) for column, feature in spec.features.items())
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
            repo_id=repo_id or f"ORG/{ecosystem.name}",
            version=codetune.__version__,
        )
    )


def write_dataset_card(out_dir: Path, ecosystem: Ecosystem, summary: BuildSummary) -> Path:
    path = Path(out_dir) / "README.md"
    path.write_text(render_dataset_card(ecosystem, summary))
    return path
