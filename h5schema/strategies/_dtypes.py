"""Exact dtypes, and the values each string flavour holds or must refuse."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import DrawFn, SearchStrategy

from h5schema._types.dtypes import (
    ArrayDType,
    CompoundDType,
    CompoundField,
    DTypeSpec,
    EnumDType,
    NumericDType,
    RaggedDType,
    StringDType,
)
from h5schema.strategies._checks import _check_bool, _check_int, _unique

__all__ = ["dtypes", "invalid_string_values", "ragged_dtypes", "string_dtypes", "string_values", "text_for"]


_LONG_DOUBLE = np.dtype(np.longdouble).itemsize > 8  # x86-64 Linux: yes; macOS arm64, Windows: no
_INT_NAMES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
_FLOAT_NAMES = ("float16", "float32", "float64") + (("longdouble",) if _LONG_DOUBLE else ())
_COMPLEX_NAMES = ("complex64", "complex128") + (("clongdouble",) if _LONG_DOUBLE else ())
_NUMERIC_NAMES = ("bool", *_INT_NAMES, *_FLOAT_NAMES, *_COMPLEX_NAMES)
_FLOAT_WIDTH: dict[str, Literal[16, 32, 64]] = {"float16": 16, "float32": 32, "float64": 64, "longdouble": 64}
_COMPLEX_WIDTH: dict[str, Literal[32, 64, 128]] = {"complex64": 64, "complex128": 128, "clongdouble": 128}
_TRICKY_TEXT = ("", " ", "é", "ß", "日本語", "😀", "a\nb", "\t", "\u200b", "Ω≈ç√")


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


def ragged_dtypes() -> SearchStrategy[RaggedDType]:
    """Ragged dtypes: variable-length sequences of a number type (every int and float, and
    bool), with or without bounds on the sequence lengths.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(ragged_dtypes())
    ... def check(dt):
    ...     assert dt.kind == "ragged" and dt.is_variable_length()
    >>> check()
    """

    @st.composite
    def build(draw: DrawFn) -> RaggedDType:
        base = NumericDType(name=draw(st.sampled_from(("bool", *_INT_NAMES, "float32", "float64"))))
        lo = draw(st.none() | st.integers(0, 3))
        hi = draw(st.none() | st.integers(lo or 0, (lo or 0) + 4))
        return RaggedDType(base=base, min_length=lo, max_length=hi)

    return build()


def dtypes(
    *,
    numeric: bool = True,
    strings: bool = True,
    enums: bool = True,
    compound: bool = False,
    ragged: bool = False,
) -> SearchStrategy[DTypeSpec]:
    """Exact dtypes that a dataset can be created with and that read back as themselves.

    ``numeric``: bool, every int and uint, float16/32/64, complex64/128, and long double and
    complex long double where the platform has them (they would read back as float64
    elsewhere). ``strings``: the four flavours of :func:`string_dtypes`. ``enums``: HDF5 enums
    over an integer base. ``compound``: structs of numbers, small arrays and (with ``strings``)
    fixed-length strings. ``ragged``: variable-length sequences of numbers
    (:func:`ragged_dtypes`).

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(dtypes(strings=False, enums=False))
    ... def check(dt):
    ...     assert dt.kind == "numeric"
    >>> check()
    """
    flags = {"numeric": numeric, "strings": strings, "enums": enums, "compound": compound, "ragged": ragged}
    for name, flag in flags.items():
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
    if ragged:
        options.append(ragged_dtypes())
    if not options:
        raise InvalidArgument("dtypes() needs at least one of numeric, strings, enums, compound, ragged")
    return st.one_of(options)


_all_dtypes = dtypes  # for functions whose ``dtypes`` argument shadows the strategy


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
