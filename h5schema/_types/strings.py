"""String flavours: turning Python text into what each HDF5 flavour stores, and back.

The rule is exact round-trip: a UTF-8 flavour takes and gives ``str``, an ASCII flavour takes and
gives ``bytes``. Values a flavour cannot hold raise ``ValueError`` with the reason, instead of
being silently truncated or mangled:

- variable-length strings are NUL-terminated in HDF5, so no NUL anywhere;
- fixed-length strings are NUL-padded, so at most ``length`` bytes and no trailing NUL.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from h5schema._types.dtypes import StringDType

__all__ = ["decode_array", "encode_array"]


def _as_bytes(value: Any) -> bytes:
    assert isinstance(value, bytes)
    return value


def _problem(spec: StringDType, value: Any) -> str | None:
    want = spec.python_type
    if not isinstance(value, want):
        return f"expected {want.__name__} for {spec.describe()}, got {type(value).__name__} {value!r:.60}"
    try:
        raw = value.encode("utf-8") if isinstance(value, str) else _as_bytes(value)
    except UnicodeEncodeError as exc:
        return f"{value!r:.60} is not encodable as UTF-8 ({exc.reason})"
    if spec.length is None:
        if b"\x00" in raw:
            return f"{value!r:.60} contains a NUL character, which variable-length HDF5 strings cannot hold"
        return None
    if len(raw) > spec.length:
        return f"{value!r:.60} is {len(raw)} bytes, longer than the fixed length {spec.length}"
    if raw.endswith(b"\x00"):
        return f"{value!r:.60} ends with NUL, which fixed-length (NUL-padded) strings cannot keep"
    return None


def encode_array(spec: StringDType, values: Any) -> np.ndarray:
    """Check every value and return the array h5py writes for this flavour."""
    arr = np.asarray(values, dtype=object)
    flat = arr.reshape(-1)
    encoded = np.empty(flat.shape, dtype=object)
    for i, v in enumerate(flat):
        if isinstance(v, np.str_ | np.bytes_):
            v = v.item()
        problem = _problem(spec, v)
        if problem is not None:
            where = f" at index {[int(j) for j in np.unravel_index(i, arr.shape)]}" if arr.ndim else ""
            raise ValueError(problem + where)
        encoded[i] = v if spec.length is None else (v.encode("utf-8") if isinstance(v, str) else v)
    if spec.length is None:
        return encoded.reshape(arr.shape)
    fixed = np.dtype(f"S{spec.length}", metadata={"h5py_encoding": spec.encoding})
    return encoded.astype(fixed).reshape(arr.shape)


def decode_array(spec: StringDType, raw: np.ndarray) -> np.ndarray:
    """Turn what h5py read (bytes objects or an 'S' array) into this flavour's Python type."""
    if spec.encoding == "ascii":
        if spec.length is None:
            return raw
        return raw.astype(object)  # elements become Python bytes, trailing NUL padding removed
    out = np.empty(raw.shape, dtype=object)
    flat_in, flat_out = raw.reshape(-1), out.reshape(-1)
    for i, v in enumerate(flat_in):
        flat_out[i] = v.decode("utf-8") if isinstance(v, bytes) else v
    return out
