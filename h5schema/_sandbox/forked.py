"""Spreading one job over forked copies of this process, for data checks of big datasets.

h5py holds the GIL while it reads, so threads cannot read and check in parallel; forked
processes can. Only the sandboxed child process uses this, handing the walk :func:`forked`: it
is single-threaded and owns its HDF5 state, and the HDF5 file driver reads with ``pread``, so
copies can share its descriptor.
Each copy inherits the child's memory limit, gets the time left on its alarm, and is in the
child's process group, which the parent kills whole on a timeout.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
from collections.abc import Callable
from typing import Any, TypeVar

from h5schema._validate.spread import PartsFailed, Spread

__all__ = ["forked", "run_parts"]

T = TypeVar("T")


def run_parts(n: int, work: Callable[[int], T], /) -> list[T]:
    """``[work(0), ..., work(n - 1)]``: part 0 here, the others each in a forked copy.

    An exception raised by a part is raised here; a copy that cannot start or dies raises
    :class:`~h5schema._validate.spread.PartsFailed`."""
    left = signal.alarm(0)
    if left:
        signal.alarm(left)
    started: list[tuple[int, int]] = []  # (pid, read end)
    try:
        for k in range(1, n):
            try:
                r, w = os.pipe()
                pid = os.fork()
            except OSError as exc:
                raise PartsFailed(f"cannot start a copy: {exc}") from None
            if pid == 0:  # the copy: answer and leave, never return into the caller's code
                os.close(r)
                _serve(w, k, work, left)
            os.close(w)
            started.append((pid, r))
        results = [work(0)]
        for pid, r in started:
            results.append(_collect(pid, r))
        started.clear()
        return results
    finally:
        for pid, r in started:  # an error here: the copies are not needed any more
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                os.close(r)
                os.waitpid(pid, 0)


def _serve(w: int, k: int, work: Callable[[int], object], alarm: int) -> None:
    try:
        if alarm:
            signal.alarm(alarm)
        try:
            answer: tuple[str, object] = ("ok", work(k))
        except BaseException as exc:  # sent back and raised in the parent
            answer = ("error", exc if isinstance(exc, Exception) else RuntimeError(repr(exc)))
        data = pickle.dumps(answer)
        view = memoryview(data)
        while view:
            view = view[os.write(w, view) :]
    finally:
        os._exit(0)


def _collect(pid: int, r: int) -> Any:
    parts = []
    try:
        while chunk := os.read(r, 1 << 16):
            parts.append(chunk)
    finally:
        os.close(r)
        _, status = os.waitpid(pid, 0)
    if not parts:
        raise PartsFailed(f"a data-check process ended without an answer (status {status})")
    kind, value = pickle.loads(b"".join(parts))  # our own copy's answer
    if kind == "error":
        raise value
    return value


def forked(workers: int) -> Spread:
    """A spread over ``workers`` forked copies of this process (the sandboxed child only)."""
    return Spread(workers=workers, run=run_parts)
