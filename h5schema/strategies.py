"""Hypothesis strategies for h5schema: dtypes, string values, schemas, values, files and defects.

This module is for tests: it imports `hypothesis <https://hypothesis.readthedocs.io>`_, which
``import h5schema`` never does (install the ``test`` extra). It follows hypothesis' conventions:
strategy functions are plural nouns, required arguments are positional and options keyword-only,
defaults keep examples small (a few members, axes of at most three elements), and bad arguments
raise :class:`hypothesis.errors.InvalidArgument` when the strategy function is called.

What is here, from the smallest piece to a whole file:

- :func:`dtypes`, :func:`string_dtypes`: exact dtypes that can be created and read back as
  themselves (numbers including float16, long double and complex; bool; enums; the four string
  flavours; optionally compounds).
- :func:`string_values` (alias :func:`text_for`) and :func:`invalid_string_values`: what a string
  flavour can hold (``str`` for UTF-8, ``bytes`` for ASCII) and what it must refuse.
- :func:`attribute_specs`, :func:`dataset_specs`, :func:`group_specs`, :func:`schemas`: valid
  schema trees, and :func:`attribute_values`, :func:`data_for`, :func:`values_for`: values that
  satisfy them, in the mapping form :func:`h5schema.materialize` takes.
- :func:`conforming_files`: materializes a file in a fresh sub-directory and gives its path.
- :func:`defects` and :func:`mutants`: one defect at a time, applied with raw h5py, with the one
  violation code and path the validator must report.

Typical use, one fresh file per example under pytest's ``tmp_path``::

    from hypothesis import given, strategies as st
    import h5schema as h5s
    import h5schema.strategies as h5st

    @given(data=st.data(), schema=h5st.schemas())
    def test_one_defect_one_violation(tmp_path, data, schema):
        path = data.draw(h5st.conforming_files(schema, tmp_path))
        code, where = data.draw(h5st.mutants(schema, path))
        report = h5s.validate(path, schema)
        assert report.codes() == [code] and report.violations[0].path == where

>>> from hypothesis import given, settings
>>> @settings(max_examples=5, database=None)
... @given(dtypes())
... def check(dt):
...     assert dt.describe()
>>> check()
"""

from __future__ import annotations

import math
import re
import tempfile
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.extra import numpy as hnp
from hypothesis.strategies import DrawFn, SearchStrategy

from h5schema._codes import Code, Severity
from h5schema._dtypes import (
    ArrayDType,
    CompoundDType,
    CompoundField,
    DTypeSpec,
    EnumDType,
    FamilyDType,
    NumericDType,
    StringDType,
    is_concrete,
    to_numpy,
)
from h5schema._materialize import materialize
from h5schema._model import as_schema
from h5schema._shapes import DimSpec
from h5schema._spec import AttributeSpec, DatasetSpec, GroupSpec, PatternSpec, SchemaSpec

__all__ = [
    "Defect",
    "attribute_specs",
    "attribute_values",
    "conforming_files",
    "data_for",
    "dataset_specs",
    "defects",
    "dtypes",
    "group_specs",
    "invalid_string_values",
    "mutants",
    "schemas",
    "string_dtypes",
    "string_values",
    "text_for",
    "values_for",
]

# ---------------------------------------------------------------- small helpers

_LONG_DOUBLE = np.dtype(np.longdouble).itemsize > 8  # x86-64 Linux: yes; macOS arm64, Windows: no
_INT_NAMES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
_FLOAT_NAMES = ("float16", "float32", "float64") + (("longdouble",) if _LONG_DOUBLE else ())
_COMPLEX_NAMES = ("complex64", "complex128") + (("clongdouble",) if _LONG_DOUBLE else ())
_NUMERIC_NAMES = ("bool", *_INT_NAMES, *_FLOAT_NAMES, *_COMPLEX_NAMES)
_FLOAT_WIDTH: dict[str, Literal[16, 32, 64]] = {"float16": 16, "float32": 32, "float64": 64, "longdouble": 64}
_COMPLEX_WIDTH: dict[str, Literal[32, 64, 128]] = {"complex64": 64, "complex128": 128, "clongdouble": 128}
_TRICKY_TEXT = ("", " ", "é", "ß", "日本語", "😀", "a\nb", "\t", "\u200b", "Ω≈ç√")
_NAME_CHARS = "abcxyz_0123 é日.-"
_PATTERN_PREFIXES = ("p", "q", "run", "set", "ch")
_DIM_NAMES = ("n", "m")


def _check_int(value: object, name: str, *, min_value: int = 0) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < min_value:
        raise InvalidArgument(f"{name}={value!r} must be an int >= {min_value}")


def _check_bool(value: object, name: str, *, optional: bool = False) -> None:
    if not (isinstance(value, bool) or (optional and value is None)):
        raise InvalidArgument(f"{name}={value!r} must be {'True, False or None' if optional else 'a bool'}")


def _check_strategy(value: object, name: str) -> None:
    if value is not None and not isinstance(value, SearchStrategy):
        raise InvalidArgument(f"{name}={value!r} must be a hypothesis strategy or None")


def _unique(names: list[str]) -> list[str]:
    """Make drawn names distinct by suffixing repeats (never fails, unlike unique lists)."""
    out: list[str] = []
    for n in names:
        candidate, i = n, 1
        while candidate in out:
            candidate, i = f"{n}_{i}", i + 1
        out.append(candidate)
    return out


def _maybe(flag: bool | None) -> SearchStrategy[bool]:
    """True/False for a fixed flag; either for None."""
    return st.just(flag) if flag is not None else st.booleans()


def _numpy(spec: DTypeSpec) -> np.dtype[Any]:
    return to_numpy(spec)


def _h5py() -> ModuleType:
    """h5py, for :func:`defects` only: a defect is made *below* h5schema, with raw h5py calls
    (the library itself keeps h5py behind its internal ``_h5`` package)."""
    import h5py

    module: ModuleType = h5py
    return module


# ---------------------------------------------------------------- dtypes


def string_dtypes(*, max_length: int = 8) -> SearchStrategy[StringDType]:
    """The four string flavours: ``string()``, ``string(encoding="ascii")``, ``string(N)`` and
    ``string(N, encoding="ascii")`` with ``1 <= N <= max_length`` bytes.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(string_dtypes(max_length=4))
    ... def check(dt):
    ...     assert dt.length is None or 1 <= dt.length <= 4
    >>> check()
    """
    _check_int(max_length, "max_length", min_value=1)
    encodings = st.sampled_from(("utf-8", "ascii"))
    lengths = st.none() | st.integers(1, max_length)
    return st.builds(lambda length, enc: StringDType(encoding=enc, length=length), lengths, encodings)


def _enum_dtypes() -> SearchStrategy[EnumDType]:
    @st.composite
    def build(draw: DrawFn) -> EnumDType:
        base = draw(st.sampled_from(_INT_NAMES))
        info = np.iinfo(base)
        lo, hi = max(int(info.min), -100), min(int(info.max), 100)
        values = draw(st.lists(st.integers(lo, hi), min_size=1, max_size=4, unique=True))
        names = _unique(draw(st.lists(st.text("abcdefghXYZ_", min_size=1, max_size=5), min_size=len(values),
                                      max_size=len(values))))  # fmt: skip
        return EnumDType(base=base, members=dict(zip(names, values, strict=True)))

    return build()


def _compound_dtypes(strings: bool) -> SearchStrategy[CompoundDType]:
    scalar = st.sampled_from(_NUMERIC_NAMES).map(lambda n: NumericDType(name=n))
    fixed = st.builds(
        lambda n, enc: StringDType(encoding=enc, length=n),
        st.integers(1, 6),
        st.sampled_from(("utf-8", "ascii")),
    )
    array = st.builds(
        lambda b, shape: ArrayDType(base=NumericDType(name=b), shape=shape),
        st.sampled_from(("int8", "float32", "float64")),
        st.lists(st.integers(1, 3), min_size=1, max_size=2).map(tuple),
    )
    field_dtypes: SearchStrategy[DTypeSpec] = st.one_of(scalar, array, *([fixed] if strings else []))

    @st.composite
    def build(draw: DrawFn) -> CompoundDType:
        names = _unique(draw(st.lists(st.text("abxyzé_", min_size=1, max_size=4), min_size=1, max_size=3)))
        return CompoundDType(fields=tuple(CompoundField(name=n, dtype=draw(field_dtypes)) for n in names))

    return build()


def dtypes(
    *, numeric: bool = True, strings: bool = True, enums: bool = True, compound: bool = False
) -> SearchStrategy[DTypeSpec]:
    """Exact dtypes that a dataset can be created with and that read back as themselves.

    ``numeric``: bool, every int and uint, float16/32/64, complex64/128, and long double and
    complex long double where the platform has them (they would read back as float64
    elsewhere). ``strings``: the four flavours of :func:`string_dtypes`. ``enums``: HDF5 enums
    over an integer base. ``compound``: structs of numbers, small arrays and (with ``strings``)
    fixed-length strings.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(dtypes(strings=False, enums=False))
    ... def check(dt):
    ...     assert dt.kind == "numeric"
    >>> check()
    """
    for name, flag in (("numeric", numeric), ("strings", strings), ("enums", enums), ("compound", compound)):
        _check_bool(flag, name)
    options: list[SearchStrategy[DTypeSpec]] = []
    if numeric:
        options.append(st.sampled_from(_NUMERIC_NAMES).map(lambda n: NumericDType(name=n)))
    if strings:
        options.append(string_dtypes())
    if enums:
        options.append(_enum_dtypes())
    if compound:
        options.append(_compound_dtypes(strings))
    if not options:
        raise InvalidArgument("dtypes() needs at least one of numeric, strings, enums, compound")
    return st.one_of(options)


_all_dtypes = dtypes  # for functions whose ``dtypes`` argument shadows the strategy


# ---------------------------------------------------------------- string values


def _utf8_chars(*, nul: bool) -> SearchStrategy[str]:
    return st.characters(codec="utf-8", exclude_characters=None if nul else "\x00")


def string_values(dtype: StringDType, *, max_size: int = 12) -> SearchStrategy[str | bytes]:
    """Values the string flavour ``dtype`` holds exactly: ``str`` for UTF-8, ``bytes`` for ASCII.

    Covers the empty string, non-ASCII text (any byte for ASCII flavours, which h5schema does not
    restrict to 7 bits), occasional long values (variable-length only) and, for fixed-length
    flavours, NUL in the middle, never at the end (NUL padding would eat it); variable-length
    values never contain NUL (HDF5 ends them at the first one). A fixed length is counted in
    bytes after UTF-8 encoding. ``max_size`` bounds the characters (bytes) of ordinary values.

    >>> from hypothesis import given, settings
    >>> import h5schema as h5s
    >>> @settings(max_examples=20, database=None)
    ... @given(string_values(h5s.string(3)))
    ... def check(s):
    ...     assert isinstance(s, str) and len(s.encode()) <= 3 and not s.endswith("\\x00")
    >>> check()
    """
    if not isinstance(dtype, StringDType):
        raise InvalidArgument(f"string_values() needs a StringDType, got {dtype!r}")
    _check_int(max_size, "max_size")
    fixed = dtype.length
    utf8 = dtype.encoding == "utf-8"
    if utf8:
        text = st.text(_utf8_chars(nul=fixed is not None), max_size=max_size if fixed is None else fixed)
        tricky = st.sampled_from(_TRICKY_TEXT)
        if fixed is None:
            long = st.builds(
                lambda c, n: c * n, st.sampled_from(("x", "é", "日本", "😀")), st.integers(50, 400)
            )
            return st.one_of(tricky, text, long)

        def fit(s: str) -> str:
            while len(s.encode("utf-8")) > fixed:
                s = s[:-1]
            return s.rstrip("\x00")

        return st.one_of(tricky, text).map(fit)
    low = 0 if fixed is not None else 1
    raw = st.lists(st.integers(low, 255), max_size=max_size if fixed is None else fixed).map(bytes)
    samples = st.sampled_from((b"", b"abc", b"\xff\xfe", b"\x7f", "é".encode()))
    if fixed is None:
        long_b = st.builds(lambda c, n: c * n, st.sampled_from((b"x", b"\xff")), st.integers(50, 400))
        return st.one_of(samples, raw, long_b)
    return st.one_of(samples, raw).map(lambda b: b[:fixed].rstrip(b"\x00"))


text_for = string_values
"""Alias of :func:`string_values`."""


def invalid_string_values(dtype: StringDType) -> SearchStrategy[Any]:
    """Values the string flavour ``dtype`` must refuse with a clear error.

    The wrong Python type (``bytes`` for UTF-8, ``str`` for ASCII, or a number), NUL in a
    variable-length value, a lone surrogate (not encodable as UTF-8), and for fixed-length
    flavours a value longer than the length in bytes or one that ends with NUL.

    >>> from hypothesis import given, settings
    >>> import h5schema as h5s
    >>> @settings(max_examples=10, database=None)
    ... @given(invalid_string_values(h5s.string(encoding="ascii")))
    ... def check(v):
    ...     assert not isinstance(v, bytes) or b"\\x00" in v
    >>> check()
    """
    if not isinstance(dtype, StringDType):
        raise InvalidArgument(f"invalid_string_values() needs a StringDType, got {dtype!r}")
    utf8 = dtype.encoding == "utf-8"
    wrong_type: SearchStrategy[Any] = (st.binary(max_size=6) if utf8 else st.text(max_size=6)) | st.integers(
        -3, 3
    )
    options: list[SearchStrategy[Any]] = [wrong_type]
    chars = st.text(_utf8_chars(nul=False), max_size=4) if utf8 else st.binary(max_size=4)
    nul = "\x00" if utf8 else b"\x00"
    if utf8:
        options.append(
            st.builds(lambda a, s, b: a + s + b, chars, st.sampled_from(("\ud800", "\udfff")), chars)
        )
    length = dtype.length
    if length is None:
        options.append(st.builds(lambda a, b: a + nul + b, chars, chars))
    else:
        if utf8:
            too_long: SearchStrategy[Any] = st.text(
                _utf8_chars(nul=False), min_size=1, max_size=length + 3
            ).map(lambda s: s + "x" * max(0, length + 1 - len(s.encode())))
            ends_nul: SearchStrategy[Any] = (
                st.text(_utf8_chars(nul=True), max_size=length - 1)
                .map(lambda s: s + "\x00")
                .filter(lambda s: len(s.encode()) <= length)
            )
        else:
            too_long = st.binary(min_size=length + 1, max_size=length + 3)
            ends_nul = st.binary(max_size=length - 1).map(lambda b: b + b"\x00")
        options += [too_long, ends_nul]
    return st.one_of(options)


# ---------------------------------------------------------------- numbers under constraints


def _ceil(x: float) -> int:
    return math.ceil(x)


def _int_range(name: str, gt: Any, ge: Any, lt: Any, le: Any) -> tuple[int, int]:
    info = np.iinfo(np.dtype(name))
    lo, hi = int(info.min), int(info.max)
    if ge is not None:
        lo = max(lo, _ceil(ge))
    if gt is not None:
        lo = max(lo, math.floor(gt) + 1)
    if le is not None:
        hi = min(hi, math.floor(le))
    if lt is not None:
        hi = min(hi, _ceil(lt) - 1)
    return lo, hi


def _representable(x: float, name: str, *, up: bool) -> float:
    """The nearest float of dtype ``name`` on the allowed side of the bound ``x``."""
    dt = np.dtype(np.float64 if name == "longdouble" else name)
    y = dt.type(x)
    if up and float(y) < x:
        y = np.nextafter(y, dt.type(np.inf))
    if not up and float(y) > x:
        y = np.nextafter(y, dt.type(-np.inf))
    return float(y)


def _numbers(
    name: str,
    *,
    gt: Any = None,
    ge: Any = None,
    lt: Any = None,
    le: Any = None,
    multiple_of: Any = None,
    allow_nan: bool = True,
) -> SearchStrategy[Any]:
    """Python numbers that numpy dtype ``name`` stores exactly, inside the given bounds."""
    if name == "bool":
        return st.booleans()
    if name in _INT_NAMES or name == "int":
        lo, hi = _int_range("int64" if name == "int" else name, gt, ge, lt, le)
        if lo > hi:
            return st.nothing()
        if multiple_of is not None and float(multiple_of) == int(multiple_of) and multiple_of:
            m = abs(int(multiple_of))
            k_lo, k_hi = -(-lo // m), hi // m  # integer division: int64 limits are not exact floats
            return st.nothing() if k_lo > k_hi else st.integers(k_lo, k_hi).map(lambda k: k * m)
        ints = st.integers(lo, hi)
        return ints if multiple_of is None else ints.filter(lambda v: _is_multiple(v, multiple_of))
    if name in _COMPLEX_WIDTH:
        return st.complex_numbers(width=_COMPLEX_WIDTH[name], allow_nan=allow_nan)
    fname = "float64" if name == "float" else name
    width = _FLOAT_WIDTH[fname]
    lo_b = [(b, strict) for b, strict in ((ge, False), (gt, True)) if b is not None]
    hi_b = [(b, strict) for b, strict in ((le, False), (lt, True)) if b is not None]
    lo_v: Any
    hi_v: Any
    lo_v, lo_x = max(lo_b, key=lambda t: (t[0], t[1])) if lo_b else (None, False)  # the tightest bounds
    hi_v, hi_x = min(hi_b, key=lambda t: (t[0], not t[1])) if hi_b else (None, False)
    lo_f = None if lo_v is None else _representable(float(lo_v), fname, up=True)
    hi_f = None if hi_v is None else _representable(float(hi_v), fname, up=False)
    bounded = lo_f is not None or hi_f is not None
    if lo_f is not None and hi_f is not None and (lo_f > hi_f or (lo_f == hi_f and (lo_x or hi_x))):
        return st.nothing()
    if multiple_of is not None:
        step = abs(float(multiple_of))
        k_lo = -1000 if lo_f is None else max(_ceil(lo_f / step), -1000)
        k_hi = 1000 if hi_f is None else min(math.floor(hi_f / step), 1000)
        return (
            st.integers(k_lo, k_hi)
            .map(lambda k: float(np.dtype(fname if fname != "longdouble" else "float64").type(k * step)))
            .filter(lambda v: _in_bounds(v, gt, ge, lt, le) and _is_multiple(v, multiple_of))
        )
    return st.floats(
        min_value=lo_f,
        max_value=hi_f,
        exclude_min=lo_x and lo_f is not None and lo_f == float(lo_v or 0),
        exclude_max=hi_x and hi_f is not None and hi_f == float(hi_v or 0),
        allow_nan=allow_nan and not bounded,
        allow_infinity=not bounded,
        width=width,
    )


def _in_bounds(v: Any, gt: Any, ge: Any, lt: Any, le: Any) -> bool:
    if isinstance(v, float) and math.isnan(v):
        return all(b is None for b in (gt, ge, lt, le))
    return (
        (gt is None or v > gt)
        and (ge is None or v >= ge)
        and (lt is None or v < lt)
        and (le is None or v <= le)
    )


def _is_multiple(v: Any, m: Any) -> bool:
    q = v / m
    return math.isfinite(q) and abs(q - round(q)) <= 1e-9 * max(1.0, abs(q))


# ---------------------------------------------------------------- attributes

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


# ---------------------------------------------------------------- datasets


def _member_names() -> SearchStrategy[str]:
    return st.text(_NAME_CHARS, min_size=1, max_size=5).filter(lambda s: s not in (".", ".."))


def _scalar_name(dt: DTypeSpec) -> str | None:
    """The numeric name whose Python numbers fill ``dt`` (None for strings and compounds)."""
    if isinstance(dt, NumericDType):
        return dt.name
    if isinstance(dt, EnumDType):
        return dt.base
    return None


def _elements(
    spec: DatasetSpec, dt: DTypeSpec, *, checks: bool = True, nan: bool = True
) -> SearchStrategy[Any]:
    """Single values of ``dt`` that pass the data checks of ``spec`` (when ``checks``)."""
    if checks and spec.values is not None:
        values = [v for v in spec.values if not (isinstance(v, float) and math.isnan(v))]
        if checks and any(b is not None for b in (spec.gt, spec.ge, spec.lt, spec.le)):
            values = [v for v in values if _in_bounds(v, spec.gt, spec.ge, spec.lt, spec.le)]
        return st.sampled_from(values) if values else st.nothing()
    if isinstance(dt, StringDType):
        return string_values(dt, max_size=6)
    if isinstance(dt, EnumDType):
        return st.sampled_from(sorted(dt.members.values()))
    name = _scalar_name(dt)
    if name is None:
        raise InvalidArgument(f"no scalar elements for {dt.describe()}")
    if not checks:
        return _numbers(name)
    bounds = {k: getattr(spec, k) for k in ("gt", "ge", "lt", "le")}
    nan = nan and spec.allow_nan
    if name in _COMPLEX_WIDTH or name == "bool":
        return _numbers(name, allow_nan=nan)
    strategy = _numbers(name, **bounds, allow_nan=nan)
    if name in _FLOAT_WIDTH and nan and any(b is not None for b in bounds.values()):
        strategy = strategy | st.just(math.nan)  # NaN is governed by allow_nan, not by the bounds
    return strategy


def _compound_values(dt: CompoundDType) -> SearchStrategy[tuple[Any, ...]]:
    parts: list[SearchStrategy[Any]] = []
    for f in dt.fields:
        fdt = f.dtype
        if isinstance(fdt, StringDType):
            # compound fields hold raw bytes (no flavour decoding inside a struct)
            n = fdt.length or 4
            parts.append(string_values(StringDType(encoding="ascii", length=n)))
        elif isinstance(fdt, ArrayDType):
            parts.append(
                hnp.arrays(_numpy(fdt.base), fdt.shape, elements=_numbers(_scalar_name(fdt.base) or "int8"))
            )
        elif isinstance(fdt, CompoundDType):
            parts.append(_compound_values(fdt))
        else:
            parts.append(_numbers(_scalar_name(fdt) or "int8"))
    return st.tuples(*parts)


def _concrete(dt: DTypeSpec | None) -> SearchStrategy[DTypeSpec]:
    """An exact dtype matching ``dt`` (any of a family; int64 for no dtype)."""
    if dt is None:
        return st.just(NumericDType(name="int64"))
    if is_concrete(dt):
        return st.just(dt)
    if isinstance(dt, FamilyDType):
        if dt.family == "text":
            return string_dtypes()
        if dt.family == "any":
            return dtypes(enums=False)
        return st.sampled_from([n for n in _NUMERIC_NAMES if dt.matches(NumericDType(name=n))]).map(
            lambda n: NumericDType(name=n)
        )
    raise InvalidArgument(f"cannot make data for dtype {dt.describe()}")


def data_for(
    spec: DatasetSpec, shape: tuple[int, ...], *, dtype: DTypeSpec | None = None
) -> SearchStrategy[np.ndarray]:
    """Arrays of ``shape`` that the materializer and the writers accept for ``spec``.

    Elements satisfy the data checks (``values``, bounds, ``allow_nan``); strings come as object
    arrays of ``str`` (UTF-8) or ``bytes`` (ASCII), compounds as structured arrays. ``dtype``
    picks the element type when ``spec.dtype`` is a family or None.

    >>> import h5schema as h5s
    >>> spec = h5s.DatasetSpec(dtype="int8", values=(3, 5))
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(data_for(spec, (2,)))
    ... def check(arr):
    ...     assert arr.shape == (2,) and set(arr.tolist()) <= {3, 5}
    >>> check()
    """
    if not isinstance(spec, DatasetSpec):
        raise InvalidArgument(f"data_for() needs a DatasetSpec, got {spec!r}")
    if not isinstance(shape, tuple) or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise InvalidArgument(f"shape={shape!r} must be a tuple of non-negative ints")
    chosen = st.just(dtype) if dtype is not None else _concrete(spec.dtype)

    def arrays(dt: DTypeSpec) -> SearchStrategy[np.ndarray]:
        npdt = _numpy(dt)
        if isinstance(dt, CompoundDType):
            size = int(np.prod(shape))
            return st.lists(_compound_values(dt), min_size=size, max_size=size).map(
                lambda rows: np.array(rows, dtype=npdt).reshape(shape)
            )
        if isinstance(dt, StringDType):
            return hnp.arrays(object, shape, elements=_elements(spec, dt), fill=st.nothing())
        return hnp.arrays(npdt, shape, elements=_elements(spec, dt), fill=st.nothing())

    return chosen.flatmap(arrays)


def _fill_values(dt: DTypeSpec) -> SearchStrategy[Any]:
    if isinstance(dt, StringDType):
        return string_values(dt, max_size=4)
    if isinstance(dt, EnumDType):
        return st.sampled_from(sorted(dt.members.values()))
    name = _scalar_name(dt)
    return st.nothing() if name is None else _numbers(name)


@dataclass(frozen=True)
class _Opts:
    max_rank: int
    max_side: int
    max_attributes: int
    dtypes: SearchStrategy[DTypeSpec]
    resizable: bool | None = None
    data_checks: bool = True


def _vlen_spec(dt: DTypeSpec) -> bool:
    """Whether a declared dtype holds variable-length data (HDF5 refuses fletcher32 on it)."""
    if isinstance(dt, StringDType):
        return dt.length is None
    if isinstance(dt, CompoundDType):
        return any(_vlen_spec(f.dtype) for f in dt.fields)
    return False


@st.composite
def _axis(draw: DrawFn, witness: Mapping[str, int], max_side: int) -> tuple[DimSpec, int, int | None]:
    """One declared axis, the least length it needs and the largest it allows (None: any)."""
    kinds = ["fixed", "any", "range"] + (["named"] * 3 if witness else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "fixed":
        n = draw(st.integers(0, max_side))
        return DimSpec(size=n), n, n
    if kind == "any":
        return DimSpec(), 0, None
    if kind == "range":
        lo = draw(st.integers(0, max_side))
        hi = draw(st.none() | st.integers(lo, lo + 2))
        return DimSpec(min=lo if lo or draw(st.booleans()) else None, max=hi), lo, hi
    name = draw(st.sampled_from(sorted(witness)))
    w = witness[name]
    form = draw(st.sampled_from(("bare", "size", "min", "max", "both")))
    if form == "size":
        return DimSpec(name=name, size=w), w, w
    lo = draw(st.integers(0, w)) if form in ("min", "both") else 0
    hi = draw(st.integers(w, w + 2)) if form in ("max", "both") else None
    return DimSpec(name=name, min=lo if form in ("min", "both") else None, max=hi), w, hi


@st.composite
def _dataset_spec(
    draw: DrawFn, *, name: str | None, required: bool, witness: Mapping[str, int], opts: _Opts
) -> DatasetSpec:
    dt = draw(opts.dtypes)
    rank = draw(st.integers(1 if opts.resizable else 0, opts.max_rank))
    shape: tuple[DimSpec, ...] | None = None
    needs: list[int] = [0] * rank
    uppers: list[int | None] = [None] * rank
    if opts.resizable is True or draw(st.integers(0, 7)) > 0:
        axes = [draw(_axis(witness, opts.max_side)) for _ in range(rank)]
        shape = tuple(a[0] for a in axes)
        needs = [a[1] for a in axes]
        uppers = [a[2] for a in axes]
    modes = (
        ["none"]
        if rank == 0
        else ["unlimited"]
        if opts.resizable is True
        else ["none", "fixed"]
        if opts.resizable is False
        else ["none", "fixed", "unlimited", "unlimited"]
    )
    mode = draw(st.sampled_from(modes))
    maxshape: tuple[int | None, ...] | None = None
    # a maxshape axis of length 0 cannot be chunked (a definition error): start bounds at 1
    if mode == "fixed":
        maxshape = tuple(draw(st.integers(max(n, 1), max(n, 1) + 1)) for n in needs)
    elif mode == "unlimited":
        maxshape = (None, *(draw(st.none() | st.integers(max(n, 1), max(n, 1) + 1)) for n in needs[1:]))
    unlimited = maxshape is not None and None in maxshape
    # without a declared shape or maxshape the rank of the data is open: no chunk tuple then
    declared_rank = rank > 0 and (shape is not None or maxshape is not None)
    chunk_modes: list[Any] = (
        [None, False] if rank == 0 else [None, True] + (["tuple"] if declared_rank else [])
    )
    if not unlimited and rank:
        chunk_modes.append(False)
    chunks: Any = draw(st.sampled_from(chunk_modes))
    if chunks == "tuple":
        sizes = []
        for i in range(rank):
            bound = maxshape[i] if maxshape is not None else uppers[i]
            top = bound if bound else opts.max_side + 1
            sizes.append(draw(st.integers(1, top)))
        chunks = tuple(sizes)
    compression = compression_opts = shuffle = fletcher32 = None
    if chunks is not False and rank > 0:  # scalars take no filters
        compression = draw(st.sampled_from((None, None, "none", "gzip", "lzf")))
        if compression == "gzip":
            compression_opts = draw(st.none() | st.integers(0, 9))
        shuffle = draw(st.sampled_from((None, False, True)))
        # HDF5 refuses fletcher32 on variable-length data
        fletcher32 = draw(st.sampled_from((None, False) if _vlen_spec(dt) else (None, False, True)))
    else:
        compression = draw(st.sampled_from((None, "none")))
        shuffle = draw(st.sampled_from((None, False)))
        fletcher32 = draw(st.sampled_from((None, False)))
    fillvalue = draw(st.none() | _fill_values(dt)) if draw(st.integers(0, 2)) == 0 else None
    checks: dict[str, Any] = {}
    name_ = _scalar_name(dt)
    if opts.data_checks and not isinstance(dt, CompoundDType):
        real = (
            name_ is not None
            and name_ != "bool"
            and name_ not in _COMPLEX_WIDTH
            and not isinstance(dt, EnumDType)
        )
        if real and draw(st.integers(0, 2)) == 0:
            assert name_ is not None
            limits: tuple[float, float] = (-100, 100)
            if name_ in _INT_NAMES:
                info = np.iinfo(name_)
                limits = (max(int(info.min), -100), min(int(info.max), 100))
            bounds = draw(_bounds("int" if name_ in _INT_NAMES else "float", limits))
            bounds.pop("multiple_of", None)
            checks.update(bounds)
        complex_ = name_ in _COMPLEX_WIDTH
        if not complex_ and draw(st.integers(0, 2)) == 0:
            probe = DatasetSpec(dtype=dt, **checks)
            elements = _elements(probe, dt, nan=False)
            checks["values"] = tuple(draw(st.lists(elements, min_size=1, max_size=3, unique_by=repr)))
        if (name_ in _FLOAT_WIDTH or complex_) and draw(st.integers(0, 2)) == 0:
            checks["allow_nan"] = False
    attributes = draw(_attribute_list(opts.max_attributes, opts.max_side))
    return DatasetSpec(
        name=name,
        required=required,
        dtype=dt,
        shape=shape,
        maxshape=maxshape,
        chunks=chunks,
        compression=compression,
        compression_opts=compression_opts,
        shuffle=shuffle,
        fletcher32=fletcher32,
        fillvalue=fillvalue,
        closed=draw(st.booleans()),
        attributes=attributes,
        description=draw(st.none() | st.text(max_size=6)),
        **checks,
    )


def _validate_sizes(max_rank: int, max_side: int, max_attributes: int) -> None:
    _check_int(max_rank, "max_rank")
    _check_int(max_side, "max_side")
    _check_int(max_attributes, "max_attributes")
    if max_rank > 4 or max_side > 16:
        raise InvalidArgument(f"max_rank={max_rank} (<= 4) and max_side={max_side} (<= 16) keep files small")


def _witnesses(max_side: int, *, min_size: int = 0) -> SearchStrategy[dict[str, int]]:
    """Named dims with one length that every declaration of them will allow."""
    return st.dictionaries(
        st.sampled_from(_DIM_NAMES), st.integers(0, max_side), min_size=min_size, max_size=len(_DIM_NAMES)
    )


def dataset_specs(
    *,
    dtypes: SearchStrategy[DTypeSpec] | None = None,
    max_rank: int = 2,
    max_side: int = 3,
    max_attributes: int = 2,
    resizable: bool | None = None,
    data_checks: bool = True,
    names: SearchStrategy[str | None] | None = None,
) -> SearchStrategy[DatasetSpec]:
    """Dataset declarations that can be materialized: an exact dtype (``dtypes``, default
    :func:`dtypes`), a shape of up to ``max_rank`` axes (fixed sizes up to ``max_side``, any
    length, ranges, named dims), maxshape (``None`` on axis 0 when resizable; ``resizable`` True
    or False forces it), chunks (auto, required, contiguous or a tuple), gzip/lzf/shuffle/
    fletcher32, a fill value, data checks (``values``, bounds, ``allow_nan``) and attributes.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, database=None)
    ... @given(dataset_specs(resizable=True))
    ... def check(ds):
    ...     assert ds.maxshape[0] is None and ds.append_axis == 0
    >>> check()
    """
    _check_strategy(dtypes, "dtypes")
    _check_strategy(names, "names")
    _validate_sizes(max_rank, max_side, max_attributes)
    _check_bool(resizable, "resizable", optional=True)
    _check_bool(data_checks, "data_checks")
    if resizable and max_rank < 1:
        raise InvalidArgument("resizable=True needs max_rank >= 1")
    opts = _Opts(
        max_rank,
        max_side,
        max_attributes,
        dtypes if dtypes is not None else _all_dtypes(),
        resizable,
        data_checks,
    )
    names_ = names if names is not None else _member_names()
    return st.tuples(names_, _witnesses(max_side), st.booleans()).flatmap(
        lambda t: _dataset_spec(name=t[0], required=t[2], witness=t[1], opts=opts)
    )


# ---------------------------------------------------------------- groups and schemas


@st.composite
def _group_spec(
    draw: DrawFn,
    *,
    name: str | None,
    required: bool,
    depth: int,
    opts: _Opts,
    shape: _Shape,
    min_members: int = 0,
) -> GroupSpec:
    witness = draw(_witnesses(opts.max_side, min_size=1))
    attributes = draw(_attribute_list(opts.max_attributes, opts.max_side))
    names = _unique(draw(st.lists(_member_names(), min_size=min_members, max_size=shape.max_members)))
    members: list[GroupSpec | DatasetSpec] = []
    for member in names:
        req = draw(st.booleans())
        if depth > 0 and draw(st.integers(0, 2)) == 0:
            members.append(
                draw(_group_spec(name=member, required=req, depth=depth - 1, opts=opts, shape=shape))
            )
        else:
            members.append(draw(_dataset_spec(name=member, required=req, witness=witness, opts=opts)))
    patterns = []
    prefixes = draw(st.lists(st.sampled_from(_PATTERN_PREFIXES), max_size=shape.max_patterns, unique=True))
    for prefix in prefixes:
        regex = draw(st.sampled_from((r"{}_\d+", r"{}_[a-z]+"))).format(re.escape(prefix))
        lo = draw(st.integers(0, 2))
        hi = draw(st.none() | st.integers(lo, lo + 2))
        item: GroupSpec | DatasetSpec
        if depth > 0 and draw(st.booleans()):
            item = draw(_group_spec(name=None, required=True, depth=depth - 1, opts=opts, shape=shape))
        else:
            item = draw(_dataset_spec(name=None, required=True, witness=witness, opts=opts))
        patterns.append(PatternSpec(pattern=regex, min_count=lo, max_count=hi, item=item))
    return GroupSpec(
        name=name,
        required=required,
        closed=draw(st.booleans()),
        attributes=attributes,
        members=tuple(members),
        patterns=tuple(patterns),
        description=draw(st.none() | st.text(max_size=8)),
    )


@dataclass(frozen=True)
class _Shape:
    max_members: int
    max_patterns: int


def _group_opts(
    dtypes_: SearchStrategy[DTypeSpec] | None,
    max_depth: int,
    max_members: int,
    max_patterns: int,
    max_attributes: int,
    max_rank: int,
    max_side: int,
) -> tuple[_Opts, _Shape]:
    _check_strategy(dtypes_, "dtypes")
    _check_int(max_depth, "max_depth")
    _check_int(max_members, "max_members")
    _check_int(max_patterns, "max_patterns")
    _validate_sizes(max_rank, max_side, max_attributes)
    if max_depth > 3:
        raise InvalidArgument(f"max_depth={max_depth} must be <= 3")
    if max_patterns > len(_PATTERN_PREFIXES):
        raise InvalidArgument(f"max_patterns={max_patterns} must be <= {len(_PATTERN_PREFIXES)}")
    return _Opts(max_rank, max_side, max_attributes, dtypes_ if dtypes_ is not None else dtypes()), _Shape(
        max_members, max_patterns
    )


def group_specs(
    *,
    dtypes: SearchStrategy[DTypeSpec] | None = None,
    max_depth: int = 2,
    min_members: int = 0,
    max_members: int = 3,
    max_patterns: int = 1,
    max_attributes: int = 2,
    max_rank: int = 2,
    max_side: int = 3,
) -> SearchStrategy[GroupSpec]:
    """Group trees: attributes, ``min_members`` (the top group only) to ``max_members`` named
    members (datasets, and groups down to ``max_depth`` more levels), required or optional,
    ``max_patterns`` pattern members (``p_\\d+``-like names with min/max counts), open or
    closed. Datasets of a group share the named dims ``n`` and ``m``, always with at least one
    length that every declaration allows.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, database=None)
    ... @given(group_specs(max_depth=1, max_members=2))
    ... def check(group):
    ...     assert len(group.members) <= 2
    >>> check()
    """
    opts, shape = _group_opts(
        dtypes, max_depth, max_members, max_patterns, max_attributes, max_rank, max_side
    )
    _check_int(min_members, "min_members")
    if min_members > max_members:
        raise InvalidArgument(f"min_members={min_members} is greater than max_members={max_members}")
    return _group_spec(
        name=None, required=True, depth=max_depth, opts=opts, shape=shape, min_members=min_members
    )


def schemas(
    *,
    dtypes: SearchStrategy[DTypeSpec] | None = None,
    max_depth: int = 2,
    min_members: int = 0,
    max_members: int = 3,
    max_patterns: int = 1,
    max_attributes: int = 2,
    max_rank: int = 2,
    max_side: int = 3,
) -> SearchStrategy[SchemaSpec]:
    """Whole schema documents: a :func:`group_specs` root (so at most ``max_depth + 1`` levels
    of groups), a name and a description. Every one can be materialized by :func:`values_for`.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, database=None)
    ... @given(schemas(max_depth=0))
    ... def check(schema):
    ...     assert all(m.kind == "dataset" for m in schema.root.members)
    >>> check()
    """
    root = group_specs(
        dtypes=dtypes,
        max_depth=max_depth,
        min_members=min_members,
        max_members=max_members,
        max_patterns=max_patterns,
        max_attributes=max_attributes,
        max_rank=max_rank,
        max_side=max_side,
    )
    return st.builds(
        lambda name, description, root: SchemaSpec(name=name, description=description, root=root),
        st.text("ABCxyz_é", min_size=1, max_size=8),
        st.none() | st.text(max_size=10),
        root,
    )


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class _ValueOpts:
    with_data: bool | None
    optional: bool | None
    max_side: int


def _attr_path(path: str, name: str) -> str:
    return f"/@{name}" if path == "/" else f"{path}@{name}"


def _child(path: str, name: str) -> str:
    return f"/{name}" if path == "/" else f"{path}/{name}"


def _attr_mapping(draw: DrawFn, specs: Iterable[AttributeSpec], opts: _ValueOpts) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for a in specs:
        must = a.required and a.default is None
        if must or draw(_maybe(opts.optional)):
            out["@" + a.name] = draw(attribute_values(a, max_side=opts.max_side))
    return out


def _pattern_names(
    pattern: PatternSpec, taken: set[str], earlier: list[re.Pattern[str]]
) -> SearchStrategy[str]:
    return st.from_regex(pattern.pattern, fullmatch=True, alphabet=st.characters(codec="utf-8")).filter(
        lambda s: (
            s not in taken
            and s not in (".", "..")
            and "/" not in s
            and "\x00" not in s
            and not s.startswith("@")
            and not any(r.fullmatch(s) for r in earlier)
        )
    )


def _dim_lengths(draw: DrawFn, datasets: Sequence[DatasetSpec], max_side: int) -> dict[str, int]:
    """One length per named dim of a group, allowed by every dataset that declares it."""
    lows: dict[str, int] = {}
    highs: dict[str, int | None] = {}
    for ds in datasets:
        for i, d in enumerate(ds.shape or ()):
            if d.name is None:
                continue
            hi = d.upper
            m = ds.maxshape[i] if ds.maxshape is not None else None
            if m is not None:
                hi = m if hi is None else min(hi, m)
            lows[d.name] = max(lows.get(d.name, 0), d.lower)
            prev = highs.get(d.name)
            highs[d.name] = hi if prev is None else (prev if hi is None else min(prev, hi))
    out = {}
    for name, lo in lows.items():
        hi = highs.get(name)
        top = lo + max_side if hi is None else min(hi, lo + max_side)
        if top < lo:
            raise InvalidArgument(f"no length of dim {name!r} is allowed by every dataset declaring it")
        out[name] = draw(st.integers(lo, top))
    return out


def _data_shape(draw: DrawFn, spec: DatasetSpec, dims: Mapping[str, int], max_side: int) -> tuple[int, ...]:
    ms = spec.maxshape
    if spec.shape is None:
        if ms is not None:
            rank = len(ms)
        elif isinstance(spec.chunks, tuple):
            rank = len(spec.chunks)
        else:
            chunked = (
                spec.chunks is True
                or spec.compression not in (None, "none")
                or spec.shuffle
                or spec.fletcher32
            )
            rank = draw(st.integers(1 if chunked else 0, 2))
        tops = [max_side if ms is None or ms[i] is None else min(max_side, ms[i] or 0) for i in range(rank)]
        return tuple(draw(st.integers(0, top)) for top in tops)
    out = []
    for i, d in enumerate(spec.shape):
        if d.name is not None and d.name in dims:
            out.append(dims[d.name])
            continue
        hi = d.upper if d.upper is not None else d.lower + max_side
        if ms is not None and ms[i] is not None:
            hi = min(hi, ms[i] or 0)
        if hi < d.lower:
            raise InvalidArgument(f"no length on axis {i} is allowed by both shape and maxshape of {spec}")
        out.append(draw(st.integers(d.lower, hi)))
    return tuple(out)


def _dataset_value(draw: DrawFn, spec: DatasetSpec, dims: Mapping[str, int], opts: _ValueOpts) -> Any:
    attrs = _attr_mapping(draw, spec.attributes, opts)
    give = draw(_maybe(opts.with_data)) or (spec.dtype is None or not is_concrete(spec.dtype))
    if not give:
        return attrs
    data = draw(data_for(spec, _data_shape(draw, spec, dims, opts.max_side)))
    if not attrs and draw(st.booleans()):
        return data
    return {"data": data, **attrs}


@st.composite
def _group_values(draw: DrawFn, spec: GroupSpec, opts: _ValueOpts) -> dict[str, Any]:
    out = _attr_mapping(draw, spec.attributes, opts)
    chosen: list[tuple[str, GroupSpec | DatasetSpec]] = []
    for m in spec.members:
        if m.required or draw(_maybe(opts.optional)):
            chosen.append((m.name or "", m))
    taken = {m.name or "" for m in spec.members}
    earlier: list[re.Pattern[str]] = []
    for p in spec.patterns:
        hi = p.min_count + 2 if p.max_count is None else min(p.max_count, p.min_count + 2)
        k = draw(st.integers(p.min_count, hi))
        names = draw(st.lists(_pattern_names(p, taken, earlier), min_size=k, max_size=k, unique=True))
        taken.update(names)
        earlier.append(re.compile(p.pattern))
        chosen += [(n, p.item) for n in names]
    dims = _dim_lengths(draw, [s for _, s in chosen if isinstance(s, DatasetSpec)], opts.max_side)
    for name, s in chosen:
        if isinstance(s, GroupSpec):
            out[name] = draw(_group_values(s, opts))
        else:
            out[name] = _dataset_value(draw, s, dims, opts)
    return out


def values_for(
    schema: Any,
    *,
    with_data: bool | None = True,
    optional: bool | None = None,
    max_side: int = 3,
) -> SearchStrategy[dict[str, Any]]:
    """Value mappings that :func:`h5schema.materialize` accepts for ``schema`` (a SchemaSpec,
    GroupSpec or class; pass its document form, ``as_schema(cls)``, to the materializer).

    Keys are HDF5 names: ``"@name"`` for attributes, member names for members, and for a
    dataset either its data or ``{"data": ..., "@attr": ...}``. Every required attribute without
    a default gets a value that satisfies its constraints, and optional ones (attributes and
    members) are given when ``optional`` is True, never when False, and either way when None.
    Each pattern gets a count of matching names within its bounds. ``with_data``: every dataset
    gets data (True), none does (False), or each one may (None); data satisfies the data checks
    and gives every named dim one length in its group.

    >>> import h5schema as h5s
    >>> fs = h5s.AttributeSpec(name="fs", type="int", gt=0)
    >>> schema = h5s.SchemaSpec(root=h5s.GroupSpec(attributes=(fs,)))
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(values_for(schema))
    ... def check(values):
    ...     assert values["@fs"] > 0
    >>> check()
    """
    try:
        spec = as_schema(schema)
    except TypeError as exc:
        raise InvalidArgument(str(exc)) from None
    _check_bool(with_data, "with_data", optional=True)
    _check_bool(optional, "optional", optional=True)
    _check_int(max_side, "max_side")
    return _group_values(spec.root, _ValueOpts(with_data, optional, max_side))


def conforming_files(
    schema: Any,
    directory: str | Path,
    *,
    values: SearchStrategy[dict[str, Any]] | None = None,
) -> SearchStrategy[Path]:
    """Materialize a file that conforms to ``schema`` and give its path.

    Each example gets a fresh sub-directory of ``directory``, made with
    :func:`tempfile.mkdtemp`, holding ``file.h5``: hypothesis runs many examples within one
    test, so a test's ``tmp_path`` (or any directory its caller cleans up) is the right place,
    and no example ever sees another's file. Nothing is deleted here; pytest prunes old
    ``tmp_path`` trees itself. ``values`` defaults to ``values_for(schema)``.

    >>> import tempfile, h5schema as h5s
    >>> from hypothesis import given, settings
    >>> spec = h5s.SchemaSpec(root=h5s.GroupSpec(members=(h5s.DatasetSpec(name="x", dtype="int8"),)))
    >>> @settings(max_examples=3, database=None)
    ... @given(conforming_files(spec, tempfile.gettempdir()))
    ... def check(path):
    ...     assert h5s.validate(path, spec).violations == ()
    >>> check()
    """
    try:
        spec = as_schema(schema)
    except TypeError as exc:
        raise InvalidArgument(str(exc)) from None
    if not isinstance(directory, str | Path) or not Path(directory).is_dir():
        raise InvalidArgument(f"directory={directory!r} must be an existing directory")
    _check_strategy(values, "values")
    strategy = values if values is not None else values_for(spec)

    @st.composite
    def build(draw: DrawFn) -> Path:
        mapping = draw(strategy)
        folder = Path(tempfile.mkdtemp(prefix="h5s-", dir=directory))
        return materialize(folder / "file.h5", spec, values=mapping)

    return build()


# ---------------------------------------------------------------- defects

_DEFECT_CODES = (
    Code.MISSING_ATTRIBUTE,
    Code.ATTRIBUTE_TYPE,
    Code.ATTRIBUTE_VALUE,
    Code.UNEXPECTED_ATTRIBUTE,
    Code.MISSING_DATASET,
    Code.MISSING_GROUP,
    Code.UNEXPECTED_MEMBER,
    Code.MEMBER_COUNT,
    Code.WRONG_KIND,
    Code.DTYPE_MISMATCH,
    Code.SHAPE_MISMATCH,
    Code.DIM_MISMATCH,
    Code.MAXSHAPE_MISMATCH,
    Code.CHUNKS_MISMATCH,
    Code.COMPRESSION_MISMATCH,
    Code.FILLVALUE_MISMATCH,
    Code.VALUE_CONSTRAINT,
)


@dataclass(frozen=True)
class Defect:
    """One change to a conforming file, and the single violation it must cause.

    ``change`` receives the file open for writing (an ``h5py.File``) and makes the change with
    raw h5py; :meth:`apply` opens the file, applies it and returns ``(code, path)``.
    """

    code: Code
    path: str
    severity: Severity
    description: str
    change: Callable[[Any], None] = field(repr=False, compare=False)

    def apply(self, file: str | Path) -> tuple[Code, str]:
        """Make the change in ``file`` (in place) and return the expected ``(code, path)``."""
        with _h5py().File(file, "r+") as f:
            self.change(f)
        return self.code, self.path


@dataclass
class _Node:
    """An object of the conforming file, with the spec it was validated against."""

    path: str
    name: str
    spec: GroupSpec | DatasetSpec
    parent: _Node | None
    attrs: list[str]
    children: list[_Node] = field(default_factory=list)  # in the validator's visiting order
    links: list[str] = field(default_factory=list)
    matched: dict[int, list[str]] = field(default_factory=dict)  # pattern index -> member names
    props: dict[str, Any] = field(default_factory=dict)


def _dataset_props(h5py: ModuleType, ds: Any) -> dict[str, Any]:
    dcpl = ds.id.get_create_plist()
    fill = None
    if dcpl.fill_value_defined() == h5py.h5d.FILL_VALUE_USER_DEFINED:
        buf = np.zeros((1,), dtype=ds.dtype)
        dcpl.get_fill_value(buf)
        fill = buf[0]
    return {
        "dtype": ds.dtype,
        "shape": tuple(ds.shape),
        "maxshape": tuple(ds.maxshape) if ds.maxshape is not None else None,
        "chunks": ds.chunks,
        "compression": ds.compression,
        "compression_opts": ds.compression_opts,
        "shuffle": bool(ds.shuffle),
        "fletcher32": bool(ds.fletcher32),
        "fillvalue": fill,
        "data": ds[()],
    }


def _walk(
    h5py: ModuleType, f: Any, spec: GroupSpec, path: str, name: str, parent: _Node | None
) -> list[_Node]:
    g = f[path]
    node = _Node(path, name, spec, parent, list(g.attrs.keys()))
    node.links = list(g.keys())
    out = [node]
    found: dict[str, str] = {}
    for link in node.links:
        if isinstance(g.get(link, getlink=True), h5py.HardLink):
            cls = g.get(link, getclass=True)
            found[link] = "group" if cls is h5py.Group else "dataset" if cls is h5py.Dataset else "other"
        else:
            found[link] = "link"

    def visit(child_name: str, child_spec: GroupSpec | DatasetSpec) -> None:
        kind = found.pop(child_name)
        if kind != child_spec.kind:
            return
        cpath = _child(path, child_name)
        if isinstance(child_spec, GroupSpec):
            sub = _walk(h5py, f, child_spec, cpath, child_name, node)
            node.children.append(sub[0])
            out.extend(sub)
        else:
            ds = f[cpath]
            child = _Node(cpath, child_name, child_spec, node, list(ds.attrs.keys()))
            child.props = _dataset_props(h5py, ds)
            node.children.append(child)
            out.append(child)

    for m in spec.members:
        if (m.name or "") in found:
            visit(m.name or "", m)
    for i, (regex, pattern) in enumerate(spec.compiled_patterns()):
        names = [n for n in found if regex.fullmatch(n)]
        node.matched[i] = names
        for n in names:
            visit(n, pattern.item)
    return out


def _rebuild(
    f: Any,
    path: str,
    props: Mapping[str, Any],
    *,
    dtype: Any = None,
    data: Any = None,
    **changes: Any,
) -> None:
    """Replace the dataset at ``path`` by one equal in every respect but ``dtype``/``data`` and
    the creation properties in ``changes`` (attributes, fill value, chunks and filters copied)."""
    h5py = _h5py()
    old = f[path]
    parent = old.parent
    name = path.rsplit("/", 1)[1]
    p = {**props, **changes}
    new_dtype = p["dtype"] if dtype is None else dtype
    values = p["data"] if data is None else data
    shape = tuple(np.shape(values))
    chunks = p["chunks"]
    compression = p["compression"]
    kw: dict[str, Any] = {
        "shape": shape,
        "dtype": new_dtype,
        "chunks": chunks,
        "maxshape": p["maxshape"] if chunks is not None else None,
        "compression": compression,
        "compression_opts": p["compression_opts"] if compression == "gzip" else None,
        "shuffle": p["shuffle"] or None,
        "fletcher32": p["fletcher32"] or None,
    }
    if p["fillvalue"] is not None:
        kw["fillvalue"] = p["fillvalue"]
    temp = name + "\u2060tmp"
    new = parent.create_dataset(temp, **kw)
    if np.size(values):
        new[()] = values
    for aname in old.attrs:
        aid = old.attrs.get_id(aname)
        if aid.get_space().get_simple_extent_type() == h5py.h5s.NULL:
            new.attrs.create(aname, h5py.Empty(aid.dtype))
        else:
            new.attrs.create(aname, _raw_attr(old, aname), dtype=aid.dtype)
    del parent[name]
    parent.move(temp, name)


def _raw_attr(obj: Any, name: str) -> np.ndarray:
    """An attribute's stored value, strings as the raw bytes (h5py would decode them)."""
    aid = obj.attrs.get_id(name)
    arr = np.empty(aid.shape, dtype=aid.dtype)
    aid.read(arr)
    return arr


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


def _breaking_values(a: AttributeSpec, current: Any) -> list[Any]:
    """Candidate values of the declared kind that break one of ``a``'s constraints."""
    kind = a.scalar_kind
    out: list[Any] = []
    if kind in ("int", "float"):
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
        if kind == "float":
            out = [float(v) for v in out]
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


def _attr_defects(h5py: ModuleType, f: Any, node: _Node) -> list[Defect]:
    out: list[Defect] = []
    spec = node.spec
    obj = f[node.path]
    for a in spec.attributes:
        apath = _attr_path(node.path, a.name)
        if a.name not in node.attrs:
            continue
        if a.required:
            out.append(
                Defect(
                    Code.MISSING_ATTRIBUTE,
                    apath,
                    Severity.ERROR,
                    f"delete {apath}",
                    _del_attr(node.path, a.name),
                )
            )
        value, dt = _wrong_type(h5py, a)
        out.append(
            Defect(
                Code.ATTRIBUTE_TYPE,
                apath,
                Severity.ERROR,
                f"store {apath} as {value!r}",
                _set_attr(node.path, a.name, value, dt),
            )
        )
        if a.type in _ITEM_TYPES or a.type == "list":
            current = _raw_attr(obj, a.name).tolist()
            if a.scalar_kind == "str":  # the raw bytes of UTF-8 strings, as the validator reads them
                current = [v.decode() for v in current] if isinstance(current, list) else current.decode()
            stored = obj.attrs.get_id(a.name).dtype
            for bad in _breaking_values(a, current):
                value = _as_stored(bad, stored)
                if value is None:
                    continue
                out.append(
                    Defect(
                        Code.ATTRIBUTE_VALUE,
                        apath,
                        Severity.ERROR,
                        f"set {apath} to {bad!r}",
                        _set_attr(node.path, a.name, value, stored),
                    )
                )
                break
    declared = {a.name for a in spec.attributes}
    extra = next(n for n in ("zz_extra", "zz_extra_1", "zz_extra_2") if n not in node.attrs)
    if extra not in declared:
        sev = Severity.ERROR if spec.closed else Severity.WARNING
        apath = _attr_path(node.path, extra)
        out.append(
            Defect(
                Code.UNEXPECTED_ATTRIBUTE,
                apath,
                sev,
                f"add {apath}",
                _set_attr(node.path, extra, np.int64(1)),
            )
        )
    return out


def _del_member(path: str) -> Callable[[Any], None]:
    def change(f: Any) -> None:
        del f[path]

    return change


def _add_member(path: str, kind: str) -> Callable[[Any], None]:
    def change(f: Any) -> None:
        parent, name = f[path.rsplit("/", 1)[0] or "/"], path.rsplit("/", 1)[1]
        if kind == "group":
            parent.create_group(name)
        elif kind == "dataset":
            parent.create_dataset(name, data=np.arange(3), dtype="i8")
        else:
            parent[name] = _h5py().SoftLink("/")

    return change


def _replace_member(path: str, kind: str) -> Callable[[Any], None]:
    def change(f: Any) -> None:
        del f[path]
        _add_member(path, kind)(f)

    return change


def _group_defects(node: _Node) -> list[Defect]:
    spec = node.spec
    assert isinstance(spec, GroupSpec)
    out: list[Defect] = []
    present = {c.name: c for c in node.children}
    for m in spec.members:
        child = present.get(m.name or "")
        if child is not None and m.required:
            code = Code.MISSING_GROUP if m.kind == "group" else Code.MISSING_DATASET
            out.append(
                Defect(code, child.path, Severity.ERROR, f"delete {child.path}", _del_member(child.path))
            )
    for i, p in enumerate(spec.patterns):
        names = node.matched.get(i, [])
        if names and len(names) == p.min_count:
            victim = _child(node.path, names[0])
            out.append(
                Defect(Code.MEMBER_COUNT, node.path, Severity.ERROR, f"delete {victim}", _del_member(victim))
            )
    regexes = [r for r, _ in spec.compiled_patterns()]
    declared = {m.name for m in spec.members}
    for extra in ("zz_extra", "zz extra 2", "ZZ-3"):
        if extra in node.links or extra in declared or any(r.fullmatch(extra) for r in regexes):
            continue
        sev = Severity.ERROR if spec.closed else Severity.WARNING
        epath = _child(node.path, extra)
        for kind in ("group", "dataset", "link"):
            out.append(
                Defect(Code.UNEXPECTED_MEMBER, epath, sev, f"add {kind} {epath}", _add_member(epath, kind))
            )
        break
    for child in node.children:
        for kind in ("group", "dataset", "link"):
            if kind != child.spec.kind:
                out.append(
                    Defect(
                        Code.WRONG_KIND,
                        child.path,
                        Severity.ERROR,
                        f"replace {child.path} by a {kind}",
                        _replace_member(child.path, kind),
                    )
                )
    out += _dim_defects(node)
    return out


def _take(data: np.ndarray, length: int, axis: int) -> np.ndarray | None:
    """``data`` cut or grown to ``length`` along ``axis``, growing with copies of its first rows."""
    n = data.shape[axis]
    if length <= n:
        return np.take(data, range(length), axis=axis)
    if n == 0:
        return None
    idx = [i % n for i in range(length)]
    return np.take(data, idx, axis=axis)


def _relength(node: _Node, axis: int, length: int) -> Callable[[Any], None] | None:
    """A change giving the dataset ``length`` on ``axis``, everything else kept, or None."""
    spec, props = node.spec, node.props
    assert isinstance(spec, DatasetSpec)
    shape, maxshape, chunks = props["shape"], props["maxshape"], props["chunks"]
    data = props["data"]
    grown = _take(np.asarray(data), length, axis)
    if grown is None and spec.has_data_checks:
        return None  # new elements would hold the fill value, which the data checks may refuse
    path = node.path
    if maxshape is not None and chunks is not None and (maxshape[axis] is None or maxshape[axis] >= length):

        def resize(f: Any) -> None:
            ds = f[path]
            ds.resize(length, axis=axis)
            if grown is not None and length > shape[axis]:
                sel = tuple(
                    slice(shape[axis], length) if i == axis else slice(None) for i in range(len(shape))
                )
                ds[sel] = grown[sel]

        return resize
    if spec.maxshape is not None or grown is None:
        return None
    new_max = None
    if chunks is not None:
        if length < chunks[axis]:
            return None
        new_max = tuple(length if i == axis else m for i, m in enumerate(maxshape))

    def rebuild(f: Any) -> None:
        _rebuild(f, path, props, data=grown, maxshape=new_max)

    return rebuild


def _dim_defects(node: _Node) -> list[Defect]:
    out: list[Defect] = []
    users: dict[str, list[tuple[_Node, int]]] = {}
    for child in node.children:
        spec = child.spec
        if not isinstance(spec, DatasetSpec) or spec.shape is None:
            continue
        for dim_name in {d.name for d in spec.shape if d.name is not None}:
            axes = [i for i, d in enumerate(spec.shape) if d.name == dim_name]
            users.setdefault(dim_name, []).append((child, axes[0] if len(axes) == 1 else -1))
    for dim_name, found in users.items():
        if len(found) < 2:
            continue
        bound = found[0][0].props["shape"][found[0][1]] if found[0][1] >= 0 else None
        if bound is None:
            continue
        for child, axis in found[1:]:
            if axis < 0:
                continue
            spec = child.spec
            assert isinstance(spec, DatasetSpec) and spec.shape is not None
            for length in (bound - 1, bound + 1):
                if length < 0 or not spec.shape[axis].allows(length):
                    continue
                change = _relength(child, axis, length)
                if change is not None:
                    out.append(
                        Defect(
                            Code.DIM_MISMATCH,
                            child.path,
                            Severity.ERROR,
                            f"give {child.path} {length} on axis {axis} (dim {dim_name!r} is {bound})",
                            change,
                        )
                    )
                    break
    return out


def _other_dtypes(props: Mapping[str, Any], spec: DatasetSpec) -> list[Any]:
    """numpy dtypes that hold the dataset's data and fill value exactly but differ from it."""
    from h5schema._dtypes import from_numpy

    old = props["dtype"]
    data = np.asarray(props["data"])
    h5py = _h5py()
    candidates: list[Any] = []
    if old.kind == "b":
        candidates = [np.dtype("int8"), np.dtype("uint8")]
    elif old.metadata and "enum" in old.metadata:
        candidates = [np.dtype(old.newbyteorder("=").str)]
    elif old.kind in "iu":
        candidates = [np.dtype(n) for n in (*_INT_NAMES, "float64")]
    elif old.kind == "f":
        candidates = [np.dtype(n) for n in ("float32", "float64", "complex128")]
    elif old.kind == "c":
        candidates = [np.dtype(n) for n in ("complex128", *(("clongdouble",) if _LONG_DOUBLE else ()))]
    elif old.kind == "S":
        enc = (old.metadata or {}).get("h5py_encoding", "ascii")
        candidates = [h5py.string_dtype(enc, old.itemsize + 1)]
    elif old.kind == "O" and (old.metadata or {}).get("vlen") in (str, bytes):
        enc = "utf-8" if old.metadata["vlen"] is str else "ascii"
        fill = props["fillvalue"]
        longest = max([len(v) for v in data.ravel().tolist()] + [len(fill) if fill is not None else 0])
        candidates = [h5py.string_dtype(enc, longest + 1)]
    out = []
    for new in candidates:
        if new == old or (spec.dtype is not None and spec.dtype.matches(from_numpy(new))):
            continue
        if new.kind in "SO":
            out.append(new)
            continue
        fill = props["fillvalue"]
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                same = _same_values(data.astype(new).tolist(), data.tolist())
                if fill is not None:
                    same = same and _same_values(
                        np.asarray(fill).astype(new).tolist(), np.asarray(fill).tolist()
                    )
        except (TypeError, ValueError, OverflowError):
            continue
        if same:
            out.append(new)
    return out


def _same_values(a: Any, b: Any) -> bool:
    """Equal as Python values (NaN equal to NaN), element by element."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_values(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, list | tuple) or isinstance(b, list | tuple):
        return False
    if a != a and b != b:
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _layout_defects(node: _Node) -> list[Defect]:
    spec, props = node.spec, node.props
    assert isinstance(spec, DatasetSpec)
    out: list[Defect] = []
    path = node.path
    rank = len(props["shape"])
    chunks = props["chunks"]

    # h5py refuses to create chunks larger than a fixed maximum (HDF5 itself may have allowed it)
    rebuildable = chunks is None or all(
        m is None or c <= m for c, m in zip(chunks, props["maxshape"] or (), strict=False)
    )

    def rebuilt(code: Code, what: str, **changes: Any) -> None:
        if not rebuildable:
            return

        def change(f: Any) -> None:
            _rebuild(f, path, props, **changes)

        out.append(Defect(code, path, Severity.ERROR, f"{what} of {path}", change))

    for new in _other_dtypes(props, spec)[:2]:
        data = np.asarray(props["data"])
        if new.kind == "S":
            data = np.array([v.encode() if isinstance(v, str) else v for v in data.ravel().tolist()],
                            dtype=new).reshape(data.shape)  # fmt: skip
        else:
            with np.errstate(all="ignore"):
                data = data.astype(new)
        fill = props["fillvalue"]
        if fill is not None and new.kind == "S":
            fill = fill.encode() if isinstance(fill, str) else fill
        elif fill is not None and new.kind != "O":
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fill = np.asarray(fill).astype(new)[()]
        rebuilt(Code.DTYPE_MISMATCH, f"store {new} data", dtype=new, data=data, fillvalue=fill)
    if spec.maxshape is not None and chunks is not None and rank:
        for axis in range(rank):
            m = props["maxshape"][axis]
            # chunks never exceed a fixed maximum, so a new fixed maximum is at least the chunk
            options = (
                [max(props["shape"][axis], chunks[axis])] if m is None else [None, max(m + 1, chunks[axis])]
            )
            for new_m in options:
                maxshape = tuple(new_m if i == axis else v for i, v in enumerate(props["maxshape"]))
                rebuilt(Code.MAXSHAPE_MISMATCH, f"maxshape {maxshape}", maxshape=maxshape)
    if spec.chunks is not None:
        if chunks is not None and isinstance(spec.chunks, tuple):
            for axis in range(rank):
                m = props["maxshape"][axis]
                for c in (chunks[axis] + 1, chunks[axis] - 1):
                    if c >= 1 and (m is None or c <= m):
                        new_chunks = tuple(c if i == axis else v for i, v in enumerate(chunks))
                        rebuilt(Code.CHUNKS_MISMATCH, f"chunks {new_chunks}", chunks=new_chunks)
                        break
        elif chunks is not None and spec.chunks is True:
            keeps_filters = (
                spec.compression in (None, "none")
                and spec.compression_opts is None
                and not spec.shuffle
                and not spec.fletcher32
            )
            if props["maxshape"] == props["shape"] and keeps_filters:
                rebuilt(
                    Code.CHUNKS_MISMATCH,
                    "contiguous layout",
                    chunks=None,
                    compression=None,
                    shuffle=False,
                    fletcher32=False,
                )
        elif chunks is None and spec.chunks is False and rank and all(props["shape"]):
            rebuilt(Code.CHUNKS_MISMATCH, "chunked layout", chunks=props["shape"], maxshape=props["shape"])
    if chunks is not None:
        if spec.compression_opts is not None and props["compression"] == "gzip":
            level = (int(props["compression_opts"]) + 1) % 10
            rebuilt(Code.COMPRESSION_MISMATCH, f"gzip level {level}", compression_opts=level)
        elif spec.compression is not None:
            new_c = {"gzip": "lzf", "lzf": "gzip"}.get(props["compression"] or "none", "gzip")
            rebuilt(
                Code.COMPRESSION_MISMATCH, f"compression {new_c}", compression=new_c, compression_opts=None
            )
        if spec.shuffle is not None:
            rebuilt(Code.COMPRESSION_MISMATCH, "shuffle toggled", shuffle=not props["shuffle"])
        vlen = props["dtype"].kind == "O" or _has_vlen(props["dtype"])
        if spec.fletcher32 is not None and (props["fletcher32"] or not vlen):  # HDF5: no fletcher32 on vlen
            rebuilt(Code.COMPRESSION_MISMATCH, "fletcher32 toggled", fletcher32=not props["fletcher32"])
    fill = props["fillvalue"]
    if spec.fillvalue is not None and fill is not None:
        new_fill = _other_fill(props["dtype"], spec, fill)
        if new_fill is not None:
            rebuilt(Code.FILLVALUE_MISMATCH, f"fill value {new_fill!r}", fillvalue=new_fill)
    if spec.shape is not None:
        for axis, d in enumerate(spec.shape):
            for length in ((d.upper + 1) if d.upper is not None else -1, d.lower - 1):
                if length < 0:
                    continue
                change = _relength(node, axis, length)
                if change is not None:
                    out.append(
                        Defect(
                            Code.SHAPE_MISMATCH,
                            path,
                            Severity.ERROR,
                            f"length {length} on axis {axis}",
                            change,
                        )
                    )
                    break
    out += _value_defects(node)
    return out


def _has_vlen(dtype: np.dtype[Any]) -> bool:
    if dtype.names is not None:
        return any(_has_vlen(dtype.fields[n][0]) for n in dtype.names)  # type: ignore[index]
    return dtype.kind == "O"


def _other_fill(dtype: Any, spec: DatasetSpec, fill: Any) -> Any:
    """A fill value of ``dtype`` that the validator will not take for ``spec.fillvalue``."""
    if dtype.kind in "SO":
        size = dtype.itemsize if dtype.kind == "S" else 2
        for text in (b"x", b"y"):
            if text[:size] != (fill if isinstance(fill, bytes) else b""):
                return text[:size]
        return None
    if dtype.metadata and "enum" in dtype.metadata:
        others = [v for v in dtype.metadata["enum"].values() if v != fill]
        return others[0] if others else None
    if dtype.kind == "b":
        return not bool(fill)
    with np.errstate(all="ignore"):
        for cand in (0, 1, 2):
            other = np.asarray(cand).astype(dtype)[()]
            if not bool(other == fill) and other == other:
                return other
    return None


def _value_defects(node: _Node) -> list[Defect]:
    """Write one element that breaks exactly one data check."""
    spec, props = node.spec, node.props
    assert isinstance(spec, DatasetSpec)
    data = np.asarray(props["data"])
    dtype = props["dtype"]
    if not spec.has_data_checks or data.size == 0 or dtype.names is not None:
        return []
    bounds = (spec.gt, spec.ge, spec.lt, spec.le)
    candidates: list[Any] = []
    if spec.values is not None and dtype.kind in "OS":
        unit = "zz" if any(isinstance(v, str) for v in spec.values) else b"zz"
        candidates = [unit[:1], unit, unit * 2]
        if dtype.kind == "S":
            candidates = [c.encode() if isinstance(c, str) else c for c in candidates]
            candidates = [c[: dtype.itemsize] for c in candidates]
    elif spec.values is not None:
        candidates = [v for v in range(-3, 6) if _in_bounds(v, *bounds)] + [0.5]
    elif any(b is not None for b in bounds):
        candidates = [b for b in (spec.gt, spec.lt) if b is not None]
        candidates += [spec.ge - 1] if spec.ge is not None else []
        candidates += [spec.le + 1] if spec.le is not None else []
    elif not spec.allow_nan:
        candidates = [math.nan]
    path = node.path
    for cand in candidates:
        try:
            with np.errstate(all="ignore"):
                stored = np.asarray(cand, dtype=dtype)[()] if dtype.kind != "O" else cand
        except (TypeError, ValueError, OverflowError):
            continue
        if (
            dtype.kind not in "OS"
            and not np.asarray(stored == cand).all()
            and not (isinstance(cand, float) and math.isnan(cand))
        ):
            continue  # not representable exactly
        utf8 = (dtype.metadata or {}).get("h5py_encoding") == "utf-8"
        value = stored.decode() if isinstance(stored, bytes) and utf8 else stored
        if spec.values is not None and any(_same_value(value, v) for v in spec.values):
            continue
        if (
            spec.values is None
            and _in_bounds(_py(value), *bounds)
            and not (isinstance(_py(value), float | complex) and _py(value) != _py(value))
        ):
            continue
        index = np.unravel_index(0, data.shape) if data.ndim else ()

        def change(f: Any, index: Any = index, stored: Any = stored) -> None:
            f[path][index] = stored

        return [Defect(Code.VALUE_CONSTRAINT, path, Severity.ERROR, f"{path}[{index}] = {stored!r}", change)]
    return []


def _py(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _same_value(a: Any, b: Any) -> bool:
    a = _py(a)
    return bool(a == b)


def defects(
    schema: Any, file: str | Path, *, codes: Iterable[Code | str] | None = None
) -> SearchStrategy[Defect]:
    """One :class:`Defect` for the conforming ``file`` of ``schema``, chosen among ``codes``
    (default: every code below). Drawing reads the file; :meth:`Defect.apply` changes it.

    Each defect changes exactly one thing, so that validation reports exactly its code at its
    path: a required attribute deleted (``missing_attribute`` at ``/g@a``), an attribute stored
    with another type (``attribute_type``) or a value breaking a constraint
    (``attribute_value``), an undeclared attribute or member added (``unexpected_attribute``,
    ``unexpected_member``: errors in closed groups, warnings in open ones), a required member
    deleted (``missing_dataset``, ``missing_group``), a pattern left one member short
    (``member_count``), a member replaced by the other kind or a soft link (``wrong_kind``), and
    datasets recreated with one property changed and everything else copied (dtype, data,
    chunks, filters, fill value, attributes): ``dtype_mismatch``, ``maxshape_mismatch``,
    ``chunks_mismatch``, ``compression_mismatch``, ``fillvalue_mismatch``, or resized:
    ``shape_mismatch``, ``dim_mismatch`` (one dataset of a named dim), or one element written:
    ``value_constraint``. The strategy is empty when none applies (``unexpected_*`` always does
    unless ``codes`` excludes them).
    """
    try:
        spec = as_schema(schema)
    except TypeError as exc:
        raise InvalidArgument(str(exc)) from None
    if not Path(file).is_file():
        raise InvalidArgument(f"file={file!r} is not a file")
    wanted = set(_DEFECT_CODES)
    if codes is not None:
        try:
            wanted = {Code(str(c)) for c in codes}  # type: ignore[call-arg]  # Code(slug) looks members up
        except ValueError as exc:
            raise InvalidArgument(f"codes: {exc}") from None
        unknown = wanted - set(_DEFECT_CODES)
        if unknown:
            raise InvalidArgument(f"no defect makes {sorted(unknown)}")
    h5py = _h5py()
    found: list[Defect] = []
    with h5py.File(file, "r") as f:
        for node in _walk(h5py, f, spec.root, "/", "", None):
            found += _attr_defects(h5py, f, node)
            found += _group_defects(node) if isinstance(node.spec, GroupSpec) else _layout_defects(node)
    by_code: dict[Code, list[Defect]] = {}
    for d in found:
        if d.code in wanted:
            by_code.setdefault(d.code, []).append(d)
    if not by_code:
        return st.nothing()
    kinds = sorted(by_code, key=_DEFECT_CODES.index)
    return st.sampled_from(kinds).flatmap(lambda c: st.sampled_from(by_code[c]))


def mutants(
    schema: Any, file: str | Path, *, codes: Iterable[Code | str] | None = None
) -> SearchStrategy[tuple[Code, str]]:
    """Apply one of :func:`defects` to ``file`` in place and give the ``(code, path)`` that
    validation must report, alone. Draw it once per file: each draw changes the file again.
    """
    return defects(schema, file, codes=codes).map(lambda d: d.apply(file))
