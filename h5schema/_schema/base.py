"""Shared pieces of the schema document models: the frozen base model and small helpers."""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from h5schema._types.dtypes import DTypeSpec, as_dtype
from h5schema._types.dtypes.string import latin1, unlatin1
from h5schema._types.shapes import DimSpec, as_shape

__all__ = [
    "FORMAT",
    "ChoicesField",
    "Count",
    "DTypeField",
    "Number",
    "Scalar",
    "ShapeField",
    "Spec",
    "check_member_name",
    "check_names",
    "compile_regex",
    "latin1",
    "sorted_choices",
    "unlatin1",
]

FORMAT = "h5schema/1"
Scalar = bool | int | float | str | bytes
Number = int | float
Count = Annotated[int, Field(ge=0)]


def _dtype_or_none(value: Any) -> Any:
    return None if value is None else as_dtype(value)


# Fields that accept the user's shorthand (np.float32, ("n", 40), a set of values) and store the
# parsed form, shared by the attribute and dataset nodes.
DTypeField = Annotated[DTypeSpec | None, BeforeValidator(_dtype_or_none)]
ShapeField = Annotated[tuple[DimSpec, ...] | None, BeforeValidator(as_shape)]


class Spec(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", ser_json_inf_nan="constants", ser_json_bytes="utf8"
    )

    def __eq__(self, other: object) -> bool:
        # Compare as documents, so a NaN fill value equals itself.
        if type(self) is not type(other):
            return NotImplemented
        assert isinstance(other, Spec)
        return _same(self.model_dump(), other.model_dump())

    def __hash__(self) -> int:
        return hash(self.model_dump_json())

    # Fields every dump carries, even with exclude_defaults: discriminators and the format tag.
    _always: ClassVar[tuple[str, ...]] = ("kind",)

    @model_serializer(mode="wrap")
    def _keep_tags(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            tags = {k: self.__dict__[k] for k in self._always if k in self.__dict__}
            data = {**tags, **data}
        return data


def sorted_choices(values: Any) -> tuple[Any, ...] | None:
    if values is None:
        return None
    if isinstance(values, str | bytes):
        raise ValueError("allowed values must be a collection, not a single string")
    items = list(values)
    if isinstance(values, set | frozenset):
        items.sort(key=lambda v: (type(v).__name__, v))
    return tuple(items)


ChoicesField = Annotated[tuple[Scalar, ...] | None, BeforeValidator(sorted_choices)]


def compile_regex(pattern: str, what: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{what} {pattern!r} is not a valid regular expression: {exc}") from exc


def check_member_name(name: str) -> None:
    """A member's name is one non-empty HDF5 path component, neither "." nor ".."."""
    if not name or "/" in name or name in (".", ".."):
        raise ValueError(f"{name!r} is not a valid HDF5 member name")


def check_names(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise ValueError(f"{what} {n!r} is declared twice")
        seen.add(n)


def _same(a: Any, b: Any) -> bool:
    """Equality of dumped specs: exact types (1 is not 1.0, b"x" is not "x"), NaN equal to NaN,
    arrays compared by dtype, shape and content."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict | list | tuple):
        return _same_items(a, b)
    if isinstance(a, float | complex):
        return a == b or (a != a and b != b)
    if isinstance(a, np.ndarray | np.generic):
        return _same_array(np.asarray(a), np.asarray(b))
    return bool(a == b)


def _same_items(a: Any, b: Any) -> bool:
    """Mappings with the same keys, or sequences of the same length, whose items are the same."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))


def _same_array(x: np.ndarray, y: np.ndarray) -> bool:
    """Arrays are the same when dtype, shape and every element agree, NaN agreeing with NaN."""
    if x.dtype != y.dtype or x.shape != y.shape:
        return False
    equal = x == y
    if x.dtype.kind in "fc":
        equal = equal | (np.isnan(x) & np.isnan(y))
    return bool(np.all(equal))
