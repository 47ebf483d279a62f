"""Attribute defects: a required attribute deleted, stored with another type or breaking a
constraint, an undeclared one added."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from h5schema._report.codes import Code
from h5schema._schema.spec import AttributeSpec
from h5schema._types.dtypes import StringDType
from h5schema._types.paths import attribute_path
from h5schema.strategies._attributes import _ITEM_TYPES, _attr_ok
from h5schema.strategies._defects import Defect, _defect, _h5py, _Node, _raw_attr, makes

__all__: list[str] = []


def _del_attr(path: str, name: str) -> Callable[[Any], None]:
    def change(f: Any) -> None:
        del f[path].attrs[name]

    return change


def _set_attr(path: str, name: str, value: Any, dtype: Any = None) -> Callable[[Any], None]:
    def change(f: Any) -> None:
        obj = f[path]
        if name in obj.attrs:
            del obj.attrs[name]
        if dtype is None:
            obj.attrs.create(name, value)
        else:
            obj.attrs.create(name, value, dtype=dtype)

    return change


def _wrong_type(h5py: ModuleType, a: AttributeSpec) -> tuple[Any, Any]:
    """A value (and h5py dtype) whose stored type the declaration ``a`` does not accept."""
    vlen_str, vlen_bytes = h5py.string_dtype("utf-8"), h5py.string_dtype("ascii")
    scalars: dict[str, tuple[Any, Any]] = {
        "int": (np.float64(1.5), None),
        "float": (np.int64(1), None),
        "bool": (np.int8(1), None),
        "str": (b"x", vlen_bytes),
        "bytes": ("x", vlen_str),
    }
    if a.type in scalars:
        return scalars[a.type]
    if a.type == "list":
        item = a.item or "int"
        one = {"int": np.int64(1), "float": np.float64(1), "bool": np.bool_(True), "str": "x", "bytes": b"x"}[
            item
        ]
        dt = {"str": vlen_str, "bytes": vlen_bytes}.get(item)
        return one, dt  # a scalar where a 1-d array is declared
    if a.dtype is not None:
        if isinstance(a.dtype, StringDType):
            return np.zeros(1, dtype="i8"), None
        return np.array(["x"], dtype=object), vlen_str
    if a.shape is not None:
        return np.zeros((1,) * (len(a.shape) + 1), dtype="i8"), None
    return h5py.Empty("f8"), None


def _breaking_numbers(a: AttributeSpec, kind: str) -> list[Any]:
    """Candidate ``int`` or ``float`` values (``kind``) at or just past ``a``'s bounds, between
    its multiples and beside its choices."""
    out: list[Any] = []
    step = 1 if kind == "int" else 0.5
    for b in (a.gt, a.lt):
        if b is not None:
            out.append(b)
    if a.ge is not None:
        out.append(a.ge - step)
    if a.le is not None:
        out.append(a.le + step)
    if a.multiple_of is not None:
        base = (a.ge if a.ge is not None else a.gt if a.gt is not None else 0) or 0
        out += [base + abs(a.multiple_of) / 2 + k * abs(a.multiple_of) for k in range(3)]
    if a.choices is not None:
        numbers = [c for c in a.choices if isinstance(c, int | float)]
        out += [max(numbers) + 1, min(numbers) - 1] if numbers else []
    out = [int(v) if kind == "int" and float(v) == int(v) else v for v in out]
    out = [v for v in out if kind == "float" or isinstance(v, int)]
    return [float(v) for v in out] if kind == "float" else out


def _breaking_values(a: AttributeSpec, current: Any) -> list[Any]:
    """Candidate values of the declared kind that break one of ``a``'s constraints."""
    kind = a.scalar_kind
    out: list[Any] = []
    if kind in ("int", "float"):
        out = _breaking_numbers(a, kind)
    elif kind == "bool" and a.choices is not None:
        out = [True, False]
    elif kind in ("str", "bytes"):
        unit: Any = "x" if kind == "str" else b"x"
        out = [unit[:0], unit * ((a.max_length or 0) + 1), unit * 40]
        if kind == "str":
            out += ["0", "A", "zz", "\n", "É"]
        if a.choices is not None:
            out += [c + unit for c in a.choices if isinstance(c, str | bytes)]
    if a.type == "list":
        items = list(current) if isinstance(current, list | np.ndarray) else []
        lists: list[Any] = [[]]
        if items:
            lists.append(items * ((a.max_length or 0) + 2))
            lists += [[v, *items[1:]] for v in out]
        return [v for v in lists if not _attr_ok(a, v)]
    return [v for v in out if not _attr_ok(a, v)]


def _as_stored(value: Any, stored: np.dtype[Any]) -> Any:
    """``value`` in the attribute's stored dtype, or None when that dtype cannot hold it exactly."""
    if stored.kind == "O":
        return np.array(value, dtype=stored) if isinstance(value, list) else value
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arr = np.array(value, dtype=stored)
    except (OverflowError, ValueError, TypeError):
        return None
    same = arr.tolist() == value if not isinstance(value, float) or value == value else True
    return arr if same else None


def _present(node: _Node) -> list[tuple[AttributeSpec, str]]:
    """The declared attributes the object holds, with their paths."""
    return [(a, attribute_path(node.path, a.name)) for a in node.spec.attributes if a.name in node.attrs]


@makes(Code.MISSING_ATTRIBUTE)
def _missing_attributes(f: Any, node: _Node) -> list[Defect]:
    """A required attribute deleted."""
    return [
        _defect(Code.MISSING_ATTRIBUTE, apath, f"delete {apath}", _del_attr(node.path, a.name))
        for a, apath in _present(node)
        if a.required
    ]


@makes(Code.ATTRIBUTE_TYPE)
def _attribute_types(f: Any, node: _Node) -> list[Defect]:
    """An attribute stored with a type its declaration does not accept."""
    h5py = _h5py()
    out = []
    for a, apath in _present(node):
        value, dt = _wrong_type(h5py, a)
        change = _set_attr(node.path, a.name, value, dt)
        out.append(_defect(Code.ATTRIBUTE_TYPE, apath, f"store {apath} as {value!r}", change))
    return out


@makes(Code.ATTRIBUTE_VALUE)
def _attribute_values(f: Any, node: _Node) -> list[Defect]:
    """An attribute of the declared type set to a value breaking one of its constraints."""
    obj = f[node.path]
    out = []
    for a, apath in _present(node):
        if a.type not in _ITEM_TYPES and a.type != "list":
            continue
        current = _raw_attr(obj, a.name).tolist()
        if a.scalar_kind == "str":  # the raw bytes of UTF-8 strings, as the validator reads them
            current = [v.decode() for v in current] if isinstance(current, list) else current.decode()
        stored = obj.attrs.get_id(a.name).dtype
        for bad in _breaking_values(a, current):
            value = _as_stored(bad, stored)
            if value is None:
                continue
            change = _set_attr(node.path, a.name, value, stored)
            out.append(_defect(Code.ATTRIBUTE_VALUE, apath, f"set {apath} to {bad!r}", change))
            break
    return out


@makes(Code.UNEXPECTED_ATTRIBUTE)
def _unexpected_attributes(f: Any, node: _Node) -> list[Defect]:
    """An undeclared attribute added: an error on a closed object, a warning on an open one."""
    spec = node.spec
    declared = {a.name for a in spec.attributes}
    extra = next(n for n in ("zz_extra", "zz_extra_1", "zz_extra_2") if n not in node.attrs)
    if extra in declared:
        return []
    apath = attribute_path(node.path, extra)
    change = _set_attr(node.path, extra, np.int64(1))
    return [_defect(Code.UNEXPECTED_ATTRIBUTE, apath, f"add {apath}", change, closed=spec.closed)]
