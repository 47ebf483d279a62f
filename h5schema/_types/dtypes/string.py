"""HDF5 strings in their four flavours: variable or fixed length, UTF-8 (``str``) or ASCII (``bytes``).

The rule is exact round-trip: a UTF-8 flavour takes and gives ``str``, an ASCII flavour takes and
gives ``bytes``. Values a flavour cannot hold raise ``ValueError`` with the reason, instead of
being silently truncated or mangled:

- variable-length strings are NUL-terminated in HDF5, so no NUL anywhere;
- fixed-length strings are NUL-padded, so at most ``length`` bytes and no trailing NUL.

Flavours follow h5py's conventions, read from numpy dtype metadata (``{'vlen': str}``,
``{'h5py_encoding': ...}``) without importing h5py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from h5schema._errors import definition_error
from h5schema._types.dtypes.base import DTypeBase, LiteralSource, metadata
from h5schema._types.jsonvalue import each, json_text

if TYPE_CHECKING:
    from h5schema._types.dtypes.cast import Casting

__all__ = ["StringDType", "latin1", "string", "unlatin1"]


class StringDType(DTypeBase):
    """An HDF5 string: ``encoding`` utf-8 reads as ``str``, ascii as ``bytes``.

    ``length=None`` is variable-length; an int is a fixed length in bytes (NUL-padded).
    """

    kind: Literal["string"] = "string"
    encoding: Literal["utf-8", "ascii"] = "utf-8"
    length: Annotated[int, Field(ge=1)] | None = None
    numpy_order: ClassVar[int] = 50

    @property
    def python_type(self) -> type:
        """``str`` for UTF-8, ``bytes`` for ASCII."""
        return str if self.encoding == "utf-8" else bytes

    def describe(self) -> str:
        enc = "UTF-8" if self.encoding == "utf-8" else "ASCII"
        py = self.python_type.__name__
        if self.length is None:
            return f"{py} (variable-length {enc})"
        return f"{py} (fixed-length {enc}, {self.length} bytes)"

    def scalar_kind(self) -> str | None:
        return "str" if self.encoding == "utf-8" else "bytes"

    def in_array_attributes(self) -> bool:
        return False  # text arrays are lists of str or bytes

    def is_variable_length(self) -> bool:
        return self.length is None

    def to_numpy(self) -> np.dtype[Any]:
        if self.length is None:
            return np.dtype("O", metadata={"vlen": self.python_type})
        return np.dtype(f"S{self.length}", metadata={"h5py_encoding": self.encoding})

    @classmethod
    def from_numpy(cls, dt: np.dtype[Any]) -> StringDType | None:
        vlen = metadata(dt).get("vlen")
        if dt.kind == "O" and vlen in (str, bytes):
            return cls(encoding="utf-8" if vlen is str else "ascii")
        if dt.kind == "S":
            enc = metadata(dt).get("h5py_encoding", "ascii")
            return cls(encoding="utf-8" if enc == "utf-8" else "ascii", length=dt.itemsize)
        return None

    @classmethod
    def from_python(cls, value: Any) -> StringDType | None:
        """``str`` (or "str") is variable-length UTF-8, ``bytes`` (or "bytes") variable-length ASCII."""
        if value is str or value == "str":
            return cls(encoding="utf-8")
        if value is bytes or value == "bytes":
            return cls(encoding="ascii")
        return None

    def as_elements(self, values: Any) -> np.ndarray:
        return np.asarray(values, dtype=object)

    def coerce(self, data: Any, casting: Casting = "lossless") -> np.ndarray:
        """Check every value and return the array h5py writes for this flavour."""
        arr = self.as_elements(data)
        flat = arr.reshape(-1)
        encoded = np.empty(flat.shape, dtype=object)
        for i, v in enumerate(flat):
            if isinstance(v, np.str_ | np.bytes_):
                v = v.item()
            problem = self.value_problem(v)
            if problem is not None:
                where = f" at index {[int(j) for j in np.unravel_index(i, arr.shape)]}" if arr.ndim else ""
                raise ValueError(problem + where)
            encoded[i] = v if self.length is None else (v.encode("utf-8") if isinstance(v, str) else v)
        if self.length is None:
            return encoded.reshape(arr.shape)
        return encoded.astype(self.to_numpy()).reshape(arr.shape)

    def value_problem(self, value: Any) -> str | None:
        """Why this flavour cannot hold ``value`` exactly, or None."""
        want = self.python_type
        if not isinstance(value, want):
            return f"expected {want.__name__} for {self.describe()}, got {type(value).__name__} {value!r:.60}"
        try:
            raw = value.encode("utf-8") if isinstance(value, str) else _as_bytes(value)
        except UnicodeEncodeError as exc:
            return f"{value!r:.60} is not encodable as UTF-8 ({exc.reason})"
        if self.length is None:
            if b"\x00" in raw:
                return (
                    f"{value!r:.60} contains a NUL character, which variable-length HDF5 strings cannot hold"
                )
            return None
        if len(raw) > self.length:
            return f"{value!r:.60} is {len(raw)} bytes, longer than the fixed length {self.length}"
        if raw.endswith(b"\x00"):
            return f"{value!r:.60} ends with NUL, which fixed-length (NUL-padded) strings cannot keep"
        return None

    def blank(self) -> Any:
        return "" if self.encoding == "utf-8" else b""

    def decode(self, raw: np.ndarray) -> np.ndarray:
        """Turn what h5py read (bytes objects or an 'S' array) into this flavour's Python type."""
        if self.encoding == "ascii":
            if self.length is None:
                return raw
            return raw.astype(object)  # elements become Python bytes, trailing NUL padding removed
        out = np.empty(raw.shape, dtype=object)
        flat_in, flat_out = raw.reshape(-1), out.reshape(-1)
        for i, v in enumerate(flat_in):
            flat_out[i] = v.decode("utf-8") if isinstance(v, bytes) else v
        return out

    def decode_value(self, value: Any, errors: str = "strict") -> Any:
        if isinstance(value, bytes) and self.encoding == "utf-8":
            return value.decode("utf-8", errors=errors)
        return value

    def fits(self, value: Any) -> bool:
        """A string value is of the flavour's Python type and within its length in bytes."""
        if not isinstance(value, self.python_type):
            return False
        raw = value.encode() if isinstance(value, str) else _as_bytes(value)
        return self.length is None or len(raw) <= self.length

    def json_value(self, value: Any) -> Any:
        if isinstance(value, np.ndarray):
            return each(value, self.json_value)
        return json_text(value, self.encoding)

    def from_document(self, value: Any) -> Any:
        """Documents spell bytes as latin-1 text (one character per byte)."""
        return value if self.encoding == "utf-8" else unlatin1(value)

    def python_source(self, literal: LiteralSource) -> str:
        if self.length is None:
            return "str" if self.encoding == "utf-8" else "bytes"
        enc = "" if self.encoding == "utf-8" else ', encoding="ascii"'
        return f"h5s.string({self.length}{enc})"


def string(length: int | None = None, *, encoding: Literal["utf-8", "ascii"] = "utf-8") -> StringDType:
    """A string dtype. ``string()`` is vlen UTF-8 (``str``); ``string(10, encoding="ascii")``
    is 10-byte fixed-length ASCII (``bytes``).

    >>> string(8).describe()
    'str (fixed-length UTF-8, 8 bytes)'
    """
    try:
        return StringDType(encoding=encoding, length=length)
    except ValueError as exc:
        raise definition_error("h5s.string()", exc) from None


def latin1(value: Any) -> Any:
    """bytes survive JSON/YAML as latin-1 text (every byte maps to one code point)."""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, list | tuple):
        return [latin1(v) for v in value]
    return value


def unlatin1(value: Any) -> Any:
    """The bytes that :func:`latin1` text stands for (lists and tuples element by element)."""
    if isinstance(value, str):
        try:
            return value.encode("latin-1")
        except UnicodeEncodeError as exc:
            raise ValueError(f"{value!r} is not representable as bytes") from exc
    if isinstance(value, list | tuple):
        return type(value)(unlatin1(v) for v in value)
    return value


def _as_bytes(value: Any) -> bytes:
    assert isinstance(value, bytes)
    return value
