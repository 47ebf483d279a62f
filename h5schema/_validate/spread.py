"""How a walk may spread its work: an injected map over parts, serial unless a caller says.

The validator holds no process logic. A caller that can run parts apart (the sandboxed child,
with forked copies of itself: :mod:`h5schema._sandbox.forked`) hands the walk a :class:`Spread`
with more than one worker; everyone else gets :data:`SERIAL`, and every part runs here in turn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

__all__ = ["SERIAL", "PartsFailed", "RunParts", "Spread", "serial"]

T = TypeVar("T")


class PartsFailed(Exception):
    """The parts could not be run apart (a copy did not start, or died without an answer); the
    caller runs the whole job here instead."""


class RunParts(Protocol):
    """``run(n, work)`` is ``[work(0), ..., work(n - 1)]``, in order, however the parts run.

    An exception raised by a part is raised by ``run``; a failure to run the parts at all
    raises :class:`PartsFailed`."""

    def __call__(self, n: int, work: Callable[[int], T], /) -> list[T]: ...


def serial(n: int, work: Callable[[int], T], /) -> list[T]:
    """Every part here, one after the other."""
    return [work(k) for k in range(n)]


@dataclass(frozen=True)
class Spread:
    """``workers`` parts at most for one job (a big dataset's data checks, many subgroups),
    run by ``run``."""

    workers: int = 1
    run: RunParts = serial

    def parts_for(self, count: int) -> int:
        """How many parts a job of ``count`` items is split into (at most one per item)."""
        return max(1, min(self.workers, count))


SERIAL = Spread()
