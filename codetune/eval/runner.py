"""`codetune eval`: write the tasks, run lm-eval's `simple_evaluate` once per model, write what it found.

The run is lm-eval's: its backends, batching, per-sample logs and results format. codetune decides which
tasks a dataset supports, which model is which, and writes the report (`codetune.eval.report`).
"""

from __future__ import annotations

import gc
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from codetune.ecosystem import DeprecatedApi
from codetune.errors import CodetuneError, EvaluationError
from codetune.eval.metrics import check_syntax, extract_code
from codetune.eval.models import ModelSpec, detect_fim_format, load_tokenizer, make_lm, resolve_model
from codetune.eval.tasks import FAMILIES, TaskSettings, WrittenTasks, write_tasks

logger = logging.getLogger(__name__)


def _not_a_slice_count_warning(record: logging.LogRecord) -> bool:
    """lm-eval warns when a task's keys cover different numbers of documents; per-slice keys always do."""
    return "were not scored on the same number of documents" not in record.getMessage()


logging.getLogger("lm_eval.evaluator_utils").addFilter(_not_a_slice_count_warning)


@dataclass(frozen=True)
class EvalOptions:
    dataset: str
    models: tuple[str, ...]
    out_dir: Path
    names: tuple[str, ...] = ()
    backend: str = "hf"
    families: tuple[str, ...] = FAMILIES
    limit: int | None = None
    batch_size: int = 8
    max_new_tokens: int = 256
    seed: int = 1234
    ecosystem: str | None = None  # registered name or definition path; default: the build's own
    allow_unsandboxed_exec: bool = False
    humaneval_samples: int = 1  # n samples per problem: pass@k for every k <= n (sampled when n > 1)
    tokenizer: str | None = None  # the served models' tokenizer: bits per byte through a server needs it

    def __post_init__(self) -> None:
        if not self.models:
            raise EvaluationError("codetune eval: pass at least one --model")
        if len(self.names) > len(self.models):
            raise EvaluationError(f"--name given {len(self.names)} times for {len(self.models)} models")
        if self.limit is not None and self.limit < 1:
            raise EvaluationError(f"--limit must be at least 1 (got {self.limit})")
        unknown = [family for family in self.families if family not in FAMILIES]
        if unknown or not self.families:
            raise EvaluationError(f"--tasks: unknown {unknown}; choose from {', '.join(FAMILIES)}")


@dataclass
class ModelRun:
    """One model's results as lm-eval reported them, and what was skipped for it, with reasons."""

    spec: ModelSpec
    results: dict = field(default_factory=dict)  # task -> {"metric,filter": value}
    skipped: dict[str, str] = field(default_factory=dict)
    fim_format: str | None = None


@dataclass
class EvalRun:
    options: EvalOptions
    ecosystem_name: str
    tasks: WrittenTasks
    models: list[ModelRun]


def build_ecosystem(dataset: str, override: str | None) -> tuple[str, tuple[DeprecatedApi, ...] | None]:
    """The ecosystem's name and deprecated-API table: from `--ecosystem`, else the build's own record."""
    from codetune.registry import load_ecosystem, registered_modules

    name = override
    info = Path(dataset) / ".codetune" / "build.json"
    if name is None and info.is_file():
        name = json.loads(info.read_text()).get("ecosystem")
    if name is None:
        return Path(dataset.rstrip("/")).name.replace("/", "_"), None
    if override is None and name not in registered_modules():
        return name, None
    try:
        ecosystem = load_ecosystem(name)
    except CodetuneError as error:
        raise EvaluationError(f"--ecosystem {name}: {error}") from error
    return ecosystem.name, ecosystem.deprecated_apis


def _check_dataset(dataset: str) -> None:
    path = Path(dataset)
    if (path.is_absolute() or dataset.startswith(".")) and not path.is_dir():
        raise EvaluationError(
            f"dataset {dataset}: no such folder; pass a `codetune build` output or a Hub id"
        )


def run_eval(options: EvalOptions) -> EvalRun:
    """Evaluate every model on the dataset's test split and write the outputs into `options.out_dir`."""
    from lm_eval.tasks import TaskManager

    _check_dataset(options.dataset)
    names = list(options.names) + [None] * (len(options.models) - len(options.names))
    runs = [
        ModelRun(resolve_model(model, name, options.tokenizer))
        for model, name in zip(options.models, names, strict=True)
    ]
    if len({run.spec.name for run in runs}) < len(runs):
        raise EvaluationError("two models have the same name in the report; tell them apart with --name")
    if "fim" in options.families:
        for run in runs:
            _choose_fim_format(run, options.backend)
    ecosystem_name, apis = build_ecosystem(options.dataset, options.ecosystem)
    settings = TaskSettings(
        families=options.families,
        max_new_tokens=options.max_new_tokens,
        fim_formats=tuple(sorted({run.fim_format for run in runs if run.fim_format})),
    )
    out_dir = options.out_dir
    tasks = write_tasks(options.dataset, ecosystem_name, apis, out_dir / "tasks", settings)
    _add_humaneval(tasks, options)
    manager = TaskManager(include_path=str(tasks.folder), include_defaults=False)
    for run in runs:
        lm = make_lm(run.spec, options.backend, options.batch_size, options.seed, options.max_new_tokens)
        raw = list(tasks.raw_tasks)
        if run.spec.kind == "server" and tasks.perplexity and not run.spec.tokenizer:
            raw.remove(tasks.perplexity)
            run.skipped["perplexity"] = (
                "needs prompt logprobs with echo from the server (`codetune serve` has them; "
                "`transformers serve` does not) and the model's tokenizer: pass --tokenizer"
            )
        if run.fim_format and run.fim_format in tasks.fim:
            raw.append(tasks.fim[run.fim_format])
        # a server gets raw prompts: its chat template is its own (the tokenizer is for bits per byte only)
        tokenizer = getattr(lm, "tokenizer", None)
        chat = run.spec.kind != "server" and getattr(tokenizer, "chat_template", None) is not None
        outputs = []
        for task_names, use_chat, selection in _lm_eval_calls(raw, chat, tasks, options.limit):
            output = _evaluate(
                run.spec,
                model=lm,
                tasks=task_names,
                task_manager=manager,
                **selection,
                log_samples=True,
                bootstrap_iters=0,
                apply_chat_template=use_chat,
                random_seed=options.seed,
                numpy_random_seed=options.seed,
                torch_random_seed=options.seed,
                fewshot_random_seed=options.seed,
                confirm_run_unsafe_code=bool(tasks.humaneval),
            )
            run.results.update(output["results"])
            outputs.append(output)
        if outputs:
            merged = merge_outputs(outputs)
            _write_lm_eval_output(out_dir, run.spec.name, merged)
            _write_samples(out_dir / "samples" / run.spec.name, merged["samples"])
        del lm
        gc.collect()
    return EvalRun(options, ecosystem_name, tasks, runs)


def _lm_eval_calls(
    raw: list[str], chat: bool, tasks: WrittenTasks, limit: int | None
) -> list[tuple[list[str], bool, dict]]:
    """The `simple_evaluate` calls for one model: (tasks, chat template or not, which documents).

    Raw and chat prompts need separate calls; under `--limit` so does perplexity: its task orders the rows
    longest first, so lm-eval's `samples` picks the split's first rows where `limit` would take the longest.
    """
    calls = []
    if limit is not None and tasks.perplexity in raw:
        raw = [task for task in raw if task != tasks.perplexity]
        samples = {tasks.perplexity: tasks.perplexity_samples(limit)}
        calls.append(([tasks.perplexity], False, {"samples": samples}))
    for task_names, use_chat in ((raw, False), (tasks.chat_tasks, chat)):
        if task_names:
            calls.append((task_names, use_chat, {"limit": limit}))
    return calls


def _evaluate(spec: ModelSpec, **arguments) -> dict:
    """lm-eval's `simple_evaluate`; a server that fails after lm-eval's retries is a clear error."""
    import lm_eval
    import requests

    try:
        return lm_eval.simple_evaluate(**arguments)
    except requests.RequestException as error:
        raise EvaluationError(
            f"model {spec.source}: the server failed after lm-eval's retries: {error}. Check that it is up "
            "and serves /v1/completions"
        ) from error


def _choose_fim_format(run: ModelRun, backend: str) -> None:
    if run.spec.kind == "server" or backend == "openai":
        run.skipped["fim"] = "a server's sentinel tokens cannot be read; evaluate FIM on the model folder"
        return
    fmt = detect_fim_format(load_tokenizer(run.spec))
    if fmt is None:
        run.skipped["fim"] = (
            "the tokenizer has no FIM sentinel tokens of a known family (codetune.definitions.fim_formats)"
        )
    else:
        run.fim_format = fmt.name


def _add_humaneval(tasks: WrittenTasks, options: EvalOptions) -> None:
    """HumanEval as an lm-eval task whose samples run in codetune's sandbox (codetune.eval.humaneval)."""
    if "humaneval" not in options.families:
        return
    try:
        from codetune.eval.humaneval import write_humaneval_task
        from codetune.eval.sandbox import SandboxLimits, SandboxUnavailableError
    except ImportError as error:
        tasks.skipped["humaneval"] = f"the HumanEval task is not installed here ({error.name})"
        return
    try:
        tasks.humaneval = write_humaneval_task(
            tasks.folder,
            limit=options.limit,
            num_samples=options.humaneval_samples,
            sandbox=SandboxLimits(allow_unsandboxed=options.allow_unsandboxed_exec),
        )
    except SandboxUnavailableError as error:
        tasks.skipped["humaneval"] = str(error)


def merge_outputs(outputs: list[dict]) -> dict:
    """One lm-eval output from the raw-prompt and chat-prompt runs of a model (their tasks differ)."""
    merged = dict(outputs[-1])
    for key in ("results", "configs", "versions", "n-shot", "higher_is_better", "n-samples", "samples"):
        merged[key] = {}
        for output in outputs:
            merged[key].update(output.get(key) or {})
    return merged


def _write_lm_eval_output(out_dir: Path, name: str, output: dict) -> None:
    """lm-eval's own results file (results, configs, versions, n-samples), as its CLI writes it."""
    from lm_eval.loggers import EvaluationTracker

    tracker = EvaluationTracker(output_path=str(out_dir / "lm_eval"))
    tracker.general_config_tracker.model_name_sanitized = name
    summary = {key: value for key, value in output.items() if key != "samples"}
    tracker.save_results_aggregated(results=summary, samples=output["samples"])


def _arguments(sample: dict) -> tuple[str, dict]:
    """The prompt (and generation settings) of a logged sample, whatever shape lm-eval gave them."""
    arguments = sample.get("arguments")
    first = arguments[0] if isinstance(arguments, list) and arguments else arguments
    if isinstance(first, dict):
        first = next(iter(first.values()))
        first = list(first.values()) if isinstance(first, dict) else first
    if isinstance(first, (list, tuple)):
        return str(first[0]), (first[1] if len(first) > 1 and isinstance(first[1], dict) else {})
    return str(first), {}


def sample_record(sample: dict) -> dict:
    """One line of samples/<model>/<task>.jsonl: prompt, generation, reference, scores, first error line."""
    doc = sample["doc"]
    prompt, _ = _arguments(sample)
    response = sample["filtered_resps"][0] if sample.get("filtered_resps") else None
    record = {"doc_id": sample["doc_id"], "id": doc.get("id"), "prompt": prompt}
    if isinstance(response, str):
        record["generation"] = response
        record["reference"] = sample.get("target")
    scores = {}
    for key in sample.get("metrics", []):
        value = sample.get(key)
        if "_lang_" in key or "_repo_" in key:
            continue
        scores[key] = value[0] / max(value[1], 1) if key == "bits_per_byte" else value
        if key in ("bleu", "chrf"):
            scores.pop(key)  # a corpus metric: the pair is the reference and the code, already recorded
    if "bits_per_byte" in scores:
        scores["loglikelihood"] = sample["bits_per_byte"][0]
        scores["bytes"] = sample["bits_per_byte"][1]
        scores.pop("bits_per_byte")
    record["scores"] = scores
    if "syntax_valid" in scores and scores["syntax_valid"] == 0.0:
        verdict = check_syntax(extract_code(response or ""), doc.get("language", ""))
        record["syntax_error"] = verdict.reason
        record["syntax_error_line"] = verdict.error_line
    return record


def _write_samples(folder: Path, samples: dict[str, list[dict]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for task, task_samples in samples.items():
        lines = [
            json.dumps(sample_record(sample), ensure_ascii=False, default=str) for sample in task_samples
        ]
        (folder / f"{task}.jsonl").write_text("".join(line + "\n" for line in lines))
