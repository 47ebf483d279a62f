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
    ok = ok and (gt is None or value > gt) and (ge is None or value >= ge)
    ok = ok and (lt is None or value < lt) and (le is None or value <= le)
    return [] if ok else [(describe_bounds(gt, ge, lt, le), repr(value))]


def _scalar_problems(c: Constraints, value: Any) -> list[Problem]:
    problems = bound_problems(value, c.gt, c.ge, c.lt, c.le) if _is_number(value) else []
    if c.multiple_of is not None and _is_number(value):
        q = value / c.multiple_of
        if not math.isfinite(q) or abs(q - round(q)) > 1e-9 * max(1.0, abs(q)):
            problems.append((f"a multiple of {c.multiple_of}", repr(value)))
    if c.pattern is not None and isinstance(value, str) and not re.search(c.pattern, value):
        problems.append((f"matching pattern {c.pattern!r}", repr(value)))
    if c.choices is not None and not _in_choices(value, c.choices):
        problems.append((f"one of {list(c.choices)!r}", repr(value)))
    return problems


def constraint_problems(c: Constraints, value: Any) -> list[Problem]:
    """Problems of a normalized attribute value (scalar, list, or ndarray).

    Length bounds apply to a string's characters (bytes' bytes) or to a sequence's items;
    every other constraint applies to a scalar, or to each item of a sequence.
    """
    problems: list[Problem] = []
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()  # a 0-d array is one value
    is_seq = isinstance(value, list | tuple | np.ndarray)
    if c.min_length is not None or c.max_length is not None:
        n = len(value) if is_seq or isinstance(value, str | bytes) else None
        if n is not None and (
            (c.min_length is not None and n < c.min_length) or (c.max_length is not None and n > c.max_length)
        ):
            lo, hi = c.min_length or 0, "" if c.max_length is None else c.max_length
            problems.append((f"length {lo}..{hi}", f"length {n}"))
    items: Sequence[Any] = (
        (value.ravel().tolist() if isinstance(value, np.ndarray) else value) if is_seq else [value]
    )
    for item in items:
        found = _scalar_problems(c, item)
        if found:
            problems.extend(found)
            break  # the first bad item says enough; arrays can be long
    return problems


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _in_choices(value: Any, choices: tuple[Any, ...]) -> bool:
    # bool == int in Python; keep True from matching a choice of 1.
    return any(value == c and type(value) is type(c) for c in choices) or any(
        _is_number(value) and _is_number(c) and value == c for c in choices
    )
