"""Planning a file: values checked against the schema and turned into a plan, before any I/O.

Everything is checked here (attribute values, data, member names, counts, dims, fill values), so
a problem raises :class:`MaterializeError` before a byte is written.

Values come as a schema instance (``SpeechFeatures(sets={...})``) or, for a schema document, as a
nested mapping keyed by HDF5 names: ``{"@title": "x", "features_A": {"@fs": 16000, "features": arr}}``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from h5schema._errors import materialize_error
from h5schema._io.plan_attrs import attr_dtype, plan_attrs
from h5schema._io.plan_storage import choose_chunks, initial_shape, storage
from h5schema._schema.model import Dataset
from h5schema._schema.spec import AttributeSpec, DatasetSpec, GroupSpec, PatternSpec
from h5schema._types.coerce import Casting, coerce
from h5schema._types.dtypes import DTypeSpec, as_dtype, from_numpy
from h5schema._types.paths import child_path
from h5schema._types.shapes import describe_lengths
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
    for fname, role in type(value).__h5fields__.items():
        out.update(_field_entries(role.role, role.name, getattr(value, fname)))
    return out


def _field_entries(role: str, name: str, v: Any) -> dict[str, Any]:
    """One class field's entries in the mapping: an attribute left out when None, a dict of
    members spread out, a dataset or group under its name (None when not given)."""
    if role == "attribute":
        return {} if v is None else {"@" + name: v}
    if role == "members":
        return {k: _member_mapping(m) for k, m in v.items()}
    if role == "dataset":
        return {name: _dataset_mapping(v) if isinstance(v, Dataset) else (None if v is None else {"data": v})}
    return {name: None if v is None else to_mapping(v)}


def _member_mapping(m: Any) -> dict[str, Any]:
    return _dataset_mapping(m) if isinstance(m, Dataset) else to_mapping(m)


def _dataset_mapping(ds: Dataset) -> dict[str, Any]:
    out: dict[str, Any] = {"data": ds.data}
    for fname, role in type(ds).__h5fields__.items():
        v = getattr(ds, fname)
        if v is not None:
            out["@" + role.name] = v
    return out


# ---------------------------------------------------------------- groups

Pending = tuple[str, DatasetSpec, Any]  # a dataset to plan: its name, declaration and values


def plan_group(
    spec: GroupSpec, values: dict[str, Any], path: str, casting: Casting = "lossless"
) -> GroupPlan:
    values = dict(values)
    plan = GroupPlan(spec, plan_attrs(spec.attributes, values, path))
    members = {k: v for k, v in values.items() if not k.startswith("@")}
    pending: list[Pending] = []
    for name, m, given in _given_members(spec, members, path):
        if isinstance(m, GroupSpec):
            plan.members.append((name, plan_group(m, to_mapping(given), child_path(path, name), casting)))
        else:
            pending.append((name, m, given))
    if members:
        raise materialize_error(path, f"members {sorted(members)} are not declared in the schema")
    plan.members += _plan_datasets(pending, path, casting)
    return plan


def _given_members(
    spec: GroupSpec, members: dict[str, Any], path: str
) -> Iterator[tuple[str, GroupSpec | DatasetSpec, Any]]:
    """Each declared member with its values, taken out of ``members``: the named members (an
    optional one only when given), then each pattern's matches, as many as it allows."""
    for m in spec.members:
        name = m.name or ""
        given = members.pop(name, None)
        if given is not None or m.required:
            yield name, m, given
    for regex, pattern in spec.compiled_patterns():
        matched = [k for k in members if regex.fullmatch(k)]
        _count_fits(pattern, len(matched), path)
        for name in matched:
            yield name, pattern.item, members.pop(name)


def _count_fits(pattern: PatternSpec, count: int, path: str) -> None:
    """A pattern is given between min_count and max_count members."""
    hi = pattern.max_count
    if count < pattern.min_count or (hi is not None and count > hi):
        raise materialize_error(path, f"expected {pattern.describe()}, got {count}")


def _plan_datasets(pending: list[Pending], path: str, casting: Casting) -> list[tuple[str, DatasetPlan]]:
    """A group's datasets, planned in one dims scope. Datasets with data bind named dims first, so
    empty ones can follow them; a dim no data binds starts at the largest lower bound any of its
    datasets declares."""
    pending.sort(key=lambda item: _data_of(item[2]) is None)
    floors: dict[str, int] = {}
    for _, dspec, _ in pending:
        for d in dspec.shape or ():
            if d.name is not None:
                floors[d.name] = max(floors.get(d.name, 0), d.lower)
    scope: dict[str, int] = {}
    return [
        (name, plan_dataset(dspec, given, child_path(path, name), scope, casting, floors))
        for name, dspec, given in pending
    ]


def _data_of(given: Any) -> Any:
    if isinstance(given, Dataset):
        return given.data
    if isinstance(given, dict):
        return given.get("data")
    return given


# ---------------------------------------------------------------- datasets


def plan_dataset(
    spec: DatasetSpec,
    given: Any,
    path: str,
    scope: dict[str, int],
    casting: Casting,
    floors: dict[str, int] | None = None,
) -> DatasetPlan:
    mapping = _dataset_values(given)
    raw = mapping.pop("data", None)
    attrs = plan_attrs(spec.attributes, mapping, path)
    if any(not k.startswith("@") for k in mapping):
        raise materialize_error(path, f"unknown keys {sorted(mapping)}")
    dtype, data = _typed_data(spec, raw, path, casting)
    shape = initial_shape(spec, data, path, scope, floors or {})
    _data_passes_checks(spec, dtype, data, shape, path)
    shape, chunks, maxshape = storage(spec, shape, data, dtype, path)
    return DatasetPlan(spec, dtype, shape, maxshape, chunks, data, attrs)


def _dataset_values(given: Any) -> dict[str, Any]:
    """A dataset's values as a mapping: ``data`` and its ``@attributes``."""
    if isinstance(given, Dataset):
        return _dataset_mapping(given)
    return dict(given) if isinstance(given, dict) else {"data": given}


def _typed_data(
    spec: DatasetSpec, raw: Any, path: str, casting: Casting
) -> tuple[DTypeSpec, np.ndarray | None]:
    """The exact dtype to create the dataset with and its data cast to it: the declared dtype,
    else (a family or none declared) the data's own, which must match the declaration."""
    dtype = spec.dtype
    data: np.ndarray | None = None
    if raw is not None:
        dtype = _data_dtype(dtype, raw, path)
        try:
            data = coerce(dtype, raw, casting=casting)
        except ValueError as exc:
            raise materialize_error(path, str(exc)) from None
    if dtype is None or not dtype.is_concrete():
        what = "no dtype" if dtype is None else f"dtype {dtype.describe()}"
        raise materialize_error(
            path, f"{what} declared and no data given: declare an exact dtype to create it"
        )
    return dtype, data


def _data_dtype(declared: DTypeSpec | None, raw: Any, path: str) -> DTypeSpec:
    """An exact declared dtype, else the data's, which must match a declared family."""
    if declared is not None and declared.is_concrete():
        return declared
    guess = (
        from_numpy(np.asarray(raw).dtype)
        if not isinstance(raw, np.ndarray) or raw.dtype.kind != "U"
        else as_dtype(str)
    )
    if declared is not None and not declared.matches(guess):
        raise materialize_error(
            path, f"data of dtype {guess.describe()} does not match {declared.describe()}"
        )
    return guess


def _data_passes_checks(
    spec: DatasetSpec, dtype: DTypeSpec, data: np.ndarray | None, shape: tuple[int, ...], path: str
) -> None:
    """The data given, or else the fill value of a non-empty dataset, passes the data checks."""
    if data is None:
        if spec.has_data_checks and int(np.prod(shape)) > 0:
            _check_fill(spec, dtype, shape, path)
        return
    problem = batch_problem(spec, dtype, data)
    if problem is not None:
        raise materialize_error(path, problem)


def _check_fill(spec: DatasetSpec, dtype: DTypeSpec, shape: tuple[int, ...], path: str) -> None:
    """A dataset created without data holds its fill value; refuse if that breaks its checks."""
    fill = spec.fillvalue
    if fill is None:
        fill = dtype.blank()
    if batch_problem(spec, dtype, dtype.as_elements([fill])):
        raise materialize_error(
            path,
            f"no data given for its {describe_lengths(shape)} elements, and the fill value {fill!r} "
            "breaks its data checks: give data for it",
        )
