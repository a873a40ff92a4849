"""`codetune label --executor slurm`: the requests as a job array, then a job that assembles the config.

sbatch returns at once, so the command cannot wait for its answers. It submits, with datatrove's
`SlurmPipelineExecutor` as is, the run's [JsonlReader → LabelRunner] pipeline as one job array, and a
one-task job that depends on it (`afterok`) and rebuilds the task's config and card from the ledger, as a
local run ends. If a request job fails, the assemble job never starts; running the same command again
then sends only what the ledger has not answered and submits a new pair. While a run's jobs are still in
the queue, the command refuses to submit another (it would send their requests twice).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from datatrove.pipeline.base import PipelineStep

from codetune.label.dataset import LabelError

JOBS_FILE = "slurm_jobs.json"


@dataclass(frozen=True)
class SlurmSettings:
    """What sbatch is given; `sbatch_args` are extra `--KEY=VALUE` directives passed through as they are."""

    partition: str
    time: str = "04:00:00"
    cpus_per_task: int = 1
    mem_per_cpu_gb: int = 2
    qos: str = ""  # none by default: not every cluster has datatrove's default "normal"
    env_command: str | None = None  # default: activate this Python's virtual environment, if any
    sbatch_args: tuple[tuple[str, str], ...] = ()


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
        from codetune.label.command import print_report
        from codetune.label.run import assemble_label

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


def submit_label(out: Path, run: Path, requests: list, tasks: int, settings) -> dict[str, str]:
    """Submits the request array and the assemble job after it; returns their job ids by job name."""
    if shutil.which("sbatch") is None:
        raise LabelError("--executor slurm: `sbatch` is not on PATH; run the command on a Slurm login node")
    slurm: SlurmSettings = settings.slurm
    name = f"codetune-label-{settings.task}"
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
    (run / JOBS_FILE).write_text(json.dumps(jobs))
    return jobs


def queued_jobs(runs: Path) -> list[str]:
    """Job ids of earlier Slurm runs of this task that are still pending or running (empty without squeue)."""
    if shutil.which("squeue") is None:
        return []
    queued = []
    for jobs_file in sorted(runs.glob(f"run-*/{JOBS_FILE}")):
        for job_id in json.loads(jobs_file.read_text()).values():
            listed = subprocess.run(
                ["squeue", "--noheader", "--format=%i", f"--jobs={job_id}"], capture_output=True, text=True
            )
            if listed.returncode == 0 and listed.stdout.strip():
                queued.append(job_id)
    return queued
