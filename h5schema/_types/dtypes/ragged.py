"""Ragged data: HDF5 variable-length sequences of numbers (``h5py.vlen_dtype(np.int32)``).

Each element of a ragged dataset is a 1-d sequence of its own length: token ids, variable-length
audio, polygons. The declaration names the element type and, optionally, bounds on the length
of each sequence (``h5s.ragged(np.int32, min_length=1, max_length=512)``); the bounds are a data
check, like ``ge``/``le``, and the dataset's own data checks (bounds, allowed values, NaN) apply
to the numbers inside the sequences.

Data for a ragged dataset is an object array whose elements are 1-d sequences, a list of
sequences (nested lists for more axes), or a numeric array whose last axis is the sequence
(every sequence the same length). h5py reads it back as an object array of 1-d arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt
from pydantic import Field, field_validator, model_validator

from h5schema._errors import definition_error
from h5schema._types.dtypes.base import DTypeBase, LiteralSource, json_object, metadata, parse_dtype
from h5schema._types.dtypes.family import FamilyDType
from h5schema._types.dtypes.numeric import NumericDType
from h5schema._types.jsonvalue import each

if TYPE_CHECKING:
    from h5schema._types.dtypes import DTypeSpec
    from h5schema._types.dtypes.cast import Casting

__all__ = ["RaggedDType", "ragged"]

Length = Annotated[int, Field(ge=0)]


class RaggedDType(DTypeBase):
    """Variable-length sequences of a numeric ``base`` type, each of ``min_length`` to
    ``max_length`` elements (None: no bound)."""

    kind: Literal["ragged"] = "ragged"
    base: NumericDType | FamilyDType
    min_length: Length | None = None
    max_length: Length | None = None
    numpy_order: ClassVar[int] = 40

    @field_validator("base", mode="before")
    @classmethod
    def _base(cls, value: Any) -> Any:
        """Anything :func:`as_dtype` reads (``np.int32``, ``"float32"``, ``h5s.family(...)``),
        holding numbers or bool."""
        dt = parse_dtype(value)
        if isinstance(dt, DTypeBase) and not (dt.is_numeric() or dt.scalar_kind() == "bool"):
            raise ValueError(f"ragged sequences hold numbers or bool, not {dt.describe()}")
        return dt

    @model_validator(mode="after")
    def _bounds_in_order(self) -> RaggedDType:
        """The length bounds are in order."""
        lo, hi = self.min_length, self.max_length
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"min_length={lo} is greater than max_length={hi}")
        return self

    # -- declaring and matching ------------------------------------------------------------
    def describe(self) -> str:
        lengths = self.lengths_text()
        return f"ragged {self.base.describe()}" + (f" ({lengths})" if lengths else "")

    def lengths_text(self) -> str | None:
        """The length bounds in words, or None when there are none."""
        lo, hi = self.min_length, self.max_length
        if lo is None and hi is None:
            return None
        if lo == hi:
            return f"sequences of {lo} elements"
        if hi is None:
            return f"sequences of at least {lo} elements"
        if lo is None:
            return f"sequences of at most {hi} elements"
        return f"sequences of {lo} to {hi} elements"

    def matches(self, observed: DTypeSpec) -> bool:
        """Any stored ragged dtype with a matching element type (lengths are a data check)."""
        return isinstance(observed, RaggedDType) and self.base.matches(observed.base)

    def is_concrete(self) -> bool:
        return self.base.is_concrete()

    def is_variable_length(self) -> bool:
        return True

    def is_numeric(self, *, floating: bool = False) -> bool:
        """The elements' numbers, which data checks apply to."""
        return self.base.is_numeric(floating=floating)

    def is_complex(self) -> bool:
        return self.base.is_complex()

    def holds_real_numbers(self) -> bool:
        return False  # each element is a list

    def takes_fill_value(self) -> bool:
        return False

    def in_array_attributes(self) -> bool:
        return False  # h5py writes them, but few readers expect them: datasets only

    # -- numpy and HDF5 --------------------------------------------------------------------
    def to_numpy(self) -> np.dtype[Any]:
        return np.dtype("O", metadata={"vlen": self.base.to_numpy()})

    @classmethod
    def from_numpy(cls, dt: np.dtype[Any]) -> RaggedDType | None:
        vlen = metadata(dt).get("vlen")
        if dt.kind != "O" or vlen is None or vlen is str or vlen is bytes:  # not `in`: dtype == None
            return None
        inner = np.dtype(vlen)  # h5py.vlen_dtype keeps the type it was given, a file a dtype
        if inner.kind not in "biufc":
            return None
        if inner.metadata or inner.names is not None or inner.subdtype is not None:
            return None  # vlen of enums, compounds or arrays: not declarable
        base = NumericDType.from_numpy(inner)
        return None if base is None else cls(base=base)

    # -- writing ---------------------------------------------------------------------------
    def as_elements(self, values: Any) -> np.ndarray:
        """An object array of 1-d sequences; ValueError when ``values`` holds no sequences."""
        return _nest(values)

    def coerce(self, data: Any, casting: Casting = "lossless") -> np.ndarray:
        """Each sequence cast to the element type as ``casting`` allows."""
        arr = self.as_elements(data)
        out = np.empty(arr.shape, dtype=self.to_numpy())
        base = self.base
        for idx in np.ndindex(arr.shape):
            try:
                out[idx] = base.coerce(arr[idx], casting)
            except ValueError as exc:
                where = f" (sequence at index {list(idx)})" if idx else ""
                raise ValueError(f"{exc}{where}") from None
        return out

    def blank(self) -> Any:
        return self._no_numbers()

    def _no_numbers(self) -> np.ndarray:
        """An empty sequence of the element type (int64 for a family)."""
        return np.empty((0,), dtype=self.base.to_numpy() if self.base.is_concrete() else np.int64)

    # -- checking data ---------------------------------------------------------------------
    def check_view(self, values: np.ndarray) -> np.ndarray:
        """Every number of every sequence, in order (one flat array)."""
        parts = [np.asarray(v).reshape(-1) for v in values.reshape(-1)]
        if not parts:
            return self._no_numbers()
        return np.concatenate(parts)

    def owners(self, values: np.ndarray) -> np.ndarray:
        """For each number of :meth:`check_view`, the flat index of the sequence holding it."""
        lengths = self.sequence_lengths(values).reshape(-1)
        return np.repeat(np.arange(lengths.size), lengths)

    def sequence_lengths(self, values: np.ndarray) -> np.ndarray:
        """The length of each stored sequence, in the shape of ``values``."""
        lengths = np.fromiter((np.size(v) for v in values.reshape(-1)), np.int64, values.size)
        return lengths.reshape(values.shape)

    def rule(self) -> str | None:
        return self.lengths_text()

    def rule_breaks(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """The sequences whose length is out of bounds, and every sequence's length."""
        if self.rule() is None:
            return None
        lengths = self.sequence_lengths(values)
        mask = np.zeros(lengths.shape, dtype=bool)
        if self.min_length is not None:
            mask |= lengths < self.min_length
        if self.max_length is not None:
            mask |= lengths > self.max_length
        return mask, lengths

    def fits(self, value: Any) -> bool:
        """An allowed value is one number of a sequence."""
        return self.base.fits(value)

    # -- documents -------------------------------------------------------------------------
    def json_value(self, value: Any) -> Any:
        if isinstance(value, np.ndarray) and value.dtype.kind == "O":
            return each(value, self.json_value)
        if isinstance(value, np.ndarray | list | tuple):
            return self.base.json_value(np.asarray(value))
        return self.base.json_value(value)

    def json_schema(self) -> dict[str, Any]:
        """Any stored ragged dtype whose element type matches (lengths are not in the dtype)."""
        return json_object({"kind": {"const": "ragged"}, "base": self.base.json_schema()}, ["kind", "base"])

    def python_source(self, literal: LiteralSource) -> str:
        bounds = "".join(
            f", {k}={v}"
            for k, v in (("min_length", self.min_length), ("max_length", self.max_length))
            if v is not None
        )
        return f"h5s.ragged({self.base.python_source(literal)}{bounds})"

    # -- schema evolution ------------------------------------------------------------------
    def _widens_to(self, new: DTypeSpec) -> bool:
        """The element type widened, and the length bounds no tighter."""
        if not isinstance(new, RaggedDType):
            return False
        lo_ok = new.min_length is None or (self.min_length is not None and self.min_length >= new.min_length)
        hi_ok = new.max_length is None or (self.max_length is not None and self.max_length <= new.max_length)
        return lo_ok and hi_ok and self.base.widens_to(new.base)


def ragged(
    base: npt.DTypeLike | NumericDType | FamilyDType,
    *,
    min_length: int | None = None,
    max_length: int | None = None,
) -> RaggedDType:
    """Variable-length sequences of numbers (HDF5 vlen, ``h5py.vlen_dtype(base)``).

    ``min_length`` and ``max_length`` bound the length of every sequence (a data check).

    >>> ragged("int32", max_length=512).describe()
    'ragged int32 (sequences of at most 512 elements)'
    """
    try:
        return RaggedDType(base=base, min_length=min_length, max_length=max_length)
    except ValueError as exc:
        raise definition_error("h5s.ragged()", exc) from None


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, list | tuple | np.ndarray) or (
        isinstance(value, np.ndarray) and value.ndim == 0
    )


def _sequence(value: Any) -> np.ndarray:
    """One sequence: a 1-d array (an empty list is an empty sequence)."""
    arr = np.asarray(value)
    if arr.ndim != 1:
        raise ValueError(f"expected a 1-d sequence of numbers for a ragged element, got {arr.ndim}-d data")
    return arr


def _nest(values: Any) -> np.ndarray:
    """An object array of 1-d sequences from nested lists, an object array or a numeric array
    whose last axis is the sequence."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "O":
        out = np.empty(values.shape, dtype=object)
        for idx in np.ndindex(values.shape):
            out[idx] = _sequence(values[idx])
        return out
    if isinstance(values, np.ndarray):
        if values.ndim == 0:
            raise ValueError("expected sequences of numbers for a ragged dtype, got a single number")
        out = np.empty(values.shape[:-1], dtype=object)
        for idx in np.ndindex(out.shape):
            out[idx] = values[idx]
        return out
    if _is_scalar(values):
        raise ValueError(f"expected sequences of numbers for a ragged dtype, got {type(values).__name__}")
    if all(_is_scalar(v) for v in values):
        out = np.empty((), dtype=object)
        out[()] = _sequence(values)
        return out
    return _stack([_nest(v) for v in values])


def _stack(parts: Sequence[np.ndarray]) -> np.ndarray:
    """Object arrays of one shape stacked on a new first axis."""
    shapes = {p.shape for p in parts}
    if len(shapes) != 1:
        raise ValueError(f"sequences nested to different depths or lengths: {sorted(shapes)}")
    out = np.empty((len(parts), *parts[0].shape), dtype=object)
    for i, p in enumerate(parts):
        out[i, ...] = p
    return out
