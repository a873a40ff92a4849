"""The same build on a local Ray cluster (started by the test) gives the same rows as the local executor."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import ray

from codetune.build.pipeline import BuildOptions, build
from dataset_scripts.example import ECOSYSTEM


def table_rows(out_dir: Path) -> dict[str, list[dict]]:
    return {
        str(path.relative_to(out_dir)): pq.read_table(path).to_pylist()
        for path in sorted(out_dir.glob("*/*.parquet"))
    }


def test_example_on_a_local_ray_cluster_matches_the_local_build(tmp_path: Path):
    local = build(
        ECOSYSTEM, BuildOptions(out_dir=tmp_path / "local", work_dir=tmp_path / "work-local", progress=False)
    )
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        on_ray = build(
            ECOSYSTEM,
            BuildOptions(
                out_dir=tmp_path / "ray",
                work_dir=tmp_path / "work-ray",
                executor="ray",
                num_proc=2,
                progress=False,
            ),
        )
    finally:
        ray.shutdown()
    local_rows = table_rows(local.out_dir)
    assert local_rows and all(local_rows.values())
    assert table_rows(on_ray.out_dir) == local_rows
    assert on_ray.summary.dropped == local.summary.dropped
    # datatrove's Ray executor really ran the tasks: its per-task logs are in the work dir
    assert list((on_ray.work_dir / "logs" / "extract" / "logs").glob("task_*.log"))
