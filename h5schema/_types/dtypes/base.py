"""What every dtype kind answers: the one protocol the rest of h5schema asks a dtype.

Each kind is a frozen pydantic model in its own module (``numeric``, ``string``, ``enum``,
``compound``, ``array``, ``ragged``, ``family``, ``other``) and overrides what differs from the
defaults here. Code outside this package never branches on the kind of a dtype: it calls one of
these methods, so a new kind is one new module (plus its line in the union in ``__init__``).

The concerns, in the order a value meets them:

- declaring and matching: :meth:`describe`, :meth:`matches`, :meth:`is_concrete`, ...;
- numpy and HDF5: :meth:`to_numpy` and :meth:`from_numpy` (h5py's metadata conventions);
- writing: :meth:`as_elements` and :meth:`coerce` (user data to exactly what is stored);
- reading: :meth:`decode` and :meth:`decode_value` (what h5py read to the Python form);
- checking data: :meth:`check_view` (the values the data checks see) and :meth:`fits`;
- documents: :meth:`json_value`, :meth:`json_schema`, :meth:`from_document`, :meth:`python_source`;
- schema evolution: :meth:`widens_to`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

from h5schema._errors import SchemaDefinitionError
from h5schema._types.dtypes.cast import Casting, cast_numbers
from h5schema._types.jsonvalue import plain

if TYPE_CHECKING:
    from h5schema._types.dtypes import DTypeSpec

__all__ = ["DTypeBase", "LiteralSource", "from_numpy", "json_object", "metadata", "parse_dtype"]

LiteralSource = Callable[[Any], str]
"""Turns a plain value into Python source (the code generator's own spelling of literals)."""


def metadata(dt: np.dtype[Any]) -> dict[str, Any]:
    """A numpy dtype's metadata (where h5py keeps vlen, enum and encoding) as a plain dict."""
    return dict(dt.metadata or {})


_REGISTERED: list[type[DTypeBase]] = []
"""Every kind, in the order :func:`from_numpy` asks them (each kind registers when defined)."""


def parse_dtype(value: Any) -> Any:
    """What users write as a dtype (a Python or numpy type, a numpy dtype, a name) as a kind's
    model; documents (dicts) and models pass through, for pydantic to read."""
    if isinstance(value, dict | DTypeBase):
        return value
    for kind in _REGISTERED:
        spec = kind.from_python(value)
        if spec is not None:
            return spec
    try:
        dt = np.dtype(value)
    except TypeError as exc:
        raise ValueError(f"cannot interpret {value!r} as a dtype") from exc
    spec = from_numpy(dt)
    if not spec.is_declarable():
        raise ValueError(f"dtype {dt!r} has no HDF5 equivalent ({spec.describe()})")
    return spec


def from_numpy(dt: np.dtype[Any]) -> DTypeSpec:
    """Describe a numpy dtype (as h5py hands it back) in the schema's dtype language: the first
    kind that claims it (the kind ``other`` claims whatever no kind does)."""
    for kind in _REGISTERED:
        spec = kind.from_numpy(dt)
        if spec is not None:
            return spec
    raise ValueError(f"no dtype kind describes {dt!r}")  # pragma: no cover - "other" claims all


class DTypeBase(BaseModel):
    """The defaults of every dtype kind; each kind overrides what differs."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: str
    numpy_order: ClassVar[int] = 100
    """Where :func:`from_numpy` asks this kind (lower first): arrays and compounds before
    enums, enums before plain numbers."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Register the kind, in :attr:`numpy_order`."""
        super().__pydantic_init_subclass__(**kwargs)
        _REGISTERED.append(cls)
        _REGISTERED.sort(key=lambda k: k.numpy_order)

    @model_serializer(mode="wrap")
    def _keep_kind(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        kind = self.__dict__.get("kind")
        return {"kind": kind, **data} if isinstance(data, dict) else data

    # -- declaring and matching ------------------------------------------------------------
    def describe(self) -> str:
        """The dtype in words, as messages print it."""
        raise NotImplementedError

    def matches(self, observed: DTypeSpec) -> bool:
        """True when a file holding ``observed`` satisfies this declaration."""
        return self == observed

    def is_concrete(self) -> bool:
        """True when a dataset of this dtype can be created (no family anywhere inside)."""
        return True

    def is_variable_length(self) -> bool:
        """Whether values live in HDF5's global heap (HDF5 refuses fletcher32 and SWMR on them)."""
        return False

    def is_numeric(self, *, floating: bool = False) -> bool:
        """Real or complex numbers (``floating``: only the NaN-able ones)."""
        return False

    def is_complex(self) -> bool:
        """Complex numbers, which have no order (no range checks)."""
        return False

    def holds_real_numbers(self) -> bool:
        """Every element is one plain JSON number (never a list, a string or a record)."""
        return self.is_numeric() and not self.is_complex()

    def scalar_kind(self) -> str | None:
        """The Python scalar an attribute of this dtype holds ("str", "bytes", "bool", "int",
        "float"), or None when none does."""
        return None

    def in_array_attributes(self) -> bool:
        """Whether an array attribute may be declared with this dtype."""
        return True

    def element_count(self) -> int:
        """The numbers or strings one element holds."""
        return 1

    # -- numpy and HDF5 --------------------------------------------------------------------
    def to_numpy(self) -> np.dtype[Any]:
        """The numpy dtype (with h5py's metadata conventions) that creates a dataset of it."""
        raise SchemaDefinitionError("", f"{self.describe()} cannot be created: choose an exact dtype")

    @classmethod
    def from_numpy(cls, dt: np.dtype[Any]) -> DTypeSpec | None:
        """This kind's description of a numpy dtype as h5py hands it back, or None if not ours."""
        return None

    @classmethod
    def from_python(cls, value: Any) -> DTypeSpec | None:
        """This kind's model for a Python type or a name users write (``str``, ``"int8"``), or
        None if not ours (numpy types and dtypes go through :meth:`from_numpy`)."""
        return None

    def is_declarable(self) -> bool:
        """Whether a schema can name this dtype (not so types found only in files)."""
        return True

    # -- writing ---------------------------------------------------------------------------
    def as_elements(self, values: Any) -> np.ndarray:
        """``values`` as an array of elements of this dtype, unchecked (for shapes)."""
        return values if isinstance(values, np.ndarray) else np.asarray(values)

    def coerce(self, data: Any, casting: Casting = "lossless") -> np.ndarray:
        """``data`` as exactly what a dataset of this dtype stores; ValueError with the reason."""
        return cast_numbers(self, self.as_elements(data), casting)

    def blank(self) -> Any:
        """The value a dataset created without data or fill value holds (HDF5's zero bytes)."""
        return np.zeros((), dtype=self.to_numpy())[()]

    # -- reading ---------------------------------------------------------------------------
    def decode(self, raw: np.ndarray) -> np.ndarray:
        """What h5py read as an array, in this dtype's Python form."""
        return raw

    def decode_value(self, value: Any, errors: str = "strict") -> Any:
        """One value h5py read, in this dtype's Python form (``errors`` as for bytes.decode)."""
        return value

    def check_view(self, values: np.ndarray) -> np.ndarray:
        """The elements data checks (bounds, allowed values, NaN) see in stored ``values``."""
        return self.decode(values)

    def owners(self, values: np.ndarray) -> np.ndarray | None:
        """For each element of :meth:`check_view`, the flat index in ``values`` it comes from;
        None when the view is ``values`` element for element."""
        return None

    def rule(self) -> str | None:
        """What this dtype requires of each stored element beyond its type, in words (ragged:
        the sequence lengths); None when nothing."""
        return None

    def rule_breaks(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """The elements of stored ``values`` breaking :meth:`rule` (a mask) and what to show of
        each; None when there is no rule."""
        return None

    def takes_fill_value(self) -> bool:
        """Whether a dataset of this dtype can be declared with a fill value."""
        return True

    def fits(self, value: Any) -> bool:
        """Whether a declared ``value`` (fill or allowed value) is stored exactly as it is."""
        try:
            arr = np.asarray(value)
            cast = arr.astype(self.to_numpy())
        except (ValueError, TypeError, OverflowError):
            return False
        return _round_trips(arr, cast)

    # -- documents -------------------------------------------------------------------------
    def json_value(self, value: Any) -> Any:
        """A stored or declared value as JSON (see :mod:`h5schema._types.jsonvalue`)."""
        return plain(value)

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of what :meth:`matches` accepts, on the dtype as a manifest writes it."""
        return {"const": self.model_dump(mode="json")}

    def from_document(self, value: Any) -> Any:
        """A fill or allowed value as a JSON/YAML document spells it, in its Python form."""
        return value

    def python_source(self, literal: LiteralSource) -> str:
        """The shortest Python expression h5schema maps to this dtype."""
        raise ValueError(f"{self.describe()} cannot be declared in a schema")

    # -- schema evolution ------------------------------------------------------------------
    def accepts_all(self) -> bool:
        """Whether this declaration accepts every dtype (the family "any")."""
        return False

    def widens_to(self, new: DTypeSpec) -> bool:
        """Whether every stored dtype this declaration accepts is accepted by ``new``."""
        if self == new or new.accepts_all():
            return True
        return self._widens_to(new)

    def _widens_to(self, new: DTypeSpec) -> bool:
        """:meth:`widens_to` for a different ``new`` that does not accept everything."""
        return self.is_concrete() and new.matches(self)  # type: ignore[arg-type]


def _round_trips(arr: np.ndarray, cast: np.ndarray) -> bool:
    """A number cast to another number type casts back to itself (a real one always fits a
    complex one); other kinds are taken as cast."""
    if arr.dtype.kind not in "iufcb" or cast.dtype.kind not in "iufcb":
        return True
    if cast.dtype.kind == "c" and arr.dtype.kind != "c":
        return True
    with np.errstate(invalid="ignore"):
        return bool(np.array_equal(cast.astype(arr.dtype), arr, equal_nan=arr.dtype.kind in "fc"))


def json_object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    """A JSON Schema for an object with these ``properties`` (``required`` ones must be there)."""
    out: dict[str, Any] = {"properties": properties}
    if required:
        out["required"] = required
    return out
