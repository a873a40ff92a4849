"""The local Hub layout's dataset card: YAML `configs:` for `load_dataset(OUT, CONFIG)`, plus the facts."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import datasets
import jinja2

import codetune
from codetune.attributes import ecosystem_subset
from codetune.build.summary import BuildSummary
from codetune.ecosystem import Ecosystem
from codetune.errors import CodetuneError
from codetune.hygiene.licenses import LICENSE_SKIP_PREFIX, hub_license
from codetune.hygiene.redact import PLACEHOLDERS
from codetune.sources.gitcmd import redact_url


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


class PushError(CodetuneError):
    """The output folder cannot be pushed, or the Hub refused it; the message says what to do."""


PLACEHOLDER_REPO = "ORG/{name}"  # the card's usage snippets before the dataset has a Hub home
PUSH_EXCLUDE = [".codetune/*", ".codetune/**"]  # build bookkeeping stays local
STALE_SHARDS = ["*.parquet"]  # shards of an earlier push that this build does not have


def push_dataset(
    out_dir: Path, repo_id: str, private: bool = False, revision: str | None = None, token: str | None = None
) -> str:
    """Upload a finished build (every config and the card) to the Hub dataset repo `repo_id` in one commit.

    The token is `token`, else `HF_TOKEN`, else the huggingface_hub login; it goes into request headers
    only. Returns the commit URL.
    """
    import huggingface_hub
    from huggingface_hub.errors import HfHubHTTPError

    out_dir = Path(out_dir)
    info_path = out_dir / ".codetune" / "build.json"
    if not info_path.is_file() or not (out_dir / "README.md").is_file():
        raise PushError(f"{out_dir} holds no codetune build; run `codetune build --out {out_dir}` first")
    info = json.loads(info_path.read_text())
    if not info.get("complete"):
        raise PushError(f"the build in {out_dir} did not finish; run the same `codetune build` again first")
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo_id):
        raise PushError(f"--repo must look like 'org/name', got {repo_id!r}")
    if token is None and huggingface_hub.get_token() is None:
        raise PushError("no Hugging Face token: set HF_TOKEN or run `hf auth login`")
    card = out_dir / "README.md"
    placeholder = PLACEHOLDER_REPO.format(name=info.get("ecosystem", ""))
    text = card.read_text()
    if f'"{placeholder}"' in text:  # the usage snippets name the repository the card now lives in
        card.write_text(text.replace(f'"{placeholder}"', f'"{repo_id}"'))
    api = huggingface_hub.HfApi(token=token)
    try:
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        if revision:
            api.create_branch(repo_id, repo_type="dataset", branch=revision, exist_ok=True)
        commit = api.upload_folder(
            repo_id=repo_id,
            repo_type="dataset",
            folder_path=out_dir,
            revision=revision,
            ignore_patterns=PUSH_EXCLUDE,
            delete_patterns=STALE_SHARDS,
            commit_message=f"codetune build {info.get('fingerprint', '')[:16]}",
        )
    except HfHubHTTPError as error:
        raise PushError(f"the Hub refused the push to {repo_id}: {error}") from None
    return commit.commit_url
