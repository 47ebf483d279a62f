"""Fixed-width numbers and bool: ``int8`` .. ``uint64``, ``float16`` .. long double, complex."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from h5schema._types.dtypes.base import DTypeBase, LiteralSource
from h5schema._types.dtypes.cast import cast_numbers
from h5schema._types.jsonvalue import json_array, json_float, json_pair

if TYPE_CHECKING:
    from h5schema._types.dtypes.cast import Casting

__all__ = ["FAMILY_MEMBERS", "NUMERIC_NAMES", "IntName", "NumericDType", "NumericName"]

NumericName = Literal[
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "longdouble", "complex64", "complex128", "clongdouble",
]  # fmt: skip
IntName = Literal["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]

NUMERIC_NAMES: frozenset[str] = frozenset(NumericName.__args__)  # type: ignore[attr-defined]
FAMILY_MEMBERS: dict[str, frozenset[str]] = {
    "signed": frozenset({"int8", "int16", "int32", "int64"}),
    "unsigned": frozenset({"uint8", "uint16", "uint32", "uint64"}),
    "float": frozenset({"float16", "float32", "float64", "longdouble"}),
    "complex": frozenset({"complex64", "complex128", "clongdouble"}),
}
FAMILY_MEMBERS["integer"] = FAMILY_MEMBERS["signed"] | FAMILY_MEMBERS["unsigned"]
FAMILY_MEMBERS["number"] = FAMILY_MEMBERS["integer"] | FAMILY_MEMBERS["float"] | FAMILY_MEMBERS["complex"]
_EXTENDED = {"longdouble": np.longdouble, "clongdouble": np.clongdouble}
_PYTHON: dict[type, NumericName] = {bool: "bool", int: "int64", float: "float64", complex: "complex128"}


class NumericDType(DTypeBase):
    """A fixed-width number or bool, matched exactly (byte order is not part of the type)."""

    kind: Literal["numeric"] = "numeric"
    name: NumericName
    numpy_order: ClassVar[int] = 90

    def describe(self) -> str:
        return self.name

    def is_numeric(self, *, floating: bool = False) -> bool:
        if floating:
            return self.name in FAMILY_MEMBERS["float"] | FAMILY_MEMBERS["complex"]
        return self.name in FAMILY_MEMBERS["number"]

    def is_complex(self) -> bool:
        return self.name in FAMILY_MEMBERS["complex"]

    def scalar_kind(self) -> str | None:
        if self.name == "bool":
            return "bool"
        if self.name in FAMILY_MEMBERS["integer"]:
            return "int"
        return "float" if self.name in FAMILY_MEMBERS["float"] else None

    def to_numpy(self) -> np.dtype[Any]:
        return np.dtype(_EXTENDED.get(self.name, self.name))

    @classmethod
    def from_numpy(cls, dt: np.dtype[Any]) -> NumericDType | None:
        if dt.kind == "b":
            return cls(name="bool")
        if dt.kind == "f" and dt.itemsize > 8:
            return cls(name="longdouble")
        if dt.kind == "c" and dt.itemsize > 16:
            return cls(name="clongdouble")
        if dt.kind in "iufc":
            return cls(name=dt.newbyteorder("=").name)
        return None

    @classmethod
    def from_python(cls, value: Any) -> NumericDType | None:
        """Python's ``bool``, ``int`` (int64), ``float`` (float64), ``complex`` (complex128), and
        the names ("int8", "longdouble", ...)."""
        if isinstance(value, type) and value in _PYTHON:
            return cls(name=_PYTHON[value])
        if isinstance(value, str) and value in NUMERIC_NAMES:
            return cls(name=value)
        return None

    def coerce(self, data: Any, casting: Casting = "lossless") -> np.ndarray:
        arr = self.as_elements(data)
        if self.name == "bool" and arr.dtype.kind != "b" and arr.size:
            raise ValueError(f"expected bool values, got {arr.dtype}")
        return cast_numbers(self, arr, casting)

    def json_value(self, value: Any) -> Any:
        if isinstance(value, np.ndarray):
            return json_array(value, self.json_value)
        if self.name == "bool":
            return bool(value)
        if self.name in FAMILY_MEMBERS["integer"]:
            return int(value)
        if self.is_complex():
            return json_pair(value)
        return json_float(value)

    def from_document(self, value: Any) -> Any:
        """Documents spell a complex number ``[real, imag]``."""
        if self.is_complex() and isinstance(value, list | tuple) and len(value) == 2:
            return complex(*value)
        return value

    def python_source(self, literal: LiteralSource) -> str:
        return "bool" if self.name == "bool" else f"np.{self.name}"
