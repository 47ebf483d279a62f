"""Types found in files that schemas cannot declare (references, opaque, bitfields, ...)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np

from h5schema._types.dtypes.base import DTypeBase
from h5schema._types.jsonvalue import NoJSON, json_array

__all__ = ["OtherDType"]


class OtherDType(DTypeBase):
    """A type found in a file that schemas cannot declare (references, opaque, ...)."""

    kind: Literal["other"] = "other"
    description: str
    numpy_order: ClassVar[int] = 1000  # the last word: whatever no other kind claims

    def describe(self) -> str:
        return self.description

    def is_concrete(self) -> bool:
        return False

    def is_declarable(self) -> bool:
        return False

    @classmethod
    def from_numpy(cls, dt: np.dtype[Any]) -> OtherDType:
        if dt.kind == "O":
            return cls(description=f"object dtype ({dict(dt.metadata or {}) or 'no h5py metadata'})")
        if dt.kind == "U":
            return cls(description="numpy unicode 'U' (HDF5 has no such type: use str, or h5s.string(N))")
        return cls(description=f"numpy {dt.str}")

    def json_value(self, value: Any) -> Any:
        if isinstance(value, np.ndarray):
            return json_array(value, self.json_value)
        raise NoJSON(f"{self.describe()} has no JSON form")
