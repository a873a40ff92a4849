"""`codetune label` gives the same rows under every executor: local, Ray (a local cluster)."""

from __future__ import annotations

import shutil
from pathlib import Path

import ray

from codetune.label.run import run_label
from tests.label.test_label_faults import settings


def config_bytes(dataset: Path, config: str = "describe") -> bytes:
    return (dataset / config / "train-00000-of-00001.parquet").read_bytes()


def test_label_on_a_local_ray_cluster_writes_the_same_rows_as_the_local_executor(
    tmp_path: Path, dataset: Path, scripted_server
):
    server = scripted_server()
    on_ray_out = tmp_path / "out-ray"
    shutil.copytree(dataset, on_ray_out)
    local = run_label(dataset, settings(server, tasks=2))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        on_ray = run_label(on_ray_out, settings(server, tasks=2, workers=2, executor="ray"))
    finally:
        ray.shutdown()
    assert on_ray.rows == local.rows == local.prompts > 20
    assert on_ray.stats["label_ok"] == local.prompts  # the Ray tasks sent every request once
    assert config_bytes(on_ray_out) == config_bytes(dataset)
    # datatrove's Ray executor ran both tasks: its per-task logs are in the run's folder
    logs = on_ray_out / ".codetune/label/describe/runs/run-0001/logs/logs"
    assert len(list(logs.glob("task_*.log"))) == 2
    assert set(server.received().values()) == {2}  # each prompt once per run: local, then Ray
