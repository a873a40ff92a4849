"""`codetune label` against a real server on 127.0.0.1 with real faults: kill, stop, restart, 400, 429, 5xx"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq

from codetune.label.dataset import DatasetFolder
from codetune.label.gates import GateSettings
from codetune.label.ledger import read_ledger
from codetune.label.run import LabelSettings, run_label, task_prompts
from codetune.label.server import RequestPolicy
from codetune.label.tasks import TASKS
from tests.label.conftest import load_config

FAST = RequestPolicy(timeout_s=5.0, max_attempts=2, backoff_s=0.05)
NO_GATES = GateSettings(min_chars=1, near_duplicate_jaccard=1.01, decontaminate=False)


def settings(server, task: str = "describe", **changes) -> LabelSettings:
    url = server.url if server is not None else "http://127.0.0.1:9/v1"
    base = LabelSettings(
        task=task, model="scripted", endpoint=url, policy=FAST, gates=NO_GATES, concurrency=4, progress=False
    )
    return replace(base, **changes)


def prompt_shas(dataset: Path, label_settings: LabelSettings) -> dict[str, str]:
    prompts, _ = task_prompts(DatasetFolder(dataset), TASKS[label_settings.task], label_settings)
    return {prompt.id: hashlib.sha256(prompt.user.encode()).hexdigest() for prompt in prompts}


def ledger(dataset: Path, task: str = "describe") -> dict[str, dict]:
    return {
        key[0]: entry for key, entry in read_ledger(dataset / ".codetune/label" / task / "ledger").items()
    }


def test_rows_load_in_trls_instruct_format_sorted_by_id_with_the_card_naming_model_and_template(
    dataset: Path, scripted_server
):
    server = scripted_server()
    report = run_label(dataset, settings(server))
    rows = load_config(dataset, "describe")
    assert report.rows == len(rows) == report.prompts > 20
    assert rows["id"] == sorted(rows["id"])
    first = rows[0]
    assert first["messages"] == [*first["prompt"], *first["completion"]]
    assert first["completion"][0]["content"] == first["output"] and first["source"] == "describe"
    card = (dataset / "README.md").read_text()
    assert "config_name: describe" in card and "labelling model: `scripted`" in card
    assert "describe.j2" in card and "| ok |" in card and "| kept |" in card
    assert load_config(dataset, "instruct").num_rows > 0  # the build's configs still load


def test_server_killed_mid_run_then_restarted_the_rerun_sends_no_answered_request_again(
    dataset: Path, scripted_server
):
    first = scripted_server([{"base_delay": 0.05}])
    label_settings = settings(first)
    shas = prompt_shas(dataset, label_settings)
    run = threading.Thread(target=run_label, args=(dataset, label_settings))
    run.start()
    while sum(first.received().values()) < 12:
        time.sleep(0.01)
    first.kill()
    run.join(timeout=60)
    assert not run.is_alive()  # the dead server failed rows; it did not abort or hang the run
    after_kill = ledger(dataset)
    answered = {row_id for row_id, entry in after_kill.items() if entry["status"] == "ok"}
    failed = {row_id for row_id, entry in after_kill.items() if entry["status"] == "failed"}
    assert answered and failed and answered | failed == set(shas)
    assert all(
        entry["reason"].startswith("connection error")
        for entry in after_kill.values()
        if entry["status"] == "failed"
    )

    second = scripted_server([{"base_delay": 0.0}])
    report = run_label(dataset, replace(label_settings, endpoint=second.url))
    assert report.sent == len(failed) and report.rows == len(shas)
    received_twice = {sha for sha, count in (first.received() + second.received()).items() if count > 1}
    assert not {shas[row_id] for row_id in answered} & set(second.received())
    assert len(received_twice) <= label_settings.concurrency  # only those in flight when the server died
    assert all(count == 1 for count in second.received().values())


def test_a_grown_input_sends_only_its_new_rows_whatever_their_position(dataset: Path, scripted_server):
    server = scripted_server()
    ast = dataset / "ast" / "train-00000-of-00001.parquet"
    full = pq.read_table(ast)
    pq.write_table(full.take(list(range(0, full.num_rows, 2))), ast)  # every other row: new ones interleave
    first = run_label(dataset, settings(server))
    pq.write_table(full, ast)
    second = run_label(dataset, settings(server))
    assert second.already_answered == first.prompts and second.sent == second.prompts - first.prompts > 0
    assert set(server.received().values()) == {1} and sum(server.received().values()) == second.prompts
    assert second.rows == second.prompts


def test_a_stopped_server_trips_the_timeout_and_the_request_is_retried(dataset: Path, scripted_server):
    server = scripted_server([{"base_delay": 0.2}])
    policy = RequestPolicy(timeout_s=0.5, max_attempts=8, backoff_s=0.1)
    outcome = {}
    run = threading.Thread(
        target=lambda: outcome.update(
            report=run_label(dataset, settings(server, policy=policy, limit=8, concurrency=2))
        )
    )
    run.start()
    while not server.received():
        time.sleep(0.01)
    server.signal(signal.SIGSTOP)  # requests in flight and those sent next hang
    time.sleep(1.5)
    server.signal(signal.SIGCONT)
    run.join(timeout=60)
    report = outcome["report"]
    assert report.outcomes["ok"] == 8 and report.rows == 8
    assert report.stats["label_retries/timeout"] >= 2


def test_an_over_long_prompt_is_a_counted_400_skip_that_is_not_sent_again(dataset: Path, scripted_server):
    server = scripted_server([{"max_prompt_chars": 900}])
    label_settings = settings(server)
    shas = prompt_shas(dataset, label_settings)
    report = run_label(dataset, label_settings)
    skipped = report.outcomes["bad_request"]
    assert 0 < skipped < report.prompts and report.rows == report.prompts - skipped
    assert report.stats["label_bad_request/HTTP 400"] == skipped
    rerun = run_label(dataset, label_settings)
    assert rerun.sent == 0 and sum(server.received().values()) == len(shas)
    assert "bad_request" in (dataset / "README.md").read_text()


def test_5xx_backs_off_then_the_row_fails_with_its_reason_and_the_run_goes_on(dataset: Path, scripted_server):
    label_settings = settings(None, limit=6)
    ids = sorted(prompt_shas(dataset, label_settings))
    target = ids[2]
    prompts, _ = task_prompts(DatasetFolder(dataset), TASKS["describe"], label_settings)
    marker = next(p.user for p in prompts if p.id == target).splitlines()[2]  # its "Below is a …" line
    server = scripted_server([{"contains": marker, "status": 503}])
    report = run_label(dataset, replace(label_settings, endpoint=server.url))
    assert report.outcomes["failed"] == 1 and report.rows == 5
    assert ledger(dataset)[target]["reason"] == "server error (HTTP 503) (2 attempts)"
    assert (
        server.received()[
            hashlib.sha256(next(p.user for p in prompts if p.id == target).encode()).hexdigest()
        ]
        == 2
    )


def test_429_waits_what_retry_after_says(dataset: Path, scripted_server):
    server = scripted_server([{"status": 429, "retry_after": 1, "times": 1}])
    started = time.monotonic()
    report = run_label(
        dataset,
        settings(
            server, limit=1, concurrency=1, policy=RequestPolicy(timeout_s=5, max_attempts=2, backoff_s=0.01)
        ),
    )
    assert time.monotonic() - started >= 1.0  # the 0.01 s backoff would not have waited this long
    assert report.rows == 1 and report.stats["label_retries/rate limited"] == 1


def test_rows_are_the_same_in_the_same_order_whatever_the_concurrency(
    tmp_path: Path, dataset: Path, scripted_server
):
    server = scripted_server([{"base_delay": 0.01}])
    run_label(dataset, settings(server, concurrency=1))
    serial = (dataset / "describe" / "train-00000-of-00001.parquet").read_bytes()
    import shutil

    shutil.rmtree(dataset / ".codetune")
    run_label(dataset, settings(server, concurrency=16))
    assert (dataset / "describe" / "train-00000-of-00001.parquet").read_bytes() == serial


def test_a_planted_api_key_is_in_no_file_the_run_wrote(dataset: Path, scripted_server, monkeypatch):
    key = "sk-planted-0123456789abcdef0123456789abcdef"
    monkeypatch.setenv("PLANTED_LLM_KEY", key)
    server = scripted_server([{"contains": "python", "status": 401, "echo_auth": True}])
    policy = replace(FAST, api_key_env="PLANTED_LLM_KEY")
    report = run_label(dataset, settings(server, policy=policy))
    assert report.outcomes["failed"] > 0  # the server echoed the key back in its 401s
    for path in dataset.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path
    assert "<redacted>" in next(e["reason"] for e in ledger(dataset).values() if e["status"] == "failed")


def test_a_killed_label_run_resumes_sending_only_what_was_in_flight_again(dataset: Path, scripted_server):
    import subprocess
    import sys

    server = scripted_server([{"base_delay": 0.05}])
    command = [sys.executable, "-m", "codetune.cli", "label", str(dataset), "--task", "describe", "--model",
               "scripted", "--endpoint", server.url, "--concurrency", "4", "--no-progress"]  # fmt: skip
    # Its own process group, killed whole: the run's forked helper processes die with it, as with Ctrl-C or a
    # scheduler's kill, and none is left behind after the test.
    run = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    while sum(server.received().values()) < 12:
        time.sleep(0.01)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    answered_before = {row_id for row_id, entry in ledger(dataset).items() if entry["status"] == "ok"}
    assert 0 < len(answered_before) < len(prompt_shas(dataset, settings(server)))
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    received = server.received()
    assert all(count <= 2 for count in received.values())
    assert len([sha for sha, count in received.items() if count == 2]) <= 4  # in flight at the kill
    shas = prompt_shas(dataset, settings(server))
    assert all(received[shas[row_id]] == 1 for row_id in answered_before)
    assert load_config(dataset, "describe").num_rows == len(shas)
