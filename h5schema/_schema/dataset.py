"""The dataset node of the schema document, with its definition-time rules.

Each rule is a small function that states one requirement and raises ``ValueError`` with the
message a schema author sees; :meth:`DatasetSpec._rules` is the one cross-field check that runs
them in order, so the first broken rule is the one reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, field_serializer, model_validator

from h5schema._schema.attribute import AttributeSpec
from h5schema._schema.base import (
    ChoicesField,
    DTypeField,
    Number,
    ShapeField,
    Spec,
    check_member_name,
    check_names,
    latin1,
)
from h5schema._types.shapes import DimSpec, describe_lengths, describe_shape, first_unlimited

__all__ = ["DatasetSpec"]


class DatasetSpec(Spec):
    """A dataset: element type, shape, storage layout, data checks and attributes.

    ``None`` means "not checked" for every storage field (maxshape, chunks, compression, ...).
    """

    kind: Literal["dataset"] = "dataset"
    name: str | None = None
    required: bool = True
    description: str | None = None
    dtype: DTypeField = None
    shape: ShapeField = None
    maxshape: tuple[Annotated[int, Field(ge=0)] | None, ...] | None = None
    chunks: bool | tuple[Annotated[int, Field(ge=1)], ...] | None = None
    compression: Literal["gzip", "lzf", "none"] | None = None
    compression_opts: Annotated[int, Field(ge=0, le=9)] | None = None
    shuffle: bool | None = None
    fletcher32: bool | None = None
    fillvalue: Any = None
    values: ChoicesField = None
    gt: Number | None = None
    ge: Number | None = None
    lt: Number | None = None
    le: Number | None = None
    allow_nan: bool = True
    closed: bool = False
    external: bool = False
    attributes: tuple[AttributeSpec, ...] = ()

    @field_serializer("values", "fillvalue", when_used="json")
    def _ser_bytes(self, v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return v
        if isinstance(v, complex):  # JSON has no complex numbers: [real, imag]
            return [v.real, v.imag]
        return latin1(v.tolist() if isinstance(v, np.generic | np.ndarray) else v)

    @property
    def bounds(self) -> tuple[Number | None, Number | None, Number | None, Number | None]:
        """The range checks ``(gt, ge, lt, le)``."""
        return self.gt, self.ge, self.lt, self.le

    @property
    def has_bounds(self) -> bool:
        """Whether any range check (gt/ge/lt/le) is declared."""
        return any(b is not None for b in self.bounds)

    @property
    def has_data_checks(self) -> bool:
        rule = self.dtype is not None and self.dtype.rule() is not None  # ragged lengths
        return self.values is not None or not self.allow_nan or self.has_bounds or rule

    @property
    def filtered(self) -> bool:
        """Whether any filter (compression other than "none", shuffle, fletcher32) is declared."""
        return self.compression not in (None, "none") or bool(self.shuffle) or bool(self.fletcher32)

    @property
    def unlimited(self) -> bool:
        """Whether maxshape declares an unlimited axis."""
        return self.maxshape is not None and None in self.maxshape

    @property
    def chunked(self) -> bool:
        """Whether chunks are asked for (True or a chunk shape)."""
        return self.chunks not in (None, False)

    @property
    def append_axis(self) -> int | None:
        """The axis appends grow: the first unlimited axis of maxshape, else the first bounded
        axis that may hold more than its declared minimum."""
        if self.maxshape is None:
            return None
        unlimited = first_unlimited(self.maxshape)
        if unlimited is not None or self.shape is None:
            return unlimited
        return next(
            (i for i, (d, m) in enumerate(zip(self.shape, self.maxshape, strict=True)) if _has_room(d, m)),
            None,
        )

    @model_validator(mode="after")
    def _rules(self) -> DatasetSpec:
        """The cross-field check: the layout rules, then the data rules, in order."""
        if self.name is not None:
            check_member_name(self.name)
        check_names([a.name for a in self.attributes], "attribute")
        for rule in _LAYOUT_RULES:
            rule(self)
        external_data_is_unchecked(self)
        _read_document_values(self)
        for rule in _DATA_RULES:
            rule(self)
        return self


# ---------------------------------------------------------------- layout rules


def maxshape_rank_is_shape_rank(spec: DatasetSpec) -> None:
    """maxshape has as many axes as the shape."""
    shape, maxshape = spec.shape, spec.maxshape
    if maxshape is not None and shape is not None and len(maxshape) != len(shape):
        raise ValueError(
            f"maxshape has rank {len(maxshape)} but shape {describe_shape(shape)} has rank {len(shape)}"
        )


def maxshape_holds_shape(spec: DatasetSpec) -> None:
    """No bounded axis of maxshape is below the shape's smallest length on that axis."""
    shape, maxshape = spec.shape, spec.maxshape
    if maxshape is None or shape is None:
        return
    for i, m in enumerate(maxshape):
        if m is not None and shape[i].lower > m:
            raise ValueError(
                f"maxshape {describe_lengths(maxshape)} is smaller than shape {describe_shape(shape)} "
                f"on axis {i}"
            )


def chunk_rank_is_shape_rank(spec: DatasetSpec) -> None:
    """A chunk shape has as many axes as the shape and as maxshape."""
    chunks, shape, maxshape = spec.chunks, spec.shape, spec.maxshape
    if not isinstance(chunks, tuple):
        return
    if shape is not None and len(chunks) != len(shape):
        raise ValueError(f"chunks {describe_lengths(chunks)} has rank {len(chunks)}, shape has {len(shape)}")
    if maxshape is not None and len(chunks) != len(maxshape):
        raise ValueError(
            f"chunks {describe_lengths(chunks)} and maxshape {describe_lengths(maxshape)} differ in rank"
        )


def chunks_within_bounds(spec: DatasetSpec) -> None:
    """No chunk is longer than its axis's bounded, non-zero maximum (maxshape, else the shape's)."""
    chunks, shape, maxshape = spec.chunks, spec.shape, spec.maxshape
    if not isinstance(chunks, tuple):
        return
    for i, c in enumerate(chunks):
        bound = maxshape[i] if maxshape is not None else (shape[i].upper if shape is not None else None)
        if bound is not None and c > bound and bound > 0:
            raise ValueError(
                f"chunks {describe_lengths(chunks)} are larger than the bounded maximum {bound} on axis {i}"
            )


def contiguous_is_fixed_and_unfiltered(spec: DatasetSpec) -> None:
    """chunks=False (contiguous storage) allows neither unlimited axes nor filters."""
    if spec.chunks is not False:
        return
    if spec.unlimited:
        raise ValueError("a dataset with unlimited axes in maxshape must be chunked")
    if spec.filtered:
        raise ValueError("filters (compression, shuffle, fletcher32) need chunks")


def compression_opts_need_gzip(spec: DatasetSpec) -> None:
    """compression_opts is gzip's level, so it needs compression='gzip'."""
    if spec.compression_opts is not None and spec.compression != "gzip":
        raise ValueError("compression_opts (the gzip level) needs compression='gzip'")


def scalar_is_plain(spec: DatasetSpec) -> None:
    """A scalar dataset (shape ()) is neither chunked, filtered nor resizable."""
    if spec.shape is not None and len(spec.shape) == 0 and (spec.chunked or spec.unlimited or spec.filtered):
        raise ValueError("a scalar dataset cannot be chunked, filtered or resizable")


def empty_axis_is_unchunked(spec: DatasetSpec) -> None:
    """An axis whose maximum is 0 cannot be chunked, so the dataset cannot be chunked, filtered or
    resizable."""
    maxshape = spec.maxshape
    if maxshape is not None and 0 in maxshape and (spec.unlimited or spec.chunked or spec.filtered):
        raise ValueError(
            f"maxshape {describe_lengths(maxshape)} has an axis of length 0, which cannot be chunked: "
            "give it at least 1"
        )


def fletcher32_is_fixed_length(spec: DatasetSpec) -> None:
    """fletcher32 cannot checksum variable-length data (HDF5 refuses it)."""
    if spec.fletcher32 and spec.dtype is not None and spec.dtype.is_variable_length():
        raise ValueError("fletcher32 cannot apply to variable-length data (HDF5 refuses it)")


_LAYOUT_RULES: tuple[Callable[[DatasetSpec], None], ...] = (
    maxshape_rank_is_shape_rank,
    maxshape_holds_shape,
    chunk_rank_is_shape_rank,
    chunks_within_bounds,
    contiguous_is_fixed_and_unfiltered,
    compression_opts_need_gzip,
    scalar_is_plain,
    empty_axis_is_unchunked,
    fletcher32_is_fixed_length,
)


# ---------------------------------------------------------------- data rules


def external_data_is_unchecked(spec: DatasetSpec) -> None:
    """A dataset whose data may live outside the file (external=True) declares no data checks."""
    if spec.external and spec.has_data_checks:
        raise ValueError(
            "external=True: data checks (values, gt/ge/lt/le, allow_nan) cannot run on data that "
            "may be stored outside the file, which is never read"
        )


def _read_document_values(spec: DatasetSpec) -> None:
    """Values as documents spell them, in their Python form (the dtype says how: a complex fill
    value given as ``[real, imag]``, ASCII strings given as latin-1 text)."""
    dt = spec.dtype
    if dt is None:
        return
    values = None if spec.values is None else tuple(dt.from_document(v) for v in spec.values)
    object.__setattr__(spec, "values", values)
    object.__setattr__(spec, "fillvalue", dt.from_document(spec.fillvalue))


def bounds_need_real_numbers(spec: DatasetSpec) -> None:
    """Range checks (gt/ge/lt/le) need a real numeric dtype (or none declared)."""
    dt = spec.dtype
    if not spec.has_bounds or dt is None:
        return
    if not dt.is_numeric():
        raise ValueError(f"range checks (gt/ge/lt/le) need a numeric dtype, not {dt.describe()}")
    if dt.is_complex():
        raise ValueError("range checks (gt/ge/lt/le) do not apply to complex numbers")


def values_need_scalars(spec: DatasetSpec) -> None:
    """Allowed values do not apply to compound or array elements."""
    dt = spec.dtype
    if spec.values is not None and dt is not None and dt.kind in ("compound", "array"):
        raise ValueError(f"allowed values do not apply to {dt.describe()}")


def nan_check_needs_floats(spec: DatasetSpec) -> None:
    """allow_nan=False needs a float or complex dtype (or none declared)."""
    dt = spec.dtype
    if not spec.allow_nan and dt is not None and not dt.is_numeric(floating=True):
        raise ValueError(f"allow_nan=False needs a float or complex dtype, not {dt.describe()}")


def fill_value_needs_fixed_size(spec: DatasetSpec) -> None:
    """A fill value applies to a dtype that takes one (not to ragged sequences)."""
    dt = spec.dtype
    if spec.fillvalue is not None and dt is not None and not dt.takes_fill_value():
        raise ValueError(f"a fill value does not apply to {dt.describe()}")


def values_fit_dtype(spec: DatasetSpec) -> None:
    """The fill value and every allowed value fit an exact dtype without loss."""
    dt = spec.dtype
    if dt is None or not dt.is_concrete():
        return
    for label, vals in (("fill value", (spec.fillvalue,)), ("allowed value", spec.values)):
        for v in vals or ():
            if v is not None and not dt.fits(v):
                raise ValueError(f"{label} {v!r} does not fit dtype {dt.describe()}")


_DATA_RULES: tuple[Callable[[DatasetSpec], None], ...] = (
    bounds_need_real_numbers,
    values_need_scalars,
    nan_check_needs_floats,
    fill_value_needs_fixed_size,
    values_fit_dtype,
)


def _has_room(d: DimSpec, m: int | None) -> bool:
    """A bounded axis of no fixed size that may hold more than its declared minimum."""
    return d.size is None and m is not None and m > d.lower
