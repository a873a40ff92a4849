"""Flyte: flyte-llama's repository split, proven on a build of stand-ins with the same names."""

from __future__ import annotations

from pathlib import Path

import pytest

from codetune.errors import EcosystemConfigError
from dataset_scripts.flyte import TEST_REPOSITORIES, TRAIN_REPOSITORIES, flyte_ecosystem
from tests.dataset_scripts.standins import APACHE, build_standins, rows, standin_lock

TASK = '''from flytekit import task, workflow


@task
def {name}(x: int) -> int:
    """Adds one in {repo}."""
    {body}
    return x + 1


@workflow
def {name}_wf(x: int = 1) -> int:
    return {name}(x=x)
'''
GO = "package {name}\n\n// Run starts the {repo} loop.\nfunc Run() int {{\n\treturn 1\n}}\n"


def flyte_standins(names: tuple[str, ...]) -> dict[str, dict[str, str]]:
    repositories = {}
    for repo in names:
        name = repo.split("/")[1].replace("-", "_")
        # distinct bodies: near-duplicate files across repositories would be deduplicated away
        body = "\n    ".join(f"{name}_{i} = x * {i} + {len(repo) * i}" for i in range(1, 12))
        files = {"LICENSE": APACHE, f"{name}/core.py": TASK.format(name=name, repo=repo, body=body)}
        if repo != "flyteorg/flytekit":
            files[f"pkg/{name}/run.go"] = GO.format(name=name, repo=repo)
        repositories[repo] = files
    del repositories["flyteorg/flyte-conference-talks"]["LICENSE"]  # as upstream: opted in by the module
    return repositories


def test_flyte_trains_on_the_platform_and_tests_on_the_examples(tmp_path: Path):
    lock = standin_lock(tmp_path, flyte_standins(TRAIN_REPOSITORIES + TEST_REPOSITORIES))
    result = build_standins(tmp_path, flyte_ecosystem(lock), ("clm", "ast", "trees"))
    for config in ("clm", "ast", "trees"):
        assert {row["repo"] for row in rows(result, config, "train")} == set(TRAIN_REPOSITORIES)
        assert {row["repo"] for row in rows(result, config, "test")} == set(TEST_REPOSITORIES)
    languages = {row["language"] for row in rows(result, "ast", "train")}
    assert languages == {"python", "go"}
    assert {source.skipped for source in result.summary.sources} == {""}


def test_a_lock_that_is_not_flyte_llamas_set_is_refused(tmp_path: Path):
    names = (*TRAIN_REPOSITORIES[:-1], *TEST_REPOSITORIES)  # flyteconsole missing
    lock = standin_lock(tmp_path, flyte_standins(names))
    with pytest.raises(EcosystemConfigError, match="must pin exactly flyte-llama's repositories"):
        flyte_ecosystem(lock)
