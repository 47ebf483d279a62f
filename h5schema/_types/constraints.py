"""Pure-Python checks of values against declared constraints (attributes and data checks).

Each check returns a list of problems as ``(expected, actual)`` description pairs; an empty list
means the value is fine. No h5py here: values arrive already read and normalized.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

__all__ = ["Constraints", "bound_problems", "constraint_problems", "describe_bounds"]

Problem = tuple[str, str]


class Constraints(Protocol):
    @property
    def gt(self) -> float | None: ...
    @property
    def ge(self) -> float | None: ...
    @property
    def lt(self) -> float | None: ...
    @property
    def le(self) -> float | None: ...
    @property
    def multiple_of(self) -> float | None: ...
    @property
    def min_length(self) -> int | None: ...
    @property
    def max_length(self) -> int | None: ...
    @property
    def pattern(self) -> str | None: ...
    @property
    def choices(self) -> tuple[Any, ...] | None: ...


def describe_bounds(gt: Any, ge: Any, lt: Any, le: Any) -> str:
    parts = []
    if gt is not None:
        parts.append(f"> {gt}")
    if ge is not None:
        parts.append(f">= {ge}")
    if lt is not None:
        parts.append(f"< {lt}")
    if le is not None:
        parts.append(f"<= {le}")
    return " and ".join(parts)


def bound_problems(value: Any, gt: Any, ge: Any, lt: Any, le: Any) -> list[Problem]:
    """Problems of a single number against numeric bounds (NaN breaks every bound)."""
    if gt is None and ge is None and lt is None and le is None:
        return []
    ok = not (isinstance(value, float) and math.isnan(value))
    ok = ok and _above(value, gt, ge) and _below(value, lt, le)
    return [] if ok else [(describe_bounds(gt, ge, lt, le), repr(value))]


def _above(value: Any, gt: Any, ge: Any) -> bool:
    """The value meets its lower bounds (> gt, >= ge)."""
    return (gt is None or value > gt) and (ge is None or value >= ge)


def _below(value: Any, lt: Any, le: Any) -> bool:
    """The value meets its upper bounds (< lt, <= le)."""
    return (lt is None or value < lt) and (le is None or value <= le)


def _scalar_problems(c: Constraints, value: Any) -> list[Problem]:
    """Problems of one scalar: its bounds and multiple (numbers), its pattern (strings), its
    choices."""
    problems = _number_problems(c, value) if _is_number(value) else []
    if c.pattern is not None and isinstance(value, str) and not re.search(c.pattern, value):
        problems.append((f"matching pattern {c.pattern!r}", repr(value)))
    if c.choices is not None and not _in_choices(value, c.choices):
        problems.append((f"one of {list(c.choices)!r}", repr(value)))
    return problems


def _number_problems(c: Constraints, value: Any) -> list[Problem]:
    """A number is within its bounds and a multiple of multiple_of."""
    problems = bound_problems(value, c.gt, c.ge, c.lt, c.le)
    if c.multiple_of is not None and not _is_multiple(value, c.multiple_of):
        problems.append((f"a multiple of {c.multiple_of}", repr(value)))
    return problems


def _is_multiple(value: Any, of: Any) -> bool:
    """``value`` is a whole multiple of ``of``, to within a relative 1e-9."""
    q = value / of
    return math.isfinite(q) and abs(q - round(q)) <= 1e-9 * max(1.0, abs(q))


def constraint_problems(c: Constraints, value: Any) -> list[Problem]:
    """Problems of a normalized attribute value (scalar, list, or ndarray).

    Length bounds apply to a string's characters (bytes' bytes) or to a sequence's items;
    every other constraint applies to a scalar, or to each item of a sequence.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()  # a 0-d array is one value
    is_seq = isinstance(value, list | tuple | np.ndarray)
    problems = _length_problems(c, value, is_seq)
    items: Sequence[Any] = (
        (value.ravel().tolist() if isinstance(value, np.ndarray) else value) if is_seq else [value]
    )
    return problems + _first_item_problems(c, items)


def _length_problems(c: Constraints, value: Any, is_seq: bool) -> list[Problem]:
    """A string's, bytes' or sequence's length is within min_length..max_length."""
    if c.min_length is None and c.max_length is None:
        return []
    if not (is_seq or isinstance(value, str | bytes)):
        return []
    n = len(value)
    if _above(n, None, c.min_length) and _below(n, None, c.max_length):
        return []
    lo, hi = c.min_length or 0, "" if c.max_length is None else c.max_length
    return [(f"length {lo}..{hi}", f"length {n}")]


def _first_item_problems(c: Constraints, items: Sequence[Any]) -> list[Problem]:
    """The problems of the first item that has any: the first bad item says enough; arrays can be
    long."""
    for item in items:
        found = _scalar_problems(c, item)
        if found:
            return found
    return []


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _in_choices(value: Any, choices: tuple[Any, ...]) -> bool:
    # bool == int in Python; keep True from matching a choice of 1.
    return any(value == c and type(value) is type(c) for c in choices) or any(
        _is_number(value) and _is_number(c) and value == c for c in choices
    )
