"""Fixed-shape array element types (HDF5 array types, as used in compound fields)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import Field, field_validator

from h5schema._types.dtypes.base import DTypeBase, LiteralSource, from_numpy, json_object, parse_dtype

if TYPE_CHECKING:
    from h5schema._types.dtypes import DTypeSpec

__all__ = ["ArrayDType"]


class ArrayDType(DTypeBase):
    """A fixed-shape array element type (as used in compound fields)."""

    kind: Literal["array"] = "array"
    base: DTypeSpec
    shape: tuple[Annotated[int, Field(ge=1)], ...]
    numpy_order: ClassVar[int] = 10

    _base = field_validator("base", mode="before")(parse_dtype)

    def matches(self, observed: DTypeSpec) -> bool:
        return (
            isinstance(observed, ArrayDType)
            and observed.shape == self.shape
            and self.base.matches(observed.base)
        )

    def describe(self) -> str:
        return f"{self.base.describe()}{list(self.shape)}"

    def is_concrete(self) -> bool:
        return self.base.is_concrete()

    def is_variable_length(self) -> bool:
        return self.base.is_variable_length()

    def element_count(self) -> int:
        return math.prod(self.shape) * self.base.element_count()

    def to_numpy(self) -> np.dtype[Any]:
        return np.dtype((self.base.to_numpy(), self.shape))

    @classmethod
    def from_numpy(cls, dt: np.dtype[Any]) -> ArrayDType | None:
        if dt.subdtype is None:
            return None
        base, shape = dt.subdtype
        return cls(base=from_numpy(base), shape=shape)

    def json_value(self, value: Any) -> Any:
        return self.base.json_value(value)  # numpy spreads an array element over extra axes

    def json_schema(self) -> dict[str, Any]:
        if self.is_concrete():
            return super().json_schema()
        props = {
            "kind": {"const": "array"},
            "shape": {"const": list(self.shape)},
            "base": self.base.json_schema(),
        }
        return json_object(props, ["kind", "shape", "base"])

    def python_source(self, literal: LiteralSource) -> str:
        return f"h5s.ArrayDType(base={self.base.python_source(literal)}, shape={self.shape!r})"

    def _widens_to(self, new: DTypeSpec) -> bool:
        """Same shape, and the base widened."""
        if not isinstance(new, ArrayDType):
            return super()._widens_to(new)
        return self.shape == new.shape and self.base.widens_to(new.base)
