"""Length-prefixed pickle frames: how IsolatedSegmenter and its worker process talk over pipes.

Both ends are this package's own code, so unpickling the other end's frames is safe.
"""

from __future__ import annotations

import pickle
import struct
from typing import BinaryIO

HEADER = struct.Struct(">Q")  # payload length in bytes


def write_frame(stream: BinaryIO, message: object) -> None:
    """Pickles `message` and writes it as one frame, flushed."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def read_frame(stream: BinaryIO) -> object | None:
    """Blocks for the next frame and unpickles it; None when the other end closed the pipe."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (length,) = HEADER.unpack(header)
    payload = stream.read(length)
    if len(payload) < length:
        return None
    return pickle.loads(payload)
