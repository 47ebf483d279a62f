"""Attribute declarations, and the values that satisfy them."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.extra import numpy as hnp
from hypothesis.strategies import DrawFn, SearchStrategy

from h5schema._schema.spec import AttributeSpec
from h5schema._types.dtypes import EnumDType, NumericDType, StringDType
from h5schema._types.shapes import DimSpec
from h5schema.strategies._checks import _check_bool, _check_int, _check_strategy, _maybe, _numpy, _unique
from h5schema.strategies._dtypes import _utf8_chars, dtypes, string_values
from h5schema.strategies._numbers import _in_bounds, _is_multiple, _numbers

__all__ = ["attribute_specs", "attribute_values"]


_ATTR_TYPES = ("int", "float", "bool", "str", "bytes", "list", "array")
_ITEM_TYPES = ("int", "float", "bool", "str", "bytes")
# Patterns with what a value needs to match them (validation uses re.search).
_PATTERNS = (r"^[a-z]+$", r"^\d{1,3}$", r"é", r"^[A-Z][a-z]*$", r"^(ab|cd)*$", r"x|y")


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _same_choice(v: Any, c: Any) -> bool:
    return (v == c and type(v) is type(c)) or (_is_number(v) and _is_number(c) and v == c)


def _item_ok(spec: AttributeSpec, kind: str, v: Any) -> bool:
    """The documented per-value constraints (bounds, multiple_of, pattern, choices)."""
    if _is_number(v):
        if not _in_bounds(v, spec.gt, spec.ge, spec.lt, spec.le):
            return False
        if spec.multiple_of is not None and not _is_multiple(v, spec.multiple_of):
            return False
    if spec.pattern is not None and isinstance(v, str) and not re.search(spec.pattern, v):
        return False
    return spec.choices is None or any(_same_choice(v, c) for c in spec.choices)


def _attr_ok(spec: AttributeSpec, value: Any) -> bool:
    """Whether ``value`` satisfies every constraint of ``spec`` (an oracle independent of h5schema's)."""
    seq = isinstance(value, list | tuple) or (isinstance(value, np.ndarray) and value.ndim > 0)
    if seq or isinstance(value, str | bytes):
        n = len(value)
        if (spec.min_length is not None and n < spec.min_length) or (
            spec.max_length is not None and n > spec.max_length
        ):
            return False
    items = value.ravel().tolist() if isinstance(value, np.ndarray) else list(value) if seq else [value]
    return all(_item_ok(spec, spec.scalar_kind, v) for v in items)


def _text_of(kind: str, *, min_size: int = 0, max_size: int = 8) -> SearchStrategy[Any]:
    if kind == "str":
        return st.text(_utf8_chars(nul=False), min_size=min_size, max_size=max_size)
    return st.lists(st.integers(1, 255), min_size=min_size, max_size=max_size).map(bytes)


def _attr_items(
    spec: AttributeSpec, kind: str, *, lengths: bool, allow_nan: bool = True
) -> SearchStrategy[Any]:
    """Scalar values of ``kind`` satisfying the per-item constraints of ``spec``."""
    if spec.choices is not None:
        return st.sampled_from(spec.choices).filter(lambda v: _item_ok(spec, kind, v))
    b = {k: getattr(spec, k) for k in ("gt", "ge", "lt", "le", "multiple_of")}
    if kind == "int":
        return _numbers("int64", **b)
    if kind == "float":
        return _numbers("float64", **b, allow_nan=allow_nan)
    if kind == "bool":
        return st.booleans()
    lo = (spec.min_length or 0) if lengths else 0
    hi = (spec.max_length if spec.max_length is not None else lo + 8) if lengths else 8
    if spec.pattern is not None:
        alphabet = _utf8_chars(nul=False)
        return st.from_regex(spec.pattern, alphabet=alphabet).filter(
            lambda s: lo <= len(s) <= hi and _item_ok(spec, kind, s)
        )
    return _text_of(kind, min_size=lo, max_size=hi)


def _array_elements(spec: AttributeSpec, npdt: np.dtype[Any]) -> SearchStrategy[Any]:
    dt = spec.dtype
    if spec.choices is not None:
        return st.sampled_from(spec.choices).filter(lambda v: _item_ok(spec, "array", v))
    if isinstance(dt, StringDType):
        return string_values(dt, max_size=4)
    if isinstance(dt, EnumDType):
        return st.sampled_from(sorted(dt.members.values()))
    name = (
        "bool"
        if npdt.kind == "b"
        else ("longdouble" if npdt.itemsize > 8 and npdt.kind == "f" else npdt.name)
    )
    if npdt.kind == "c":
        name = "clongdouble" if npdt.itemsize > 16 else npdt.name
    b = {k: getattr(spec, k) for k in ("gt", "ge", "lt", "le", "multiple_of")}
    if npdt.kind in "iuf":
        return _numbers(name, **b, allow_nan=not any(v is not None for v in b.values()))
    return _numbers(name)


def attribute_values(spec: AttributeSpec, *, max_side: int = 3) -> SearchStrategy[Any]:
    """Values the materializer accepts for the attribute ``spec``: the right Python type
    (``int``, ``float``, ``bool``, ``str``, ``bytes``, a ``list`` of those, or an ndarray for
    ``array``), satisfying every constraint. Strings never hold NUL (attributes are
    variable-length) and ints fit in int64.

    >>> import h5schema as h5s
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(attribute_values(h5s.AttributeSpec(name="fs", type="int", gt=0)))
    ... def check(fs):
    ...     assert isinstance(fs, int) and fs > 0
    >>> check()
    """
    if not isinstance(spec, AttributeSpec):
        raise InvalidArgument(f"attribute_values() needs an AttributeSpec, got {spec!r}")
    _check_int(max_side, "max_side")
    t = spec.type
    if t in _ITEM_TYPES:
        return _attr_items(spec, t, lengths=True)
    if t == "list":
        item = spec.item or "int"
        lo = spec.min_length or 0
        hi = spec.max_length if spec.max_length is not None else lo + max_side
        return st.lists(_attr_items(spec, item, lengths=False), min_size=lo, max_size=hi)

    @st.composite
    def arrays(draw: DrawFn) -> np.ndarray:
        dt = (
            spec.dtype
            if spec.dtype is not None
            else draw(st.sampled_from((NumericDType(name="int64"), NumericDType(name="float64"))))
        )
        npdt = _numpy(dt)
        dims = list(spec.shape) if spec.shape is not None else [DimSpec()] * draw(st.integers(0, 2))
        if (spec.min_length is not None or spec.max_length is not None) and not dims:
            dims = [DimSpec()]  # lengths count the first axis
        shape = []
        for i, d in enumerate(dims):
            lo, hi = d.lower, d.upper if d.upper is not None else d.lower + max_side
            if i == 0:
                lo = max(lo, spec.min_length or 0)
                hi = min(hi, spec.max_length) if spec.max_length is not None else hi
            shape.append(draw(st.integers(lo, hi)) if lo <= hi else draw(st.nothing()))
        sub = spec.model_copy(update={"dtype": dt})
        # string arrays are given as Python str/bytes objects, like string data
        held = np.dtype(object) if isinstance(dt, StringDType) else npdt
        return draw(hnp.arrays(held, tuple(shape), elements=_array_elements(sub, npdt), fill=st.nothing()))

    return arrays().filter(lambda v: _attr_ok(spec, v))


@st.composite
def _bounds(draw: DrawFn, kind: str, limits: tuple[float, float]) -> dict[str, Any]:
    """Numeric bounds around a non-empty window inside ``limits`` (each side optional)."""
    lo = draw(st.integers(-6, 6))
    hi = lo + draw(st.integers(2, 8))
    lo, hi = max(lo, int(limits[0])), min(hi, int(limits[1]))
    if hi - lo < 2:
        return {}
    out: dict[str, Any] = {}
    integral = kind == "int"
    half = 0 if integral else draw(st.sampled_from((0, 0.5)))
    side = draw(st.sampled_from((None, "ge", "gt")))
    if side == "ge":
        out["ge"] = lo + half
    elif side == "gt":
        out["gt"] = lo - 1 if integral else float(lo) + half
    side = draw(st.sampled_from((None, "le", "lt")))
    if side == "le":
        out["le"] = hi
    elif side == "lt":
        out["lt"] = hi + 1 if integral else float(hi)
    if draw(st.integers(0, 3)) == 0:
        out["multiple_of"] = (
            draw(st.sampled_from((1, 2, 3))) if integral else draw(st.sampled_from((0.25, 0.5, 1.0)))
        )
    return out


def _attr_names() -> SearchStrategy[str]:
    return st.text("abcxyz_0123 é@", min_size=1, max_size=5)


@st.composite
def _attribute_spec(
    draw: DrawFn, name: str, *, constraints: bool, required: bool | None, max_side: int
) -> AttributeSpec:
    t = draw(st.sampled_from(_ATTR_TYPES))
    kw: dict[str, Any] = {"name": name, "type": t}
    if t == "list":
        kw["item"] = draw(st.sampled_from(_ITEM_TYPES))
    kind = kw.get("item", t)
    npdt: np.dtype[Any] | None = None
    if t == "array":
        dt = draw(st.none() | dtypes(strings=False))  # text arrays are list[str] / list[bytes]
        kw["dtype"] = dt
        npdt = None if dt is None else _numpy(dt)
        kw["shape"] = draw(
            st.none()
            | st.lists(
                st.one_of(
                    st.integers(1, max_side).map(lambda n: DimSpec(size=n)),
                    st.just(DimSpec()),
                    st.integers(0, max_side).map(lambda n: DimSpec(min=n, max=n + 1)),
                ),
                max_size=2,
            ).map(tuple)
        )
    if constraints:
        real = (
            kind in ("int", "float")
            or (
                t == "array"
                and npdt is not None
                and npdt.kind in "iuf"
                and not isinstance(kw["dtype"], EnumDType)
            )
            or (t == "array" and npdt is None)
        )
        if real and draw(st.booleans()):
            bkind = "int" if kind == "int" or (npdt is not None and npdt.kind in "iu") else "float"
            limits: tuple[float, float] = (-1e9, 1e9)
            if npdt is not None and npdt.kind in "iu":
                info = np.iinfo(npdt)
                limits = (max(int(info.min), -100), min(int(info.max), 100))
            kw.update(draw(_bounds(bkind, limits)))
        if kind == "str" and draw(st.integers(0, 3)) == 0:
            kw["pattern"] = draw(st.sampled_from(_PATTERNS))
        # lengths count characters (str, bytes), items (list) or the first axis (array); a
        # pattern gets none, so that some value always satisfies both
        lengthy = (kind == "bytes" or (kind == "str" and "pattern" not in kw) or t == "list") or (
            t == "array" and kw.get("shape") not in (None, ())
        )
        if lengthy and draw(st.integers(0, 2)) == 0:
            lo = draw(st.integers(0, 2))
            kw["min_length"] = lo if draw(st.booleans()) else None
            kw["max_length"] = lo + draw(st.integers(0, 3)) if draw(st.booleans()) else None
            if t == "array" and kw.get("shape"):
                first = kw["shape"][0]
                lo_ok, hi_ok = first.lower, first.upper
                # keep the window reachable: lengths count the first axis
                kw["min_length"] = lo_ok if kw["min_length"] is not None else None
                kw["max_length"] = hi_ok if kw["max_length"] is not None else None
    choices: tuple[Any, ...] | None = None
    base = AttributeSpec(**kw)
    if constraints and t != "array" and draw(st.integers(0, 3)) == 0:
        items = _attr_items(base, kind, lengths=t != "list", allow_nan=False)
        choices = tuple(draw(st.lists(items, min_size=1, max_size=3, unique_by=repr)))
        base = AttributeSpec(**kw, choices=choices)
    default = draw(attribute_values(base, max_side=max_side)) if draw(st.integers(0, 2)) == 0 else None
    return AttributeSpec(
        **kw,
        choices=choices,
        required=draw(_maybe(required)),
        default=default,
        description=draw(st.none() | st.text(max_size=6)),
    )


def attribute_specs(
    *,
    names: SearchStrategy[str] | None = None,
    constraints: bool = True,
    required: bool | None = None,
    max_side: int = 3,
) -> SearchStrategy[AttributeSpec]:
    """Attribute declarations of every type (int, float, bool, str, bytes, list of each, array of
    any exact dtype), with constraints (bounds, multiple_of, pattern, lengths, choices) that some
    value satisfies, and sometimes a default that satisfies them.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(attribute_specs())
    ... def check(a):
    ...     assert (a.item is not None) == (a.type == "list")
    >>> check()
    """
    _check_strategy(names, "names")
    _check_bool(constraints, "constraints")
    _check_bool(required, "required", optional=True)
    _check_int(max_side, "max_side")
    return (names if names is not None else _attr_names()).flatmap(
        lambda n: _attribute_spec(n, constraints=constraints, required=required, max_side=max_side)
    )


@st.composite
def _attribute_list(draw: DrawFn, max_attributes: int, max_side: int) -> tuple[AttributeSpec, ...]:
    names = _unique(draw(st.lists(_attr_names(), max_size=max_attributes)))
    return tuple(draw(_attribute_spec(n, constraints=True, required=None, max_side=max_side)) for n in names)
