"""Python numbers that a numpy dtype stores exactly, within bounds and a ``multiple_of``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from h5schema.strategies._dtypes import _COMPLEX_WIDTH, _FLOAT_WIDTH, _INT_NAMES

__all__: list[str] = []


def _ceil(x: float) -> int:
    return math.ceil(x)


def _int_range(name: str, gt: Any, ge: Any, lt: Any, le: Any) -> tuple[int, int]:
    info = np.iinfo(np.dtype(name))
    lo, hi = int(info.min), int(info.max)
    if ge is not None:
        lo = max(lo, _ceil(ge))
    if gt is not None:
        lo = max(lo, math.floor(gt) + 1)
    if le is not None:
        hi = min(hi, math.floor(le))
    if lt is not None:
        hi = min(hi, _ceil(lt) - 1)
    return lo, hi


def _representable(x: float, name: str, *, up: bool) -> float:
    """The nearest float of dtype ``name`` on the allowed side of the bound ``x``."""
    dt = np.dtype(np.float64 if name == "longdouble" else name)
    y = dt.type(x)
    if up and float(y) < x:
        y = np.nextafter(y, dt.type(np.inf))
    if not up and float(y) > x:
        y = np.nextafter(y, dt.type(-np.inf))
    return float(y)


def _numbers(
    name: str,
    *,
    gt: Any = None,
    ge: Any = None,
    lt: Any = None,
    le: Any = None,
    multiple_of: Any = None,
    allow_nan: bool = True,
) -> SearchStrategy[Any]:
    """Python numbers that numpy dtype ``name`` stores exactly, inside the given bounds."""
    if name == "bool":
        return st.booleans()
    if name in _INT_NAMES or name == "int":
        lo, hi = _int_range("int64" if name == "int" else name, gt, ge, lt, le)
        if lo > hi:
            return st.nothing()
        if multiple_of is not None and float(multiple_of) == int(multiple_of) and multiple_of:
            m = abs(int(multiple_of))
            k_lo, k_hi = -(-lo // m), hi // m  # integer division: int64 limits are not exact floats
            return st.nothing() if k_lo > k_hi else st.integers(k_lo, k_hi).map(lambda k: k * m)
        ints = st.integers(lo, hi)
        return ints if multiple_of is None else ints.filter(lambda v: _is_multiple(v, multiple_of))
    if name in _COMPLEX_WIDTH:
        return st.complex_numbers(width=_COMPLEX_WIDTH[name], allow_nan=allow_nan)
    fname = "float64" if name == "float" else name
    width = _FLOAT_WIDTH[fname]
    lo_b = [(b, strict) for b, strict in ((ge, False), (gt, True)) if b is not None]
    hi_b = [(b, strict) for b, strict in ((le, False), (lt, True)) if b is not None]
    lo_v: Any
    hi_v: Any
    lo_v, lo_x = max(lo_b, key=lambda t: (t[0], t[1])) if lo_b else (None, False)  # the tightest bounds
    hi_v, hi_x = min(hi_b, key=lambda t: (t[0], not t[1])) if hi_b else (None, False)
    lo_f = None if lo_v is None else _representable(float(lo_v), fname, up=True)
    hi_f = None if hi_v is None else _representable(float(hi_v), fname, up=False)
    bounded = lo_f is not None or hi_f is not None
    if lo_f is not None and hi_f is not None and (lo_f > hi_f or (lo_f == hi_f and (lo_x or hi_x))):
        return st.nothing()
    if multiple_of is not None:
        step = abs(float(multiple_of))
        k_lo = -1000 if lo_f is None else max(_ceil(lo_f / step), -1000)
        k_hi = 1000 if hi_f is None else min(math.floor(hi_f / step), 1000)
        return (
            st.integers(k_lo, k_hi)
            .map(lambda k: float(np.dtype(fname if fname != "longdouble" else "float64").type(k * step)))
            .filter(lambda v: _in_bounds(v, gt, ge, lt, le) and _is_multiple(v, multiple_of))
        )
    return st.floats(
        min_value=lo_f,
        max_value=hi_f,
        exclude_min=lo_x and lo_f is not None and lo_f == float(lo_v or 0),
        exclude_max=hi_x and hi_f is not None and hi_f == float(hi_v or 0),
        allow_nan=allow_nan and not bounded,
        allow_infinity=not bounded,
        width=width,
    )


def _in_bounds(v: Any, gt: Any, ge: Any, lt: Any, le: Any) -> bool:
    if isinstance(v, float) and math.isnan(v):
        return all(b is None for b in (gt, ge, lt, le))
    return (
        (gt is None or v > gt)
        and (ge is None or v >= ge)
        and (lt is None or v < lt)
        and (le is None or v <= le)
    )


def _is_multiple(v: Any, m: Any) -> bool:
    q = v / m
    return math.isfinite(q) and abs(q - round(q)) <= 1e-9 * max(1.0, abs(q))
