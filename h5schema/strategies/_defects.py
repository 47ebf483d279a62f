"""Defect, the registry of defect makers, and the raw h5py changes that defects are made of (the one
strategies module importing h5py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import h5py
import numpy as np

from h5schema._report.codes import Code, Severity
from h5schema._schema.spec import DatasetSpec, GroupSpec

__all__ = ["MAKERS", "Defect", "Maker", "makes"]


def _h5py() -> ModuleType:
    """h5py, for :func:`defects` only: a defect is made *below* h5schema, with raw h5py calls
    (the library itself keeps h5py behind its internal ``_h5`` package)."""
    module: ModuleType = h5py
    return module


@dataclass(frozen=True)
class Defect:
    """One change to a conforming file, and the single violation it must cause.

    ``change`` receives the file open for writing (an ``h5py.File``) and makes the change with
    raw h5py; :meth:`apply` opens the file, applies it and returns ``(code, path)``.
    """

    code: Code
    path: str
    severity: Severity
    description: str
    change: Callable[[Any], None] = field(repr=False, compare=False)

    def apply(self, file: str | Path) -> tuple[Code, str]:
        """Make the change in ``file`` (in place) and return the expected ``(code, path)``."""
        with _h5py().File(file, "r+") as f:
            self.change(f)
        return self.code, self.path


Maker = Callable[[Any, "_Node"], list[Defect]]
"""A defect maker: given the conforming file (an ``h5py.File`` open for reading) and one object
of it, every defect of its code that can be made on that object (none if it does not apply)."""

MAKERS: dict[Code, Maker] = {}
"""The one function making each code's defects, for the codes with ``Code.defect`` set."""


def makes(code: Code) -> Callable[[Maker], Maker]:
    """Register the decorated function as the maker of ``code``'s defects (one per code)."""

    def register(maker: Maker) -> Maker:
        if not code.defect:
            raise ValueError(f"{code.value} is not marked as made by a defect (Code.defect)")
        if code in MAKERS:
            raise ValueError(f"{code.value} has two defect makers: {MAKERS[code].__name__}, {maker.__name__}")
        MAKERS[code] = maker
        return maker

    return register


def _defect(
    code: Code, path: str, description: str, change: Callable[[Any], None], *, closed: bool = False
) -> Defect:
    """A defect with the severity its code has on an open object, or on a ``closed`` one."""
    return Defect(code, path, code.severity_for(closed=closed), description, change)


@dataclass
class _Node:
    """An object of the conforming file, with the spec it was validated against."""

    path: str
    name: str
    spec: GroupSpec | DatasetSpec
    parent: _Node | None
    attrs: list[str]
    children: list[_Node] = field(default_factory=list)  # in the validator's visiting order
    links: list[str] = field(default_factory=list)
    matched: dict[int, list[str]] = field(default_factory=dict)  # pattern index -> member names
    props: dict[str, Any] = field(default_factory=dict)


def _rebuild(
    f: Any,
    path: str,
    props: Mapping[str, Any],
    *,
    dtype: Any = None,
    data: Any = None,
    **changes: Any,
) -> None:
    """Replace the dataset at ``path`` by one equal in every respect but ``dtype``/``data`` and
    the creation properties in ``changes`` (attributes, fill value, chunks and filters copied)."""
    h5py = _h5py()
    old = f[path]
    parent = old.parent
    name = path.rsplit("/", 1)[1]
    p = {**props, **changes}
    new_dtype = p["dtype"] if dtype is None else dtype
    values = p["data"] if data is None else data
    shape = tuple(np.shape(values))
    chunks = p["chunks"]
    compression = p["compression"]
    kw: dict[str, Any] = {
        "shape": shape,
        "dtype": new_dtype,
        "chunks": chunks,
        "maxshape": p["maxshape"] if chunks is not None else None,
        "compression": compression,
        "compression_opts": p["compression_opts"] if compression == "gzip" else None,
        "shuffle": p["shuffle"] or None,
        "fletcher32": p["fletcher32"] or None,
    }
    if p["fillvalue"] is not None:
        kw["fillvalue"] = p["fillvalue"]
    temp = name + "\u2060tmp"
    new = parent.create_dataset(temp, **kw)
    if np.size(values):
        new[()] = values
    for aname in old.attrs:
        aid = old.attrs.get_id(aname)
        if aid.get_space().get_simple_extent_type() == h5py.h5s.NULL:
            new.attrs.create(aname, h5py.Empty(aid.dtype))
        else:
            new.attrs.create(aname, _raw_attr(old, aname), dtype=aid.dtype)
    del parent[name]
    parent.move(temp, name)


def _raw_attr(obj: Any, name: str) -> np.ndarray:
    """An attribute's stored value, strings as the raw bytes (h5py would decode them)."""
    aid = obj.attrs.get_id(name)
    arr = np.empty(aid.shape, dtype=aid.dtype)
    aid.read(arr)
    return arr


def _take(data: np.ndarray, length: int, axis: int) -> np.ndarray | None:
    """``data`` cut or grown to ``length`` along ``axis``, growing with copies of its first rows."""
    n = data.shape[axis]
    if length <= n:
        return np.take(data, range(length), axis=axis)
    if n == 0:
        return None
    idx = [i % n for i in range(length)]
    return np.take(data, idx, axis=axis)


def _relength(node: _Node, axis: int, length: int) -> Callable[[Any], None] | None:
    """A change giving the dataset ``length`` on ``axis``, everything else kept, or None."""
    spec, props = node.spec, node.props
    assert isinstance(spec, DatasetSpec)
    shape, maxshape, chunks = props["shape"], props["maxshape"], props["chunks"]
    data = props["data"]
    grown = _take(np.asarray(data), length, axis)
    if grown is None and spec.has_data_checks:
        return None  # new elements would hold the fill value, which the data checks may refuse
    path = node.path
    if maxshape is not None and chunks is not None and (maxshape[axis] is None or maxshape[axis] >= length):

        def resize(f: Any) -> None:
            ds = f[path]
            ds.resize(length, axis=axis)
            if grown is not None and length > shape[axis]:
                sel = tuple(
                    slice(shape[axis], length) if i == axis else slice(None) for i in range(len(shape))
                )
                ds[sel] = grown[sel]

        return resize
    if spec.maxshape is not None or grown is None:
        return None
    new_max = None
    if chunks is not None:
        if length < chunks[axis]:
            return None
        new_max = tuple(length if i == axis else m for i, m in enumerate(maxshape))

    def rebuild(f: Any) -> None:
        _rebuild(f, path, props, data=grown, maxshape=new_max)

    return rebuild
