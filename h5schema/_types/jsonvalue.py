"""Stored values as plain JSON, spelled one way for the manifest and the exported JSON Schema.

Both sides convert through :func:`json_value`, guided by the dtype, so a fill value declared in a
schema and the one read from a file give the same JSON exactly when they are the same value:

- bool, integers and enums: JSON ``true``/``false`` and integers;
- floats: JSON numbers (long double through float64); NaN and infinity have no JSON form;
- complex numbers: ``[real, imag]``, as schema documents write them;
- strings by flavour: UTF-8 as text, ASCII (``bytes``) as text with one character per byte
  (latin-1), as schema documents write bytes;
- compound values: a list of the field values in field order; arrays: nested lists.

A value with no JSON form (NaN, infinity, references and other types schemas cannot name)
raises :class:`NoJSON`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from h5schema._types.dtypes import (
    _FAMILY_MEMBERS,
    ArrayDType,
    CompoundDType,
    DTypeSpec,
    EnumDType,
    NumericDType,
    OtherDType,
    StringDType,
)

__all__ = ["NoJSON", "json_value"]


class NoJSON(ValueError):
    """The value has no JSON form (NaN, infinity, a reference, ...)."""


def _float(value: Any) -> float:
    f = float(value)
    if not math.isfinite(f):
        raise NoJSON(f"{f} has no JSON form")
    return f


def _pair(value: Any) -> list[float]:
    z = complex(value)
    return [_float(z.real), _float(z.imag)]


def _text(value: Any, encoding: str) -> str:
    if isinstance(value, bytes | np.bytes_):
        try:
            return bytes(value).decode("utf-8" if encoding == "utf-8" else "latin-1")
        except UnicodeDecodeError as exc:
            raise NoJSON(f"not valid UTF-8: {exc}") from None
    if isinstance(value, str):
        return value
    raise NoJSON(f"{type(value).__name__} is not a string")


def _array(arr: np.ndarray, dtype: DTypeSpec | None) -> Any:
    """An ndarray as nested lists, fast for plain numbers."""
    kind = arr.dtype.kind
    if kind in "biu" and not isinstance(dtype, StringDType | CompoundDType):
        return arr.tolist()
    if kind == "f":
        if not np.isfinite(arr).all():
            raise NoJSON("NaN or infinity has no JSON form")
        return arr.astype(np.float64).tolist()
    if kind == "c":
        if not np.isfinite(arr).all():
            raise NoJSON("NaN or infinity has no JSON form")
        pairs = np.stack([arr.real.astype(np.float64), arr.imag.astype(np.float64)], axis=-1)
        return pairs.tolist()
    if arr.ndim == 0:
        return json_value(arr[()], dtype)
    return [json_value(v, dtype) for v in arr]


def json_value(value: Any, dtype: DTypeSpec | None = None) -> Any:
    """``value`` (as h5py reads it, or as a schema declares it) in JSON, converted as ``dtype``
    says (without a dtype or with a family, by the value's own type). Raises :class:`NoJSON`."""
    while isinstance(dtype, ArrayDType):  # numpy spreads an array element over extra axes
        dtype = dtype.base
    if isinstance(value, np.ndarray):
        return _array(value, dtype)
    if isinstance(dtype, OtherDType):
        raise NoJSON(f"{dtype.describe()} has no JSON form")
    if isinstance(dtype, StringDType):
        return _text(value, dtype.encoding)
    if isinstance(dtype, CompoundDType):
        if not isinstance(value, tuple | list | np.void) or len(value) != len(dtype.fields):  # type: ignore[arg-type]
            raise NoJSON(f"{value!r:.60} is not a record of {len(dtype.fields)} fields")
        return [json_value(value[i], f.dtype) for i, f in enumerate(dtype.fields)]
    if isinstance(dtype, EnumDType):
        return int(value)
    if isinstance(dtype, NumericDType):
        if dtype.name == "bool":
            return bool(value)
        if dtype.name in _FAMILY_MEMBERS["integer"]:
            return int(value)
        if dtype.name in _FAMILY_MEMBERS["complex"]:
            return _pair(value)
        return _float(value)
    return _plain(value)


def _plain(value: Any) -> Any:
    """A value converted by its own type (no dtype, or a family)."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return _float(value)
    if isinstance(value, complex | np.complexfloating):
        return _pair(value)
    if isinstance(value, bytes | np.bytes_):
        return bytes(value).decode("latin-1")
    if isinstance(value, str):
        return value
    if isinstance(value, np.void):
        return [_plain(value[i]) for i in range(len(value))]  # type: ignore[arg-type]
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    raise NoJSON(f"{type(value).__name__} has no JSON form")
