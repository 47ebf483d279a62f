"""Numbers cast to a numeric dtype as a ``Casting`` allows: the rule behind every number write.

Casting is ``"lossless"`` by default: numpy's safe casts, or any cast whose values survive the
round trip (3.0 into int32 is fine, 0.1 into float32 is not). ``"same_kind"`` and ``"unsafe"``
follow numpy. Numeric, enum and array kinds use it; strings, compounds and ragged sequences
have their own rules in their modules.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    from h5schema._types.dtypes.base import DTypeBase

__all__ = ["Casting", "cast_numbers"]

Casting = Literal["lossless", "same_kind", "unsafe"]
"""How far a write may convert values: ``"lossless"`` (the default: values must survive the
round trip), or numpy's ``"same_kind"`` and ``"unsafe"``."""


def cast_numbers(dtype: DTypeBase, arr: np.ndarray, casting: Casting) -> np.ndarray:
    """Numbers cast to the numeric (or enum, or array) dtype ``dtype`` as ``casting`` allows."""
    target = dtype.to_numpy()
    if arr.size == 0 and arr.dtype.names is None:
        return np.empty(arr.shape, dtype=target)  # no values, nothing to lose ([] reads back as float64)
    if arr.dtype.kind in "OUSV" and arr.dtype.names is None:
        raise ValueError(
            f"expected numbers for dtype {dtype.describe()}, got {arr.dtype.kind!r} data ({arr.dtype})"
        )
    if arr.dtype == target:
        return arr
    if casting == "unsafe" or np.can_cast(arr.dtype, target, "safe"):
        return arr.astype(target)
    if casting == "same_kind":
        if not np.can_cast(arr.dtype, target, "same_kind"):
            raise ValueError(f"cannot cast {arr.dtype} to {dtype.describe()} with casting='same_kind'")
        return arr.astype(target)
    return _lossless(arr, target, dtype)


def _lossless(arr: np.ndarray, target: np.dtype[Any], dtype: DTypeBase) -> np.ndarray:
    # The casts may overflow or drop an imaginary part: the comparisons below find that, so
    # numpy's own warnings about it are noise here.
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        out = arr.astype(target)
        back = out.astype(arr.dtype)
    # Both directions: the round trip catches rounding (int64 -> float64 -> int64), the direct
    # comparison catches wrap-around that round-trips (int8 -1 -> uint8 255 -> int8 -1).
    same = (back == arr) & (out == arr)
    if arr.dtype.kind in "fc":
        same |= np.isnan(back) & np.isnan(arr)
    if not np.all(same):
        idx = tuple(int(i) for i in np.argwhere(~np.asarray(same))[0]) if arr.ndim else ()
        value = arr[idx] if idx else arr[()]
        hint = (
            "round it first or pass casting='same_kind' to accept rounding"
            if arr.dtype.kind in "fc" and target.kind in "fc"
            else "convert it first (numpy's same_kind/unsafe casts would wrap or truncate it)"
        )
        raise ValueError(
            f"cannot store {arr.dtype} data as {dtype.describe()} without loss "
            f"(value {_plain(value)!r} at index {list(idx)}); {hint}"
        )
    return out


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
