"""What the h5py layer hands up: plain records and the two failure exceptions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from h5schema._types.dtypes import DTypeSpec

__all__ = [
    "AttrRead",
    "AttrScan",
    "DatasetInfo",
    "Handle",
    "Link",
    "LinkKind",
    "ObjectError",
    "Unreadable",
]

Handle = Any  # an h5py ObjectID (GroupID, DatasetID, ...); opaque outside this module
# "hard" is a hard link whose object type is learnt when it is opened (asking earlier costs a read
# of the object header, and for a chunked dataset of its whole chunk index).
LinkKind = Literal[
    "hard", "group", "dataset", "datatype", "soft_link", "external_link", "other", "unreadable"
]


class Unreadable(Exception):
    """The file as a whole cannot be opened; ``str()`` says why and what to do."""


class ObjectError(Exception):
    """One object (or attribute) inside an open file cannot be read."""


@dataclass(frozen=True, slots=True)
class Link:
    name: str
    kind: LinkKind
    target: str | None = None  # soft/external link destination; for "unreadable", the error


# Records are plain slotted dataclasses (not frozen): the walker builds one per object and per
# attribute, and a frozen dataclass's __init__ costs several times more.


@dataclass(slots=True)
class AttrRead:
    """One attribute opened once: its type and shape, and its value when it was asked for."""

    dtype: DTypeSpec | None
    shape: tuple[int, ...] | None  # None: the null dataspace (h5py.Empty)
    value: Any = None
    error: str | None = None  # the attribute exists but cannot be read
    too_big: int | None = None  # the value was wanted but not read: its size in bytes is over the limit


@dataclass(slots=True)
class AttrScan:
    """The declared attributes found on an object, and the names of the undeclared ones."""

    found: dict[str, AttrRead]
    extra: list[str]


@dataclass(slots=True)
class DatasetInfo:
    """A dataset header. The layout fields (chunks .. fillvalue) are read only when asked for."""

    dtype: DTypeSpec
    shape: tuple[int, ...] | None  # None: null dataspace
    maxshape: tuple[int | None, ...] | None
    nbytes_per_item: int
    layout_read: bool = False
    chunks: tuple[int, ...] | None = None
    compression: str = "none"  # "none", "gzip", "lzf", "szip" or "filter <id>"
    compression_opts: int | None = None
    shuffle: bool = False
    fletcher32: bool = False
    fillvalue: Any = None  # None when the file leaves it undefined
    foreign: str | None = None  # storage outside the file (virtual sources, external raw storage)
