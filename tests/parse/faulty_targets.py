"""Stand-ins for the parse worker's target that crash, hang or misbehave on marker inputs (fault injection for
the isolation tests); any other input is parsed normally (`parse_file`: segments, or markdown sections)."""

from __future__ import annotations

import os
import resource
import time

from codetune.parse.markdown import MarkdownSection
from codetune.parse.segment import ParseResult, segment_source
from codetune.parse.source_file import parse_file
from codetune.parse.worker import IDLE_EXIT_STATUS


def faulty_segment_source(language: str, source: bytes) -> ParseResult | tuple[MarkdownSection, ...]:
    if source.startswith(b"#abort"):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file in the working tree
        os.abort()
    if source.startswith(b"#exit"):
        os._exit(3)
    if source.startswith(b"#hang"):
        time.sleep(3600)
    if source.startswith(b"#bug"):
        raise KeyError("unexpected node")
    if source.startswith(b"#slow-parse"):
        return segment_source(language, source * 20_000, timeout_micros=1)
    if source.startswith(b"#idle-exit-once "):  # as if the worker had left, idle, as this file arrived
        marker = source.split(b"\n", 1)[0].split(b" ", 1)[1].decode()
        if not os.path.exists(marker):
            open(marker, "w").close()
            os._exit(IDLE_EXIT_STATUS)
    if source.startswith(b"#idle-exit-always"):
        os._exit(IDLE_EXIT_STATUS)
    if source.startswith(b"#print"):
        print("stray output on stdout")
    return parse_file(language, source)


def worker_pid(language: str, source: bytes) -> int:
    """Which child process answered."""
    return os.getpid()
