"""Dataset defects: dtype, maxshape, chunks, filters, fill value, shape and data checks."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from h5schema._codes import Code, Severity
from h5schema._spec import DatasetSpec
from h5schema.strategies._defects import Defect, _h5py, _Node, _rebuild, _relength
from h5schema.strategies._dtypes import _INT_NAMES, _LONG_DOUBLE
from h5schema.strategies._numbers import _in_bounds

__all__: list[str] = []


def _other_dtypes(props: Mapping[str, Any], spec: DatasetSpec) -> list[Any]:
    """numpy dtypes that hold the dataset's data and fill value exactly but differ from it."""
    from h5schema._dtypes import from_numpy

    old = props["dtype"]
    data = np.asarray(props["data"])
    h5py = _h5py()
    candidates: list[Any] = []
    if old.kind == "b":
        candidates = [np.dtype("int8"), np.dtype("uint8")]
    elif old.metadata and "enum" in old.metadata:
        candidates = [np.dtype(old.newbyteorder("=").str)]
    elif old.kind in "iu":
        candidates = [np.dtype(n) for n in (*_INT_NAMES, "float64")]
    elif old.kind == "f":
        candidates = [np.dtype(n) for n in ("float32", "float64", "complex128")]
    elif old.kind == "c":
        candidates = [np.dtype(n) for n in ("complex128", *(("clongdouble",) if _LONG_DOUBLE else ()))]
    elif old.kind == "S":
        enc = (old.metadata or {}).get("h5py_encoding", "ascii")
        candidates = [h5py.string_dtype(enc, old.itemsize + 1)]
    elif old.kind == "O" and (old.metadata or {}).get("vlen") in (str, bytes):
        enc = "utf-8" if old.metadata["vlen"] is str else "ascii"
        fill = props["fillvalue"]
        longest = max([len(v) for v in data.ravel().tolist()] + [len(fill) if fill is not None else 0])
        candidates = [h5py.string_dtype(enc, longest + 1)]
    out = []
    for new in candidates:
        if new == old or (spec.dtype is not None and spec.dtype.matches(from_numpy(new))):
            continue
        if new.kind in "SO":
            out.append(new)
            continue
        fill = props["fillvalue"]
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                same = _same_values(data.astype(new).tolist(), data.tolist())
                if fill is not None:
                    same = same and _same_values(
                        np.asarray(fill).astype(new).tolist(), np.asarray(fill).tolist()
                    )
        except (TypeError, ValueError, OverflowError):
            continue
        if same:
            out.append(new)
    return out


def _same_values(a: Any, b: Any) -> bool:
    """Equal as Python values (NaN equal to NaN), element by element."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_values(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, list | tuple) or isinstance(b, list | tuple):
        return False
    if a != a and b != b:
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


# To be split by the dtype-dispatch change, which redoes the strategies.
def _layout_defects(node: _Node) -> list[Defect]:  # noqa: C901
    spec, props = node.spec, node.props
    assert isinstance(spec, DatasetSpec)
    out: list[Defect] = []
    path = node.path
    rank = len(props["shape"])
    chunks = props["chunks"]

    # h5py refuses to create chunks larger than a fixed maximum (HDF5 itself may have allowed it)
    rebuildable = chunks is None or all(
        m is None or c <= m for c, m in zip(chunks, props["maxshape"] or (), strict=False)
    )

    def rebuilt(code: Code, what: str, **changes: Any) -> None:
        if not rebuildable:
            return

        def change(f: Any) -> None:
            _rebuild(f, path, props, **changes)

        out.append(Defect(code, path, Severity.ERROR, f"{what} of {path}", change))

    for new in _other_dtypes(props, spec)[:2]:
        data = np.asarray(props["data"])
        if new.kind == "S":
            data = np.array([v.encode() if isinstance(v, str) else v for v in data.ravel().tolist()],
                            dtype=new).reshape(data.shape)  # fmt: skip
        else:
            with np.errstate(all="ignore"):
                data = data.astype(new)
        fill = props["fillvalue"]
        if fill is not None and new.kind == "S":
            fill = fill.encode() if isinstance(fill, str) else fill
        elif fill is not None and new.kind != "O":
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fill = np.asarray(fill).astype(new)[()]
        rebuilt(Code.DTYPE_MISMATCH, f"store {new} data", dtype=new, data=data, fillvalue=fill)
    if spec.maxshape is not None and chunks is not None and rank:
        for axis in range(rank):
            m = props["maxshape"][axis]
            # chunks never exceed a fixed maximum, so a new fixed maximum is at least the chunk
            options = (
                [max(props["shape"][axis], chunks[axis])] if m is None else [None, max(m + 1, chunks[axis])]
            )
            for new_m in options:
                maxshape = tuple(new_m if i == axis else v for i, v in enumerate(props["maxshape"]))
                rebuilt(Code.MAXSHAPE_MISMATCH, f"maxshape {maxshape}", maxshape=maxshape)
    if spec.chunks is not None:
        if chunks is not None and isinstance(spec.chunks, tuple):
            for axis in range(rank):
                m = props["maxshape"][axis]
                for c in (chunks[axis] + 1, chunks[axis] - 1):
                    if c >= 1 and (m is None or c <= m):
                        new_chunks = tuple(c if i == axis else v for i, v in enumerate(chunks))
                        rebuilt(Code.CHUNKS_MISMATCH, f"chunks {new_chunks}", chunks=new_chunks)
                        break
        elif chunks is not None and spec.chunks is True:
            keeps_filters = (
                spec.compression in (None, "none")
                and spec.compression_opts is None
                and not spec.shuffle
                and not spec.fletcher32
            )
            if props["maxshape"] == props["shape"] and keeps_filters:
                rebuilt(
                    Code.CHUNKS_MISMATCH,
                    "contiguous layout",
                    chunks=None,
                    compression=None,
                    shuffle=False,
                    fletcher32=False,
                )
        elif chunks is None and spec.chunks is False and rank and all(props["shape"]):
            rebuilt(Code.CHUNKS_MISMATCH, "chunked layout", chunks=props["shape"], maxshape=props["shape"])
    if chunks is not None:
        if spec.compression_opts is not None and props["compression"] == "gzip":
            level = (int(props["compression_opts"]) + 1) % 10
            rebuilt(Code.COMPRESSION_MISMATCH, f"gzip level {level}", compression_opts=level)
        elif spec.compression is not None:
            new_c = {"gzip": "lzf", "lzf": "gzip"}.get(props["compression"] or "none", "gzip")
            rebuilt(
                Code.COMPRESSION_MISMATCH, f"compression {new_c}", compression=new_c, compression_opts=None
            )
        if spec.shuffle is not None:
            rebuilt(Code.COMPRESSION_MISMATCH, "shuffle toggled", shuffle=not props["shuffle"])
        vlen = props["dtype"].kind == "O" or _has_vlen(props["dtype"])
        if spec.fletcher32 is not None and (props["fletcher32"] or not vlen):  # HDF5: no fletcher32 on vlen
            rebuilt(Code.COMPRESSION_MISMATCH, "fletcher32 toggled", fletcher32=not props["fletcher32"])
    fill = props["fillvalue"]
    if spec.fillvalue is not None and fill is not None:
        new_fill = _other_fill(props["dtype"], spec, fill)
        if new_fill is not None:
            rebuilt(Code.FILLVALUE_MISMATCH, f"fill value {new_fill!r}", fillvalue=new_fill)
    if spec.shape is not None:
        for axis, d in enumerate(spec.shape):
            for length in ((d.upper + 1) if d.upper is not None else -1, d.lower - 1):
                if length < 0:
                    continue
                change = _relength(node, axis, length)
                if change is not None:
                    out.append(
                        Defect(
                            Code.SHAPE_MISMATCH,
                            path,
                            Severity.ERROR,
                            f"length {length} on axis {axis}",
                            change,
                        )
                    )
                    break
    out += _value_defects(node)
    return out


def _has_vlen(dtype: np.dtype[Any]) -> bool:
    if dtype.names is not None:
        return any(_has_vlen(dtype.fields[n][0]) for n in dtype.names)  # type: ignore[index]
    return dtype.kind == "O"


def _other_fill(dtype: Any, spec: DatasetSpec, fill: Any) -> Any:
    """A fill value of ``dtype`` that the validator will not take for ``spec.fillvalue``."""
    if dtype.kind in "SO":
        size = dtype.itemsize if dtype.kind == "S" else 2
        for text in (b"x", b"y"):
            if text[:size] != (fill if isinstance(fill, bytes) else b""):
                return text[:size]
        return None
    if dtype.metadata and "enum" in dtype.metadata:
        others = [v for v in dtype.metadata["enum"].values() if v != fill]
        return others[0] if others else None
    if dtype.kind == "b":
        return not bool(fill)
    with np.errstate(all="ignore"):
        for cand in (0, 1, 2):
            other = np.asarray(cand).astype(dtype)[()]
            if not bool(other == fill) and other == other:
                return other
    return None


def _value_defects(node: _Node) -> list[Defect]:
    """Write one element that breaks exactly one data check."""
    spec, props = node.spec, node.props
    assert isinstance(spec, DatasetSpec)
    data = np.asarray(props["data"])
    dtype = props["dtype"]
    if not spec.has_data_checks or data.size == 0 or dtype.names is not None:
        return []
    bounds = (spec.gt, spec.ge, spec.lt, spec.le)
    candidates: list[Any] = []
    if spec.values is not None and dtype.kind in "OS":
        unit = "zz" if any(isinstance(v, str) for v in spec.values) else b"zz"
        candidates = [unit[:1], unit, unit * 2]
        if dtype.kind == "S":
            candidates = [c.encode() if isinstance(c, str) else c for c in candidates]
            candidates = [c[: dtype.itemsize] for c in candidates]
    elif spec.values is not None:
        candidates = [v for v in range(-3, 6) if _in_bounds(v, *bounds)] + [0.5]
    elif any(b is not None for b in bounds):
        candidates = [b for b in (spec.gt, spec.lt) if b is not None]
        candidates += [spec.ge - 1] if spec.ge is not None else []
        candidates += [spec.le + 1] if spec.le is not None else []
    elif not spec.allow_nan:
        candidates = [math.nan]
    path = node.path
    for cand in candidates:
        try:
            with np.errstate(all="ignore"):
                stored = np.asarray(cand, dtype=dtype)[()] if dtype.kind != "O" else cand
        except (TypeError, ValueError, OverflowError):
            continue
        if (
            dtype.kind not in "OS"
            and not np.asarray(stored == cand).all()
            and not (isinstance(cand, float) and math.isnan(cand))
        ):
            continue  # not representable exactly
        utf8 = (dtype.metadata or {}).get("h5py_encoding") == "utf-8"
        value = stored.decode() if isinstance(stored, bytes) and utf8 else stored
        if spec.values is not None and any(_same_value(value, v) for v in spec.values):
            continue
        if (
            spec.values is None
            and _in_bounds(_py(value), *bounds)
            and not (isinstance(_py(value), float | complex) and _py(value) != _py(value))
        ):
            continue
        index = np.unravel_index(0, data.shape) if data.ndim else ()

        def change(f: Any, index: Any = index, stored: Any = stored) -> None:
            f[path][index] = stored

        return [Defect(Code.VALUE_CONSTRAINT, path, Severity.ERROR, f"{path}[{index}] = {stored!r}", change)]
    return []


def _py(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _same_value(a: Any, b: Any) -> bool:
    a = _py(a)
    return bool(a == b)
