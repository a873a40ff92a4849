"""`codetune label --executor slurm`: the requests as a job array, then a job that assembles the config.

sbatch returns at once, so the command cannot wait for its answers. It submits, with datatrove's
`SlurmPipelineExecutor` as is, the run's [JsonlReader → LabelRunner] pipeline as one job array, and a
one-task job that depends on it (`afterok`) and rebuilds the task's config and card from the ledger, as a
local run ends. If a request job fails, the assemble job can never start (Slurm keeps it pending as
`DependencyNeverSatisfied`); running the same command again cancels it, sends only what the ledger has
not answered and submits a new pair. While a run's jobs are still queued or running, the command refuses
to submit another (it would send their requests twice).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

from datatrove.pipeline.base import PipelineStep

from codetune.label.dataset import DatasetFolder, LabelError
from codetune.label.report import print_report
from codetune.label.run import JOBS_FILE, LabelReport, LabelSettings, SlurmSettings, assemble_label, run_label


def default_env_command() -> str:
    """Jobs run `launch_pickled_pipeline` and import codetune: from the same environment as the command."""
    activate = Path(sys.prefix) / "bin" / "activate"
    if sys.prefix != sys.base_prefix and activate.is_file():
        return f"source {activate}"
    return f"export PATH={Path(sys.executable).parent}:$PATH"


class AssembleLabel(PipelineStep):
    """The config and card rebuilt from the ledger once the request jobs are done; the summary to the log."""

    name = "Assemble labelled config"
    type = "🏷 LABEL"

    def __init__(self, out: str, settings, request_logs: str):
        super().__init__()
        self.out, self.settings, self.request_logs = out, settings, request_logs

    def run(self, data=None, rank: int = 0, world_size: int = 1):
        report = assemble_label(Path(self.out), self.settings, Path(self.request_logs))
        print_report(report, self.settings, dry_run=False)
        yield from ()


def _executor(
    pipeline: list, tasks: int, name: str, logs: Path, settings, slurm: SlurmSettings, depends=None
):
    from datatrove.executor.slurm import SlurmPipelineExecutor

    return SlurmPipelineExecutor(
        pipeline,
        tasks=tasks,
        time=slurm.time,
        partition=slurm.partition,
        cpus_per_task=slurm.cpus_per_task,
        mem_per_cpu_gb=slurm.mem_per_cpu_gb,
        workers=settings.workers,
        job_name=name,
        qos=slurm.qos,
        env_command=slurm.env_command or default_env_command(),
        sbatch_args=dict(slurm.sbatch_args),
        logging_dir=str(logs),
        depends=depends,
        skip_completed=False,
    )


def run_label_on_slurm(out: Path, settings: LabelSettings, dry_run: bool = False) -> LabelReport:
    """`run_label` with the requests submitted as Slurm jobs instead of run here.

    Refused, before anything is written, while an earlier run's jobs are queued or running.
    """
    runs = DatasetFolder(out).path / ".codetune" / "label" / settings.task / "runs"
    if not dry_run and (queued := queued_jobs(runs)):
        raise LabelError(
            f"Slurm jobs {', '.join(queued)} of an earlier `codetune label --task {settings.task}` are still "
            "queued or running: wait for them (squeue) or cancel them (scancel) before running it again"
        )
    return run_label(out, settings, dry_run, submit=submit_label)


def submit_label(out: Path, run: Path, requests: list, tasks: int, settings) -> dict[str, str]:
    """Submits the request array and the assemble job after it; returns their job ids by job name."""
    if shutil.which("sbatch") is None:
        raise LabelError("--executor slurm: `sbatch` is not on PATH; run the command on a Slurm login node")
    slurm: SlurmSettings = settings.slurm
    # unique to this run of this folder: the queue check finds every job of it, datatrove's stats jobs too
    name = f"codetune-label-{settings.task}-{run.name}-{hashlib.sha256(str(out).encode()).hexdigest()[:8]}"
    request_job = _executor(requests, tasks, name, run / "logs", settings, slurm)
    assemble_job = _executor(
        [AssembleLabel(str(out), settings, str(run / "logs"))],
        1,
        f"{name}-assemble",
        run / "assemble",
        settings,
        slurm,
        depends=request_job,
    )
    assemble_job.run()  # launches its dependency first, then itself with --dependency=afterok:<array>
    jobs = {"requests": str(request_job.job_id), "assemble": str(assemble_job.job_id)}
    (run / JOBS_FILE).write_text(json.dumps({**jobs, "job_names": [name, f"{name}-assemble"]}))
    return jobs


def queued_jobs(runs: Path) -> list[str]:
    """Job ids of earlier Slurm runs of this task still pending or running (empty without squeue).

    A run with a job that waits on a failed one can never finish: its pending jobs are cancelled (and said
    so) rather than counted; its running ones are still counted.
    """
    if shutil.which("squeue") is None:
        return []
    queued: list[str] = []
    for jobs_file in sorted(runs.glob(f"run-*/{JOBS_FILE}")):
        names = ",".join(json.loads(jobs_file.read_text())["job_names"])
        listed = subprocess.run(
            ["squeue", "--noheader", "--format=%F %T %r", f"--name={names}"], capture_output=True, text=True
        )
        jobs = [line.split(" ", 2) for line in sorted(set(listed.stdout.splitlines()))]
        broken = any(reason == "DependencyNeverSatisfied" for _, _, reason in jobs)
        for job_id, state, _ in jobs:
            if broken and state == "PENDING":
                subprocess.run(["scancel", job_id], check=True)
                print(f"cancelled Slurm job {job_id}: a job of its run failed", file=sys.stderr)
            elif job_id not in queued:
                queued.append(job_id)
    return queued
