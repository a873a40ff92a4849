"""The bundled example ecosystem: four tiny repositories (GDScript, Rust + TypeScript, Python, TypeScript)
and a docs folder, all written for codetune's demo and tests. `dcl-scene` is the test-split repository.

Expected size: ~40 files, ~150 segments; builds in seconds.
"""

from __future__ import annotations

from pathlib import Path

from codetune.builder import EcosystemBuilder
from codetune.ecosystem import Ecosystem, Source

EXAMPLE_ROOT = Path(__file__).resolve().parent.parent / "examples" / "example_ecosystem"

ECOSYSTEM = Ecosystem(
    name="example",
    description="A sample ecosystem of small Godot, NEAR, Flyte and Decentraland projects plus their docs.",
    sources=(
        Source(location=str(EXAMPLE_ROOT / "repos" / "godot-platformer")),
        Source(location=str(EXAMPLE_ROOT / "repos" / "near-guestbook")),
        Source(location=str(EXAMPLE_ROOT / "repos" / "flyte-pipelines")),
        Source(location=str(EXAMPLE_ROOT / "repos" / "dcl-scene"), split="test"),
        Source(location=str(EXAMPLE_ROOT / "docs"), name="example-docs", role="docs", include=("*.md",)),
    ),
)


class ExampleEcosystem(EcosystemBuilder):
    """`ExampleEcosystem(config_name="ast").download_and_prepare()` builds the example with codetune."""

    ECOSYSTEM = ECOSYSTEM
