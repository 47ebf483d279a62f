"""A deliberately simple validator, for tests: h5py's high-level API, no caching, no fast paths.

It shares the schema models and the pure value checks with h5schema, but none of the walking,
link listing, attribute scanning, header reading, memoization or blocked data reading. Tests
compare its findings with ``h5schema.validate`` to show the optimized walk reports the same.
"""

from __future__ import annotations

import math
import re
from typing import Any

import h5py
import numpy as np

import h5schema as h5s
from h5schema._h5 import AttrRead
from h5schema._types.dtypes import StringDType, from_numpy
from h5schema._validate.attributes import attribute_problem, needs_value
from h5schema._validate.data import DataChecker

Finding = tuple[str, str, str]  # path, code, severity


def reference_validate(path: str, schema: Any) -> set[Finding]:
    spec = h5s.as_schema(schema)
    out: set[Finding] = set()
    with h5py.File(path, "r") as f:
        _group(f, spec.root, "/", out)
    return out


def _add(out: set[Finding], path: str, code: str, warn: bool = False) -> None:
    out.add((path, code, "warning" if warn else "error"))


def _child(path: str, name: str) -> str:
    return f"/{name}" if path == "/" else f"{path}/{name}"


def _apath(path: str, name: str) -> str:
    return f"/@{name}" if path == "/" else f"{path}@{name}"


def _kind(group: h5py.Group, name: str) -> str:
    link = group.get(name, getlink=True)
    if isinstance(link, h5py.SoftLink):
        return "soft_link"
    if isinstance(link, h5py.ExternalLink):
        return "external_link"
    obj = group[name]
    return "group" if isinstance(obj, h5py.Group) else "dataset" if isinstance(obj, h5py.Dataset) else "other"


def _group(g: h5py.Group, spec: h5s.GroupSpec, path: str, out: set[Finding]) -> None:
    _attrs(g, spec.attributes, spec.closed, path, out)
    names = list(g.keys())
    scope: dict[str, int] = {}
    for member in spec.members:
        name = member.name or ""
        if name not in names:
            if member.required:
                _add(out, _child(path, name), f"missing_{member.kind}")
            continue
        names.remove(name)
        _member(g, name, member, _child(path, name), scope, out)
    for pattern in spec.patterns:
        matched = [n for n in names if re.fullmatch(pattern.pattern, n)]
        for name in matched:
            names.remove(name)
            _member(g, name, pattern.item, _child(path, name), scope, out)
        if len(matched) < pattern.min_count or (
            pattern.max_count is not None and len(matched) > pattern.max_count
        ):
            _add(out, path, "member_count")
    for name in names:
        _add(out, _child(path, name), "unexpected_member", warn=not spec.closed)


def _member(
    g: h5py.Group,
    name: str,
    spec: h5s.GroupSpec | h5s.DatasetSpec,
    path: str,
    scope: dict[str, int],
    out: set[Finding],
) -> None:
    if _kind(g, name) != spec.kind:
        _add(out, path, "wrong_kind")
    elif isinstance(spec, h5s.GroupSpec):
        _group(g[name], spec, path, out)
    else:
        _dataset(g[name], spec, path, scope, out)


def _dataset(
    ds: h5py.Dataset, spec: h5s.DatasetSpec, path: str, scope: dict[str, int], out: set[Finding]
) -> None:
    observed = from_numpy(ds.dtype)
    dtype_ok = spec.dtype is None or spec.dtype.matches(observed)
    if not dtype_ok:
        _add(out, path, "dtype_mismatch")
    shape = ds.shape
    if spec.shape is not None:
        _shape(spec.shape, shape, path, scope, out)
    if spec.maxshape is not None and ds.maxshape != spec.maxshape:
        _add(out, path, "maxshape_mismatch")
    _layout(ds, spec, observed, path, out)
    _attrs(ds, spec.attributes, spec.closed, path, out)
    if spec.has_data_checks and dtype_ok and shape is not None:
        _data(ds, spec, observed, path, out)


def _shape(
    declared: tuple[h5s.DimSpec, ...],
    shape: tuple[int, ...] | None,
    path: str,
    scope: dict[str, int],
    out: set[Finding],
) -> None:
    """Rank, lengths, and named dims (axes of an allowed length bind them)."""
    if shape is None or len(shape) != len(declared):
        _add(out, path, "shape_mismatch")
        return
    bad = [not d.allows(n) for d, n in zip(declared, shape, strict=True)]
    if any(bad):
        _add(out, path, "shape_mismatch")
    for d, n, b in zip(declared, shape, bad, strict=True):
        if d.name is not None and not b and scope.setdefault(d.name, n) != n:
            _add(out, path, "dim_mismatch")


def _layout(ds: h5py.Dataset, spec: h5s.DatasetSpec, observed: Any, path: str, out: set[Finding]) -> None:
    """Chunks, filters and the fill value."""
    if spec.chunks is not None:
        chunked = ds.chunks is not None
        ok = chunked == spec.chunks if isinstance(spec.chunks, bool) else ds.chunks == spec.chunks
        if not ok:
            _add(out, path, "chunks_mismatch")
    compression = ds.compression or "none"
    checks = (
        (spec.compression, compression),
        (spec.compression_opts, ds.compression_opts if compression == "gzip" else None),
        (spec.shuffle, ds.shuffle),
        (spec.fletcher32, ds.fletcher32),
    )
    if any(want is not None and want != got for want, got in checks):
        _add(out, path, "compression_mismatch")
    if spec.fillvalue is not None:
        got = _fill(ds, observed)
        same = got is not None and (
            (isinstance(got, float) and math.isnan(got) and math.isnan(spec.fillvalue))
            if isinstance(spec.fillvalue, float) and spec.fillvalue != spec.fillvalue
            else got == spec.fillvalue
        )
        if not same:
            _add(out, path, "fillvalue_mismatch")


def _data(ds: h5py.Dataset, spec: h5s.DatasetSpec, observed: Any, path: str, out: set[Finding]) -> None:
    """The data checks, on the whole dataset read at once."""
    data = ds[()]
    arr = np.asarray(data)
    if isinstance(observed, StringDType):
        arr = observed.decode(arr)
    checker = DataChecker(spec)
    checker.feed(arr, (0,) * arr.ndim)
    for v in checker.violations(path):
        _add(out, path, v.code.value)


def _fill(ds: h5py.Dataset, observed: Any) -> Any:
    plist = ds.id.get_create_plist()
    if plist.fill_value_defined() != h5py.h5d.FILL_VALUE_USER_DEFINED:
        return None
    value = ds.fillvalue
    value = value.item() if isinstance(value, np.generic) else value
    if isinstance(observed, StringDType) and observed.encoding == "utf-8" and isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    return value


def _attrs(
    obj: Any, specs: tuple[h5s.AttributeSpec, ...], closed: bool, path: str, out: set[Finding]
) -> None:
    present = list(obj.attrs.keys())
    for spec in specs:
        if spec.name not in present:
            if spec.required:
                _add(out, _apath(path, spec.name), "missing_attribute")
            continue
        present.remove(spec.name)
        aid = obj.attrs.get_id(spec.name)
        npdt = aid.dtype
        observed = from_numpy(npdt)
        shape = aid.shape
        value = None
        if shape is not None and needs_value(spec):
            arr = np.empty(shape, dtype=npdt)
            aid.read(arr)
            if isinstance(observed, StringDType):
                arr = observed.decode(arr)
            value = arr.item() if arr.ndim == 0 and arr.dtype.kind in "biufcOS" else arr
        problem = attribute_problem(spec, AttrRead(observed, shape, value), check_value=needs_value(spec))
        if problem is not None:
            _add(out, _apath(path, spec.name), problem[0].value)
    for name in present:
        _add(out, _apath(path, name), "unexpected_attribute", warn=not closed)
