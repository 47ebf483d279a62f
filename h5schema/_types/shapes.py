"""Shapes: per-axis declarations (fixed, any, a range, or a named dim) and their checks.

A named dim (``"n"``) must have one length wherever it appears within its scope. The scope is
the group in the file that holds the datasets: ``/features_A/features`` and ``/features_A/gender``
share ``n``, while ``/features_B`` binds its own ``n``.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, model_validator

from h5schema._errors import definition_error

__all__ = ["DimSpec", "as_shape", "describe_shape", "dim", "first_unlimited", "shape_allows"]

_Size = Annotated[int, Field(ge=0)]


class DimSpec(BaseModel):
    """One axis: ``size`` fixed, or ``min``/``max`` bounds, optionally a shared ``name``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = None
    size: _Size | None = None
    min: _Size | None = None
    max: _Size | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DimSpec:
        if self.size is not None and (self.min is not None or self.max is not None):
            raise ValueError("give either size or min/max, not both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is greater than max {self.max}")
        if self.name is not None and not self.name:
            raise ValueError("a dim name cannot be empty")
        return self

    @property
    def lower(self) -> int:
        return self.size if self.size is not None else (self.min or 0)

    @property
    def upper(self) -> int | None:
        return self.size if self.size is not None else self.max

    def allows(self, length: int) -> bool:
        upper = self.upper
        return length >= self.lower and (upper is None or length <= upper)

    def describe(self) -> str:
        if self.size is not None:
            bound = str(self.size)
        elif self.min is not None or self.max is not None:
            bound = f"{self.min or 0}..{'' if self.max is None else self.max}"
        else:
            bound = ""
        if self.name is None:
            return bound or "*"
        return (
            f"{self.name}={bound}"
            if self.size is not None
            else (f"{self.name}[{bound}]" if bound else self.name)
        )


def dim(
    name: str | None = None,
    *,
    size: int | None = None,
    min: int | None = None,
    max: int | None = None,
) -> DimSpec:
    """Declare one axis of a shape.

    >>> dim("n", min=1).describe(), dim(size=3).describe(), dim().describe()
    ('n[1..]', '3', '*')
    """
    try:
        return DimSpec(name=name, size=size, min=min, max=max)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise definition_error("h5s.dim()", exc) from None


DimLike: TypeAlias = "int | str | DimSpec | dict[str, Any] | None"
"""One axis as a declaration may write it: a fixed size, a dim name, ``None`` (any length), or
``h5s.dim(...)``."""
ShapeLike: TypeAlias = "tuple[DimLike, ...] | list[DimLike] | DimLike"
"""A declared shape: one entry per axis (a single entry for one axis); ``None`` is any shape."""


def as_dim(value: Any) -> DimSpec:
    """``int`` -> fixed size, ``str`` -> named dim, ``None`` -> any length, or a DimSpec/dict."""
    if isinstance(value, DimSpec):
        return value
    if isinstance(value, bool):
        raise ValueError(f"a shape entry cannot be a bool, got {value!r}")
    if isinstance(value, int):
        return DimSpec(size=value)
    if isinstance(value, str):
        return DimSpec(name=value)
    if value is None:
        return DimSpec()
    if isinstance(value, dict):
        return DimSpec.model_validate(value)
    raise ValueError(f"a shape entry must be an int, a dim name, None or h5s.dim(...), got {value!r}")


def as_shape(value: Any) -> tuple[DimSpec, ...] | None:
    """Parse a declared shape; ``None`` means any shape of any rank, ``()`` a scalar."""
    if value is None:
        return None
    if isinstance(value, int | str) or not hasattr(value, "__iter__"):
        value = (value,)
    return tuple(as_dim(v) for v in value)


def shape_allows(declared: tuple[DimSpec, ...], lengths: tuple[int, ...]) -> bool:
    """Whether a shape of these lengths has the declared rank and every axis an allowed length."""
    return len(declared) == len(lengths) and all(d.allows(n) for d, n in zip(declared, lengths, strict=True))


def first_unlimited(maxshape: tuple[int | None, ...]) -> int | None:
    """The first unlimited axis (None in maxshape), if any."""
    return next((i for i, m in enumerate(maxshape) if m is None), None)


def describe_shape(shape: tuple[DimSpec, ...] | None) -> str:
    if shape is None:
        return "any shape"
    if not shape:
        return "() (scalar)"
    return "(" + ", ".join(d.describe() for d in shape) + ("," if len(shape) == 1 else "") + ")"


def describe_lengths(lengths: tuple[int | None, ...]) -> str:
    inner = ", ".join("None" if x is None else str(x) for x in lengths)
    return f"({inner}{',' if len(lengths) == 1 else ''})"
