"""Planning attributes: the values given for an object's attributes checked and normalized.

Part of planning a file (see :mod:`h5schema._io.plan`): a value that does not fit raises
:class:`MaterializeError` naming ``object@attribute`` before anything is written.
"""

from __future__ import annotations

import enum
from typing import Any

import numpy as np

from h5schema._errors import materialize_error
from h5schema._schema.attribute import array_value
from h5schema._schema.spec import AttributeSpec
from h5schema._types.constraints import constraint_problems
from h5schema._types.dtypes import DTypeSpec, StringDType, as_dtype
from h5schema._types.paths import attribute_path

__all__ = ["attr_dtype", "plan_attrs"]

_INT64 = (-(2**63), 2**63 - 1)
_PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    "int": int,
    "float": (float, int),
    "bool": bool,
    "str": str,
    "bytes": bytes,
}


def plan_attrs(
    specs: tuple[AttributeSpec, ...], values: dict[str, Any], path: str
) -> dict[str, tuple[AttributeSpec, Any]]:
    """The attributes to write: each declared one with its value (given, else its default),
    normalized and checked; a required one without a value or an undeclared one is refused."""
    given = {k[1:]: v for k, v in values.items() if k.startswith("@")}
    out: dict[str, tuple[AttributeSpec, Any]] = {}
    for spec in specs:
        apath = attribute_path(path, spec.name)
        value = _value_or_default(spec, given.pop(spec.name, None), apath)
        if value is not None:
            out[spec.name] = (spec, _checked(spec, _normalize_attr(spec, value, apath), apath))
    if given:
        raise materialize_error(path, f"attributes {sorted(given)} are not declared in the schema")
    return out


def _value_or_default(spec: AttributeSpec, value: Any, apath: str) -> Any:
    """The value given, else the default; None for an optional attribute left out."""
    if value is None:
        value = spec.default
    if value is None and spec.required:
        raise materialize_error(apath, f"required attribute has no value (expected {spec.describe_type()})")
    return value


def _checked(spec: AttributeSpec, value: Any, apath: str) -> Any:
    """A normalized value that its text flavour can encode and that meets its constraints."""
    text_dtype = attr_dtype(spec)
    if isinstance(text_dtype, StringDType):  # the flavour's rules: UTF-8 encodable, no NUL
        try:
            text_dtype.coerce(value)
        except ValueError as exc:
            raise materialize_error(apath, str(exc)) from None
    problems = constraint_problems(spec, value)
    if problems:
        exp, got = problems[0]
        raise materialize_error(apath, f"expected {exp}, got {got}")
    return value


def _plain(value: Any) -> Any:
    """An Enum member as its value, a numpy scalar as the Python one."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, np.generic):
        value = value.item()
    return value


def _normalize_attr(spec: AttributeSpec, value: Any, apath: str) -> Any:
    """The value as written: an array of the declared dtype and shape, or Python values of the
    declared kind (a list for a list attribute)."""
    value = _plain(value)
    if spec.type == "array":
        try:
            return array_value(spec, value)
        except ValueError as exc:
            raise materialize_error(apath, str(exc)) from None
    items = _items(spec, value, apath)
    for v in items:
        _of_kind(spec, v, apath)
    items = _in_64_bits(spec.scalar_kind, items, apath)
    return items if spec.type == "list" else items[0]


def _items(spec: AttributeSpec, value: Any, apath: str) -> list[Any]:
    """A list's items (a string is not a list of them), or the one value, Enum members as their
    values and numpy scalars as Python ones."""
    items = list(value) if spec.type == "list" else [value]
    if spec.type == "list" and isinstance(value, str | bytes):
        raise materialize_error(apath, f"expected a list of {spec.scalar_kind}, got {type(value).__name__}")
    return [
        v.value if isinstance(v, enum.Enum) else (v.item() if isinstance(v, np.generic) else v) for v in items
    ]


def _of_kind(spec: AttributeSpec, value: Any, apath: str) -> None:
    """A value is of the attribute's kind (a bool is no int or float)."""
    kind = spec.scalar_kind
    if not isinstance(value, _PYTHON_TYPES[kind]) or (kind != "bool" and isinstance(value, bool)):
        raise materialize_error(
            apath, f"expected {spec.describe_type()}, got {type(value).__name__} {value!r}"
        )


def _in_64_bits(kind: str, items: list[Any], apath: str) -> list[Any]:
    """Integers fit 64 bits; numbers for a float attribute become 64-bit floats."""
    if kind == "int" and any(not _INT64[0] <= v <= _INT64[1] for v in items):
        raise materialize_error(apath, f"expected integers that fit 64 bits, got {max(items, key=abs)!r}")
    if kind != "float":
        return items
    try:
        return [float(v) for v in items]
    except OverflowError:
        raise materialize_error(
            apath, "expected numbers that fit a 64-bit float, got a larger integer"
        ) from None


def attr_dtype(spec: AttributeSpec) -> DTypeSpec | None:
    """The dtype an attribute is written with (None: numpy's choice for the value)."""
    if spec.type in ("str", "bytes"):
        return _text_dtype(spec.type)
    if spec.type == "list":
        item = spec.item
        if item in ("str", "bytes"):
            return _text_dtype(item)
        return as_dtype({"int": "int64", "float": "float64", "bool": "bool"}[item or "int"])
    if spec.type == "array" and spec.dtype is not None and spec.dtype.is_concrete():
        return spec.dtype
    return None


def _text_dtype(kind: str) -> StringDType:
    """str is written as UTF-8 text, bytes as ASCII."""
    return StringDType(encoding="utf-8" if kind == "str" else "ascii")
