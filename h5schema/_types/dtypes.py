"""Element types: the declared form (a small tagged union) and its numpy/HDF5 counterpart.

Every dtype a schema can name is a frozen pydantic model, so a schema serializes to JSON/YAML.
The same models describe what a file holds (:func:`from_numpy`), so checking a dataset is
``declared.matches(observed)``. String flavours follow h5py's conventions, read from numpy dtype
metadata (``{'vlen': str}``, ``{'h5py_encoding': ...}``, ``{'enum': ...}``) without importing h5py.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    field_validator,
    model_serializer,
)

from h5schema._errors import SchemaDefinitionError, definition_error

__all__ = [
    "ArrayDType",
    "CompoundDType",
    "CompoundField",
    "DTypeLike",
    "DTypeSpec",
    "EnumDType",
    "FamilyDType",
    "NumericDType",
    "OtherDType",
    "StringDType",
    "as_dtype",
    "enum",
    "family",
    "from_numpy",
    "string",
    "to_numpy",
]

NumericName = Literal[
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "longdouble", "complex64", "complex128", "clongdouble",
]  # fmt: skip
FamilyName = Literal["integer", "signed", "unsigned", "float", "complex", "number", "text", "any"]
IntName = Literal["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]

_NUMERIC_NAMES: frozenset[str] = frozenset(NumericName.__args__)  # type: ignore[attr-defined]
_FAMILY_MEMBERS: dict[str, frozenset[str]] = {
    "signed": frozenset({"int8", "int16", "int32", "int64"}),
    "unsigned": frozenset({"uint8", "uint16", "uint32", "uint64"}),
    "float": frozenset({"float16", "float32", "float64", "longdouble"}),
    "complex": frozenset({"complex64", "complex128", "clongdouble"}),
}
_FAMILY_MEMBERS["integer"] = _FAMILY_MEMBERS["signed"] | _FAMILY_MEMBERS["unsigned"]
_FAMILY_MEMBERS["number"] = _FAMILY_MEMBERS["integer"] | _FAMILY_MEMBERS["float"] | _FAMILY_MEMBERS["complex"]


class _DT(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_serializer(mode="wrap")
    def _keep_kind(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        kind = self.__dict__.get("kind")
        return {"kind": kind, **data} if isinstance(data, dict) else data

    def matches(self, observed: DTypeSpec) -> bool:
        """True when a file holding ``observed`` satisfies this declaration."""
        return self == observed

    def describe(self) -> str:
        raise NotImplementedError


class NumericDType(_DT):
    """A fixed-width number or bool, matched exactly (byte order is not part of the type)."""

    kind: Literal["numeric"] = "numeric"
    name: NumericName

    def describe(self) -> str:
        return self.name


class StringDType(_DT):
    """An HDF5 string: ``encoding`` utf-8 reads as ``str``, ascii as ``bytes``.

    ``length=None`` is variable-length; an int is a fixed length in bytes (NUL-padded).
    """

    kind: Literal["string"] = "string"
    encoding: Literal["utf-8", "ascii"] = "utf-8"
    length: Annotated[int, Field(ge=1)] | None = None

    @property
    def python_type(self) -> type:
        return str if self.encoding == "utf-8" else bytes

    def describe(self) -> str:
        enc = "UTF-8" if self.encoding == "utf-8" else "ASCII"
        py = self.python_type.__name__
        if self.length is None:
            return f"{py} (variable-length {enc})"
        return f"{py} (fixed-length {enc}, {self.length} bytes)"


class EnumDType(_DT):
    """An HDF5 enum over an integer base type."""

    kind: Literal["enum"] = "enum"
    base: IntName = "int8"
    members: dict[str, int]

    def describe(self) -> str:
        inner = ", ".join(f"{k}={v}" for k, v in sorted(self.members.items(), key=lambda kv: kv[1]))
        return f"enum {self.base} {{{inner}}}"


class CompoundField(BaseModel):
    """One named field of a :class:`CompoundDType`, with its own dtype."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    dtype: DTypeSpec


class CompoundDType(_DT):
    """A compound (struct) type: field names in order, each with its own dtype."""

    kind: Literal["compound"] = "compound"
    fields: tuple[CompoundField, ...]

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


class ArrayDType(_DT):
    """A fixed-shape array element type (as used in compound fields)."""

    kind: Literal["array"] = "array"
    base: DTypeSpec
    shape: tuple[Annotated[int, Field(ge=1)], ...]

    def matches(self, observed: DTypeSpec) -> bool:
        return (
            isinstance(observed, ArrayDType)
            and observed.shape == self.shape
            and self.base.matches(observed.base)
        )

    def describe(self) -> str:
        return f"{self.base.describe()}{list(self.shape)}"


class FamilyDType(_DT):
    """Opt-in looseness: any member of a family ("float" matches float16..longdouble)."""

    kind: Literal["family"] = "family"
    family: FamilyName

    def matches(self, observed: DTypeSpec) -> bool:
        if self.family == "any":
            return True
        if self.family == "text":
            return isinstance(observed, StringDType)
        return isinstance(observed, NumericDType) and observed.name in _FAMILY_MEMBERS[self.family]

    def describe(self) -> str:
        return f"any {self.family}"


class OtherDType(_DT):
    """A type found in a file that schemas cannot declare (references, opaque, ...)."""

    kind: Literal["other"] = "other"
    description: str

    def describe(self) -> str:
        return self.description


DTypeSpec: TypeAlias = Annotated[
    NumericDType | StringDType | EnumDType | CompoundDType | ArrayDType | FamilyDType | OtherDType,
    Field(discriminator="kind"),
]
"""A declared element type: one of the dtype models, told apart by their ``kind``."""
DTypeLike: TypeAlias = "DTypeSpec | npt.DTypeLike"
"""What a declaration may write as a dtype: a :data:`DTypeSpec`, or anything numpy reads as one
(``str``, ``bytes``, ``int``, ``np.float32``, ``"int16"``, h5py's special dtypes)."""
CompoundField.model_rebuild()
ArrayDType.model_rebuild()
CompoundDType.model_rebuild()


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


def family(name: FamilyName) -> FamilyDType:
    """A dtype family: "integer", "signed", "unsigned", "float", "complex", "number", "text", "any".

    >>> family("float").matches(as_dtype("float16"))
    True
    """
    try:
        return FamilyDType(family=name)
    except ValueError as exc:
        raise definition_error("h5s.family()", exc) from None


def enum(members: dict[str, int], *, base: IntName = "int8") -> EnumDType:
    """An HDF5 enum dtype with the given name -> value mapping."""
    try:
        return EnumDType(base=base, members=dict(members))
    except ValueError as exc:
        raise definition_error("h5s.enum()", exc) from None


_PY_TYPES: dict[Any, DTypeSpec] = {
    str: StringDType(encoding="utf-8"),
    bytes: StringDType(encoding="ascii"),
    bool: NumericDType(name="bool"),
    int: NumericDType(name="int64"),
    float: NumericDType(name="float64"),
    complex: NumericDType(name="complex128"),
}


def as_dtype(value: Any) -> DTypeSpec:
    """Parse what a user may write as a dtype into a :data:`DTypeSpec`.

    Accepts a DTypeSpec, ``str``/``bytes``/``bool``/``int``/``float``/``complex``, numpy types and
    dtypes (including h5py's special dtypes), names like ``"float32"`` or ``"str"``, or a dict in
    the serialized form.

    >>> as_dtype(str).describe(), as_dtype("<f4").describe()
    ('str (variable-length UTF-8)', 'float32')
    """
    if isinstance(value, _DT):
        return value  # type: ignore[return-value]
    if isinstance(value, dict):
        spec: DTypeSpec = TypeAdapter(DTypeSpec).validate_python(value)
        return spec
    if isinstance(value, type) and value in _PY_TYPES:
        return _PY_TYPES[value]
    if isinstance(value, str):
        if value in ("str", "bytes"):
            return _PY_TYPES[str if value == "str" else bytes]
        if value in _NUMERIC_NAMES:
            return NumericDType(name=value)
    try:
        dt = np.dtype(value)
    except TypeError as exc:
        raise ValueError(f"cannot interpret {value!r} as a dtype") from exc
    spec = from_numpy(dt)
    if isinstance(spec, OtherDType):
        raise ValueError(f"dtype {dt!r} has no HDF5 equivalent ({spec.description})")
    return spec


def _numeric_name(dt: np.dtype[Any]) -> str | None:
    if dt.kind == "b":
        return "bool"
    if dt.kind == "f" and dt.itemsize > 8:
        return "longdouble"
    if dt.kind == "c" and dt.itemsize > 16:
        return "clongdouble"
    if dt.kind in "iufc":
        return dt.newbyteorder("=").name
    return None


def from_numpy(dt: np.dtype[Any]) -> DTypeSpec:
    """Describe a numpy dtype (as h5py hands it back) in the schema's dtype language."""
    meta: dict[str, Any] = dict(dt.metadata or {})
    if dt.subdtype is not None:
        base, shape = dt.subdtype
        return ArrayDType(base=from_numpy(base), shape=shape)
    if dt.names is not None:
        assert dt.fields is not None
        return CompoundDType(
            fields=tuple(CompoundField(name=n, dtype=from_numpy(dt.fields[n][0])) for n in dt.names)
        )
    if "enum" in meta and dt.kind in "iu":
        return EnumDType(base=dt.newbyteorder("=").name, members=dict(meta["enum"]))
    if dt.kind == "O":
        vlen = meta.get("vlen")
        if vlen is str:
            return StringDType(encoding="utf-8")
        if vlen is bytes:
            return StringDType(encoding="ascii")
        return OtherDType(description=f"object dtype ({meta or 'no h5py metadata'})")
    if dt.kind == "S":
        enc = meta.get("h5py_encoding", "ascii")
        return StringDType(encoding="utf-8" if enc == "utf-8" else "ascii", length=dt.itemsize)
    if dt.kind == "U":
        return OtherDType(description="numpy unicode 'U' (HDF5 has no such type: use str, or h5s.string(N))")
    name = _numeric_name(dt)
    if name is not None:
        return NumericDType(name=name)
    return OtherDType(description=f"numpy {dt.str}")


def to_numpy(spec: DTypeSpec) -> np.dtype[Any]:
    """The numpy dtype (with h5py's metadata conventions) that creates a dataset of ``spec``."""
    if isinstance(spec, NumericDType):
        return np.dtype(
            {"longdouble": np.longdouble, "clongdouble": np.clongdouble}.get(spec.name, spec.name)
        )
    if isinstance(spec, StringDType):
        if spec.length is None:
            return np.dtype("O", metadata={"vlen": spec.python_type})
        return np.dtype(f"S{spec.length}", metadata={"h5py_encoding": spec.encoding})
    if isinstance(spec, EnumDType):
        return np.dtype(spec.base, metadata={"enum": dict(spec.members)})
    if isinstance(spec, CompoundDType):
        return np.dtype([(f.name, to_numpy(f.dtype)) for f in spec.fields])
    if isinstance(spec, ArrayDType):
        return np.dtype((to_numpy(spec.base), spec.shape))
    raise SchemaDefinitionError("", f"{spec.describe()} cannot be created: choose an exact dtype")


def is_variable_length(dt: DTypeSpec) -> bool:
    """Whether values of ``dt`` live in HDF5's global heap (variable-length strings, also inside
    a compound or an array)."""
    if isinstance(dt, StringDType):
        return dt.length is None
    if isinstance(dt, CompoundDType):
        return any(is_variable_length(f.dtype) for f in dt.fields)
    if isinstance(dt, ArrayDType):
        return is_variable_length(dt.base)
    return False


def is_concrete(spec: DTypeSpec) -> bool:
    """True when a dataset of this dtype can be created (no family anywhere inside)."""
    if isinstance(spec, FamilyDType | OtherDType):
        return False
    if isinstance(spec, CompoundDType):
        return all(is_concrete(f.dtype) for f in spec.fields)
    if isinstance(spec, ArrayDType):
        return is_concrete(spec.base)
    return True


def is_numeric(spec: DTypeSpec, *, floating: bool = False) -> bool:
    """True for real/complex number dtypes (and number families); ``floating`` narrows to NaN-able."""
    names = _FAMILY_MEMBERS["float"] | _FAMILY_MEMBERS["complex"] if floating else _FAMILY_MEMBERS["number"]
    if isinstance(spec, NumericDType):
        return spec.name in names
    if isinstance(spec, FamilyDType):
        return spec.family in (
            ("float", "complex")
            if floating
            else ("integer", "signed", "unsigned", "float", "complex", "number")
        )
    return False
