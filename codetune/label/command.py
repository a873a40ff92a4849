"""The `codetune label` subcommand: its arguments, the cost estimate, and the summary it prints."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from codetune.label.gates import GateSettings
from codetune.label.report import print_report
from codetune.label.run import LabelSettings, SlurmSettings, run_label
from codetune.label.server import RequestPolicy
from codetune.label.tasks import TASKS


def add_label_parser(commands: argparse._SubParsersAction, positive: Callable[[str], int]) -> None:
    """The `label` subcommand; `positive` is the CLI's own check for counts (at least 1)."""
    label = commands.add_parser(
        "label",
        help="label a built dataset with an LLM (OpenAI-compatible server) into new configs",
        description="Send a task's prompts built from OUT's rows to a model through datatrove's inference "
        "runner; the gated rows land in OUT/<task>/ and the card. A rerun sends only what is not answered.",
    )
    label.add_argument("out", type=Path, help="a dataset folder written by `codetune build`")
    label.add_argument("--task", required=True, choices=sorted(TASKS))
    label.add_argument("--model", required=True, help="model name the server knows (or path for --server)")
    label.add_argument("--endpoint", help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1")
    label.add_argument(
        "--server",
        choices=("endpoint", "vllm", "sglang"),
        default="endpoint",
        help="endpoint: --endpoint URL; vllm/sglang: spawned per task by datatrove (GPU)",
    )
    label.add_argument("--tp", type=positive, default=1, help="tensor parallel size for --server vllm/sglang")
    label.add_argument("--api-key-env", help="name of the environment variable holding the API key")
    label.add_argument("--concurrency", type=positive, default=16, help="requests in flight (default 16)")
    label.add_argument("--max-tokens", type=positive, default=512)
    label.add_argument("--temperature", type=float, default=0.0)
    label.add_argument("--timeout", type=float, default=120.0, help="seconds per request (default 120)")
    label.add_argument("--attempts", type=positive, default=4, help="tries per request (default 4)")
    label.add_argument(
        "--backoff", type=float, default=1.0, help="first retry wait in s, doubled (default 1)"
    )
    label.add_argument("--limit", type=positive, help="label only the first N prompts by id")
    label.add_argument("--templates", type=Path, help="folder of <task>.j2 prompt templates to use instead")
    label.add_argument(
        "--ecosystem", help="builder module or name: its LABEL_TEMPLATES and deprecated APIs apply"
    )
    label.add_argument(
        "--num-proc",
        type=positive,
        help="parallel workers (default 1); with slurm, array tasks at once (default: no limit)",
    )
    label.add_argument("--tasks", type=positive, default=1, help="datatrove tasks (shards), default 1")
    label.add_argument("--executor", choices=("local", "ray", "slurm"), default="local")
    slurm = label.add_argument_group("Slurm (--executor slurm: submits and returns; see docs/labelling.md)")
    slurm.add_argument("--slurm-partition", help="partition the jobs run in (required with slurm)")
    slurm.add_argument("--slurm-time", default="04:00:00", help="time limit per job (default 04:00:00)")
    slurm.add_argument("--slurm-cpus-per-task", type=positive, default=1)
    slurm.add_argument("--slurm-mem-per-cpu-gb", type=positive, default=2)
    slurm.add_argument("--slurm-qos", default="", help="QOS for the jobs (default: the cluster's)")
    slurm.add_argument(
        "--slurm-env-command", help="shell line that sets up the jobs' Python (default: this venv's activate)"
    )
    slurm.add_argument(
        "--sbatch-arg",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra sbatch directive, e.g. account=proj or gres=gpu:1 (repeatable)",
    )
    label.add_argument("--price-in", type=float, help="price per million prompt tokens, for the estimate")
    label.add_argument("--price-out", type=float, help="price per million completion tokens")
    label.add_argument(
        "--dry-run", action="store_true", help="render prompts, estimate tokens and cost; no call"
    )
    label.add_argument(
        "--tokenizer", help="the model's tokenizer (a path, or a Hub id in the cache): exact counts"
    )
    label.add_argument("--no-progress", action="store_true")
    label.add_argument(
        "--allow-unsandboxed-exec",
        action="store_true",
        help="oss-instruct: run Python tests with limits only where the sandbox cannot isolate them",
    )


def slurm_from_args(args: argparse.Namespace) -> SlurmSettings | None:
    if args.executor != "slurm":
        return None
    if not args.slurm_partition:
        raise SystemExit("codetune label: --executor slurm needs --slurm-partition")
    pairs = []
    for item in args.sbatch_arg:
        key, equals, value = item.partition("=")
        if not key or key.startswith("-"):
            raise SystemExit(f"codetune label: --sbatch-arg {item!r}: write KEY=VALUE without dashes")
        pairs.append((key, value if equals else ""))
    return SlurmSettings(
        partition=args.slurm_partition,
        time=args.slurm_time,
        cpus_per_task=args.slurm_cpus_per_task,
        mem_per_cpu_gb=args.slurm_mem_per_cpu_gb,
        qos=args.slurm_qos,
        env_command=args.slurm_env_command,
        sbatch_args=tuple(pairs),
    )


def settings_from_args(args: argparse.Namespace) -> LabelSettings:
    templates, deprecated, eval_sources, gates = args.templates, (), (), GateSettings()
    if args.ecosystem:
        from codetune.registry import load_ecosystem

        ecosystem = load_ecosystem(args.ecosystem)
        deprecated = ecosystem.deprecated_apis
        templates = templates or _module_templates(args.ecosystem)
        decontamination = ecosystem.decontamination
        eval_sources = decontamination.eval_sources if decontamination.enabled else ()
        gates = GateSettings(decontaminate=decontamination.enabled, ngram_size=decontamination.ngram_size)
    return LabelSettings(
        task=args.task,
        model=args.model,
        endpoint=args.endpoint,
        server=args.server,
        tp=args.tp,
        concurrency=args.concurrency,
        max_tokens=args.max_tokens,
        temperature=args.temperature,
        policy=RequestPolicy(args.timeout, args.attempts, args.backoff, api_key_env=args.api_key_env),
        gates=gates,
        limit=args.limit,
        templates=templates,
        tasks=args.tasks,
        workers=args.num_proc or (-1 if args.executor == "slurm" else 1),
        executor=args.executor,
        slurm=slurm_from_args(args),
        progress=not args.no_progress,
        price_in=args.price_in,
        price_out=args.price_out,
        deprecated_apis=deprecated,
        eval_sources=eval_sources,
        allow_unsandboxed_exec=args.allow_unsandboxed_exec,
        tokenizer=args.tokenizer,
    )


def _module_templates(name: str) -> Path | None:
    """A builder module's own templates: `LABEL_TEMPLATES = Path(__file__).parent / "..."` in it."""
    import importlib

    from codetune.registry import load_module_from_path, registered_modules

    path = Path(name)
    if path.suffix == ".py" and path.is_file():
        module = load_module_from_path(path)
    elif name in registered_modules():
        module = importlib.import_module(registered_modules()[name])
    else:
        return None
    folder = getattr(module, "LABEL_TEMPLATES", None)
    return Path(folder) if folder else None


def run_label_command(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    label = run_label
    if settings.executor == "slurm":
        from codetune.label.slurm import run_label_on_slurm as label
    report = label(args.out, settings, dry_run=args.dry_run)
    print_report(report, settings, args.dry_run)
    return 0
