"""Flyte: the workflow orchestrator's repositories as flyte-llama used them, with flyte-llama's split.

Train: flyte (the monorepo, with the docs), flytekit (the Python SDK), flytepropeller, flyteplugins,
flyteidl, flyteadmin and flyteconsole (the last four were merged into the flyte monorepo in 2023; their
archived repositories are pinned at their final commits). Test: flytesnacks (the examples) and
flyte-conference-talks. Python, Go, TypeScript, protobuf, markdown and reStructuredText. Pinned in
`locks/flyte.lock.json`.

Expected size (measured on the pinned commits): ~4,300 files kept of ~8,700, 22 MB of text; `clm` ~3,900
train / ~230 test rows, `ast` ~22,000 train / ~700 test rows (Go and Python).
"""

from __future__ import annotations

from pathlib import Path

from codetune.builder import EcosystemBuilder
from codetune.ecosystem import Ecosystem, FileFilterSettings
from codetune.errors import EcosystemConfigError
from codetune.sources.lockfile import sources_from_lock

LOCK = Path(__file__).resolve().parent / "locks" / "flyte.lock.json"

# flyte-llama's split: whole repositories, never files of one repository on both sides.
TRAIN_REPOSITORIES = (
    "flyteorg/flyte",
    "flyteorg/flytekit",
    "flyteorg/flytepropeller",
    "flyteorg/flyteplugins",
    "flyteorg/flyteidl",
    "flyteorg/flyteadmin",
    "flyteorg/flyteconsole",
)
TEST_REPOSITORIES = ("flyteorg/flytesnacks", "flyteorg/flyte-conference-talks")

# flyte-conference-talks has no top-level license (each talk folder carries an Apache-2.0 LICENSE): opted in.
PER_REPOSITORY = {"flyteorg/flyte-conference-talks": {"allow_license": True}}


def flyte_ecosystem(lock: Path = LOCK) -> Ecosystem:
    """Flyte over the repositories of `lock`, which must be exactly flyte-llama's."""
    ecosystem = Ecosystem(
        name="flyte",
        description="Flyte workflow orchestration: flytekit, the Go backend, the console and the examples.",
        sources=sources_from_lock(lock, test_repositories=TEST_REPOSITORIES, per_repository=PER_REPOSITORY),
        filters=FileFilterSettings(
            languages=(
                "python",
                "go",
                "typescript",
                "tsx",
                "javascript",
                "proto",
                "markdown",
                "restructuredtext",
            )
        ),
    )
    pinned = sorted(source.display_name for source in ecosystem.sources)
    if pinned != sorted(TRAIN_REPOSITORIES + TEST_REPOSITORIES):
        raise EcosystemConfigError(
            f"{lock}: must pin exactly flyte-llama's repositories "
            f"{sorted(TRAIN_REPOSITORIES + TEST_REPOSITORIES)}, pins {pinned}"
        )
    return ecosystem


ECOSYSTEM = flyte_ecosystem()


class FlyteEcosystem(EcosystemBuilder):
    """`FlyteEcosystem(config_name="clm").download_and_prepare()` builds Flyte with codetune."""

    ECOSYSTEM = ECOSYSTEM
