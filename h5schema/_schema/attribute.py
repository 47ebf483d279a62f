"""The attribute node of the schema document, with its definition-time rules."""

from __future__ import annotations

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
from h5schema._types.dtypes import DTypeSpec, is_concrete, is_numeric
from h5schema._types.shapes import describe_shape

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
        t = self.type
        if t == "list" and self.item is None:
            raise ValueError("a list attribute needs its item type")
        if t != "list" and self.item is not None:
            raise ValueError(f"'item' applies to list attributes, not {t}")
        if t != "array" and (self.dtype is not None or self.shape is not None):
            raise ValueError(f"'dtype' and 'shape' apply to array attributes, not {t}")
        if self.shape is not None and any(d.name for d in self.shape):
            raise ValueError("named dims are not supported in attribute shapes")
        if (
            t == "array"
            and self.dtype is not None
            and self.dtype.kind in ("string", "family")
            and (self.dtype.kind == "string" or getattr(self.dtype, "family", None) == "text")
        ):
            raise ValueError("array attributes hold numbers: declare text arrays as list[str] or list[bytes]")
        if (
            t == "array"
            and self.dtype is not None
            and _is_complex(self.dtype)
            and any(b is not None for b in (self.gt, self.ge, self.lt, self.le, self.multiple_of))
        ):
            raise ValueError("numeric bounds do not apply to complex numbers")
        kind = self.scalar_kind
        numeric = kind in ("int", "float") or (
            t == "array" and (self.dtype is None or is_numeric(self.dtype))
        )
        bounds = [self.gt, self.ge, self.lt, self.le, self.multiple_of]
        if any(b is not None for b in bounds) and not numeric:
            raise ValueError(f"numeric bounds (gt/ge/lt/le/multiple_of) do not apply to {t}")
        if self.pattern is not None:
            if kind != "str":
                raise ValueError(f"'pattern' applies to str attributes, not {t}")
            compile_regex(self.pattern, "pattern")
        if (self.min_length is not None or self.max_length is not None) and kind in (
            "int", "float", "bool",
        ) and t != "list":  # fmt: skip
            raise ValueError(f"min_length/max_length do not apply to {t}")
        if kind == "bytes":
            object.__setattr__(self, "choices", unlatin1(self.choices))
            object.__setattr__(self, "default", unlatin1(self.default))
        if self.choices is not None:
            for c in self.choices:
                if not _kind_ok(kind, c):
                    raise ValueError(f"choice {c!r} is not a {kind}")
        if self.default is not None:
            default = _normalize_default(self, self.default)
            object.__setattr__(self, "default", default)
            problems = (
                constraint_problems(self, default)
                if _default_kind_ok(self, default)
                else [(self.describe_type(), repr(default))]
            )
            if problems:
                expected, actual = problems[0]
                raise ValueError(f"default {actual} breaks its own constraint: expected {expected}")
        return self

    def describe_type(self) -> str:
        if self.type == "list":
            return f"list[{self.item}]"
        if self.type == "array":
            dt = "any dtype" if self.dtype is None else self.dtype.describe()
            return f"array of {dt} with shape {describe_shape(self.shape)}"
        return self.type


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
    if spec.dtype is not None and is_concrete(spec.dtype):
        if _is_complex(spec.dtype):
            value = _complex_from_document(value)
        arr = coerce(spec.dtype, value)
    else:
        arr = np.asarray(value)
    if default and arr.size == 0:
        # An empty default has one form, whatever it was written as: a JSON document cannot tell
        # [] of shape (0, 0) from (0,), nor its dtype when none is declared.
        shape = (0,) if spec.shape is None else tuple(d.lower for d in spec.shape)
        if 0 in shape:
            arr = np.empty(shape, dtype=arr.dtype if spec.dtype is not None else np.float64)
    if spec.shape is not None and (
        len(spec.shape) != arr.ndim
        or not all(d.allows(n) for d, n in zip(spec.shape, arr.shape, strict=True))
    ):
        raise ValueError(f"an array of shape {arr.shape} does not fit {describe_shape(spec.shape)}")
    return arr


def _complex_from_document(value: Any) -> Any:
    """How documents spell complex arrays: ``{"real": ..., "imag": ...}`` (nested lists of one
    shape, or numbers), or, as earlier versions wrote them, a flat list of ``[real, imag]``."""
    if isinstance(value, dict) and set(value) == {"real", "imag"}:
        real, imag = np.asarray(value["real"], np.float64), np.asarray(value["imag"], np.float64)
        if real.shape != imag.shape:
            raise ValueError(f"the real parts have shape {real.shape} and the imaginary {imag.shape}")
        out = np.empty(real.shape, np.complex128)  # not real + 1j * imag: 1j * inf has a nan part
        out.real, out.imag = real, imag
        return out
    if isinstance(value, list) and all(isinstance(v, list) and len(v) == 2 for v in value):
        return [complex(*pair) for pair in value]
    return value


def _is_complex(dt: DTypeSpec) -> bool:
    return dt.kind == "numeric" and getattr(dt, "name", "").startswith(("complex", "clong"))


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
