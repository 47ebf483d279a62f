"""HDF5 enums: named integer values over an integer base type (h5py's ``{'enum': {...}}``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from h5schema._errors import definition_error
from h5schema._types.dtypes.base import DTypeBase, LiteralSource, metadata
from h5schema._types.dtypes.cast import cast_numbers
from h5schema._types.dtypes.numeric import IntName
from h5schema._types.jsonvalue import json_array

if TYPE_CHECKING:
    from h5schema._types.dtypes.cast import Casting

__all__ = ["EnumDType", "enum"]


class EnumDType(DTypeBase):
    """An HDF5 enum over an integer base type."""

    kind: Literal["enum"] = "enum"
    base: IntName = "int8"
    members: dict[str, int]
    numpy_order: ClassVar[int] = 30

    def describe(self) -> str:
        inner = ", ".join(f"{k}={v}" for k, v in sorted(self.members.items(), key=lambda kv: kv[1]))
        return f"enum {self.base} {{{inner}}}"

    def holds_real_numbers(self) -> bool:
        return True

    def to_numpy(self) -> np.dtype[Any]:
        return np.dtype(self.base, metadata={"enum": dict(self.members)})

    @classmethod
    def from_numpy(cls, dt: np.dtype[Any]) -> EnumDType | None:
        members = metadata(dt).get("enum")
        if members is None or dt.kind not in "iu":
            return None
        return cls(base=dt.newbyteorder("=").name, members=dict(members))

    def coerce(self, data: Any, casting: Casting = "lossless") -> np.ndarray:
        """Integers cast to the base type, each one a member's value."""
        out = cast_numbers(self, self.as_elements(data), casting)
        bad = ~np.isin(out, np.array(sorted(self.members.values())))
        if out.size and bad.any():
            raise ValueError(f"value {out[bad].flat[0].item()!r} is not a member of {self.describe()}")
        return out

    def json_value(self, value: Any) -> Any:
        if isinstance(value, np.ndarray):
            return json_array(value, self.json_value)
        return int(value)

    def python_source(self, literal: LiteralSource) -> str:
        return f"h5s.enum({literal(self.members)}, base={literal(self.base)})"


def enum(members: dict[str, int], *, base: IntName = "int8") -> EnumDType:
    """An HDF5 enum dtype with the given name -> value mapping."""
    try:
        return EnumDType(base=base, members=dict(members))
    except ValueError as exc:
        raise definition_error("h5s.enum()", exc) from None
