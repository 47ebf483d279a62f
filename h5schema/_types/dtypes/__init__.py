"""Element types: the declared form (a tagged union of kinds) and its numpy/HDF5 counterpart.

Every dtype a schema can name is a frozen pydantic model, so a schema serializes to JSON/YAML.
The same models describe what a file holds (:func:`from_numpy`), so checking a dataset is
``declared.matches(observed)``. One module per kind holds everything about it (see
:mod:`h5schema._types.dtypes.base` for the protocol); this module puts them together: the
union :data:`DTypeSpec`, :func:`as_dtype` for what users write, :func:`from_numpy` for what
h5py hands back. A new kind is a new module and one line in :data:`KINDS`.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias

import numpy as np
import numpy.typing as npt
from pydantic import Field, TypeAdapter

from h5schema._types.dtypes.array import ArrayDType
from h5schema._types.dtypes.base import DTypeBase, from_numpy, parse_dtype
from h5schema._types.dtypes.compound import CompoundDType, CompoundField
from h5schema._types.dtypes.enum import EnumDType, enum
from h5schema._types.dtypes.family import FamilyDType, FamilyName, family
from h5schema._types.dtypes.numeric import FAMILY_MEMBERS, IntName, NumericDType, NumericName
from h5schema._types.dtypes.other import OtherDType
from h5schema._types.dtypes.ragged import RaggedDType, ragged
from h5schema._types.dtypes.string import StringDType, string

__all__ = [
    "FAMILY_MEMBERS",
    "KINDS",
    "ArrayDType",
    "CompoundDType",
    "CompoundField",
    "DTypeBase",
    "DTypeLike",
    "DTypeSpec",
    "EnumDType",
    "FamilyDType",
    "FamilyName",
    "IntName",
    "NumericDType",
    "NumericName",
    "OtherDType",
    "RaggedDType",
    "StringDType",
    "as_dtype",
    "enum",
    "family",
    "from_numpy",
    "ragged",
    "string",
    "to_numpy",
]

KINDS: tuple[type[DTypeBase], ...] = (
    NumericDType,
    StringDType,
    EnumDType,
    CompoundDType,
    ArrayDType,
    RaggedDType,
    FamilyDType,
    OtherDType,
)
"""Every dtype kind, one module each."""

DTypeSpec: TypeAlias = Annotated[
    NumericDType
    | StringDType
    | EnumDType
    | CompoundDType
    | ArrayDType
    | RaggedDType
    | FamilyDType
    | OtherDType,
    Field(discriminator="kind"),
]
"""A declared element type: one of the dtype models, told apart by their ``kind``."""
DTypeLike: TypeAlias = "DTypeSpec | npt.DTypeLike"
"""What a declaration may write as a dtype: a :data:`DTypeSpec`, or anything numpy reads as one
(``str``, ``bytes``, ``int``, ``np.float32``, ``"int16"``, h5py's special dtypes)."""

for _kind in (CompoundField, ArrayDType, CompoundDType):
    _kind.model_rebuild(_types_namespace={"DTypeSpec": DTypeSpec})
_ADAPTER: TypeAdapter[DTypeSpec] = TypeAdapter(DTypeSpec)


def as_dtype(value: Any) -> DTypeSpec:
    """Parse what a user may write as a dtype into a :data:`DTypeSpec`.

    Accepts a DTypeSpec, ``str``/``bytes``/``bool``/``int``/``float``/``complex``, numpy types and
    dtypes (including h5py's special dtypes), names like ``"float32"`` or ``"str"``, or a dict in
    the serialized form.

    >>> as_dtype(str).describe(), as_dtype("<f4").describe()
    ('str (variable-length UTF-8)', 'float32')
    """
    spec: DTypeSpec = _ADAPTER.validate_python(parse_dtype(value))
    return spec


def to_numpy(spec: DTypeSpec) -> np.dtype[Any]:
    """The numpy dtype (with h5py's metadata conventions) that creates a dataset of ``spec``."""
    return spec.to_numpy()
