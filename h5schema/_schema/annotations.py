"""Attribute declarations: from a Python annotation plus pydantic constraints to an AttributeSpec.

The mapping (documented in docs/schema.md)::

    int            any HDF5 integer scalar        float      any HDF5 float scalar
    bool           h5py's bool enum scalar        str        a UTF-8 string scalar
    bytes          an ASCII string scalar         Literal[...] / Enum   their values' type + choices
    list[T]        a 1-d array of T               np.ndarray an array; dtype/shape via attribute()
    X | None       the same, but optional
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from h5schema._schema.spec import AttributeSpec

__all__ = ["attribute_spec", "strip_optional"]

_SCALARS: dict[Any, str] = {bool: "bool", int: "int", float: "float", str: "str", bytes: "bytes"}
_CONSTRAINTS = ("gt", "ge", "lt", "le", "multiple_of", "min_length", "max_length", "pattern")
_LIST_ORIGINS = (list, tuple, Sequence)


class _Unsupported(TypeError):
    pass


def strip_optional(annotation: Any) -> tuple[Any, bool]:
    """``X | None`` -> ``(X, True)``; anything else -> ``(annotation, False)``."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) < len(typing.get_args(annotation)):
            inner = args[0] if len(args) == 1 else typing.Union[tuple(args)]  # noqa: UP007
            return inner, True
    return annotation, False


def _unannotate(annotation: Any) -> tuple[Any, list[Any]]:
    metadata: list[Any] = []
    while typing.get_origin(annotation) is typing.Annotated:
        annotation, *extra = typing.get_args(annotation)
        metadata.extend(extra)
    return annotation, metadata


def _constraints(metadata: Sequence[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for m in metadata:
        if isinstance(m, FieldInfo):
            found.update(_constraints(m.metadata))
            continue
        for key in _CONSTRAINTS:
            value = getattr(m, key, None)
            if value is not None:
                found[key] = value
    return found


def _scalar_kind(annotation: Any) -> tuple[str, tuple[Any, ...] | None]:
    """The stored kind of a scalar annotation, plus its choices for Literal and Enum."""
    if annotation in _SCALARS:
        return _SCALARS[annotation], None
    if typing.get_origin(annotation) is typing.Literal:
        values = typing.get_args(annotation)
        return _common_kind(values, f"Literal{list(values)}"), values
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        values = tuple(m.value for m in annotation)
        return _common_kind(values, annotation.__name__), values
    raise _Unsupported(annotation)


def _common_kind(values: Sequence[Any], what: str) -> str:
    kinds = {_SCALARS.get(type(v)) for v in values}
    if len(kinds) != 1 or None in kinds:
        raise TypeError(f"{what}: values must all be of one type among int, float, bool, str, bytes")
    return str(kinds.pop())


def attribute_spec(
    hdf5_name: str,
    annotation: Any,
    field: FieldInfo,
    *,
    dtype: Any = None,
    shape: Any = None,
) -> AttributeSpec:
    """Build the AttributeSpec of one class field. Raises TypeError/ValueError with the problem."""
    annotation, optional = strip_optional(annotation)
    annotation, metadata = _unannotate(annotation)
    constraints = _constraints([*field.metadata, *metadata])
    spec: dict[str, Any] = {"name": hdf5_name, "description": field.description}
    spec.update(_type_fields(annotation, constraints, dtype, shape))
    if spec["type"] != "array" and (dtype is not None or shape is not None):
        raise TypeError("dtype= and shape= apply to np.ndarray attributes only")
    default, has_default = _default(field)
    spec["required"] = not (optional or has_default)
    spec["default"] = default
    spec.update(constraints)
    return AttributeSpec(**spec)


def _type_fields(annotation: Any, constraints: dict[str, Any], dtype: Any, shape: Any) -> dict[str, Any]:
    """The type fields an annotation declares: a scalar kind (with choices), a list of one, or an
    array. A list's item constraints join ``constraints``."""
    try:
        kind, choices = _scalar_kind(annotation)
    except _Unsupported:
        pass
    else:
        return {"type": kind, "choices": choices}
    origin = typing.get_origin(annotation)
    if origin in _LIST_ORIGINS:
        return _list_fields(annotation, constraints)
    if annotation is np.ndarray or origin is np.ndarray:
        return {"type": "array", "dtype": dtype, "shape": shape}
    raise TypeError(
        f"type {annotation!r} cannot be stored as an HDF5 attribute: use int, float, bool, "
        "str, bytes, Literal[...], an Enum, list[...] or np.ndarray"
    )


def _list_fields(annotation: Any, constraints: dict[str, Any]) -> dict[str, Any]:
    """A list annotation names one scalar item type, whose constraints join ``constraints``."""
    args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
    if len(args) != 1:
        raise TypeError(f"list attributes need one item type, got {annotation!r}")
    item, item_meta = _unannotate(args[0])
    try:
        kind, choices = _scalar_kind(item)
    except _Unsupported:
        raise TypeError(f"list items must be int, float, bool, str or bytes, got {item!r}") from None
    constraints.update(_constraints(item_meta))
    return {"type": "list", "item": kind, "choices": choices}


def _default(field: FieldInfo) -> tuple[Any, bool]:
    """The field's default (a factory's value, Enum members as their values; None when there is
    none), and whether it has one."""
    default = field.default
    has_default = default is not PydanticUndefined or field.default_factory is not None
    if field.default_factory is not None:
        default = field.default_factory()  # type: ignore[call-arg]
    if isinstance(default, enum.Enum):
        default = default.value
    elif isinstance(default, list | tuple):
        default = [v.value if isinstance(v, enum.Enum) else v for v in default]
    return (None if default is PydanticUndefined else default), has_default
