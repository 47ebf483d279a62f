"""Dataset declarations, and the data and fill values that satisfy them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import DrawFn, SearchStrategy

from h5schema._schema.spec import DatasetSpec
from h5schema._types.dtypes import CompoundDType, DTypeSpec, EnumDType, FamilyDType, NumericDType
from h5schema._types.shapes import DimSpec
from h5schema.strategies._attributes import _attribute_list, _bounds
from h5schema.strategies._checks import _check_bool, _check_int, _check_strategy
from h5schema.strategies._dtypes import (
    _COMPLEX_WIDTH,
    _FLOAT_WIDTH,
    _INT_NAMES,
    _NUMERIC_NAMES,
    _all_dtypes,
    dtypes,
    string_dtypes,
)
from h5schema.strategies._kinds import KIND_DRAWS, fill_values, number_dtype, scalar_name
from h5schema.strategies._kinds import elements as _elements

__all__ = ["data_for", "dataset_specs"]


_NAME_CHARS = "abcxyz_0123 é日.-"
_DIM_NAMES = ("n", "m")


def _member_names() -> SearchStrategy[str]:
    return st.text(_NAME_CHARS, min_size=1, max_size=5).filter(lambda s: s not in (".", ".."))


def _concrete(dt: DTypeSpec | None) -> SearchStrategy[DTypeSpec]:
    """An exact dtype matching ``dt`` (any of a family; int64 for no dtype)."""
    if dt is None:
        return st.just(NumericDType(name="int64"))
    if dt.is_concrete():
        return st.just(dt)
    if isinstance(dt, FamilyDType):
        if dt.family == "text":
            return string_dtypes()
        if dt.family == "any":
            return dtypes(enums=False)
        return st.sampled_from([n for n in _NUMERIC_NAMES if dt.matches(NumericDType(name=n))]).map(
            lambda n: NumericDType(name=n)
        )
    raise InvalidArgument(f"cannot make data for dtype {dt.describe()}")


def data_for(
    spec: DatasetSpec, shape: tuple[int, ...], *, dtype: DTypeSpec | None = None
) -> SearchStrategy[np.ndarray]:
    """Arrays of ``shape`` that the materializer and the writers accept for ``spec``.

    Elements satisfy the data checks (``values``, bounds, ``allow_nan``); strings come as object
    arrays of ``str`` (UTF-8) or ``bytes`` (ASCII), compounds as structured arrays. ``dtype``
    picks the element type when ``spec.dtype`` is a family or None.

    >>> import h5schema as h5s
    >>> spec = h5s.DatasetSpec(dtype="int8", values=(3, 5))
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(data_for(spec, (2,)))
    ... def check(arr):
    ...     assert arr.shape == (2,) and set(arr.tolist()) <= {3, 5}
    >>> check()
    """
    if not isinstance(spec, DatasetSpec):
        raise InvalidArgument(f"data_for() needs a DatasetSpec, got {spec!r}")
    if not isinstance(shape, tuple) or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise InvalidArgument(f"shape={shape!r} must be a tuple of non-negative ints")
    chosen = st.just(dtype) if dtype is not None else _concrete(spec.dtype)

    def arrays(dt: DTypeSpec) -> SearchStrategy[np.ndarray]:
        return KIND_DRAWS[dt.kind].arrays(spec, dt, shape)

    return chosen.flatmap(arrays)


@dataclass(frozen=True)
class _Opts:
    max_rank: int
    max_side: int
    max_attributes: int
    dtypes: SearchStrategy[DTypeSpec]
    resizable: bool | None = None
    data_checks: bool = True


@st.composite
def _axis(draw: DrawFn, witness: Mapping[str, int], max_side: int) -> tuple[DimSpec, int, int | None]:
    """One declared axis, the least length it needs and the largest it allows (None: any)."""
    kinds = ["fixed", "any", "range"] + (["named"] * 3 if witness else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "fixed":
        n = draw(st.integers(0, max_side))
        return DimSpec(size=n), n, n
    if kind == "any":
        return DimSpec(), 0, None
    if kind == "range":
        lo = draw(st.integers(0, max_side))
        hi = draw(st.none() | st.integers(lo, lo + 2))
        return DimSpec(min=lo if lo or draw(st.booleans()) else None, max=hi), lo, hi
    name = draw(st.sampled_from(sorted(witness)))
    w = witness[name]
    form = draw(st.sampled_from(("bare", "size", "min", "max", "both")))
    if form == "size":
        return DimSpec(name=name, size=w), w, w
    lo = draw(st.integers(0, w)) if form in ("min", "both") else 0
    hi = draw(st.integers(w, w + 2)) if form in ("max", "both") else None
    return DimSpec(name=name, min=lo if form in ("min", "both") else None, max=hi), w, hi


@st.composite
def _dataset_spec(
    draw: DrawFn, *, name: str | None, required: bool, witness: Mapping[str, int], opts: _Opts
) -> DatasetSpec:
    dt = draw(opts.dtypes)
    rank = draw(st.integers(1 if opts.resizable else 0, opts.max_rank))
    shape: tuple[DimSpec, ...] | None = None
    needs: list[int] = [0] * rank
    uppers: list[int | None] = [None] * rank
    if opts.resizable is True or draw(st.integers(0, 7)) > 0:
        axes = [draw(_axis(witness, opts.max_side)) for _ in range(rank)]
        shape = tuple(a[0] for a in axes)
        needs = [a[1] for a in axes]
        uppers = [a[2] for a in axes]
    modes = (
        ["none"]
        if rank == 0
        else ["unlimited"]
        if opts.resizable is True
        else ["none", "fixed"]
        if opts.resizable is False
        else ["none", "fixed", "unlimited", "unlimited"]
    )
    mode = draw(st.sampled_from(modes))
    maxshape: tuple[int | None, ...] | None = None
    # a maxshape axis of length 0 cannot be chunked (a definition error): start bounds at 1
    if mode == "fixed":
        maxshape = tuple(draw(st.integers(max(n, 1), max(n, 1) + 1)) for n in needs)
    elif mode == "unlimited":
        maxshape = (None, *(draw(st.none() | st.integers(max(n, 1), max(n, 1) + 1)) for n in needs[1:]))
    # without a declared shape or maxshape the rank of the data is open: no chunk tuple then
    declared_rank = rank > 0 and (shape is not None or maxshape is not None)
    chunk_modes: list[Any] = (
        [None, False] if rank == 0 else [None, True] + (["tuple"] if declared_rank else [])
    )
    if maxshape is None and rank:  # contiguous storage cannot be resized: no maxshape then
        chunk_modes.append(False)
    chunks: Any = draw(st.sampled_from(chunk_modes))
    if chunks == "tuple":
        sizes = []
        for i in range(rank):
            bound = maxshape[i] if maxshape is not None else uppers[i]
            top = bound if bound else opts.max_side + 1
            sizes.append(draw(st.integers(1, top)))
        chunks = tuple(sizes)
    compression = compression_opts = shuffle = fletcher32 = None
    if chunks is not False and rank > 0:  # scalars take no filters
        compression = draw(st.sampled_from((None, None, "none", "gzip", "lzf")))
        if compression == "gzip":
            compression_opts = draw(st.none() | st.integers(0, 9))
        shuffle = draw(st.sampled_from((None, False, True)))
        # HDF5 refuses fletcher32 on variable-length data
        fletcher32 = draw(st.sampled_from((None, False) if dt.is_variable_length() else (None, False, True)))
    else:
        compression = draw(st.sampled_from((None, "none")))
        shuffle = draw(st.sampled_from((None, False)))
        fletcher32 = draw(st.sampled_from((None, False)))
    fillvalue = draw(st.none() | fill_values(dt)) if draw(st.integers(0, 2)) == 0 else None
    checks: dict[str, Any] = {}
    name_ = scalar_name(dt)
    if opts.data_checks and not isinstance(dt, CompoundDType):
        real = (
            name_ is not None
            and name_ != "bool"
            and name_ not in _COMPLEX_WIDTH
            and not isinstance(dt, EnumDType)
        )
        if real and draw(st.integers(0, 2)) == 0:
            assert name_ is not None
            limits: tuple[float, float] = (-100, 100)
            if name_ in _INT_NAMES:
                info = np.iinfo(name_)
                limits = (max(int(info.min), -100), min(int(info.max), 100))
            bounds = draw(_bounds("int" if name_ in _INT_NAMES else "float", limits))
            bounds.pop("multiple_of", None)
            checks.update(bounds)
        complex_ = name_ in _COMPLEX_WIDTH
        if not complex_ and draw(st.integers(0, 2)) == 0:
            probe = DatasetSpec(dtype=dt, **checks)
            elements = _elements(probe, number_dtype(dt), nan=False)
            checks["values"] = tuple(draw(st.lists(elements, min_size=1, max_size=3, unique_by=repr)))
        if (name_ in _FLOAT_WIDTH or complex_) and draw(st.integers(0, 2)) == 0:
            checks["allow_nan"] = False
    attributes = draw(_attribute_list(opts.max_attributes, opts.max_side))
    return DatasetSpec(
        name=name,
        required=required,
        dtype=dt,
        shape=shape,
        maxshape=maxshape,
        chunks=chunks,
        compression=compression,
        compression_opts=compression_opts,
        shuffle=shuffle,
        fletcher32=fletcher32,
        fillvalue=fillvalue,
        closed=draw(st.booleans()),
        attributes=attributes,
        description=draw(st.none() | st.text(max_size=6)),
        **checks,
    )


def _validate_sizes(max_rank: int, max_side: int, max_attributes: int) -> None:
    _check_int(max_rank, "max_rank")
    _check_int(max_side, "max_side")
    _check_int(max_attributes, "max_attributes")
    if max_rank > 4 or max_side > 16:
        raise InvalidArgument(f"max_rank={max_rank} (<= 4) and max_side={max_side} (<= 16) keep files small")


def _witnesses(max_side: int, *, min_size: int = 0) -> SearchStrategy[dict[str, int]]:
    """Named dims with one length that every declaration of them will allow."""
    return st.dictionaries(
        st.sampled_from(_DIM_NAMES), st.integers(0, max_side), min_size=min_size, max_size=len(_DIM_NAMES)
    )


def dataset_specs(
    *,
    dtypes: SearchStrategy[DTypeSpec] | None = None,
    max_rank: int = 2,
    max_side: int = 3,
    max_attributes: int = 2,
    resizable: bool | None = None,
    data_checks: bool = True,
    names: SearchStrategy[str | None] | None = None,
) -> SearchStrategy[DatasetSpec]:
    """Dataset declarations that can be materialized: an exact dtype (``dtypes``, default
    :func:`dtypes`), a shape of up to ``max_rank`` axes (fixed sizes up to ``max_side``, any
    length, ranges, named dims), maxshape (``None`` on axis 0 when resizable; ``resizable`` True
    or False forces it), chunks (auto, required, contiguous or a tuple), gzip/lzf/shuffle/
    fletcher32, a fill value, data checks (``values``, bounds, ``allow_nan``) and attributes.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, database=None)
    ... @given(dataset_specs(resizable=True))
    ... def check(ds):
    ...     assert ds.maxshape[0] is None and ds.append_axis == 0
    >>> check()
    """
    _check_strategy(dtypes, "dtypes")
    _check_strategy(names, "names")
    _validate_sizes(max_rank, max_side, max_attributes)
    _check_bool(resizable, "resizable", optional=True)
    _check_bool(data_checks, "data_checks")
    if resizable and max_rank < 1:
        raise InvalidArgument("resizable=True needs max_rank >= 1")
    opts = _Opts(
        max_rank,
        max_side,
        max_attributes,
        dtypes if dtypes is not None else _all_dtypes(),
        resizable,
        data_checks,
    )
    names_ = names if names is not None else _member_names()
    return st.tuples(names_, _witnesses(max_side), st.booleans()).flatmap(
        lambda t: _dataset_spec(name=t[0], required=t[2], witness=t[1], opts=opts)
    )
