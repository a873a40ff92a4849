"""The process that builds the sandbox and runs one program in it (stdlib only, run by path with -I -S).

`sandbox.run_python` starts it with its config as one argument and reads its report from stdout, both in
`marshal` (the same interpreter writes and reads them; importing `json` would cost more than the rest). It
never imports codetune: it runs before anything else in a fresh interpreter, as the caller's user, so it
stays small enough to read whole.

One launcher runs a batch of programs, one after another, so a batch pays for one interpreter start.
Isolated mode, as root: a new network namespace; as another user: the same inside a new user namespace that
maps that user to itself. Then, for each program, a supervisor process gets new mount, PID, IPC and UTS
namespaces: every mount is made read-only and nosuid, and a small tmpfs owned by the program's user
becomes its working folder. A forked init (PID 1 of the new PID namespace) mounts a fresh /proc and forks
the program, which gets its limits, drops to an unprivileged uid (as root) and execs Python. When init
exits, the kernel kills every process left in the namespace, so nothing the program started outlives it.
"""

from __future__ import annotations

import contextlib
import ctypes
import marshal
import os
import resource
import select
import signal
import sys
import time

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 8, 4096, 16384, 1 << 18
MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID = 0x1, 0x2
AT_FDCWD, AT_RECURSIVE = -100, 0x8000
SYS_MOUNT_SETATTR = 442  # the same number on every architecture since Linux 5.12
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 1, 4, 38
SETUP_FAILED = 125  # exit code of the launcher when the sandbox could not be built

_libc = ctypes.CDLL(None, use_errno=True)


class MountAttr(ctypes.Structure):
    _fields_ = [
        ("attr_set", ctypes.c_uint64),
        ("attr_clr", ctypes.c_uint64),
        ("propagation", ctypes.c_uint64),
        ("userns_fd", ctypes.c_uint64),
    ]


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    encode = lambda s: s.encode() if s is not None else None  # noqa: E731
    result = _libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data))
    _check(result, f"mount {fstype or source} on {target}")


def _mount_setattr(path: str, flags: int, attr_set: int, attr_clr: int) -> None:
    attr = MountAttr(attr_set, attr_clr, 0, 0)
    result = _libc.syscall(
        SYS_MOUNT_SETATTR, AT_FDCWD, path.encode(), flags, ctypes.byref(attr), ctypes.sizeof(attr)
    )
    _check(result, f"mount_setattr {path}")


def _write(path: str, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)


def enter_shared_namespaces() -> None:
    """A new network namespace for all this launcher's programs (in a user namespace when not root).

    Programs run one after another here; each also gets mount, PID, IPC and UTS namespaces of its own
    (`enter_program_namespaces`), so nothing one leaves behind reaches the next.
    """
    flags = CLONE_NEWNET
    if os.geteuid() == 0:
        _check(_libc.unshare(flags), "unshare")
        return
    uid, gid = os.geteuid(), os.getegid()
    _check(_libc.unshare(flags | CLONE_NEWUSER), "unshare (user namespace)")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")


def enter_program_namespaces(config: dict, workdir: str) -> None:
    """A mount namespace with a read-only filesystem and a fresh working folder; a PID namespace to come."""
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS
    _check(_libc.unshare(flags), "unshare (mount, PID, IPC and UTS namespaces)")
    make_filesystem_read_only(config, workdir)


def make_filesystem_read_only(config: dict, workdir: str) -> None:
    """Every mount read-only and nosuid in this mount namespace; a fresh small tmpfs at the working folder.

    The interpreter's installation is bound at `python_view` too: it may live where the program's uid cannot
    reach (pyenv under /root), and the program needs nothing else from there.
    """
    owner, group, work_mb = config["uid"], config["gid"], config["work_mb"]
    _mount("none", "/", None, MS_REC | MS_PRIVATE)  # nothing done here reaches the host's mounts
    _mount(config["python_prefix"], config["python_view"], None, MS_BIND | MS_REC)
    for folder in config["hidden"]:  # the caller's home (tokens in ~/.cache/huggingface): an empty tmpfs
        _mount("none", folder, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555")
    _mount(
        "codetune-sandbox", workdir, "tmpfs", MS_NOSUID | MS_NODEV,
        f"size={work_mb}m,mode=0700,uid={owner},gid={group}",
    )  # fmt: skip
    _mount_setattr("/", AT_RECURSIVE, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0)
    _mount_setattr(workdir, 0, 0, MOUNT_ATTR_RDONLY)


def mount_private_proc() -> None:
    """A /proc that shows only this PID namespace: the caller's /proc/<pid>/environ stays out of reach."""
    try:
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    except OSError:  # a kernel that refuses a new proc here: hide the host's /proc behind an empty tmpfs
        _mount("none", "/proc", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555")


def set_limits(config: dict) -> None:
    cpu = max(1, int(config["cpu_seconds"] + 0.999))
    memory = config["memory_mb"] * 1024 * 1024
    output = config["output_mb"] * 1024 * 1024
    for limit, value in (
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),  # SIGXCPU at the soft limit, SIGKILL one second later
        (resource.RLIMIT_AS, (memory, memory)),
        (resource.RLIMIT_NPROC, (config["max_processes"], config["max_processes"])),
        (resource.RLIMIT_FSIZE, (output, output)),
        (resource.RLIMIT_CORE, (0, 0)),
    ):
        resource.setrlimit(limit, value)


def exec_program(config: dict) -> None:
    """The program's process: stdio, limits, an unprivileged uid, then Python on the program."""
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(config["stdout_fd"], 1)
    os.dup2(config["stderr_fd"], 2)
    for fd in {devnull, config["stdout_fd"], config["stderr_fd"]} - {0, 1, 2}:
        os.close(fd)
    set_limits(config)
    if os.geteuid() == 0 and config["isolate"]:  # unisolated, the interpreter may be out of its reach
        os.setgroups([])
        os.setgid(config["gid"])
        os.setuid(config["uid"])
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # after setuid, which clears it
    os.chdir(config["workdir"])
    python = config["python"]
    env = config["env"] | {"HOME": config["workdir"], "TMPDIR": config["workdir"]}
    os.execve(python, [python, "-I", "-S", config["program"]], env)


def run_init(config: dict, report_fd: int) -> None:
    """PID 1 of the sandbox: start the program, reap every child, report the program's end, exit."""
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # the program (same uid without root) cannot ptrace it
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # a killed launcher takes the sandbox with it
    if config["isolate"]:
        mount_private_proc()
    else:
        os.setsid()
    program = os.fork()
    if program == 0:
        try:
            exec_program(config)
        except BaseException as error:  # report why the program could not start, never return
            os.write(2, f"codetune-sandbox: cannot start the program: {error}\n".encode())
        os._exit(SETUP_FAILED)
    while True:
        pid, status, usage = os.wait4(-1, 0)
        if pid == program:
            break
    report = {"cpu_seconds": usage.ru_utime + usage.ru_stime}
    if os.WIFSIGNALED(status):
        report["signal"] = os.WTERMSIG(status)
    else:
        report["returncode"] = os.WEXITSTATUS(status)
    os.write(report_fd, marshal.dumps(report))
    if not config["isolate"]:
        _kill_group(os.getpid())
    os._exit(0)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def supervise(config: dict) -> dict:
    """Fork init, wait for its report until the wall-clock limit, kill everything that is left."""
    read_end, write_end = os.pipe()
    init = os.fork()
    if init == 0:
        os.close(read_end)
        try:
            run_init(config, write_end)
        except BaseException as error:
            os.write(2, f"codetune-sandbox: init failed: {error}\n".encode())
        os._exit(SETUP_FAILED)
    os.close(write_end)
    deadline = time.monotonic() + config["wall_seconds"]
    chunks: list[bytes] = []
    timed_out = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([read_end], [], [], remaining)
        if ready:
            chunk = os.read(read_end, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    os.kill(init, signal.SIGKILL)  # in a PID namespace this ends every process the program started
    if not config["isolate"]:
        _kill_group(init)
    os.waitpid(init, 0)
    if timed_out:
        return {"timeout": True}
    if not chunks:
        return {"lost": "the sandbox's init ended without a report"}
    return marshal.loads(b"".join(chunks))


def in_child(work) -> dict:
    """Run `work` in a forked child (dying with this process) whose namespaces end with it; its report."""
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read_end)
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        try:
            report = work()
        except OSError as error:
            report = {"setup_error": str(error)}
        os.write(write_end, marshal.dumps(report))
        os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(child, 0)
    return marshal.loads(b"".join(chunks)) if chunks else {"lost": "the supervisor ended without a report"}


def run_one(config: dict, item: dict) -> dict:
    """One program, supervised by a child with mount and PID namespaces of its own; its report."""

    def supervised() -> dict:
        # Opened before the new mount namespace, these files stay writable for the program, and nothing in
        # that namespace holds a mount busy when it is made read-only.
        outputs = {f"{name}_fd": os.open(item[name], os.O_WRONLY) for name in ("stdout", "stderr")}
        if config["isolate"]:
            enter_program_namespaces(config, item["workdir"])
        return supervise(config | item | outputs)

    return in_child(supervised)


def probe(config: dict) -> dict:
    """Build a program's namespaces once and run nothing: can this machine make the sandbox?"""

    def build() -> dict:
        enter_program_namespaces(config, config["probe_workdir"])
        return {"probe": "ok"}

    return in_child(build)


def main() -> None:
    config = marshal.loads(bytes.fromhex(sys.argv[1]))
    try:
        if config["isolate"]:
            enter_shared_namespaces()
    except OSError as error:
        _report({"setup_error": str(error)})
        sys.exit(SETUP_FAILED)
    if config.get("probe"):
        _report(probe(config))
        return
    _report({"reports": [run_one(config, item) for item in config["programs"]]})


def _report(report: dict) -> None:
    sys.stdout.buffer.write(marshal.dumps(report))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
