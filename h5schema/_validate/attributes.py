"""Checking one attribute that was read: its stored type and shape, then its value."""

from __future__ import annotations

from typing import Any

import numpy as np

from h5schema._h5 import AttrRead
from h5schema._report.codes import Code
from h5schema._schema.spec import AttributeSpec
from h5schema._types.constraints import constraint_problems
from h5schema._types.dtypes import DTypeSpec
from h5schema._types.shapes import describe_lengths, shape_allows
from h5schema._validate.limits import describe_bytes

__all__ = ["attribute_problem", "needs_value", "scalar_kind_ok"]

_VALUE_KEYS = ("gt", "ge", "lt", "le", "multiple_of", "min_length", "max_length", "pattern", "choices")
Problem = tuple[Code, str, Any, Any]  # code, message (without the path), expected, actual


def needs_value(spec: AttributeSpec) -> bool:
    """Whether checking this attribute needs its value (else its type and shape suffice)."""
    return any(getattr(spec, k) is not None for k in _VALUE_KEYS)


def attribute_problem(spec: AttributeSpec, got: AttrRead, *, check_value: bool) -> Problem | None:
    """The first thing wrong with a present attribute, or None. ``check_value`` is
    ``needs_value(spec)``, computed once per schema by the caller."""
    if got.error is not None or got.dtype is None:
        return Code.OBJECT_UNREADABLE, got.error or "cannot be read", "a readable attribute", got.error
    if not _type_ok(spec, got.dtype, got.shape):
        exp, found = spec.describe_type(), _describe(got.dtype, got.shape)
        return Code.ATTRIBUTE_TYPE, f"expected {exp}, got {found}", exp, found
    if not check_value:
        return None
    if got.too_big is not None:
        msg = f"value not checked: it holds {describe_bytes(got.too_big)}, over the attribute size limit"
        return Code.LIMIT_EXCEEDED, msg, "a value within the attribute size limit", got.too_big
    value = got.value
    if spec.type == "list" and isinstance(value, np.ndarray):
        value = value.tolist()
    problems = constraint_problems(spec, value)
    if problems:
        exp, found = problems[0]
        return Code.ATTRIBUTE_VALUE, f"expected {exp}, got {found}", exp, _short(value)
    return None


def _short(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.ravel()[:10].tolist()
    if isinstance(value, list):
        return value[:10]
    return value


def scalar_kind_ok(kind: str, dtype: DTypeSpec) -> bool:
    """Whether a stored ``dtype`` holds values of an attribute kind (str, bytes, bool, int, float)."""
    return dtype.scalar_kind() == kind


def _type_ok(spec: AttributeSpec, dtype: DTypeSpec, shape: tuple[int, ...] | None) -> bool:
    if shape is None:
        return False
    if spec.type == "list":
        return len(shape) == 1 and scalar_kind_ok(spec.item or "", dtype)
    if spec.type == "array":
        if spec.dtype is not None and not spec.dtype.matches(dtype):
            return False
        return spec.shape is None or shape_allows(spec.shape, shape)
    return shape == () and scalar_kind_ok(spec.type, dtype)


def _describe(dtype: DTypeSpec, shape: tuple[int, ...] | None) -> str:
    if shape is None:
        return f"{dtype.describe()} with an empty dataspace"
    if shape == ():
        return f"{dtype.describe()} scalar"
    return f"{dtype.describe()} array of shape {describe_lengths(shape)}"
