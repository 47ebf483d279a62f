"""Compound (struct) types: named fields in order, each with its own dtype."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, field_validator

from h5schema._types.dtypes.base import DTypeBase, LiteralSource, from_numpy, json_object, parse_dtype
from h5schema._types.jsonvalue import NoJSON, each

if TYPE_CHECKING:
    from h5schema._types.dtypes import DTypeSpec
    from h5schema._types.dtypes.cast import Casting

__all__ = ["CompoundDType", "CompoundField"]


class CompoundField(BaseModel):
    """One named field of a :class:`CompoundDType`, with its own dtype."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    dtype: DTypeSpec

    _dtype = field_validator("dtype", mode="before")(parse_dtype)


class CompoundDType(DTypeBase):
    """A compound (struct) type: field names in order, each with its own dtype."""

    kind: Literal["compound"] = "compound"
    fields: tuple[CompoundField, ...]
    numpy_order: ClassVar[int] = 20

    @field_validator("fields")
    @classmethod
    def _unique(cls, v: tuple[CompoundField, ...]) -> tuple[CompoundField, ...]:
        names = [f.name for f in v]
        if len(set(names)) != len(names):
            raise ValueError(f"compound field names must be unique, got {names}")
        if not v:
            raise ValueError("a compound dtype needs at least one field")
        return v

    def matches(self, observed: DTypeSpec) -> bool:
        if not isinstance(observed, CompoundDType) or len(observed.fields) != len(self.fields):
            return False
        return all(
            a.name == b.name and a.dtype.matches(b.dtype)
            for a, b in zip(self.fields, observed.fields, strict=True)
        )

    def describe(self) -> str:
        return "compound {" + ", ".join(f"{f.name}: {f.dtype.describe()}" for f in self.fields) + "}"

    def is_concrete(self) -> bool:
        return all(f.dtype.is_concrete() for f in self.fields)

    def is_variable_length(self) -> bool:
        return any(f.dtype.is_variable_length() for f in self.fields)

    def element_count(self) -> int:
        return sum(f.dtype.element_count() for f in self.fields)

    def to_numpy(self) -> np.dtype[Any]:
        return np.dtype([(f.name, f.dtype.to_numpy()) for f in self.fields])

    @classmethod
    def from_numpy(cls, dt: np.dtype[Any]) -> CompoundDType | None:
        if dt.names is None or dt.fields is None:
            return None
        return cls(fields=tuple(CompoundField(name=n, dtype=from_numpy(dt.fields[n][0])) for n in dt.names))

    def coerce(self, data: Any, casting: Casting = "lossless") -> np.ndarray:
        """A structured array with the same field names, cast field by field (same kind)."""
        arr = self.as_elements(data)
        target = self.to_numpy()
        if arr.dtype.names is None or list(arr.dtype.names) != list(target.names or ()):
            raise ValueError(
                f"expected a structured array with fields {list(target.names or ())}, got {arr.dtype}"
            )
        try:
            return arr.astype(target, casting="same_kind")
        except TypeError as exc:
            raise ValueError(f"cannot store {arr.dtype} as {self.describe()}: {exc}") from None

    def json_value(self, value: Any) -> Any:
        """A record as the list of its field values, in field order."""
        if isinstance(value, np.ndarray):
            return each(value, self.json_value)
        if not isinstance(value, tuple | list | np.void) or len(value) != len(self.fields):  # type: ignore[arg-type]
            raise NoJSON(f"{value!r:.60} is not a record of {len(self.fields)} fields")
        return [f.dtype.json_value(value[i]) for i, f in enumerate(self.fields)]

    def json_schema(self) -> dict[str, Any]:
        if self.is_concrete():
            return super().json_schema()
        n = len(self.fields)
        fields = [
            json_object({"name": {"const": f.name}, "dtype": f.dtype.json_schema()}, ["name", "dtype"])
            for f in self.fields
        ]
        props = {
            "kind": {"const": "compound"},
            "fields": {"type": "array", "minItems": n, "maxItems": n, "prefixItems": fields},
        }
        return json_object(props, ["kind", "fields"])

    def python_source(self, literal: LiteralSource) -> str:
        fields = ", ".join(
            f"h5s.CompoundField(name={literal(f.name)}, dtype={f.dtype.python_source(literal)})"
            for f in self.fields
        )
        return f"h5s.CompoundDType(fields=({fields},))"

    def _widens_to(self, new: DTypeSpec) -> bool:
        """Field by field: same names in the same order, each field's dtype widened."""
        if not isinstance(new, CompoundDType):
            return super()._widens_to(new)
        return len(self.fields) == len(new.fields) and all(
            a.name == b.name and a.dtype.widens_to(b.dtype)
            for a, b in zip(self.fields, new.fields, strict=True)
        )
