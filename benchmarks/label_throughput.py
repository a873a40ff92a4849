"""Labelling throughput: rows/s through `codetune label` against a bare async client, same server, same load.

    python -m benchmarks.label_throughput [--rows 2000] [--concurrency 16] [--server-delay 0.0] [--repeats 3]

Builds the bundled example, repeats its `ast` train rows up to `--rows` functions (ids made unique), and
starts the tests' scripted OpenAI-compatible server on 127.0.0.1 (`tests/label/scripted_server.py`, no
request log) answering each request after `--server-delay` seconds. Then, alternating, best of `--repeats`:
- `codetune label --task describe` (run_label: prompt rendering, datatrove's runner, the ledger, the gates,
  the Parquet config and card), its whole wall time, from a fresh ledger each time;
- a bare `httpx.AsyncClient` posting the same messages with the same generation parameters at the same
  concurrency (an asyncio semaphore), its wall time from first request to last answer.
Reports rows/s of each and the ratio (goal ≥ 0.8). With no server delay the server's own speed bounds both;
a delay shows how much of a slower (real) model's time the pipeline adds. Writes
benchmarks/results/label_throughput.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent


def build_example(root: Path, rows: int) -> Path:
    """The example build with its `ast` train split repeated to `rows` functions or more."""
    from codetune.build.pipeline import BuildOptions, build
    from dataset_scripts.example import ECOSYSTEM

    out = build(
        ECOSYSTEM,
        BuildOptions(
            out_dir=root / "out",
            work_dir=root / "work",
            cache_dir=root / "cache",
            progress=False,
            quiet_logs=True,
        ),
    ).out_dir
    shard = out / "ast" / "train-00000-of-00001.parquet"
    table = pq.read_table(shard)
    copies, repeat = [], 0
    while sum(len(copy) for copy in copies) < rows * 2:  # about half the rows are functions or methods
        ids = [f"{row_id}~{repeat}" for row_id in table.column("id").to_pylist()]
        copies.append(table.set_column(table.schema.get_field_index("id"), "id", pa.array(ids)))
        repeat += 1
    pq.write_table(pa.concat_tables(copies), shard)
    return out


def start_server(port: int, delay: float, folder: Path) -> subprocess.Popen:
    import httpx

    script = folder / "script.json"
    script.write_text(json.dumps([{"base_delay": delay}]))
    command = [sys.executable, "-m", "tests.label.scripted_server", str(port), "-", str(script)]
    process = subprocess.Popen(command, cwd=ROOT)
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError("scripted server did not start")


def codetune_run(out: Path, settings) -> tuple[float, int]:
    from codetune.label.run import run_label

    shutil.rmtree(out / ".codetune" / "label", ignore_errors=True)
    started = time.perf_counter()
    report = run_label(out, settings)
    return time.perf_counter() - started, report.outcomes["ok"]


async def _bare(url: str, payloads: list[dict], concurrency: int) -> int:
    import httpx

    semaphore = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:

        async def one(payload: dict) -> bool:
            async with semaphore:
                response = await client.post(f"{url}/chat/completions", json=payload)
                return response.status_code == 200 and bool(response.json()["choices"][0]["message"])

        return sum(await asyncio.gather(*(one(payload) for payload in payloads)))


def bare_run(url: str, payloads: list[dict], concurrency: int) -> tuple[float, int]:
    started = time.perf_counter()
    answered = asyncio.run(_bare(url, payloads, concurrency))
    return time.perf_counter() - started, answered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--server-delay", type=float, default=0.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from dataclasses import replace

    from codetune.label.dataset import DatasetFolder
    from codetune.label.gates import GateSettings
    from codetune.label.run import LabelSettings, task_prompts
    from codetune.label.tasks import TASKS
    from tests.label.conftest import free_port

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        out = build_example(root, args.rows)
        port = free_port()
        server = start_server(port, args.server_delay, root)
        url = f"http://127.0.0.1:{port}/v1"
        settings = LabelSettings(
            task="describe",
            model="scripted",
            endpoint=url,
            concurrency=args.concurrency,
            progress=False,
            limit=args.rows,
            gates=GateSettings(decontaminate=False),
        )
        prompts, _ = task_prompts(DatasetFolder(out), TASKS["describe"], settings)
        payloads = [{"model": "scripted", "messages": p.messages(), **settings.generation()} for p in prompts]
        try:
            codetune_times, bare_times = [], []
            for _ in range(args.repeats):
                seconds, answered = codetune_run(out, replace(settings))
                assert answered == len(prompts), (answered, len(prompts))
                codetune_times.append(seconds)
                seconds, answered = bare_run(url, payloads, args.concurrency)
                assert answered == len(prompts)
                bare_times.append(seconds)
        finally:
            server.kill()
            server.wait()
    rows = len(prompts)
    codetune_rate, bare_rate = rows / min(codetune_times), rows / min(bare_times)
    results = {
        "rows": rows,
        "concurrency": args.concurrency,
        "server_delay_s": args.server_delay,
        "codetune_label_rows_per_s": round(codetune_rate, 1),
        "bare_httpx_rows_per_s": round(bare_rate, 1),
        "ratio": round(codetune_rate / bare_rate, 3),
        "codetune_seconds": [round(t, 2) for t in codetune_times],
        "bare_seconds": [round(t, 2) for t in bare_times],
        "machine": f"{platform.machine()} {platform.python_version()}",
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "label_throughput.json").write_text(json.dumps(results, indent=2) + "\n")
    print(
        f"codetune label: {codetune_rate:.1f} rows/s   bare httpx client: {bare_rate:.1f} rows/s   "
        f"ratio {codetune_rate / bare_rate:.2f} (goal >= 0.8)   {rows} rows, concurrency {args.concurrency}, "
        f"server delay {args.server_delay} s"
    )
    print(f"written to {RESULTS / 'label_throughput.json'}")


if __name__ == "__main__":
    main()
