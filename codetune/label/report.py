"""What `codetune label` prints: the estimate and cost, requests, outcomes, gates, rows or jobs submitted."""

from __future__ import annotations

import sys
from pathlib import Path

from codetune.label.run import CHARS_PER_TOKEN, JOBS_FILE, LabelReport, LabelSettings


def _cost_line(report: LabelReport, settings: LabelSettings, prompt: int, completion: int, label: str) -> str:
    cost = report.cost(settings, prompt, completion)
    return "" if cost is None else f"{label}: ${cost:.4f}"


def print_report(report: LabelReport, settings: LabelSettings, dry_run: bool, out=None) -> None:
    out = out or sys.stdout  # looked up per call: a default bound at import keeps a stream since replaced
    estimate_completion = (report.prompts - report.already_answered) * settings.max_tokens
    print(
        f"codetune label --task {report.task}: {report.prompts} prompts, {report.already_answered} already "
        f"answered, {report.prompts - report.already_answered} to send",
        file=out,
    )
    how = "counted with --tokenizer" if settings.tokenizer else f"≈{CHARS_PER_TOKEN} chars/token"
    print(
        f"  estimated prompt tokens ~{report.estimated_prompt_tokens} ({how}), completion at most "
        f"{estimate_completion}",
        file=out,
    )
    estimate = _cost_line(
        report, settings, report.estimated_prompt_tokens, estimate_completion, "  cost before"
    )
    if estimate:
        print(f"{estimate} (at most)", file=out)
    if dry_run:
        return
    if report.submitted:
        print_submitted(report, out)
        return
    stats = report.stats
    prompt_tokens, completion_tokens = stats.get("prompt_tokens", 0), stats.get("completion_tokens", 0)
    answered, refused, failed = (stats.get(f"label_{s}", 0) for s in ("ok", "bad_request", "failed"))
    retries = sum(count for name, count in stats.items() if name.startswith("label_retries/"))
    print(
        f"  requests: {answered} answered, {refused} refused (HTTP 400), {failed} failed after retries, "
        f"{retries} retries",
        file=out,
    )
    print(
        f"  tokens: {prompt_tokens} prompt + {completion_tokens} completion; wall {report.wall_s:.1f} s",
        file=out,
    )
    after = _cost_line(report, settings, prompt_tokens, completion_tokens, "  cost after")
    if after:
        print(after, file=out)
    print("  outcomes over every run:", file=out)
    for name, count in sorted(report.outcomes.items()):
        print(f"    {name:<40} {count:>6}", file=out)
    print("  gates:", file=out)
    for name, count in sorted(report.gates.items()):
        print(f"    {name:<40} {count:>6}", file=out)
    if not report.rows:
        print("  no rows kept: the config is not written (see the gates above)", file=out)
        return
    print(
        f"  {report.rows} rows -> {report.config_path}  (load_dataset('{settings_out(report)}', "
        f"'{report.task}'))",
        file=out,
    )


def print_submitted(report: LabelReport, out) -> None:
    run = Path(report.run_folder)
    print(
        f"  submitted Slurm job array {report.submitted['requests']} ({report.sent} requests) and job "
        f"{report.submitted['assemble']}, which writes the config when the array has ended well "
        f"(afterok)\n  its summary: {run / 'assemble' / 'slurm_logs'}/*.out; job ids: {run / JOBS_FILE}\n"
        "  if a job fails, run the same command again when the others have ended: it cancels the jobs "
        "that can no longer start and sends only what is not answered",
        file=out,
    )


def settings_out(report: LabelReport) -> str:
    return str(Path(report.config_path).parent.parent) if report.config_path else ""
