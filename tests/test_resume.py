"""A build killed part-way resumes from datatrove's completion markers and ends identical."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from codetune.ecosystem import Ecosystem, Source

REPOS = Path(__file__).resolve().parent.parent / "examples" / "example_ecosystem" / "repos"


def digests(out_dir: Path) -> dict[str, str]:
    return {
        str(path.relative_to(out_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out_dir.glob("*/*.parquet"))
    }


def codetune_build(definition: Path, out_dir: Path, work_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "codetune.cli",
        "build",
        str(definition),
        "--out",
        str(out_dir),
        "--work-dir",
        str(work_dir),
        "--no-progress",
    ]


def test_killed_build_resumes_and_matches_an_uninterrupted_build(tmp_path: Path):
    definition = tmp_path / "resume.yaml"
    definition.write_text(
        yaml.safe_dump(
            {
                "name": "resume",
                "task_bytes": 1,  # one task per file: many small tasks to kill in the middle of
                "sources": [
                    str(REPOS / "godot-platformer"),
                    str(REPOS / "near-guestbook"),
                    str(REPOS / "flyte-pipelines"),
                    {"location": str(REPOS / "dcl-scene"), "split": "test"},
                ],
            }
        )
    )
    env = {**os.environ, "CODETUNE_CACHE": str(tmp_path / "cache")}
    reference = subprocess.run(
        codetune_build(definition, tmp_path / "ref", tmp_path / "ref-work"),
        env=env,
        capture_output=True,
        text=True,
    )
    assert reference.returncode == 0, reference.stderr

    work = tmp_path / "work"
    process = subprocess.Popen(
        codetune_build(definition, tmp_path / "out", work),
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done = list(work.glob("*/logs/extract/completions/*"))
        if len(done) >= 3:
            os.killpg(process.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    (build_dir,) = work.iterdir()
    total_tasks = len(json.loads((build_dir / "plan.json").read_text()))
    finished_before_resume = {
        path.name for path in (build_dir / "logs" / "extract" / "completions").iterdir()
    }
    assert 3 <= len(finished_before_resume) < total_tasks, (
        "the kill must land in the middle of the extract stage"
    )
    stats_before = {
        name: (build_dir / "logs" / "extract" / "stats" / f"{name}.json").read_bytes()
        for name in finished_before_resume
    }

    resumed = subprocess.run(
        codetune_build(definition, tmp_path / "out", work), env=env, capture_output=True, text=True
    )
    assert resumed.returncode == 0, resumed.stderr
    assert digests(tmp_path / "out") == digests(tmp_path / "ref")
    # finished tasks were not run again: their stats files are untouched and datatrove said it skipped them
    for name, content in stats_before.items():
        assert (build_dir / "logs" / "extract" / "stats" / f"{name}.json").read_bytes() == content
    assert (
        f"Skipping {len(finished_before_resume)} already completed tasks"
        in (build_dir / "logs" / "console.log").read_text()
    )
    reference_summary = json.loads((tmp_path / "ref" / ".codetune" / "summary.json").read_text())
    resumed_summary = json.loads((tmp_path / "out" / ".codetune" / "summary.json").read_text())
    for key in ("files_seen", "files_kept", "dropped", "segments_per_language", "rows"):
        assert resumed_summary[key] == reference_summary[key]


def test_work_of_an_earlier_format_is_not_resumed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Code that cuts tasks differently under the same version must not resume an older build's tasks."""
    import codetune.build.plan as plan_module
    from codetune.build.plan import make_plan

    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("def a():\n    return 1\n")
    ecosystem = Ecosystem(name="formats", sources=(Source(str(repo), allow_license=True),))
    current = make_plan(ecosystem, tmp_path / "cache").fingerprint
    assert make_plan(ecosystem, tmp_path / "cache").fingerprint == current
    monkeypatch.setattr(plan_module, "WORK_FORMAT", plan_module.WORK_FORMAT + 1)
    assert make_plan(ecosystem, tmp_path / "cache").fingerprint != current


def test_a_plain_folder_edited_in_place_is_a_new_build(tmp_path: Path):
    """A file rewritten with the same size: only its mtime tells; the old content's work is not reused."""
    from codetune.build.plan import make_plan

    repo = tmp_path / "repo"
    repo.mkdir()
    source = repo / "a.py"
    source.write_text("def a():\n    return 1\n")
    os.utime(source, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    ecosystem = Ecosystem(name="edits", sources=(Source(str(repo), allow_license=True),))
    before = make_plan(ecosystem, tmp_path / "cache").fingerprint
    source.write_text("def a():\n    return 2\n")
    os.utime(source, ns=(1_700_000_000_000_000_001, 1_700_000_000_000_000_001))
    assert make_plan(ecosystem, tmp_path / "cache").fingerprint != before
