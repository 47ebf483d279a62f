"""What the strategies draw for each dtype kind: single elements, whole arrays and fill values.

One entry of :data:`KIND_DRAWS` per kind a dataset can be created with; a test checks that
every such kind of :data:`h5schema._types.dtypes.KINDS` has one, so a new kind cannot be left
out of :func:`~h5schema.strategies.data_for` and :func:`~h5schema.strategies.dataset_specs`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.extra import numpy as hnp
from hypothesis.strategies import SearchStrategy

from h5schema._schema.spec import DatasetSpec
from h5schema._types.dtypes import (
    ArrayDType,
    CompoundDType,
    DTypeSpec,
    EnumDType,
    NumericDType,
    RaggedDType,
    StringDType,
)
from h5schema.strategies._checks import _numpy
from h5schema.strategies._dtypes import _COMPLEX_WIDTH, _FLOAT_WIDTH, string_values
from h5schema.strategies._numbers import _in_bounds, _numbers

__all__ = ["KIND_DRAWS", "KindDraws", "elements", "fill_values", "number_dtype", "scalar_name"]

Elements = Callable[[DatasetSpec, DTypeSpec, bool, bool], SearchStrategy[Any]]
Arrays = Callable[[DatasetSpec, DTypeSpec, tuple[int, ...]], SearchStrategy[np.ndarray]]


@dataclass(frozen=True)
class KindDraws:
    """How to draw values of one dtype kind."""

    elements: Elements | None
    """One element passing the data checks of a spec (when asked), or None: no single elements."""
    arrays: Arrays
    """Arrays of a shape whose elements pass the spec's data checks."""
    fills: Callable[[DTypeSpec], SearchStrategy[Any]]
    """Fill values a declaration of this kind may carry."""


def scalar_name(dt: DTypeSpec) -> str | None:
    """The numeric name whose Python numbers fill ``dt`` or the sequences of a ragged ``dt``
    (None for strings and compounds)."""
    if isinstance(dt, NumericDType):
        return dt.name
    if isinstance(dt, EnumDType):
        return dt.base
    if isinstance(dt, RaggedDType) and isinstance(dt.base, NumericDType):
        return dt.base.name
    return None


def number_dtype(dt: DTypeSpec) -> DTypeSpec:
    """The dtype of the values data checks see: a ragged dtype's numbers, else ``dt`` itself."""
    return dt.base if isinstance(dt, RaggedDType) else dt


def elements(
    spec: DatasetSpec, dt: DTypeSpec, *, checks: bool = True, nan: bool = True
) -> SearchStrategy[Any]:
    """Single values of ``dt`` that pass the data checks of ``spec`` (when ``checks``)."""
    draw = KIND_DRAWS[dt.kind].elements if dt.kind in KIND_DRAWS else None
    if draw is None:
        raise InvalidArgument(f"no scalar elements for {dt.describe()}")
    return draw(spec, dt, checks, nan)


def fill_values(dt: DTypeSpec) -> SearchStrategy[Any]:
    """Fill values a declaration of ``dt`` may carry (nothing, for kinds that take none)."""
    return KIND_DRAWS[dt.kind].fills(dt) if dt.kind in KIND_DRAWS else st.nothing()


def _allowed(spec: DatasetSpec, checks: bool) -> SearchStrategy[Any] | None:
    """One of the spec's allowed values that passes its other checks; None when none declared."""
    if not checks or spec.values is None:
        return None
    values = [v for v in spec.values if not (isinstance(v, float) and math.isnan(v))]
    if any(b is not None for b in (spec.gt, spec.ge, spec.lt, spec.le)):
        values = [v for v in values if _in_bounds(v, spec.gt, spec.ge, spec.lt, spec.le)]
    return st.sampled_from(values) if values else st.nothing()


def _numeric_elements(spec: DatasetSpec, dt: DTypeSpec, checks: bool, nan: bool) -> SearchStrategy[Any]:
    """Numbers within the bounds (NaN as ``allow_nan`` says), or one of the allowed values."""
    allowed = _allowed(spec, checks)
    if allowed is not None:
        return allowed
    name = scalar_name(dt)
    assert name is not None
    if not checks:
        return _numbers(name)
    bounds = {k: getattr(spec, k) for k in ("gt", "ge", "lt", "le")}
    nan = nan and spec.allow_nan
    if name in _COMPLEX_WIDTH or name == "bool":
        return _numbers(name, allow_nan=nan)
    strategy = _numbers(name, **bounds, allow_nan=nan)
    if name in _FLOAT_WIDTH and nan and any(b is not None for b in bounds.values()):
        strategy = strategy | st.just(math.nan)  # NaN is governed by allow_nan, not by the bounds
    return strategy


def _string_elements(spec: DatasetSpec, dt: DTypeSpec, checks: bool, nan: bool) -> SearchStrategy[Any]:
    assert isinstance(dt, StringDType)
    allowed = _allowed(spec, checks)
    return allowed if allowed is not None else string_values(dt, max_size=6)


def _enum_elements(spec: DatasetSpec, dt: DTypeSpec, checks: bool, nan: bool) -> SearchStrategy[Any]:
    assert isinstance(dt, EnumDType)
    allowed = _allowed(spec, checks)
    return allowed if allowed is not None else st.sampled_from(sorted(dt.members.values()))


def _ragged_elements(spec: DatasetSpec, dt: DTypeSpec, checks: bool, nan: bool) -> SearchStrategy[Any]:
    """Sequences within the length bounds (up to 6 elements past the least), of numbers that
    pass the data checks."""
    assert isinstance(dt, RaggedDType) and isinstance(dt.base, NumericDType)
    lo = dt.min_length or 0
    hi = dt.max_length if dt.max_length is not None else lo + 6
    npdt = _numpy(dt.base)
    numbers = elements(spec, dt.base, checks=checks, nan=nan)
    return st.lists(numbers, min_size=lo, max_size=min(hi, lo + 6)).map(lambda v: np.array(v, dtype=npdt))


def _plain_arrays(spec: DatasetSpec, dt: DTypeSpec, shape: tuple[int, ...]) -> SearchStrategy[np.ndarray]:
    return hnp.arrays(_numpy(dt), shape, elements=elements(spec, dt), fill=st.nothing())


def _string_arrays(spec: DatasetSpec, dt: DTypeSpec, shape: tuple[int, ...]) -> SearchStrategy[np.ndarray]:
    return hnp.arrays(object, shape, elements=elements(spec, dt), fill=st.nothing())


def _object_array(values: list[Any], shape: tuple[int, ...]) -> np.ndarray:
    """Values (arrays among them) as an object array of ``shape``, each value one element."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out.reshape(shape)


def _ragged_arrays(spec: DatasetSpec, dt: DTypeSpec, shape: tuple[int, ...]) -> SearchStrategy[np.ndarray]:
    size = math.prod(shape)
    rows = st.lists(elements(spec, dt), min_size=size, max_size=size)
    return rows.map(lambda values: _object_array(values, shape))


def _compound_values(dt: CompoundDType) -> SearchStrategy[tuple[Any, ...]]:
    parts: list[SearchStrategy[Any]] = []
    for f in dt.fields:
        fdt = f.dtype
        if isinstance(fdt, StringDType):
            # compound fields hold raw bytes (no flavour decoding inside a struct)
            n = fdt.length or 4
            parts.append(string_values(StringDType(encoding="ascii", length=n)))
        elif isinstance(fdt, ArrayDType):
            parts.append(
                hnp.arrays(_numpy(fdt.base), fdt.shape, elements=_numbers(scalar_name(fdt.base) or "int8"))
            )
        elif isinstance(fdt, CompoundDType):
            parts.append(_compound_values(fdt))
        else:
            parts.append(_numbers(scalar_name(fdt) or "int8"))
    return st.tuples(*parts)


def _compound_arrays(spec: DatasetSpec, dt: DTypeSpec, shape: tuple[int, ...]) -> SearchStrategy[np.ndarray]:
    assert isinstance(dt, CompoundDType)
    size, npdt = int(np.prod(shape)), _numpy(dt)
    return st.lists(_compound_values(dt), min_size=size, max_size=size).map(
        lambda rows: np.array(rows, dtype=npdt).reshape(shape)
    )


def _number_fills(dt: DTypeSpec) -> SearchStrategy[Any]:
    name = scalar_name(dt)
    return st.nothing() if name is None else _numbers(name)


def _string_fills(dt: DTypeSpec) -> SearchStrategy[Any]:
    assert isinstance(dt, StringDType)
    return string_values(dt, max_size=4)


def _enum_fills(dt: DTypeSpec) -> SearchStrategy[Any]:
    assert isinstance(dt, EnumDType)
    return st.sampled_from(sorted(dt.members.values()))


def _no_fills(dt: DTypeSpec) -> SearchStrategy[Any]:
    return st.nothing()


KIND_DRAWS: dict[str, KindDraws] = {
    "numeric": KindDraws(_numeric_elements, _plain_arrays, _number_fills),
    "enum": KindDraws(_enum_elements, _plain_arrays, _enum_fills),
    "string": KindDraws(_string_elements, _string_arrays, _string_fills),
    "compound": KindDraws(None, _compound_arrays, _no_fills),
    "array": KindDraws(None, _plain_arrays, _no_fills),
    "ragged": KindDraws(_ragged_elements, _ragged_arrays, _no_fills),
}
"""Every kind a dataset can be created with (the family and other kinds cannot)."""
