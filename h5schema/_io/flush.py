"""Flush policies: when a file writer makes the rows appended so far durable on its own.

A *flush* writes every buffered row into its dataset and then flushes HDF5's caches to the file
(``FileWriter.flush()``), so the rows survive the process being killed. Besides explicit
``flush()`` calls, ``close()`` and leaving the ``with`` block, a :class:`FlushPolicy` lets the
writer flush by itself:

>>> import h5schema as h5s
>>> h5s.FlushPolicy(every_rows=1000, every_seconds=5.0)
FlushPolicy(every_rows=1000, every_seconds=5.0)
>>> h5s.FlushPolicy(every_rows=0)
Traceback (most recent call last):
...
ValueError: FlushPolicy.every_rows must be a positive int or None (got 0)

The schedule is checked on each append (a counter and, for ``every_seconds``, one clock
reading), never by a background thread: an idle writer flushes at its next append or close.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from time import monotonic
from typing import Any

__all__ = ["FlushPolicy", "FlushSchedule"]


@dataclass(frozen=True, slots=True, kw_only=True)
class FlushPolicy:
    """When a :class:`~h5schema.FileWriter` flushes on its own, besides ``flush()`` and ``close()``.

    ``every_rows``: flush after the append that brings the rows appended since the last flush to
    ``every_rows`` or more. Rows are counted for the whole file writer, once per append call
    along the growing axis: ``append_row`` counts 1, a batch of k rows counts k, and an aligned
    group append of k rows (to ``features`` and ``gender`` together) counts k.

    ``every_seconds``: flush at the first append made ``every_seconds`` or more after the last
    flush (or after the writer was opened). There is no timer: an idle writer flushes at its
    next append, or when it is closed.

    With both, whichever comes first flushes (and restarts both counts). With neither (the
    default), rows become durable only through ``flush()``, ``close()`` and leaving the
    ``with`` block.
    """

    every_rows: int | None = None
    every_seconds: float | None = None

    def __post_init__(self) -> None:
        rows = self.every_rows
        if rows is not None and (type(rows) is bool or not isinstance(rows, int) or rows <= 0):
            raise _invalid("every_rows", "a positive int", rows)
        seconds = self.every_seconds
        if seconds is not None:
            number = isinstance(seconds, int | float) and type(seconds) is not bool
            if not number or not math.isfinite(seconds) or seconds <= 0:
                raise _invalid("every_seconds", "a positive, finite number of seconds", seconds)


def _invalid(field: str, expected: str, got: Any) -> ValueError | TypeError:
    if isinstance(got, int | float) and type(got) is not bool:
        return ValueError(f"FlushPolicy.{field} must be {expected} or None (got {got!r})")
    return TypeError(f"FlushPolicy.{field} must be {expected} or None (got {got!r} that is a {type(got)})")


class FlushSchedule:
    """A writer's running count against its policy; ``due(rows)`` is called on every append."""

    __slots__ = ("_deadline", "_every_rows", "_every_seconds", "_rows")

    def __init__(self, policy: FlushPolicy) -> None:
        self._every_rows = policy.every_rows if policy.every_rows is not None else math.inf
        self._every_seconds = policy.every_seconds
        self._rows = 0
        self._deadline = math.inf
        self.restart()

    def restart(self) -> None:
        """Start counting again: called after every flush."""
        self._rows = 0
        if self._every_seconds is not None:
            self._deadline = monotonic() + self._every_seconds

    def due(self, rows: int) -> bool:
        """Count ``rows`` just appended; True when the writer should flush now."""
        self._rows += rows
        return self._rows >= self._every_rows or (
            self._every_seconds is not None and monotonic() >= self._deadline
        )
