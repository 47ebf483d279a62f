"""The attribute node of the schema document, with its definition-time rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, field_serializer, model_validator

from h5schema._schema.base import (
    ChoicesField,
    Count,
    DTypeField,
    Number,
    ShapeField,
    Spec,
    compile_regex,
    latin1,
    unlatin1,
)
from h5schema._types.coerce import coerce
from h5schema._types.constraints import constraint_problems
from h5schema._types.dtypes import StringDType
from h5schema._types.shapes import describe_shape, shape_allows

__all__ = ["AttrType", "AttributeSpec", "ItemType"]

AttrType = Literal["int", "float", "bool", "str", "bytes", "list", "array"]
ItemType = Literal["int", "float", "bool", "str", "bytes"]


class AttributeSpec(Spec):
    """An attribute on the root, a group or a dataset.

    ``type`` maps to HDF5 as documented in docs/schema.md: int -> any integer scalar,
    float -> any float scalar, bool -> h5py's bool enum, str -> a UTF-8 string, bytes -> an
    ASCII string, list -> a 1-d array of ``item``, array -> an array of ``dtype``/``shape``.
    """

    name: Annotated[str, Field(min_length=1)]
    type: AttrType
    item: ItemType | None = None
    dtype: DTypeField = None
    shape: ShapeField = None
    required: bool = True
    default: Any = None
    description: str | None = None
    gt: Number | None = None
    ge: Number | None = None
    lt: Number | None = None
    le: Number | None = None
    multiple_of: Number | None = None
    min_length: Count | None = None
    max_length: Count | None = None
    pattern: str | None = None
    choices: ChoicesField = None

    @field_serializer("default", "choices", when_used="json")
    def _ser_bytes(self, v: Any) -> Any:
        return latin1(_plain(v) if isinstance(v, np.ndarray) else v)

    @property
    def scalar_kind(self) -> str:
        """The kind of each value: the type itself, or the item type of a list."""
        return self.item if self.type == "list" and self.item else self.type

    @model_validator(mode="after")
    def _rules(self) -> AttributeSpec:
        """The cross-field check: which fields apply to the type, then the choices and default."""
        for rule in _FIELD_RULES:
            rule(self)
        if self.scalar_kind == "bytes":
            object.__setattr__(self, "choices", unlatin1(self.choices))
            object.__setattr__(self, "default", unlatin1(self.default))
        choices_are_of_kind(self)
        if self.default is not None:
            object.__setattr__(self, "default", _normalize_default(self, self.default))
            default_keeps_constraints(self)
        return self

    def describe_type(self) -> str:
        if self.type == "list":
            return f"list[{self.item}]"
        if self.type == "array":
            dt = "any dtype" if self.dtype is None else self.dtype.describe()
            return f"array of {dt} with shape {describe_shape(self.shape)}"
        return self.type


# ---------------------------------------------------------------- rules


def item_is_for_lists(spec: AttributeSpec) -> None:
    """A list attribute names its item type, and only a list attribute has one."""
    if spec.type == "list" and spec.item is None:
        raise ValueError("a list attribute needs its item type")
    if spec.type != "list" and spec.item is not None:
        raise ValueError(f"'item' applies to list attributes, not {spec.type}")


def dtype_and_shape_are_for_arrays(spec: AttributeSpec) -> None:
    """Only an array attribute declares a dtype or a shape, and its shape has no named dims."""
    if spec.type != "array" and (spec.dtype is not None or spec.shape is not None):
        raise ValueError(f"'dtype' and 'shape' apply to array attributes, not {spec.type}")
    if spec.shape is not None and any(d.name for d in spec.shape):
        raise ValueError("named dims are not supported in attribute shapes")


def arrays_hold_numbers(spec: AttributeSpec) -> None:
    """An array attribute's dtype is one array attributes take: not text (text arrays are lists
    of str or bytes), not ragged."""
    dt = spec.dtype
    if spec.type != "array" or dt is None or dt.in_array_attributes():
        return
    if dt.scalar_kind() in ("str", "bytes") or dt.matches(StringDType()):  # text, or the text family
        raise ValueError("array attributes hold numbers: declare text arrays as list[str] or list[bytes]")
    raise ValueError(f"array attributes hold fixed-size values, not {dt.describe()}")


def bounds_need_real_numbers(spec: AttributeSpec) -> None:
    """Numeric bounds (gt/ge/lt/le/multiple_of) need real numbers: int, float, a list of them, or
    an array of a numeric dtype that is not complex (or of any dtype)."""
    if not _has_bounds(spec):
        return
    if spec.type == "array" and spec.dtype is not None and spec.dtype.is_complex():
        raise ValueError("numeric bounds do not apply to complex numbers")
    numeric = spec.scalar_kind in ("int", "float") or (
        spec.type == "array" and (spec.dtype is None or spec.dtype.is_numeric())
    )
    if not numeric:
        raise ValueError(f"numeric bounds (gt/ge/lt/le/multiple_of) do not apply to {spec.type}")


def pattern_is_for_strings(spec: AttributeSpec) -> None:
    """A pattern applies to str values and is a valid regular expression."""
    if spec.pattern is None:
        return
    if spec.scalar_kind != "str":
        raise ValueError(f"'pattern' applies to str attributes, not {spec.type}")
    compile_regex(spec.pattern, "pattern")


def lengths_are_for_sized_values(spec: AttributeSpec) -> None:
    """Length bounds apply to strings, bytes, lists and arrays, not to single numbers or bools."""
    if spec.min_length is None and spec.max_length is None:
        return
    if spec.scalar_kind in ("int", "float", "bool") and spec.type != "list":
        raise ValueError(f"min_length/max_length do not apply to {spec.type}")


_FIELD_RULES: tuple[Callable[[AttributeSpec], None], ...] = (
    item_is_for_lists,
    dtype_and_shape_are_for_arrays,
    arrays_hold_numbers,
    bounds_need_real_numbers,
    pattern_is_for_strings,
    lengths_are_for_sized_values,
)


def choices_are_of_kind(spec: AttributeSpec) -> None:
    """Every choice is a value of the attribute's kind."""
    kind = spec.scalar_kind
    for c in spec.choices or ():
        if not _kind_ok(kind, c):
            raise ValueError(f"choice {c!r} is not a {kind}")


def default_keeps_constraints(spec: AttributeSpec) -> None:
    """The (normalized) default is of the declared type and meets every constraint."""
    default = spec.default
    problems = (
        constraint_problems(spec, default)
        if _default_kind_ok(spec, default)
        else [(spec.describe_type(), repr(default))]
    )
    if problems:
        expected, actual = problems[0]
        raise ValueError(f"default {actual} breaks its own constraint: expected {expected}")


def _has_bounds(spec: AttributeSpec) -> bool:
    return any(b is not None for b in (spec.gt, spec.ge, spec.lt, spec.le, spec.multiple_of))


def _kind_ok(kind: str, value: Any) -> bool:
    checks: dict[str, Any] = {
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, float | int) and not isinstance(v, bool),
        "bool": lambda v: isinstance(v, bool),
        "str": lambda v: isinstance(v, str),
        "bytes": lambda v: isinstance(v, bytes),
    }
    return bool(checks.get(kind, lambda v: True)(value))


def _normalize_default(spec: AttributeSpec, value: Any) -> Any:
    if spec.type == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if spec.type == "list" and isinstance(value, tuple):
        return list(value)
    if spec.type == "array":
        return array_value(spec, value, default=True)
    return value


def array_value(spec: AttributeSpec, value: Any, *, default: bool = False) -> np.ndarray:
    """An array attribute's value as stored: the declared dtype without loss, the declared shape.

    Raises ValueError naming the problem (a lossy cast, a wrong shape)."""
    arr = _as_declared_dtype(spec, value)
    if default and arr.size == 0:
        arr = _empty_default(spec, arr)
    if spec.shape is not None and not shape_allows(spec.shape, arr.shape):
        raise ValueError(f"an array of shape {arr.shape} does not fit {describe_shape(spec.shape)}")
    return arr


def _as_declared_dtype(spec: AttributeSpec, value: Any) -> np.ndarray:
    """The value cast without loss to an exact declared dtype, else as numpy reads it."""

    if spec.dtype is None or not spec.dtype.is_concrete():
        return np.asarray(value)
    if spec.dtype.is_complex():
        value = _complex_from_document(value)
    return coerce(spec.dtype, value)


def _empty_default(spec: AttributeSpec, arr: np.ndarray) -> np.ndarray:
    """An empty default has one form, whatever it was written as: a JSON document cannot tell
    [] of shape (0, 0) from (0,), nor its dtype when none is declared."""
    shape = (0,) if spec.shape is None else tuple(d.lower for d in spec.shape)
    if 0 not in shape:
        return arr
    return np.empty(shape, dtype=arr.dtype if spec.dtype is not None else np.float64)


def _complex_from_document(value: Any) -> Any:
    """How documents spell complex arrays: ``{"real": ..., "imag": ...}`` (nested lists of one
    shape, or numbers), or, as earlier versions wrote them, a flat list of ``[real, imag]``."""
    if isinstance(value, dict) and set(value) == {"real", "imag"}:
        return _from_parts(value["real"], value["imag"])
    if isinstance(value, list) and all(isinstance(v, list) and len(v) == 2 for v in value):
        return [complex(*pair) for pair in value]
    return value


def _from_parts(real_parts: Any, imag_parts: Any) -> np.ndarray:
    """Complex numbers from their real and imaginary parts, of one shape."""
    real, imag = np.asarray(real_parts, np.float64), np.asarray(imag_parts, np.float64)
    if real.shape != imag.shape:
        raise ValueError(f"the real parts have shape {real.shape} and the imaginary {imag.shape}")
    out = np.empty(real.shape, np.complex128)  # not real + 1j * imag: 1j * inf has a nan part
    out.real, out.imag = real, imag
    return out


def _plain(arr: np.ndarray) -> Any:
    """An array as JSON-ready lists: long doubles as floats, complex numbers as their real and
    imaginary parts, each of the array's shape (a 0-d or a (2, 3) array keeps its shape)."""
    if arr.dtype.kind == "c":
        z = arr.astype(np.complex128)
        return {"real": z.real.tolist(), "imag": z.imag.tolist()}
    if arr.dtype.kind == "f" and arr.dtype.itemsize > 8:
        return arr.astype(np.float64).tolist()
    return arr.tolist()


def _default_kind_ok(spec: AttributeSpec, value: Any) -> bool:
    if spec.type == "list":
        return isinstance(value, list) and all(_kind_ok(spec.item or "", v) for v in value)
    if spec.type == "array":
        return isinstance(value, np.ndarray)
    return _kind_ok(spec.type, value)
