"""Messages between the parent and a child: a 4-byte length, then a JSON document."""

from __future__ import annotations

import json
import os
import select
import struct
import time

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (see _rendezvous)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["ChildGone", "TimedOut", "receive", "send"]

_HEADER = struct.Struct(">I")


class ChildGone(Exception):
    """The other end closed the pipe (the child died, or the parent went away)."""


class TimedOut(Exception):
    """No complete message arrived before the deadline."""


def send(fd: int, message: Any) -> None:
    # ASCII escapes keep names from corrupt files (lone surrogates) encodable; loads undoes them
    data = json.dumps(message, ensure_ascii=True, allow_nan=False).encode("ascii")
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        try:
            n = os.write(fd, view)
        except (BrokenPipeError, OSError) as exc:
            raise ChildGone(str(exc)) from None
        view = view[n:]


def _read_exactly(fd: int, n: int, deadline: float | None) -> bytes:
    parts: list[bytes] = []
    while n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimedOut
        try:
            chunk = os.read(fd, min(n, 1 << 20))
        except OSError as exc:
            raise ChildGone(str(exc)) from None
        if not chunk:
            raise ChildGone("end of stream")
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)


def receive(fd: int, deadline: float | None = None) -> Any:
    """The next message; ``deadline`` is a ``time.monotonic()`` value, or None to wait forever."""
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size, deadline))
    return json.loads(_read_exactly(fd, size, deadline))
