"""Length-prefixed pickle frames: how IsolatedSegmenter and its worker process talk over pipes.

Both ends are this package's own code, so unpickling the other end's frames is safe.
"""

from __future__ import annotations

import pickle
import struct
from collections.abc import Iterable
from typing import BinaryIO

HEADER = struct.Struct(">Q")  # payload length in bytes


def pickled(message: object) -> bytes:
    """A frame's payload."""
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def write_frame(stream: BinaryIO, message: object) -> None:
    """Pickles `message` and writes it as one frame, flushed."""
    write_frames(stream, (pickled(message),))


def write_frames(stream: BinaryIO, payloads: Iterable[bytes]) -> None:
    """Writes pickled payloads as consecutive frames, flushed once at the end."""
    for payload in payloads:
        stream.write(HEADER.pack(len(payload)))
        stream.write(payload)
    stream.flush()


def read_frame(stream: BinaryIO) -> object | None:
    """Blocks for the next frame and unpickles it; None when the other end closed the pipe."""
    header = _read_exactly(stream, HEADER.size)
    if header is None:
        return None
    (length,) = HEADER.unpack(header)
    payload = _read_exactly(stream, length)
    return None if payload is None else pickle.loads(payload)


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    """`size` bytes, or None at end of input; an unbuffered stream may return a pipe's data in pieces."""
    chunks: list[bytes] = []
    while size > 0:
        chunk = stream.read(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)
