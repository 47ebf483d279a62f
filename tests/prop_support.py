"""Helpers for the property tests: fresh paths, file snapshots, value comparison, spec documents.

Kept apart from tests/helpers.py (the example-based suite's helpers).
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from hypothesis import HealthCheck, settings

import h5schema as h5s

# tmp_path is one directory per test function, shared by all its hypothesis examples; each
# example makes its own sub-directory with fresh_path(). The profile (tests/conftest.py) decides
# how many examples run; this only adds the health check that tmp_path would otherwise trip.
PROPERTY = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def fresh_path(tmp_path: Path, name: str = "f.h5") -> Path:
    """A path in a new, empty sub-directory of ``tmp_path`` (one per hypothesis example)."""
    return Path(tempfile.mkdtemp(prefix="ex-", dir=tmp_path)) / name


def same(a: Any, b: Any) -> bool:
    """Equal as Python values, element by element: NaN equals NaN, and str never equals bytes."""
    if isinstance(a, np.ndarray):
        a = a.tolist()
    if isinstance(b, np.ndarray):
        b = b.tolist()
    if isinstance(a, list | tuple) or isinstance(b, list | tuple):
        return (
            isinstance(a, list | tuple)
            and isinstance(b, list | tuple)
            and len(a) == len(b)
            and all(same(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, str | bytes) or isinstance(b, str | bytes):
        return type(a) is type(b) and a == b
    if _complex(a) or _complex(b):
        return same(np.real(a), np.real(b)) and same(np.imag(a), np.imag(b))
    if _nan(a) and _nan(b):
        return True
    return bool(a == b)


def _complex(x: Any) -> bool:
    return isinstance(x, complex | np.complexfloating)


def _nan(x: Any) -> bool:
    """NaN of any float type (numpy's long double stays a numpy scalar in tolist())."""
    return isinstance(x, float | np.floating) and bool(np.isnan(x))


def read(path: Path, name: str) -> Any:
    """A dataset's content through h5schema's reader (strings decoded by flavour)."""
    with h5s.open(path) as f:
        ds = f[name]
        assert isinstance(ds, h5s.DatasetReader)
        return ds.read()


def snapshot(path: Path) -> dict[str, Any]:
    """Everything a file holds, as plain values: every object's kind, dtype, shape, maxshape,
    chunks, filters, raw data and raw attributes. Two equal snapshots mean equal content."""
    out: dict[str, Any] = {}

    def attrs(obj: Any) -> dict[str, Any]:
        found = {}
        for name in obj.attrs:
            aid = obj.attrs.get_id(name)
            arr = np.empty(aid.shape, dtype=aid.dtype)
            aid.read(arr)
            found[name] = (str(aid.dtype), canonical(arr.tolist()))
        return found

    def visit(name: str, obj: Any) -> None:
        if isinstance(obj, h5py.Dataset):
            out[name] = (
                "dataset",
                str(obj.dtype),
                obj.shape,
                obj.maxshape,
                obj.chunks,
                obj.compression,
                obj.shuffle,
                obj.fletcher32,
                canonical(np.asarray(obj[()]).tolist()),
                attrs(obj),
            )
        else:
            out[name] = ("group", attrs(obj))

    with h5py.File(path, "r") as f:
        out["/"] = ("group", attrs(f))
        f.visititems(visit)
    return out


def canonical(value: Any) -> Any:
    """A spec tree as nested plain data that keeps Python types: ``1 != 1.0 != "1"`` and
    ``b"x" != "x"`` here, NaN equals NaN, arrays keep their dtype. Used to check that a document
    reads back as *the same* schema, not only one with the same JSON."""
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        return (type(value).__name__, {k: canonical(getattr(value, k)) for k in type(value).model_fields})
    if isinstance(value, np.ndarray):
        return ("ndarray", str(value.dtype), value.shape, canonical(value.tolist()))
    if isinstance(value, np.generic):
        item = value.item()
        if isinstance(item, np.generic):  # long double: no Python type holds it
            return ("numpy", str(value.dtype), "nan" if np.isnan(item) else repr(item))
        return ("numpy", str(value.dtype), canonical(item))
    if isinstance(value, dict):
        return ("dict", sorted((k, canonical(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, [canonical(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    if isinstance(value, complex):
        return ("complex", canonical(value.real), canonical(value.imag))
    return (type(value).__name__, value)
