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
import contextlib
import os
import pickle
import select
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import IO

try:
    import fcntl
except ImportError:  # not on Windows
    fcntl = None  # type: ignore[assignment]

from codetune.parse.errors import SegmenterOptionError, WorkerStartError
from codetune.parse.frames import HEADER, pickled, write_frames
from codetune.parse.segment import ParseResult
from codetune.parse.worker import IDLE_EXIT_S, IDLE_EXIT_STATUS

DEFAULT_TARGET = "codetune.parse.segment:segment_source"
_GRACEFUL_EXIT_S = 5.0
_START_TIMEOUT_S = 60.0  # interpreter start plus grammar imports; seconds on a loaded machine
PIPE_BUFFER_BYTES = 1 << 20


@dataclass(frozen=True)
class ParseFailure:
    """Why a file was skipped: "parser_timeout", "parser_crash" or "parser_error" (an exception)."""

    reason: str
    detail: str = ""


class _WorkerGone(Exception):
    """The child closed its pipes: it died (with `status`, once stopped) after sending `replies`."""

    def __init__(self, replies: list | None = None, status: int | None = None):
        super().__init__(status)
        self.replies = replies or []
        self.status = status

    def outcome(self) -> list[tuple[str, object] | ParseFailure]:
        """The replies sent, then the crash of the file the worker died on."""
        return [*self.replies, ParseFailure("parser_crash", f"worker exited with status {self.status}")]


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
        self._inbox = bytearray()  # bytes read from the child beyond the reply asked for
        self._files_in_worker = 0

    def segment(self, language: str, source: bytes) -> ParseResult | ParseFailure:
        """The child's `target(language, source)`, or why it gave none. CodetuneErrors are re-raised here."""
        return self.segment_many([(language, source)])[0]

    def segment_many(self, files: Sequence[tuple]) -> list[ParseResult | ParseFailure]:
        """`segment` for each (language, source[, options for the target...]), in order, with one round trip
        per pipeful of files.

        The requests go out together and the child answers them one after another, so the two processes
        wake each other once per batch rather than twice per file (each wake-up across cores cost ~30 µs
        here). Nothing runs side by side: this process only waits until every reply is in. A file the child
        dies or hangs on costs only itself; the files after it go to a fresh child.
        """
        payloads = [pickled(tuple(job)) for job in files]
        replies: list[tuple[str, object] | ParseFailure] = []
        while len(replies) < len(payloads):
            replies += self._exchange(self._batch(payloads, len(replies)))
        return [self._result(reply) for reply in replies]

    def _batch(self, payloads: list[bytes], first: int) -> list[bytes]:
        """The payloads from `first` on that fit the child's request pipe together (at least one): writing
        them then never waits for the child, which could itself be waiting for its replies to be read."""
        capacity = self._request_capacity()
        end, size = first + 1, HEADER.size + len(payloads[first])
        while end < len(payloads) and size + HEADER.size + len(payloads[end]) <= capacity:
            size += HEADER.size + len(payloads[end])
            end += 1
        return payloads[first:end]

    def _exchange(self, batch: list[bytes]) -> list[tuple[str, object] | ParseFailure]:
        """Sends `batch` and reads the replies in order, up to the first file that got none: that one's
        failure ends the list, and the files after it are the caller's to send again. A worker that had just
        left because it was idle is replaced and the batch sent again, once; any other exit is a crash."""
        try:
            return self._send(batch)
        except _WorkerGone as gone:
            if gone.replies or gone.status != IDLE_EXIT_STATUS:
                return gone.outcome()
        try:
            return self._send(batch)
        except _WorkerGone as gone:
            return gone.outcome()

    def _send(self, batch: list[bytes]) -> list[tuple[str, object] | ParseFailure]:
        process = self._worker()
        assert process.stdin is not None
        replies: list[tuple[str, object] | ParseFailure] = []
        try:
            write_frames(process.stdin, batch)
            for _ in batch:
                reply = self._read_reply(process, time.monotonic() + self.timeout_s)
                if reply is None:
                    self._stop(kill=True)
                    replies.append(ParseFailure("parser_timeout", f"no reply within {self.timeout_s} s"))
                    return replies
                replies.append(reply)
        except (_WorkerGone, BrokenPipeError):
            raise _WorkerGone(replies, self._stop(kill=False)) from None
        self._files_in_worker += len(replies)
        if self._files_in_worker >= self.max_files_per_worker:
            self._stop(kill=False)
        return replies

    @staticmethod
    def _result(reply: tuple[str, object] | ParseFailure) -> ParseResult | ParseFailure:
        if isinstance(reply, ParseFailure):
            return reply
        status, value = reply
        if status == "ok":
            return value  # type: ignore[return-value]
        if status == "timeout":
            return ParseFailure("parser_timeout", str(value))
        if status == "raise":
            raise value  # type: ignore[misc]
        return ParseFailure("parser_error", str(value))

    def _request_capacity(self) -> int:
        """Bytes the request pipe holds without a reader: 0 where that is unknown (one file per trip)."""
        process = self._worker()
        return _pipe_capacity(process.stdin)

    def close(self) -> None:
        """Lets the child finish and exit (it stops at end of input); kills it if it does not."""
        self._stop(kill=False)

    def abandon(self) -> None:
        """Forgets the child without stopping it: in a fork of the process that started it, which it is not
        a child of. Only this process's copies of its pipes are closed (frames go out flushed whole, so
        closing writes nothing); the `Popen` is kept, as its finaliser would try to reap the child here."""
        process, self._process = self._process, None
        self._inbox.clear()
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
        self._inbox.clear()
        # The child imports the target with the parent's sys.path, so any importable target works.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
        process = subprocess.Popen(
            [sys.executable, "-m", "codetune.parse.worker", self.target, str(self.idle_exit_s)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        for stream in (process.stdin, process.stdout):
            _widen_pipe(stream)
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

    def _read_exact(self, process: subprocess.Popen[bytes], size: int, deadline: float) -> bytes | None:
        """`size` bytes from the child, or None if they did not arrive before `deadline`. Reads whatever the
        pipe holds, up to 1 MiB, so a batch's replies cost a read or two, not two per reply; what is beyond
        `size` waits in `_inbox` for the next call (emptied whenever the child is stopped)."""
        assert process.stdout is not None
        fd = process.stdout.fileno()
        inbox = self._inbox
        while len(inbox) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                return None
            chunk = os.read(fd, max(size - len(inbox), 1 << 20))
            if not chunk:
                raise _WorkerGone
            inbox += chunk
        data = bytes(inbox[:size])
        del inbox[:size]
        return data

    def _stop(self, kill: bool) -> int | None:
        """Ends the child (politely unless `kill`) and returns its exit status."""
        process, self._process = self._process, None
        self._inbox.clear()
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


def _widen_pipe(stream: IO[bytes] | None) -> None:
    """Give a pipe to the worker 1 MiB of buffer where Linux allows it (the default is 64 KiB).

    A pipeful of requests goes out in one batch (`segment_many`), and a file's segments rarely exceed it, so
    the child writes its reply without waiting for the parent to drain the pipe in 64 KiB steps.
    """
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if stream is None or set_size is None:
        return
    with contextlib.suppress(OSError):  # above /proc/sys/fs/pipe-max-size for an unprivileged user
        fcntl.fcntl(stream.fileno(), set_size, PIPE_BUFFER_BYTES)


def _pipe_capacity(stream: IO[bytes] | None) -> int:
    get_size = getattr(fcntl, "F_GETPIPE_SZ", None) if fcntl is not None else None
    if stream is None or get_size is None:
        return 0
    try:
        return fcntl.fcntl(stream.fileno(), get_size)
    except OSError:
        return 0


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
