"""Planning a file: values checked against the schema and turned into a plan, before any I/O.

Everything is checked here (attribute values, data, member names, counts, dims, fill values), so
a problem raises :class:`MaterializeError` before a byte is written.

Values come as a schema instance (``SpeechFeatures(sets={...})``) or, for a schema document, as a
nested mapping keyed by HDF5 names: ``{"@title": "x", "features_A": {"@fs": 16000, "features": arr}}``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from h5schema._errors import MaterializeError
from h5schema._schema.attribute import array_value
from h5schema._schema.model import Dataset
from h5schema._schema.spec import AttributeSpec, DatasetSpec, GroupSpec
from h5schema._types.coerce import Casting, coerce
from h5schema._types.constraints import constraint_problems
from h5schema._types.dtypes import DTypeSpec, StringDType, as_dtype, from_numpy, is_concrete, to_numpy
from h5schema._types.paths import attribute_path, child_path
from h5schema._types.shapes import describe_lengths, describe_shape
from h5schema._types.strings import encode_array
from h5schema._validate.data import batch_problem

__all__ = [
    "DatasetPlan",
    "GroupPlan",
    "attr_dtype",
    "choose_chunks",
    "plan_attrs",
    "plan_dataset",
    "plan_group",
    "to_mapping",
]

CHUNK_TARGET_BYTES = 1 << 20


@dataclass
class DatasetPlan:
    spec: DatasetSpec
    dtype: DTypeSpec
    shape: tuple[int, ...]
    maxshape: tuple[int | None, ...] | None
    chunks: tuple[int, ...] | None
    data: np.ndarray | None
    attrs: dict[str, tuple[AttributeSpec, Any]]


@dataclass
class GroupPlan:
    spec: GroupSpec
    attrs: dict[str, tuple[AttributeSpec, Any]]
    members: list[tuple[str, GroupPlan | DatasetPlan]] = field(default_factory=list)


# ---------------------------------------------------------------- values as one mapping


def to_mapping(value: Any) -> dict[str, Any]:
    """A schema instance as the nested mapping keyed by HDF5 names (``@name`` for attributes)."""
    if isinstance(value, dict):
        return value
    if value is None:
        return {}
    out: dict[str, Any] = {}
    roles = type(value).__h5fields__
    for fname, role in roles.items():
        v = getattr(value, fname)
        if role.role == "attribute":
            if v is not None:
                out["@" + role.name] = v
        elif role.role == "members":
            out.update(
                {
                    k: to_mapping(m) if not isinstance(m, Dataset) else _dataset_mapping(m)
                    for k, m in v.items()
                }
            )
        elif role.role == "dataset":
            out[role.name] = (
                _dataset_mapping(v) if isinstance(v, Dataset) else (None if v is None else {"data": v})
            )
        elif v is not None:
            out[role.name] = to_mapping(v)
        else:
            out[role.name] = None
    return out


def _dataset_mapping(ds: Dataset) -> dict[str, Any]:
    out: dict[str, Any] = {"data": ds.data}
    for fname, role in type(ds).__h5fields__.items():
        v = getattr(ds, fname)
        if v is not None:
            out["@" + role.name] = v
    return out


# ---------------------------------------------------------------- planning


def _fail(path: str, problem: str) -> MaterializeError:
    return MaterializeError(f"{path}: {problem}")


def plan_attrs(
    specs: tuple[AttributeSpec, ...], values: dict[str, Any], path: str
) -> dict[str, tuple[AttributeSpec, Any]]:
    given = {k[1:]: v for k, v in values.items() if k.startswith("@")}
    out: dict[str, tuple[AttributeSpec, Any]] = {}
    for spec in specs:
        apath = attribute_path(path, spec.name)
        value = given.pop(spec.name, None)
        if value is None:
            value = spec.default
        if value is None:
            if spec.required:
                raise _fail(apath, f"required attribute has no value (expected {spec.describe_type()})")
            continue
        value = _normalize_attr(spec, value, apath)
        text_dtype = attr_dtype(spec)
        if isinstance(text_dtype, StringDType):  # the flavour's rules: UTF-8 encodable, no NUL
            try:
                encode_array(text_dtype, value)
            except ValueError as exc:
                raise _fail(apath, str(exc)) from None
        problems = constraint_problems(spec, value)
        if problems:
            exp, got = problems[0]
            raise _fail(apath, f"expected {exp}, got {got}")
        out[spec.name] = (spec, value)
    if given:
        raise _fail(path, f"attributes {sorted(given)} are not declared in the schema")
    return out


def _normalize_attr(spec: AttributeSpec, value: Any, apath: str) -> Any:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, np.generic):
        value = value.item()
    kind = spec.scalar_kind
    py: dict[str, type | tuple[type, ...]] = {
        "int": int,
        "float": (float, int),
        "bool": bool,
        "str": str,
        "bytes": bytes,
    }
    if spec.type == "array":
        try:
            return array_value(spec, value)
        except ValueError as exc:
            raise _fail(apath, str(exc)) from None
    items = list(value) if spec.type == "list" else [value]
    if spec.type == "list" and isinstance(value, str | bytes):
        raise _fail(apath, f"expected a list of {kind}, got {type(value).__name__}")
    items = [
        v.value if isinstance(v, enum.Enum) else (v.item() if isinstance(v, np.generic) else v) for v in items
    ]
    for v in items:
        ok = isinstance(v, py[kind]) and (kind == "bool" or not isinstance(v, bool))
        if not ok:
            raise _fail(apath, f"expected {spec.describe_type()}, got {type(v).__name__} {v!r}")
    if kind == "int" and any(not _INT64[0] <= v <= _INT64[1] for v in items):
        raise _fail(apath, f"expected integers that fit 64 bits, got {max(items, key=abs)!r}")
    if kind == "float":
        try:
            items = [float(v) for v in items]
        except OverflowError:
            raise _fail(apath, "expected numbers that fit a 64-bit float, got a larger integer") from None
    return items if spec.type == "list" else items[0]


_INT64 = (-(2**63), 2**63 - 1)


def plan_group(
    spec: GroupSpec, values: dict[str, Any], path: str, casting: Casting = "lossless"
) -> GroupPlan:
    values = dict(values)
    plan = GroupPlan(spec, plan_attrs(spec.attributes, values, path))
    members = {k: v for k, v in values.items() if not k.startswith("@")}
    scope: dict[str, int] = {}
    pending: list[tuple[str, DatasetSpec, Any]] = []
    for m in spec.members:
        name = m.name or ""
        given = members.pop(name, None)
        if given is None and not m.required:
            continue
        if isinstance(m, GroupSpec):
            plan.members.append((name, plan_group(m, to_mapping(given), child_path(path, name), casting)))
        else:
            pending.append((name, m, given))
    for regex, pattern in spec.compiled_patterns():
        matched = [k for k in members if regex.fullmatch(k)]
        lo, hi = pattern.min_count, pattern.max_count
        if len(matched) < lo or (hi is not None and len(matched) > hi):
            raise _fail(path, f"expected {pattern.describe()}, got {len(matched)}")
        for name in matched:
            given = members.pop(name)
            if isinstance(pattern.item, GroupSpec):
                plan.members.append(
                    (name, plan_group(pattern.item, to_mapping(given), child_path(path, name), casting))
                )
            else:
                pending.append((name, pattern.item, given))
    if members:
        raise _fail(path, f"members {sorted(members)} are not declared in the schema")
    # Datasets with data bind named dims first, so empty ones can follow them; a dim no data
    # binds starts at the largest lower bound any of its datasets declares.
    pending.sort(key=lambda item: _data_of(item[2]) is None)
    floors: dict[str, int] = {}
    for _, dspec, _ in pending:
        for d in dspec.shape or ():
            if d.name is not None:
                floors[d.name] = max(floors.get(d.name, 0), d.lower)
    for name, dspec, given in pending:
        plan.members.append(
            (name, plan_dataset(dspec, given, child_path(path, name), scope, casting, floors))
        )
    return plan


def _data_of(given: Any) -> Any:
    if isinstance(given, Dataset):
        return given.data
    if isinstance(given, dict):
        return given.get("data")
    return given


def plan_dataset(
    spec: DatasetSpec,
    given: Any,
    path: str,
    scope: dict[str, int],
    casting: Casting,
    floors: dict[str, int] | None = None,
) -> DatasetPlan:
    mapping = (
        _dataset_mapping(given)
        if isinstance(given, Dataset)
        else (dict(given) if isinstance(given, dict) else {"data": given})
    )
    raw = mapping.pop("data", None)
    attrs = plan_attrs(spec.attributes, mapping, path)
    if set(mapping) - {k for k in mapping if k.startswith("@")}:
        raise _fail(path, f"unknown keys {sorted(mapping)}")
    dtype = spec.dtype
    data: np.ndarray | None = None
    if raw is not None:
        if dtype is None or not is_concrete(dtype):
            guess = (
                from_numpy(np.asarray(raw).dtype)
                if not isinstance(raw, np.ndarray) or raw.dtype.kind != "U"
                else as_dtype(str)
            )
            if dtype is not None and not dtype.matches(guess):
                raise _fail(path, f"data of dtype {guess.describe()} does not match {dtype.describe()}")
            dtype = guess
        try:
            data = coerce(dtype, raw, casting=casting)
        except ValueError as exc:
            raise _fail(path, str(exc)) from None
    if dtype is None or not is_concrete(dtype):
        what = "no dtype" if dtype is None else f"dtype {dtype.describe()}"
        raise _fail(path, f"{what} declared and no data given: declare an exact dtype to create it")
    shape = _initial_shape(spec, data, path, scope, floors or {})
    if data is None and spec.has_data_checks and int(np.prod(shape)) > 0:
        _check_fill(spec, dtype, shape, path)
    problem = batch_problem(spec, dtype, data) if data is not None else None
    if problem is not None:
        raise _fail(path, problem)
    shape, chunks, maxshape = _storage(spec, shape, data, dtype, path)
    if chunks and maxshape is None and any(c > n for c, n in zip(chunks, shape, strict=True)):
        shape_limits = tuple(max(c, n) for c, n in zip(chunks, shape, strict=True))
        maxshape = shape_limits  # HDF5 wants chunks within the maximum shape; maxshape is not checked
    return DatasetPlan(spec, dtype, shape, maxshape, chunks, data, attrs)


def _storage(
    spec: DatasetSpec, shape: tuple[int, ...], data: np.ndarray | None, dtype: DTypeSpec, path: str
) -> tuple[tuple[int, ...], tuple[int, ...] | None, tuple[int | None, ...] | None]:
    """The shape, chunks and maximum shape to create the dataset with."""
    maxshape = spec.maxshape
    filters = spec.compression not in (None, "none") or bool(spec.shuffle) or bool(spec.fletcher32)
    unlimited = maxshape is not None and None in maxshape
    needs_chunks = (
        spec.chunks is True
        or isinstance(spec.chunks, tuple)
        or (spec.chunks is None and (unlimited or filters))
    )
    if spec.chunks is False:
        if maxshape is not None and maxshape != shape:
            raise _fail(
                path,
                f"chunks=False keeps it contiguous, so it cannot be resizable to maxshape "
                f"{describe_lengths(maxshape)} from shape {describe_lengths(shape)}",
            )
        return shape, None, None
    if not needs_chunks:
        return shape, None, maxshape
    if shape == ():
        if data is not None or spec.shape is not None:
            raise _fail(path, "a scalar dataset cannot be chunked or filtered")
        rank = len(spec.chunks) if isinstance(spec.chunks, tuple) else 1
        shape, maxshape = (0,) * rank, (None,) * rank  # any shape: an empty, growable one
    chunks = (
        spec.chunks if isinstance(spec.chunks, tuple) else choose_chunks(shape, maxshape, _itemsize(dtype))
    )
    return shape, chunks, maxshape


def _check_fill(spec: DatasetSpec, dtype: DTypeSpec, shape: tuple[int, ...], path: str) -> None:
    """A dataset created without data holds its fill value; refuse if that breaks its checks."""
    fill = spec.fillvalue
    if fill is None:
        fill = ("" if dtype.encoding == "utf-8" else b"") if isinstance(dtype, StringDType) else 0
    if batch_problem(spec, dtype, np.array([fill], dtype=object if isinstance(fill, str | bytes) else None)):
        raise _fail(
            path,
            f"no data given for its {describe_lengths(shape)} elements, and the fill value {fill!r} "
            "breaks its data checks: give data for it",
        )


def _itemsize(dtype: DTypeSpec) -> int:
    npdt = to_numpy(dtype)
    return 16 if npdt.kind == "O" else max(npdt.itemsize, 1)


def _initial_shape(
    spec: DatasetSpec, data: np.ndarray | None, path: str, scope: dict[str, int], floors: dict[str, int]
) -> tuple[int, ...]:
    if spec.shape is None:
        if data is not None:
            return tuple(data.shape)
        if spec.maxshape is not None:
            return tuple(0 if m is None else m for m in spec.maxshape)
        return ()
    if data is not None:
        shape = tuple(data.shape)
        if len(shape) != len(spec.shape) or not all(
            d.allows(n) for d, n in zip(spec.shape, shape, strict=True)
        ):
            raise _fail(
                path,
                f"data of shape {describe_lengths(shape)} does not fit {describe_shape(spec.shape)}",
            )
    else:
        shape = tuple(
            scope.get(d.name, floors.get(d.name, d.lower)) if d.name else d.lower for d in spec.shape
        )
    for axis, (d, n) in enumerate(zip(spec.shape, shape, strict=True)):
        if d.name is None:
            continue
        if scope.setdefault(d.name, n) != n:
            raise _fail(
                path,
                f"dim {d.name!r} is {scope[d.name]} in this group, but this data has {n} on axis {axis}",
            )
    if spec.maxshape is not None:
        for axis, (n, m) in enumerate(zip(shape, spec.maxshape, strict=True)):
            if m is not None and n > m:
                raise _fail(
                    path,
                    f"length {n} on axis {axis} exceeds maxshape {describe_lengths(spec.maxshape)}",
                )
    return shape


def choose_chunks(
    shape: tuple[int, ...], maxshape: tuple[int | None, ...] | None, itemsize: int
) -> tuple[int, ...]:
    """Chunks near 1 MiB that never split the fixed axes: only unlimited axes are cut.

    >>> choose_chunks((0, 40, 200), (None, 40, 200), 4)
    (32, 40, 200)
    """
    if not shape:
        return ()
    limits = maxshape if maxshape is not None else tuple(shape)
    grow = [i for i, m in enumerate(limits) if m is None] or [0]
    chunk = [max(1, n if limits[i] is not None else 1) for i, n in enumerate(shape)]
    for i in grow:
        chunk[i] = 1
    fixed_bytes = int(np.prod(chunk)) * itemsize
    per = max(1, CHUNK_TARGET_BYTES // max(fixed_bytes, 1))
    first = grow[0]
    chunk[first] = per if limits[first] is None else min(per, max(shape[first], 1))
    # HDF5 caps a chunk at 4 GiB; halve the largest fixed axis until far below it.
    while int(np.prod(chunk)) * itemsize > (1 << 28):
        j = int(np.argmax(chunk))
        chunk[j] = max(1, chunk[j] // 2)
    return tuple(chunk)


def attr_dtype(spec: AttributeSpec) -> DTypeSpec | None:
    """The dtype an attribute is written with (None: numpy's choice for the value)."""
    if spec.type in ("str", "bytes"):
        return StringDType(encoding="utf-8" if spec.type == "str" else "ascii")
    if spec.type == "list":
        item = spec.item
        if item in ("str", "bytes"):
            return StringDType(encoding="utf-8" if item == "str" else "ascii")
        return as_dtype({"int": "int64", "float": "float64", "bool": "bool"}[item or "int"])
    if spec.type == "array" and spec.dtype is not None and is_concrete(spec.dtype):
        return spec.dtype
    return None
