"""Whether one declaration accepts everything another accepts: the rules behind ``h5s.diff``.

Each function answers for one field, "does every stored value the old declaration allows pass
the new one?", and answers no when it cannot tell.
"""

from __future__ import annotations

import json
from typing import Any

from h5schema._types.dtypes import DTypeSpec
from h5schema._types.shapes import DimSpec, describe_shape

__all__ = [
    "divides",
    "dtype_widens",
    "dump",
    "lower_implies",
    "shape_widens",
    "show",
    "subset",
    "unset_or_equal",
    "upper_implies",
]

Bound = tuple[Any, Any]  # (strict, inclusive): gt/ge or lt/le, either may be None


def dump(value: Any) -> str:
    """A field's value as canonical JSON text, for equality and for messages."""
    if isinstance(value, tuple):
        value = [
            v.model_dump(mode="json", exclude_defaults=True) if hasattr(v, "model_dump") else v for v in value
        ]
    elif hasattr(value, "model_dump"):
        value = value.model_dump(mode="json", exclude_defaults=True)
    return json.dumps(value, sort_keys=True, default=repr, ensure_ascii=False)


def show(value: Any) -> str:
    """A field's value in words."""
    if value is None:
        return "unset"
    if hasattr(value, "describe"):
        return str(value.describe())
    if isinstance(value, tuple) and value and isinstance(value[0], DimSpec):
        return describe_shape(value)
    if isinstance(value, tuple) and not value:
        return "()"
    return dump(value)


def dtype_widens(old: DTypeSpec | None, new: DTypeSpec | None) -> bool:
    """Whether every stored dtype ``old`` accepts is accepted by ``new`` (None: any dtype)."""
    if new is None:
        return True
    return old is not None and old.widens_to(new)


def _dim_widens(old: DimSpec, new: DimSpec) -> bool:
    return old.lower >= new.lower and upper_implies((None, old.upper), (None, new.upper))


def shape_widens(old: tuple[DimSpec, ...] | None, new: tuple[DimSpec, ...] | None) -> bool:
    """Whether every length ``old`` allows on each axis is allowed by ``new`` (None: any shape).
    Dim names are compared by the group, where they tie datasets together."""
    if new is None:
        return True
    if old is None or len(old) != len(new):
        return False
    return all(_dim_widens(a, b) for a, b in zip(old, new, strict=True))


def subset(old: tuple[Any, ...] | None, new: tuple[Any, ...] | None) -> bool:
    """Allowed values: every value ``old`` allows is in ``new`` (None: anything)."""
    if new is None:
        return True
    if old is None:
        return False
    allowed = {dump(v) for v in new}
    return all(dump(v) in allowed for v in old)


def unset_or_equal(old: Any, new: Any) -> bool:
    """An exact requirement: compatible when dropped or unchanged."""
    return new is None or (old is not None and dump(old) == dump(new))


def divides(new: Any, old: Any) -> bool:
    """``multiple_of``: every multiple of ``old`` is a multiple of ``new`` (integers only)."""
    if new is None:
        return True
    if old is None:
        return False
    if old == new:
        return True
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (new, old))
    return ints and new != 0 and old % new == 0


def _tightest(bound: Bound, *, lower: bool) -> tuple[float, bool] | None:
    """(value, strict) of gt/ge (``lower``) or lt/le taken together; None when unbounded."""
    strict, inclusive = bound
    cands = [(v, s) for v, s in ((strict, True), (inclusive, False)) if v is not None]
    if not cands:
        return None
    pick = max if lower else min
    value = pick(v for v, _ in cands)
    return value, any(s for v, s in cands if v == value)


def _implies(old: Bound, new: Bound, *, lower: bool) -> bool:
    b = _tightest(new, lower=lower)
    if b is None:
        return True
    a = _tightest(old, lower=lower)
    if a is None:
        return False
    beyond = a[0] > b[0] if lower else a[0] < b[0]
    return beyond or (a[0] == b[0] and (a[1] or not b[1]))


def lower_implies(old: Bound, new: Bound) -> bool:
    """Every value above the old lower bound (gt, ge) is above the new one."""
    return _implies(old, new, lower=True)


def upper_implies(old: Bound, new: Bound) -> bool:
    """Every value below the old upper bound (lt, le) is below the new one."""
    return _implies(old, new, lower=False)
