"""Child process of IsolatedSegmenter: `python -m codetune.parse.worker module:function`.

Reads (language, source[, options...]) frames from stdin, answers each with one reply frame on stdout, and
exits when stdin closes, or after a minute without a request. A crash or hang here costs one file, not the
build. Once the target is imported it sends ("ready", None); then one reply per request:
("ok", result) | ("timeout", message) | ("raise", CodetuneError) | ("error", message).
"""

from __future__ import annotations

import importlib
import os
import select
import signal
import sys
from collections.abc import Callable
from typing import BinaryIO

from codetune.errors import CodetuneError
from codetune.parse.errors import ParseTimeout
from codetune.parse.frames import read_frame, write_frame


def load_target(spec: str) -> Callable[[str, bytes], object]:
    """Imports "package.module:function"."""
    module_name, _, function_name = spec.partition(":")
    return getattr(importlib.import_module(module_name), function_name)


def _protocol_streams() -> tuple[BinaryIO, BinaryIO]:
    """Private copies of stdin/stdout for frames; fd 1 then points at stderr so stray prints can't corrupt
    the protocol, and fd 0 at /dev/null."""
    requests = os.fdopen(os.dup(0), "rb", buffering=0)  # unbuffered: `select` sees every request not yet read
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(2, 1)
    return requests, replies


def _reply(target: Callable[..., object], *arguments: object) -> tuple[str, object]:
    try:
        return ("ok", target(*arguments))
    except ParseTimeout as error:
        return ("timeout", str(error))
    except CodetuneError as error:
        return ("raise", error)
    except Exception as error:  # a bug on one odd file must not end the build; the parent counts it
        return ("error", f"{type(error).__name__}: {error}")


# A worker left without work this long exits with IDLE_EXIT_STATUS, so a long-lived process that once
# parsed (a Ray worker kept for reuse) does not keep a parse worker; the parent starts a new one when needed.
IDLE_EXIT_S = 60.0
IDLE_EXIT_STATUS = 75  # EX_TEMPFAIL: not a crash; the parent resends the file to a fresh worker


def serve(
    target: Callable[[str, bytes], object],
    requests: BinaryIO,
    replies: BinaryIO,
    idle_exit_s: float = IDLE_EXIT_S,
) -> int:
    """Announces itself, then answers requests until the parent closes the pipe (0) or goes quiet for
    `idle_exit_s` seconds (IDLE_EXIT_STATUS); returns the exit status."""
    write_frame(replies, ("ready", None))
    while True:
        # Requests are read unbuffered, so one the parent sent with others is still in the pipe for select.
        if not select.select([requests], [], [], idle_exit_s)[0]:
            return IDLE_EXIT_STATUS
        if (request := read_frame(requests)) is None:
            return 0
        reply = _reply(target, *request)  # (language, source), and any options the target takes
        try:
            write_frame(replies, reply)
        except Exception as error:  # unpicklable result or exception
            write_frame(replies, ("error", f"cannot send {reply[0]} reply: {type(error).__name__}: {error}"))


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3) or ":" not in argv[1]:
        print("usage: python -m codetune.parse.worker package.module:function [IDLE_EXIT_S]", file=sys.stderr)
        return 2
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; we exit on EOF
    requests, replies = _protocol_streams()
    idle_exit_s = float(argv[2]) if len(argv) == 3 else IDLE_EXIT_S
    return serve(load_target(argv[1]), requests, replies, idle_exit_s)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
