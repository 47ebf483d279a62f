"""Turning user data into exactly what a dataset stores, or refusing with the reason.

Shared by the materializer and the writers, so "what may be written" has one definition.
Casting is ``"lossless"`` by default: numpy's safe casts, or any cast whose values survive the
round trip (3.0 into int32 is fine, 0.1 into float32 is not). ``"same_kind"`` and ``"unsafe"``
follow numpy.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np

from h5schema._types.dtypes import DTypeSpec, EnumDType, NumericDType, StringDType, to_numpy
from h5schema._types.strings import encode_array

__all__ = ["Casting", "coerce"]

Casting = Literal["lossless", "same_kind", "unsafe"]
"""How far a write may convert values: ``"lossless"`` (the default: values must survive the
round trip), or numpy's ``"same_kind"`` and ``"unsafe"``."""


def coerce(dtype: DTypeSpec, data: Any, *, casting: Casting = "lossless") -> np.ndarray:
    """Return ``data`` as an array of ``dtype`` (strings encoded per flavour); ValueError if not."""
    if isinstance(dtype, StringDType):
        return encode_array(dtype, data)
    target = to_numpy(dtype)
    arr = data if isinstance(data, np.ndarray) else np.asarray(data)
    if arr.size == 0 and arr.dtype.names is None and target.names is None:
        return np.empty(arr.shape, dtype=target)  # no values, nothing to lose ([] reads back as float64)
    if arr.dtype.kind in "OUSV" and arr.dtype.names is None and target.names is None:
        raise ValueError(
            f"expected numbers for dtype {dtype.describe()}, got {arr.dtype.kind!r} data ({arr.dtype})"
        )
    if target.names is not None:
        return _compound(arr, target, dtype)
    if isinstance(dtype, NumericDType) and dtype.name == "bool" and arr.dtype.kind != "b":
        raise ValueError(f"expected bool values, got {arr.dtype}")
    if arr.dtype == target:
        return arr
    if casting == "unsafe" or np.can_cast(arr.dtype, target, "safe"):
        out = arr.astype(target)
    elif casting == "same_kind":
        if not np.can_cast(arr.dtype, target, "same_kind"):
            raise ValueError(f"cannot cast {arr.dtype} to {dtype.describe()} with casting='same_kind'")
        out = arr.astype(target)
    else:
        out = _lossless(arr, target, dtype)
    if isinstance(dtype, EnumDType):
        allowed = np.array(sorted(dtype.members.values()))
        bad = ~np.isin(out, allowed)
        if bad.any():
            raise ValueError(f"value {out[bad].flat[0].item()!r} is not a member of {dtype.describe()}")
    return out


def _lossless(arr: np.ndarray, target: np.dtype[Any], dtype: DTypeSpec) -> np.ndarray:
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


def _compound(arr: np.ndarray, target: np.dtype[Any], dtype: DTypeSpec) -> np.ndarray:
    if arr.dtype.names is None or list(arr.dtype.names) != list(target.names or ()):
        raise ValueError(
            f"expected a structured array with fields {list(target.names or ())}, got {arr.dtype}"
        )
    try:
        return arr.astype(target, casting="same_kind")
    except TypeError as exc:
        raise ValueError(f"cannot store {arr.dtype} as {dtype.describe()}: {exc}") from None
