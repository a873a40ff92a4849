"""HumanEval through lm-eval's own evaluator, with a model that answers known-good and known-bad code: the
reported pass@k must equal the fraction worked out by hand, and a sample that never ends costs only itself."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from lm_eval import simple_evaluate
from lm_eval.api.model import LM
from lm_eval.api.registry import register_model
from lm_eval.tasks import TaskManager

from codetune.errors import SandboxUnavailableError
from codetune.eval import sandbox
from codetune.eval.humaneval import (
    STOP_SEQUENCES,
    TASK_NAME,
    load_problems,
    pass_at_k,
    truncate_at_stop,
    write_humaneval_task,
)
from codetune.eval.sandbox import SandboxLimits, network_isolation_available

needs_isolation = pytest.mark.skipif(
    not network_isolation_available(),
    reason="no network namespace on this machine (not root, unprivileged user namespaces off)",
)
WRONG = "    return None\n"
ENDLESS = "    while True:\n        pass\n"


@register_model("codetune-canned-completions")
class CannedCompletions(LM):
    """Answers each HumanEval problem from a script: the i-th request for a problem gets its i-th answer."""

    def __init__(self, script: dict[str, list[str]]) -> None:
        super().__init__()
        self.script = script
        self.asked: Counter[str] = Counter()
        self.stops: list[list[str]] = []

    def generate_until(self, requests, disable_tqdm: bool = False) -> list[str]:
        answers = []
        for request in requests:
            task_id = request.doc["task_id"]
            prompt, kwargs = request.args
            assert prompt == request.doc["prompt"]  # the bare HumanEval prompt, no chat wrapping
            self.stops.append(kwargs["until"])
            answers.append(self.script[task_id][self.asked[task_id]])
            self.asked[task_id] += 1
        return answers

    def loglikelihood(self, requests, disable_tqdm: bool = False):
        raise NotImplementedError("HumanEval only generates")

    def loglikelihood_rolling(self, requests, disable_tqdm: bool = False):
        raise NotImplementedError("HumanEval only generates")


def evaluate(tmp_path, script, **task_options) -> tuple[dict, list[dict], CannedCompletions]:
    task = write_humaneval_task(tmp_path / "tasks", **task_options)
    model = CannedCompletions(script)
    output = simple_evaluate(
        model=model,
        tasks=[task],
        task_manager=TaskManager(include_path=str(tmp_path / "tasks"), include_defaults=False),
        confirm_run_unsafe_code=True,
        log_samples=True,
        bootstrap_iters=0,
    )
    return output["results"][task], output["samples"][task], model


@needs_isolation
def test_pass_at_1_equals_the_share_of_problems_answered_with_their_canonical_solution(tmp_path):
    problems = load_problems(6)
    script = {p["task_id"]: [WRONG if i % 2 else p["canonical_solution"]] for i, p in enumerate(problems)}
    results, samples, model = evaluate(tmp_path, script, limit=6)
    assert results["pass@1,sandbox"] == pytest.approx(3 / 6)
    assert [s["filtered_resps"][0] for s in sorted(samples, key=lambda s: s["doc_id"])] == [
        ["passed"], ["failed"], ["passed"], ["failed"], ["passed"], ["failed"],
    ]  # fmt: skip
    assert all(stops == list(STOP_SEQUENCES) for stops in model.stops)


@needs_isolation
def test_pass_at_k_with_n_samples_uses_the_unbiased_estimator(tmp_path):
    problems = load_problems(4)
    right = [10, 5, 1, 0]  # canonical answers out of 10 samples, per problem
    script = {
        p["task_id"]: [p["canonical_solution"]] * c + [WRONG] * (10 - c)
        for p, c in zip(problems, right, strict=True)
    }
    results, samples, _ = evaluate(tmp_path, script, limit=4, num_samples=10)
    assert results["pass@1,sandbox"] == pytest.approx((1 + 0.5 + 0.1 + 0) / 4)
    assert results["pass@10,sandbox"] == pytest.approx((1 + 1 + 1 + 0) / 4)
    assert all(len(s["resps"][0]) == 10 for s in samples)


@needs_isolation
def test_a_solution_that_never_ends_scores_as_a_failure_and_the_run_goes_on(tmp_path):
    problems = load_problems(3)
    script = {p["task_id"]: [p["canonical_solution"]] for p in problems}
    script[problems[1]["task_id"]] = [ENDLESS]
    limits = SandboxLimits(cpu_seconds=1, wall_seconds=3)
    results, samples, _ = evaluate(tmp_path, script, limit=3, sandbox=limits)
    assert results["pass@1,sandbox"] == pytest.approx(2 / 3)
    statuses = [s["filtered_resps"][0] for s in sorted(samples, key=lambda s: s["doc_id"])]
    assert statuses == [["passed"], ["timeout"], ["passed"]]


def test_all_164_problems_are_read_from_the_wheel_and_their_canonical_solutions_pass():
    problems = load_problems()
    assert len(problems) == 164 and problems[0]["task_id"] == "HumanEval/0"
    if not network_isolation_available():
        pytest.skip("no network namespace on this machine")
    from codetune.eval.humaneval import check_program

    results = sandbox.run_python_many(
        [check_program(p, p["canonical_solution"]) for p in problems], SandboxLimits(), workers=2
    )
    assert [p["task_id"] for p, r in zip(problems, results, strict=True) if not r.passed] == []


@pytest.mark.parametrize(("n", "c", "k"), [(10, 0, 1), (10, 3, 1), (10, 3, 5), (10, 8, 5), (200, 17, 100)])
def test_pass_at_k_equals_the_binomial_formula(n, c, k):
    expected = 1 - math.comb(n - c, k) / math.comb(n, k)
    assert pass_at_k(n, c, k) == pytest.approx(expected)


def test_a_completion_is_cut_at_the_first_humaneval_stop_sequence():
    body = "    return x + 1\n"
    assert truncate_at_stop(body + "\n\ndef other():\n    pass\n") == body + "\n"
    assert truncate_at_stop(body + "\nprint(f(1))\n") == body
    assert truncate_at_stop(body) == body


def test_writing_the_task_is_refused_without_isolation_unless_unsandboxed_execution_is_allowed(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(sandbox, "_isolation_problem", lambda: "no network namespace (test)")
    with pytest.raises(SandboxUnavailableError, match="--allow-unsandboxed-exec"):
        write_humaneval_task(tmp_path)
    allowed = SandboxLimits(allow_unsandboxed=True)
    assert write_humaneval_task(tmp_path, sandbox=allowed) == TASK_NAME
    written = (tmp_path / "humaneval" / "codetune_humaneval.py").read_text()
    assert "allow_unsandboxed=True" in written
