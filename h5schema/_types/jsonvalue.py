"""Stored values as plain JSON, spelled one way for the manifest and the exported JSON Schema.

Both sides convert through :func:`json_value`, guided by the dtype, so a fill value declared in a
schema and the one read from a file give the same JSON exactly when they are the same value.
Each dtype kind says how its values look (its ``json_value`` method, built from the pieces
here), and the spellings are these:

- bool, integers and enums: JSON ``true``/``false`` and integers;
- floats: JSON numbers (long double through float64); NaN and infinity have no JSON form;
- complex numbers: ``[real, imag]``, as schema documents write them (:func:`json_pair`);
- strings by flavour: UTF-8 as text, ASCII (``bytes``) as text with one character per byte
  (latin-1), as schema documents write bytes;
- compound values: a list of the field values in field order; arrays and ragged sequences:
  nested lists.

A value with no JSON form (NaN, infinity, references and other types schemas cannot name)
raises :class:`NoJSON`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from h5schema._types.dtypes import DTypeSpec

__all__ = ["NoJSON", "each", "json_array", "json_float", "json_pair", "json_text", "json_value", "plain"]

Element = Callable[[Any], Any]


class NoJSON(ValueError):
    """The value has no JSON form (NaN, infinity, a reference, ...)."""


def json_value(value: Any, dtype: DTypeSpec | None = None) -> Any:
    """``value`` (as h5py reads it, or as a schema declares it) in JSON, converted as ``dtype``
    says (without a dtype or with a family, by the value's own type). Raises :class:`NoJSON`."""
    return plain(value) if dtype is None else dtype.json_value(value)


def json_float(value: Any) -> float:
    """A real number as a JSON number; NaN and infinity have none."""
    f = float(value)
    if not math.isfinite(f):
        raise NoJSON(f"{f} has no JSON form")
    return f


def json_pair(value: Any) -> list[float]:
    """A complex number as ``[real, imag]``."""
    z = complex(value)
    return [json_float(z.real), json_float(z.imag)]


def json_text(value: Any, encoding: str) -> str:
    """A string value as text: UTF-8 decoded, ASCII (bytes) one character per byte."""
    if isinstance(value, bytes | np.bytes_):
        try:
            return bytes(value).decode("utf-8" if encoding == "utf-8" else "latin-1")
        except UnicodeDecodeError as exc:
            raise NoJSON(f"not valid UTF-8: {exc}") from None
    if isinstance(value, str):
        return value
    raise NoJSON(f"{type(value).__name__} is not a string")


def _finite(arr: np.ndarray) -> np.ndarray:
    if not np.isfinite(arr).all():
        raise NoJSON("NaN or infinity has no JSON form")
    return arr


def json_array(arr: np.ndarray, element: Element) -> Any:
    """An ndarray as nested lists: fast for plain numbers, else ``element`` for each value."""
    kind = arr.dtype.kind
    if kind in "biu":
        return arr.tolist()
    if kind == "f":
        return _finite(arr).astype(np.float64).tolist()
    if kind == "c":
        _finite(arr)
        return np.stack([arr.real.astype(np.float64), arr.imag.astype(np.float64)], axis=-1).tolist()
    return each(arr, element)


def each(arr: np.ndarray, element: Element) -> Any:
    """An ndarray as nested lists, ``element`` for every value (a 0-d array is one value)."""
    if arr.ndim == 0:
        return element(arr[()])
    return [element(v) for v in arr]


def plain(value: Any) -> Any:
    """A value converted by its own type (no dtype, or a family)."""
    if isinstance(value, np.ndarray):
        return json_array(value, plain)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return json_float(value)
    if isinstance(value, complex | np.complexfloating):
        return json_pair(value)
    if isinstance(value, bytes | np.bytes_):
        return bytes(value).decode("latin-1")
    if isinstance(value, str):
        return value
    if isinstance(value, np.void):
        return [plain(value[i]) for i in range(len(value))]  # type: ignore[arg-type]
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    raise NoJSON(f"{type(value).__name__} has no JSON form")
