"""Argument checks and the small drawing helpers that the strategy modules share."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from h5schema._types.dtypes import DTypeSpec, to_numpy

__all__: list[str] = []


def _check_int(value: object, name: str, *, min_value: int = 0) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < min_value:
        raise InvalidArgument(f"{name}={value!r} must be an int >= {min_value}")


def _check_bool(value: object, name: str, *, optional: bool = False) -> None:
    if not (isinstance(value, bool) or (optional and value is None)):
        raise InvalidArgument(f"{name}={value!r} must be {'True, False or None' if optional else 'a bool'}")


def _check_strategy(value: object, name: str) -> None:
    if value is not None and not isinstance(value, SearchStrategy):
        raise InvalidArgument(f"{name}={value!r} must be a hypothesis strategy or None")


def _unique(names: list[str]) -> list[str]:
    """Make drawn names distinct by suffixing repeats (never fails, unlike unique lists)."""
    out: list[str] = []
    for n in names:
        candidate, i = n, 1
        while candidate in out:
            candidate, i = f"{n}_{i}", i + 1
        out.append(candidate)
    return out


def _maybe(flag: bool | None) -> SearchStrategy[bool]:
    """True/False for a fixed flag; either for None."""
    return st.just(flag) if flag is not None else st.booleans()


def _numpy(spec: DTypeSpec) -> np.dtype[Any]:
    return to_numpy(spec)
