"""`codetune label` gives the same rows under every executor: local, Ray (a local cluster), Slurm (real)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import ray

from codetune.cli import main
from codetune.label.run import run_label
from tests.label.conftest import load_config
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


SLURM_CLUSTER = Path(__file__).with_name("slurm_cluster.sh")


@pytest.fixture
def slurm_cluster(tmp_path: Path, monkeypatch):
    """A real one-node Slurm (munged, slurmctld, slurmd) started for the test and stopped after it."""
    if shutil.which("slurmctld") is None or os.geteuid() != 0:
        pytest.skip(
            "needs root and Debian's slurm-wlm and munge (apt-get install slurm-wlm munge; .ci/run does)"
        )
    folder = tmp_path / "slurm"
    try:
        subprocess.run([str(SLURM_CLUSTER), "start", str(folder)], check=True, timeout=120)
        monkeypatch.setenv("SLURM_CONF", str(folder / "slurm.conf"))
        yield folder
    finally:
        subprocess.run([str(SLURM_CLUSTER), "stop", str(folder)], check=False, timeout=60)


def wait_for_empty_queue(timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while subprocess.run(["squeue", "--noheader"], capture_output=True, text=True, check=True).stdout.strip():
        assert time.monotonic() < deadline, "Slurm jobs still queued"
        time.sleep(0.5)


def release_held_jobs() -> None:
    queued = subprocess.run(
        ["squeue", "--noheader", "--format=%F"], capture_output=True, text=True, check=True
    )
    subprocess.run(["scontrol", "release", ",".join(sorted(set(queued.stdout.split())))], check=True)


def queue_reasons(job_id: str) -> str:
    listed = subprocess.run(
        ["squeue", "--noheader", "--format=%r", f"--jobs={job_id}"], capture_output=True, text=True
    )
    return listed.stdout.strip()


def job_states(job_id: str) -> set[str]:
    shown = subprocess.run(["scontrol", "show", "job", job_id], capture_output=True, text=True, check=True)
    return set(re.findall(r"JobState=(\w+)", shown.stdout))


def test_label_under_slurm_submits_a_request_array_and_a_job_that_writes_the_same_rows_as_a_local_run(
    tmp_path: Path, dataset: Path, scripted_server, slurm_cluster: Path, capsys
):
    local_server, server = scripted_server(), scripted_server()
    on_slurm = tmp_path / "out-slurm"
    shutil.copytree(dataset, on_slurm)
    common = ["--task", "describe", "--model", "scripted", "--concurrency", "4", "--no-progress", "--tasks",
              "2"]  # fmt: skip
    assert main(["label", str(dataset), *common, "--endpoint", local_server.url]) == 0
    common += ["--endpoint", server.url]
    capsys.readouterr()
    slurm = ["--executor", "slurm", "--slurm-partition", "debug", "--slurm-time", "00:10:00",
             "--sbatch-arg", "comment=codetune-label-test"]  # fmt: skip
    assert main(["label", str(on_slurm), *common, *slurm, "--sbatch-arg", "hold"]) == 0  # held in the queue
    printed = capsys.readouterr().out
    run = on_slurm / ".codetune/label/describe/runs/run-0001"
    jobs = json.loads((run / "slurm_jobs.json").read_text())
    assert f"submitted Slurm job array {jobs['requests']}" in printed and jobs["assemble"] in printed
    assert not (on_slurm / "describe").exists()  # sbatch returned at once: nothing is written yet
    script = (run / "logs" / "launch_script.slurm").read_text()
    assert "#SBATCH --comment=codetune-label-test" in script and "#SBATCH --hold" in script
    assert main(["label", str(on_slurm), *common, *slurm]) == 2  # its jobs are queued: no second submission
    refusal = capsys.readouterr().err
    listed = refusal.split("Slurm jobs ")[1].split(" of an earlier")[0].split(", ")
    assert "still queued or running" in refusal and jobs["assemble"] in listed
    assert not (run.parent / "run-0002").exists() and not server.received()

    release_held_jobs()

    wait_for_empty_queue()
    assert job_states(jobs["requests"]) == {"COMPLETED"}  # both array tasks
    assert job_states(jobs["assemble"]) == {"COMPLETED"}
    assert config_bytes(on_slurm) == config_bytes(dataset)
    assert len(list((run / "logs" / "logs").glob("task_*.log"))) == 2  # datatrove ran two array tasks
    summary = "\n".join(path.read_text() for path in (run / "assemble" / "slurm_logs").glob("*.out"))
    assert "rows ->" in summary and "requests:" in summary
    assert set(server.received().values()) == {1}  # each prompt once, under Slurm

    assert main(["label", str(on_slurm), *common, *slurm]) == 0  # the ledger answers all: nothing submitted
    assert "0 to send" in capsys.readouterr().out and not (run.parent / "run-0002").exists()
    assert set(server.received().values()) == {1}


def test_a_cancelled_slurm_request_task_is_sent_again_by_the_rerun_and_nothing_answered_is_resent(
    tmp_path: Path, dataset: Path, scripted_server, slurm_cluster: Path, capsys
):
    server = scripted_server()
    argv = ["label", str(dataset), "--task", "describe", "--model", "scripted", "--endpoint", server.url,
            "--no-progress", "--tasks", "2", "--executor", "slurm", "--slurm-partition", "debug"]  # fmt: skip
    assert main([*argv, "--sbatch-arg", "hold"]) == 0
    jobs = json.loads((dataset / ".codetune/label/describe/runs/run-0001/slurm_jobs.json").read_text())
    subprocess.run(["scancel", f"{jobs['requests']}_1"], check=True)  # the second array task never runs
    release_held_jobs()
    deadline = time.monotonic() + 120
    while queue_reasons(jobs["requests"]) or queue_reasons(jobs["assemble"]) != "DependencyNeverSatisfied":
        assert time.monotonic() < deadline, "the assemble job does not wait for ever on the cancelled task"
        time.sleep(0.5)
    assert job_states(jobs["requests"]) == {"COMPLETED"}  # task 0; the cancelled task 1 never ran
    answered_by_first = sum(server.received().values())
    assert answered_by_first > 0 and not (dataset / "describe").exists()

    capsys.readouterr()
    assert main(argv) == 0  # cancels the assemble job that can never start, submits what is unanswered
    rerun = capsys.readouterr()
    assert f"cancelled Slurm job {jobs['assemble']}: a job of its run failed" in rerun.err
    assert f"{answered_by_first} already answered" in rerun.out
    wait_for_empty_queue()
    assert set(server.received().values()) == {1}  # nothing answered by the first run was sent again
    assert load_config(dataset, "describe").num_rows == sum(server.received().values())
