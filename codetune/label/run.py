"""`codetune label`: prompts from a built dataset → datatrove's inference runner → gated rows and card.

One run: render every prompt of the task (sorted by id), leave out those the ledger already answered,
write the rest as JSONL shards, run [JsonlReader → LabelRunner] under a datatrove executor, then rebuild
the task's config from the whole ledger through the gates, sorted by id. Under Slurm the command submits
the run and a job that does the rebuild (`assemble_label`) once the requests are answered (`slurm.py`).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import jinja2

from codetune.label.dataset import DatasetFolder, LabelError
from codetune.label.gates import Gates, GateSettings
from codetune.label.ledger import FINAL_STATUSES, next_run_name, read_ledger, request_hash
from codetune.label.server import RequestPolicy
from codetune.label.task import LabelPrompt, LabelTask
from codetune.label.tasks import TASKS

CHARS_PER_TOKEN = 4  # rough estimate for --dry-run when no tokenizer is given (English and code)
JOBS_FILE = "slurm_jobs.json"  # in a run's folder: the ids and names of the Slurm jobs it submitted


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


@dataclass(frozen=True)
class LabelSettings:
    task: str
    model: str
    endpoint: str | None = None
    server: str = "endpoint"  # or "vllm" / "sglang": spawned per task by datatrove (GPU nodes)
    tp: int = 1
    concurrency: int = 16
    max_tokens: int = 512
    temperature: float = 0.0
    policy: RequestPolicy = field(default_factory=RequestPolicy)
    gates: GateSettings = field(default_factory=GateSettings)
    limit: int | None = None  # the first N prompts by id: a grown input keeps the same first ones
    templates: Path | None = None  # a folder of `<task>.j2` that replaces ours (an ecosystem's own)
    tasks: int = 1
    workers: int = 1
    executor: str = "local"  # or "ray", or "slurm" (with `slurm` set)
    slurm: SlurmSettings | None = None
    progress: bool = True
    price_in: float | None = None  # per million prompt tokens
    price_out: float | None = None  # per million completion tokens
    deprecated_apis: tuple = ()
    eval_sources: tuple = ()  # the ecosystem's decontamination eval sources (`EvalSource`s), besides test
    tokenizer: str | None = None  # counts --dry-run's prompt tokens exactly (chat template applied)
    allow_unsandboxed_exec: bool = False  # oss-instruct's tests without isolation where namespaces fail

    def generation(self) -> dict:
        return {"max_tokens": self.max_tokens, "temperature": self.temperature}


@dataclass
class LabelReport:
    """What a run did, for the summary table and the card."""

    task: str
    prompts: int = 0
    already_answered: int = 0
    sent: int = 0
    estimated_prompt_tokens: int = 0
    stats: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)  # over the whole ledger: ok / failed / bad_request
    gates: Counter = field(default_factory=Counter)
    rows: int = 0
    wall_s: float = 0.0
    config_path: str = ""
    submitted: dict = field(default_factory=dict)  # --executor slurm: job ids by role (requests, assemble)
    run_folder: str = ""

    def cost(self, settings: LabelSettings, prompt_tokens: int, completion_tokens: int) -> float | None:
        if settings.price_in is None and settings.price_out is None:
            return None
        return (
            prompt_tokens * (settings.price_in or 0) + completion_tokens * (settings.price_out or 0)
        ) / 1e6


def template_environment(settings: LabelSettings) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = [jinja2.PackageLoader("codetune", "templates/label")]
    if settings.templates is not None:
        loaders.insert(0, jinja2.FileSystemLoader(str(settings.templates)))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined, autoescape=False
    )


def task_prompts(dataset: DatasetFolder, task: LabelTask, settings: LabelSettings) -> tuple[list, str]:
    """The task's prompts sorted by id (the first `limit`), and the template's source."""
    template = template_environment(settings).get_template(f"{task.name}.j2")
    source = Path(template.filename).read_text() if template.filename else ""
    prompts = sorted(task.prompts(dataset, template.render), key=lambda prompt: prompt.id)
    return prompts[: settings.limit] if settings.limit is not None else prompts, source


def _pending_documents(prompts: list[LabelPrompt], settings: LabelSettings) -> list[dict]:
    return [
        {
            "id": prompt.id,
            "text": prompt.user,
            "metadata": {
                "messages": prompt.messages(),
                "request_hash": request_hash(settings.model, prompt.messages(), settings.generation()),
            },
        }
        for prompt in prompts
    ]


def prompt_tokens(documents: list[dict], tokenizer_name: str | None) -> int:
    """Prompt tokens of the requests: counted with the model's tokenizer when given, else estimated."""
    if tokenizer_name is None:
        return sum(len(doc["text"]) for doc in documents) // CHARS_PER_TOKEN
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_name)
    if not tokenizer.chat_template:
        return sum(len(tokenizer(doc["text"])["input_ids"]) for doc in documents)
    return sum(
        len(
            tokenizer.apply_chat_template(
                doc["metadata"]["messages"], add_generation_prompt=True, tokenize=True
            )["input_ids"]
        )
        for doc in documents
    )


def _write_shards(documents: list[dict], folder: Path, shards: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for shard in range(shards):
        with open(folder / f"{shard:05d}.jsonl", "w") as handle:
            for document in documents[shard::shards]:
                handle.write(json.dumps(document) + "\n")


def _inference_config(settings: LabelSettings):
    from datatrove.pipeline.inference.run_inference import InferenceConfig

    return InferenceConfig(
        server_type=settings.server,
        model_name_or_path=settings.model,
        endpoint_url=settings.endpoint,
        tp=settings.tp,
        default_generation_params=settings.generation(),
        max_concurrent_generations=settings.concurrency,
        metric_interval=3600,
        request_timeout=settings.policy.timeout_s,
    )


def _label_pipeline(pending: Path, ledger: Path, run_name: str, settings: LabelSettings, progress_fd) -> list:
    from datatrove.pipeline.readers import JsonlReader

    from codetune.label.runner import LabelRunner, LedgerWriter

    return [
        JsonlReader(str(pending), compression=None, glob_pattern="*.jsonl"),
        LabelRunner(
            _inference_config(settings), LedgerWriter(str(ledger), run_name), settings.policy, progress_fd
        ),
    ]


def _run_executor(pending: Path, ledger: Path, logs: Path, run_name: str, settings: LabelSettings) -> None:
    from codetune.build.pipeline import console_to_file

    with console_to_file(logs.parent / "console.log", enabled=True) as terminal_fd:
        progress_fd = terminal_fd if settings.progress else None
        _executor(_label_pipeline(pending, ledger, run_name, settings, progress_fd), logs, settings).run()


def _executor(pipeline: list, logs: Path, settings: LabelSettings):
    if settings.executor == "ray":
        from codetune.build.executors import RayExecutor

        return RayExecutor(pipeline, tasks=settings.tasks, workers=settings.workers, logging_dir=str(logs))
    from codetune.build.executors import LocalExecutor

    return LocalExecutor(
        pipeline, tasks=settings.tasks, workers=settings.workers, logging_dir=str(logs), skip_completed=False
    )


# (dataset folder, run folder, request pipeline, tasks, settings) -> submitted job ids: `slurm.submit_label`
Submit = Callable[[Path, Path, list, int, LabelSettings], dict]


def run_label(
    out: Path, settings: LabelSettings, dry_run: bool = False, submit: Submit | None = None
) -> LabelReport:
    """Label under the local or Ray executor; under Slurm (`submit` given) submit the run and return."""
    from codetune.build.summary import read_stage_stats

    if settings.task not in TASKS:
        raise LabelError(f"--task {settings.task!r}: choose one of {sorted(TASKS)}")
    if settings.executor == "slurm" and (settings.slurm is None or submit is None):
        raise LabelError(
            "--executor slurm needs --slurm-partition; from Python, call "
            "codetune.label.slurm.run_label_on_slurm"
        )
    started = time.monotonic()
    dataset, task = DatasetFolder(out), TASKS[settings.task]
    work = dataset.path / ".codetune" / "label" / task.name
    ledger_folder, runs = work / "ledger", work / "runs"
    prompts, template_source = task_prompts(dataset, task, settings)
    documents = _pending_documents(prompts, settings)
    answered = read_ledger(ledger_folder)
    pending = [
        doc
        for doc in documents
        if answered.get((doc["id"], doc["metadata"]["request_hash"]), {}).get("status") not in FINAL_STATUSES
    ]
    report = LabelReport(task.name, prompts=len(prompts), already_answered=len(prompts) - len(pending))
    report.estimated_prompt_tokens = prompt_tokens(pending, settings.tokenizer)
    if dry_run or not pending:
        report.wall_s = time.monotonic() - started
        if not dry_run:
            _collect(dataset, task, prompts, documents, settings, template_source, report)
        return report
    if settings.server == "endpoint" and not settings.endpoint:
        raise LabelError("--endpoint is required with --server endpoint (an OpenAI-compatible URL)")
    run_name = next_run_name(runs)
    shards = min(settings.tasks, len(pending))
    _write_shards(pending, runs / run_name / "pending", shards)
    report.sent, report.run_folder = len(pending), str(runs / run_name)
    if submit is not None:
        requests = _label_pipeline(runs / run_name / "pending", ledger_folder, run_name, settings, None)
        report.submitted = submit(dataset.path, runs / run_name, requests, shards, settings)
        report.wall_s = time.monotonic() - started
        return report
    _run_executor(runs / run_name / "pending", ledger_folder, runs / run_name / "logs", run_name, settings)
    report.stats = read_stage_stats(runs / run_name / "logs")
    _collect(dataset, task, prompts, documents, settings, template_source, report)
    report.wall_s = time.monotonic() - started
    return report


def assemble_label(out: Path, settings: LabelSettings, request_logs: Path | None = None) -> LabelReport:
    """The config and card rebuilt from the ledger alone, sending nothing: what a Slurm run ends with."""
    from codetune.build.summary import read_stage_stats

    started = time.monotonic()
    dataset, task = DatasetFolder(out), TASKS[settings.task]
    prompts, template_source = task_prompts(dataset, task, settings)
    documents = _pending_documents(prompts, settings)
    report = LabelReport(task.name, prompts=len(prompts))
    if request_logs is not None:
        report.stats = read_stage_stats(request_logs)
    _collect(dataset, task, prompts, documents, settings, template_source, report)
    report.already_answered = sum(report.outcomes[status] for status in FINAL_STATUSES)
    report.wall_s = time.monotonic() - started
    return report


def _leak_texts(dataset: DatasetFolder, settings: LabelSettings) -> Iterator[str]:
    """What a labelled row must not share an n-gram with: the test split, then the eval sources."""
    if not settings.gates.decontaminate:
        return
    from codetune.hygiene.eval_sources import eval_texts, resolve_eval_source

    yield from dataset.test_texts()
    for source in settings.eval_sources:
        yield from eval_texts(resolve_eval_source(source))


def _collect(dataset, task, prompts, documents, settings, template_source, report) -> None:
    """The config rebuilt from the whole ledger, in id order, through the task's checks and the gates."""
    answered = read_ledger(dataset.path / ".codetune" / "label" / task.name / "ledger")
    gates = Gates(settings.gates, _leak_texts(dataset, settings), settings.deprecated_apis)
    work = dataset.path / ".codetune" / "label" / task.name
    validate = task.validator(dataset, work, settings) if task.validator else None
    rows, companions = [], []
    for prompt, document in zip(prompts, documents, strict=True):
        entry = answered.get((prompt.id, document["metadata"]["request_hash"]))
        status = entry["status"] if entry else "not_sent"
        report.outcomes[status] += 1
        if status != "ok":
            if entry:
                report.outcomes[f"{status}/{entry['reason'].split(':')[0].split('(')[0].strip()}"] += 1
            continue
        made = task.row(prompt, entry["text"], settings.model)
        if made.row is None:
            gates.count_drop(made.drop)
            continue
        if gates.drop_reason(entry["text"], entry["finish_reason"], prompt.language, made.code):
            continue
        verdict = validate(made.row) if validate else None
        if verdict:
            gates.count_drop(verdict, was_kept=True)
            continue
        rows.append(made.row)
        companions.extend(made.companions)
    report.gates = gates.counts
    report.rows = len(rows)
    written = dataset.write_config(task.name, rows, task.columns)
    report.config_path = str(written) if written else ""
    dataset.update_card(task.name, card_section(task, settings, template_source, report), listed=bool(rows))
    if task.companion_config:
        companions.sort(key=lambda row: row["id"])
        dataset.write_config(task.companion_config, companions, task.companion_columns)
        section = (
            f"## Labelled config `{task.companion_config}`\n\n{len(companions)} rows made with `{task.name}`."
        )
        dataset.update_card(task.companion_config, section, listed=bool(companions))


def card_section(task: LabelTask, settings: LabelSettings, template_source: str, report: LabelReport) -> str:
    from codetune.sources.gitcmd import redact_url

    parameters = {
        "server": settings.server,
        "endpoint": redact_url(settings.endpoint) if settings.endpoint else None,
        **settings.generation(),
        "concurrency": settings.concurrency,
        "request": {k: v for k, v in asdict(settings.policy).items() if k != "api_key_env"},
        "gates": asdict(settings.gates),
        "limit": settings.limit,
    }
    digest = hashlib.sha256(template_source.encode()).hexdigest()[:12]
    outcome_rows = "\n".join(f"| {name} | {count} |" for name, count in sorted(report.outcomes.items()))
    gate_rows = "\n".join(f"| {name} | {count} |" for name, count in sorted(report.gates.items()))
    return f"""## Labelled config `{task.name}`

{task.description}

- labelling model: `{settings.model}`
- prompt template: `{task.name}.j2` (sha256 {digest}), shown below
- parameters: `{json.dumps(parameters, sort_keys=True)}`
- rows: {report.rows} of {report.prompts} prompts

| request outcome | count |
|---|---:|
{outcome_rows}

| gate | count |
|---|---:|
{gate_rows}

<details><summary>prompt template</summary>

```jinja
{template_source.rstrip()}
```
</details>
"""
