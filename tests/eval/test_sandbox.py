"""The sandbox for generated code, against real faults: each is contained, scores as a failure, and the next
program still passes. Each hostile program exits 0 only if its attack worked: "contained" means "failed"."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import pytest

from codetune.errors import SandboxUnavailableError
from codetune.eval import sandbox
from codetune.eval.sandbox import (
    SandboxLimits,
    network_isolation_available,
    run_python,
    run_python_many,
)

pytestmark = pytest.mark.skipif(
    not network_isolation_available(),
    reason="no network namespace on this machine (not root, unprivileged user namespaces off)",
)
QUICK = SandboxLimits(cpu_seconds=2, wall_seconds=4, memory_mb=256)
NORMAL = "import json, sys\nprint(json.dumps({'sum': sum(range(10))}))\nsys.exit(0)\n"


def assert_next_program_passes() -> None:
    result = run_python(NORMAL, QUICK)
    assert result.passed and result.stdout.strip() == '{"sum": 45}', result


def sandboxed_processes_left() -> list[str]:
    """Host processes still running a sandboxed program (their command line names the sandbox folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
        if "codetune-sandbox-" in cmdline and "/program_" in cmdline:
            found.append(f"{entry.name}: {cmdline}")
    return found


def test_a_normal_program_passes_with_its_stdout_and_a_failing_one_fails_with_its_traceback():
    assert_next_program_passes()
    result = run_python("assert 1 + 1 == 3, 'arithmetic'\n", QUICK)
    assert result.status == "failed" and not result.passed
    assert result.returncode == 1 and "AssertionError: arithmetic" in result.stderr


def test_a_socket_to_a_server_on_loopback_cannot_connect():
    accepted: list[bytes] = []
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(5)
        port = server.getsockname()[1]

        def accept() -> None:
            try:
                connection, _ = server.accept()
                accepted.append(connection.recv(100))
                connection.close()
            except OSError:
                pass

        listener = threading.Thread(target=accept)
        listener.start()
        program = (
            f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'leak')\n"
        )
        result = run_python(program, QUICK)
        socket.create_connection(("127.0.0.1", port)).close()  # the server itself is reachable from here
        listener.join()
    assert result.status == "failed", result
    assert "Network is unreachable" in result.stderr or "Connection refused" in result.stderr, result.stderr
    assert accepted == [b""]  # only the test's own connection arrived, with nothing sent
    assert_next_program_passes()


def test_a_fork_bomb_stops_at_the_process_limit_and_leaves_no_process_behind():
    program = "import os\nwhile True:\n    os.fork()\n"
    started = time.monotonic()
    result = run_python(program, QUICK)
    assert not result.passed and result.status in {"failed", "timeout"}, result
    assert time.monotonic() - started < QUICK.wall_seconds + 5
    assert "BlockingIOError" in result.stderr or result.status == "timeout", result.stderr[-500:]
    assert sandboxed_processes_left() == []
    assert_next_program_passes()


def test_forked_children_that_keep_running_are_counted_capped_and_killed_at_the_wall_clock():
    program = textwrap.dedent(
        """
        import os, time
        children = 0
        for _ in range(1000):
            try:
                pid = os.fork()
            except OSError:
                break
            if pid == 0:
                os.setsid()  # try to leave the process group too
                time.sleep(3600)
                os._exit(0)
            children += 1
        print(children, flush=True)
        time.sleep(3600)
        """
    )
    limits = SandboxLimits(cpu_seconds=2, wall_seconds=2, memory_mb=256, max_processes=8)
    result = run_python(program, limits)
    assert result.status == "timeout" and result.returncode is None, result
    assert 0 < int(result.stdout) < limits.max_processes
    assert sandboxed_processes_left() == []
    assert_next_program_passes()


def test_allocating_past_the_memory_limit_scores_as_memory():
    result = run_python("block = bytearray(1024 * 1024 * 1024)\nprint(len(block))\n", QUICK)
    assert result.status == "memory" and not result.passed, result
    assert "MemoryError" in result.stderr
    assert_next_program_passes()


@pytest.mark.parametrize(
    ("program", "limits"),
    [
        ("while True:\n    pass\n", SandboxLimits(cpu_seconds=1, wall_seconds=10)),  # stopped by CPU time
        ("import time\ntime.sleep(60)\n", SandboxLimits(cpu_seconds=5, wall_seconds=1)),  # by the wall clock
    ],
    ids=["endless-loop-cpu-limit", "sleep-wall-clock-limit"],
)
def test_a_program_that_never_ends_is_stopped_by_its_time_limit_and_scores_as_timeout(program, limits):
    started = time.monotonic()
    result = run_python(program, limits)
    assert result.status == "timeout" and not result.passed, result
    assert time.monotonic() - started < 5
    assert_next_program_passes()


def test_writes_outside_the_working_folder_fail_even_to_a_world_writable_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    outside.chmod(0o777)
    program = textwrap.dedent(
        f"""
        import os, tempfile
        with open("mine.txt", "w") as handle:  # its own folder is writable
            handle.write("ok")
        print(os.getcwd(), flush=True)
        written = 0
        for path in [{str(outside / "escaped.txt")!r}, "/tmp/codetune-escaped.txt", "/dev/shm/escaped.txt"]:
            try:
                with open(path, "w") as handle:
                    handle.write("escaped")
                written += 1
            except OSError as error:
                print(path, error, flush=True)
        raise SystemExit(0 if written else 1)
        """
    )
    result = run_python(program, QUICK)
    assert result.status == "failed", result
    assert result.stdout.count("[Errno") == 3, result.stdout  # read-only mounts (and, as root, another uid)
    assert result.stdout.count("Read-only file system") >= 2, result.stdout  # /tmp and /dev/shm at least
    assert list(outside.iterdir()) == []
    assert not Path("/tmp/codetune-escaped.txt").exists() and not Path("/dev/shm/escaped.txt").exists()
    workdir = Path(result.stdout.splitlines()[0])
    assert workdir.name == "work_0" and not workdir.parent.exists()  # removed afterwards
    assert_next_program_passes()


def test_a_planted_token_in_the_environment_or_the_home_folder_is_out_of_the_programs_reach(
    monkeypatch, tmp_path
):
    token = "hf_plantedSandboxToken0123456789abcdef"
    monkeypatch.setenv("HF_TOKEN", token)
    token_file = tmp_path / "home" / ".cache" / "huggingface" / "token"
    token_file.parent.mkdir(parents=True)
    token_file.write_text(token)
    token_file.parent.chmod(0o755)
    token_file.chmod(0o644)  # readable by anyone: the mount, not the mode, keeps it away
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-planted-" + token)
    program = textwrap.dedent(
        f"""
        import os, pathlib
        seen = [str(dict(os.environ))]
        try:
            seen.append(open({str(token_file)!r}).read())
        except OSError as error:
            print(type(error).__name__, flush=True)
        for environ in pathlib.Path("/proc").glob("*/environ"):  # the caller's, if it were visible
            try:
                seen.append(environ.read_bytes().decode(errors="replace"))
            except OSError:
                pass
        leaked = "{token[:12]}" in "".join(seen)
        print(sorted(os.environ))
        raise SystemExit(0 if leaked else 1)
        """
    )
    result = run_python(program, QUICK)
    assert result.status == "failed", result
    assert token not in result.stdout + result.stderr
    assert result.stdout.splitlines()[0] in {"FileNotFoundError", "PermissionError"}
    assert eval(result.stdout.splitlines()[1]) == [
        "HOME",
        "LANG",
        "LC_ALL",
        "LD_LIBRARY_PATH",
        "PATH",
        "TMPDIR",
    ]
    assert_next_program_passes()


def test_many_programs_keep_their_order_and_a_bad_one_does_not_stop_the_rest():
    programs = [NORMAL, "while True:\n    pass\n", "raise ValueError('no')\n", "print('last')\n"]
    results = run_python_many(programs, SandboxLimits(cpu_seconds=1, wall_seconds=3), workers=2)
    assert [r.status for r in results] == ["passed", "timeout", "failed", "passed"]
    assert results[3].stdout == "last\n"


def test_without_isolation_running_is_refused_unless_unsandboxed_execution_is_allowed(monkeypatch):
    monkeypatch.setattr(sandbox, "_isolation_problem", lambda: "no network namespace (test)")
    monkeypatch.setenv("HF_TOKEN", "hf_plantedForTheUnsandboxedRun")
    with pytest.raises(SandboxUnavailableError, match="--allow-unsandboxed-exec"):
        run_python(NORMAL)
    with pytest.raises(SandboxUnavailableError):
        run_python_many([NORMAL])
    allowed = SandboxLimits(cpu_seconds=1, wall_seconds=3, allow_unsandboxed=True)
    results = run_python_many(
        [NORMAL, "while True:\n    pass\n", "import os\nprint(os.environ.get('HF_TOKEN'))"], allowed
    )
    assert [r.status for r in results] == ["passed", "timeout", "passed"]
    assert results[2].stdout == "None\n"  # limits and a clean environment still apply


UNPRIVILEGED_RUN = """
import json, os
from codetune.eval.sandbox import SandboxLimits, network_isolation_available, run_python
limits = SandboxLimits(cpu_seconds=2, wall_seconds=4, memory_mb=256)
programs = {
    "normal": "print(sum(range(10)))",
    "socket": "import socket; socket.create_connection(('127.0.0.1', 22), timeout=2)",
    "fork_bomb": "import os\\nwhile True: os.fork()\\n",
    "write_tmp": "open('/tmp/codetune-unprivileged-escape.txt', 'w')",
    "read_init_environ": "print(open('/proc/1/environ', 'rb').read())",
    "token": "import os; raise SystemExit(0 if 'HF_TOKEN' in os.environ else 1)",
}
print(json.dumps({"uid": os.getuid(), "isolated": network_isolation_available(),
                  **{name: run_python(p, limits).status for name, p in programs.items()}}))
"""


def unprivileged_python() -> str | None:
    """A Python an unprivileged uid can run (the venv's may live under /root), when this runs as root."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return None
    for python in ("/usr/bin/python3", "/usr/local/bin/python3"):
        probe = subprocess.run(
            ["setpriv", "--reuid=4321", "--regid=4321", "--clear-groups", "--inh-caps=-all", python, "-c",
             "import sys; assert sys.version_info >= (3, 10)"],
            capture_output=True,
        )  # fmt: skip
        if probe.returncode == 0:
            return python
    return None


@pytest.mark.skipif(unprivileged_python() is None, reason="needs root, setpriv and a Python any uid can run")
def test_without_root_the_same_faults_are_contained_inside_a_user_namespace():
    repo = Path(__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory() as folder:  # pytest's tmp_path is out of another uid's reach
        home = Path(folder)
        os.chown(home, 4321, 4321)
        done = run_as_another_user(repo, home)
    if "unprivileged user namespace" in done.stdout + done.stderr or '"isolated": false' in done.stdout:
        pytest.skip("unprivileged user namespaces are off on this machine")
    assert done.returncode == 0, done.stderr[-2000:]
    statuses = json.loads(done.stdout.strip().splitlines()[-1])
    assert statuses == {
        "uid": 4321, "isolated": True, "normal": "passed", "socket": "failed", "fork_bomb": "failed",
        "write_tmp": "failed", "read_init_environ": "failed", "token": "failed",
    }  # fmt: skip
    assert not Path("/tmp/codetune-unprivileged-escape.txt").exists()


def run_as_another_user(repo: Path, home: Path) -> subprocess.CompletedProcess:
    # A copy of the package inside the other user's folder: the checkout itself may sit where that user
    # cannot read (a `mktemp -d` folder is private to its owner).
    source = home / "src"
    shutil.copytree(repo / "codetune", source / "codetune", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["chmod", "-R", "a+rX", str(source)], check=True)  # whatever the umask was
    return subprocess.run(
        ["setpriv", "--reuid=4321", "--regid=4321", "--clear-groups", "--inh-caps=-all",
         unprivileged_python(), "-c", UNPRIVILEGED_RUN],
        capture_output=True, text=True, timeout=120, cwd=home,
        env={"PATH": "/usr/bin:/bin", "HOME": str(home), "PYTHONPATH": str(source),
             "HF_TOKEN": "hf_planted1"},
    )  # fmt: skip


def test_killing_the_launcher_mid_run_leaves_no_sandboxed_process_behind():
    results = []
    runner = threading.Thread(target=lambda: results.append(run_python("import time\ntime.sleep(60)\n")))
    runner.start()
    launcher = None
    for _ in range(200):  # find it: a child of this process running sandbox_launcher.py
        launcher = next(iter(launchers_of(os.getpid())), None)
        if launcher and sandboxed_processes_left():
            break
        time.sleep(0.05)
    assert launcher is not None and sandboxed_processes_left(), "the program never started"
    os.kill(launcher, signal.SIGKILL)
    runner.join(timeout=30)
    assert results and results[0].status == "error" and not results[0].passed, results
    for _ in range(40):  # the kernel tears the namespace down right after the launcher's death
        if not sandboxed_processes_left():
            break
        time.sleep(0.05)
    assert sandboxed_processes_left() == []
    assert_next_program_passes()


def launchers_of(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes()
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if b"sandbox_launcher.py" in cmdline and ppid == parent:
            found.append(int(entry.name))
    return found
