"""Parse files in a long-lived child process, so a file that hangs or crashes tree-sitter costs only itself.

The caller runs inside a datatrove worker, a daemonic multiprocessing process that may not have
multiprocessing children, hence a plain subprocess speaking length-prefixed pickle frames. The child is
reused across files (no per-file start-up), restarted after a crash or hang, and recycled after
`max_files_per_worker` files because tree-sitter has a history of leaks. Not thread-safe.

`shared_segmenter` keeps one such child per process and target for every task the process runs: a fresh
interpreter with the grammars loaded costs ~70 ms, paid per task otherwise.
"""

from __future__ import annotations

import atexit
import os
import pickle
import select
import subprocess
import sys
import time
from dataclasses import dataclass
from types import TracebackType

from codetune.parse.errors import SegmenterOptionError, WorkerStartError
from codetune.parse.frames import HEADER, write_frame
from codetune.parse.segment import ParseResult
from codetune.parse.worker import IDLE_EXIT_S, IDLE_EXIT_STATUS

DEFAULT_TARGET = "codetune.parse.segment:segment_source"
_GRACEFUL_EXIT_S = 5.0
_START_TIMEOUT_S = 60.0  # interpreter start plus grammar imports; seconds on a loaded machine


@dataclass(frozen=True)
class ParseFailure:
    """Why a file was skipped: "parser_timeout", "parser_crash" or "parser_error" (an exception)."""

    reason: str
    detail: str = ""


class _WorkerGone(Exception):
    """The child closed its stdout: it died."""


class IsolatedSegmenter:
    """Runs segment_source in a long-lived child process; restarts it after a crash or hang."""

    def __init__(
        self,
        timeout_s: float = 30.0,
        max_files_per_worker: int = 5000,
        target: str = DEFAULT_TARGET,
        idle_exit_s: float = IDLE_EXIT_S,
    ):
        if timeout_s <= 0:
            raise SegmenterOptionError(f"timeout_s must be positive, got {timeout_s}")
        if max_files_per_worker < 1:
            raise SegmenterOptionError(f"max_files_per_worker must be at least 1, got {max_files_per_worker}")
        if idle_exit_s <= 0:
            raise SegmenterOptionError(f"idle_exit_s must be positive, got {idle_exit_s}")
        if ":" not in target:
            raise SegmenterOptionError(f"target must look like 'package.module:function', got {target!r}")
        self.timeout_s = timeout_s
        self.max_files_per_worker = max_files_per_worker
        self.target = target
        self.idle_exit_s = idle_exit_s  # the child exits after this long without a file; the next restarts it
        self._process: subprocess.Popen[bytes] | None = None
        self._files_in_worker = 0

    def segment(self, language: str, source: bytes) -> ParseResult | ParseFailure:
        """The child's `target(language, source)`, or why it gave none. CodetuneErrors are re-raised here."""
        reply = self._request(language, source)
        if isinstance(reply, ParseFailure):
            return reply
        if reply is None:
            self._stop(kill=True)
            return ParseFailure("parser_timeout", f"no reply within {self.timeout_s} s")
        self._files_in_worker += 1
        if self._files_in_worker >= self.max_files_per_worker:
            self._stop(kill=False)
        status, value = reply
        if status == "ok":
            return value  # type: ignore[return-value]
        if status == "timeout":
            return ParseFailure("parser_timeout", str(value))
        if status == "raise":
            raise value  # type: ignore[misc]
        return ParseFailure("parser_error", str(value))

    def _request(self, language: str, source: bytes) -> tuple[str, object] | ParseFailure | None:
        """Sends one file and waits for the reply (None: none in time). A worker that had just left because
        it was idle is replaced and the file sent again, once; any other exit is the file's crash."""
        try:
            return self._send(language, source)
        except (_WorkerGone, BrokenPipeError):
            status = self._stop(kill=False)
        if status == IDLE_EXIT_STATUS:
            try:
                return self._send(language, source)
            except (_WorkerGone, BrokenPipeError):
                status = self._stop(kill=False)
        return ParseFailure("parser_crash", f"worker exited with status {status}")

    def _send(self, language: str, source: bytes) -> tuple[str, object] | None:
        process = self._worker()
        assert process.stdin is not None
        write_frame(process.stdin, (language, source))
        return self._read_reply(process, time.monotonic() + self.timeout_s)

    def close(self) -> None:
        """Lets the child finish and exit (it stops at end of input); kills it if it does not."""
        self._stop(kill=False)

    def abandon(self) -> None:
        """Forgets the child without stopping it: in a fork of the process that started it, which it is not
        a child of. Only this process's copies of its pipes are closed (frames go out flushed whole, so
        closing writes nothing); the `Popen` is kept, as its finaliser would try to reap the child here."""
        process, self._process = self._process, None
        if process is not None:
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()
            _NOT_OURS.append(process)

    def __enter__(self) -> IsolatedSegmenter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def _worker(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is not None:
            self._stop(kill=True)  # died between files, e.g. killed from outside
        if self._process is None:
            self._process = self._start()
            self._files_in_worker = 0
        return self._process

    def _start(self) -> subprocess.Popen[bytes]:
        """Starts a child and waits for its "ready"; a child that cannot start is a setup error, raised."""
        # The child imports the target with the parent's sys.path, so any importable target works.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
        process = subprocess.Popen(
            [sys.executable, "-m", "codetune.parse.worker", self.target, str(self.idle_exit_s)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        try:
            ready = self._read_reply(process, time.monotonic() + _START_TIMEOUT_S)
        except _WorkerGone:
            ready = None
        if ready != ("ready", None):
            process.kill()
            status = process.wait()
            raise WorkerStartError(
                f"parse worker for target {self.target!r} did not start (exit status {status}); "
                "its error is on stderr above"
            )
        return process

    def _read_reply(self, process: subprocess.Popen[bytes], deadline: float) -> tuple[str, object] | None:
        """The next reply frame, or None if it did not fully arrive before `deadline`."""
        header = self._read_exact(process, HEADER.size, deadline)
        if header is None:
            return None
        (length,) = HEADER.unpack(header)
        payload = self._read_exact(process, length, deadline)
        if payload is None:
            return None
        try:
            return pickle.loads(payload)  # our own child: trusted
        except Exception as error:  # e.g. an exception class whose __init__ cannot be replayed
            return ("error", f"cannot read the worker's reply: {type(error).__name__}: {error}")

    @staticmethod
    def _read_exact(process: subprocess.Popen[bytes], size: int, deadline: float) -> bytes | None:
        assert process.stdout is not None
        fd = process.stdout.fileno()
        chunks: list[bytes] = []
        while size > 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                return None
            chunk = os.read(fd, min(size, 1 << 20))
            if not chunk:
                raise _WorkerGone
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def _stop(self, kill: bool) -> int | None:
        """Ends the child (politely unless `kill`) and returns its exit status."""
        process, self._process = self._process, None
        if process is None:
            return None
        if kill:
            process.kill()
        for stream in (process.stdin, process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except BrokenPipeError:
                pass
        try:
            return process.wait(timeout=_GRACEFUL_EXIT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()


_SHARED: dict[tuple[str, float], IsolatedSegmenter] = {}
_NOT_OURS: list[subprocess.Popen[bytes]] = []  # a parent's parse workers, inherited by a fork (`abandon`)


def shared_segmenter(timeout_s: float = 30.0, target: str = DEFAULT_TARGET) -> IsolatedSegmenter:
    """This process's parse worker for `target`, started on first use and reused by later tasks.

    A datatrove worker runs many tasks in one process; they share the child. The child exits when this
    process does (its stdin closes), or at `close_shared_segmenters`.
    """
    key = (target, timeout_s)
    if key not in _SHARED:
        _SHARED[key] = IsolatedSegmenter(timeout_s=timeout_s, target=target)
    return _SHARED[key]


def close_shared_segmenters() -> None:
    """Stops the shared parse workers of this process (the build calls it when its stages are done)."""
    while _SHARED:
        _SHARED.popitem()[1].close()


def _forget_inherited_segmenters() -> None:
    """In a forked child (a local build worker): the parse workers in `_SHARED` are the parent's.

    Requests from the child would interleave with the parent's on the same pipe, and the child's copies of
    the pipes would keep the parent's worker from seeing its input close. Close the copies, without
    stopping or waiting for the parent's child; this process starts its own on first use.
    """
    while _SHARED:
        _SHARED.popitem()[1].abandon()


atexit.register(close_shared_segmenters)
os.register_at_fork(after_in_child=_forget_inherited_segmenters)
