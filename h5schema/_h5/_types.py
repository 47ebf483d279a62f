"""What the h5py layer hands up: plain records and the two failure exceptions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from h5py import h5s

from h5schema._dtypes import DTypeSpec

__all__ = ["AttrInfo", "DatasetInfo", "Handle", "Link", "LinkKind", "ObjectError", "Unreadable"]

Handle = Any  # an h5py ObjectID (GroupID, DatasetID, ...); opaque outside this module
LinkKind = Literal["group", "dataset", "datatype", "soft_link", "external_link", "other", "unreadable"]
_UNLIMITED = h5s.UNLIMITED


class Unreadable(Exception):
    """The file as a whole cannot be opened; ``str()`` says why and what to do."""


class ObjectError(Exception):
    """One object (or attribute) inside an open file cannot be read."""


@dataclass(frozen=True, slots=True)
class Link:
    name: str
    kind: LinkKind
    target: str | None = None  # soft/external link destination; for "unreadable", the error


@dataclass(frozen=True, slots=True)
class AttrInfo:
    dtype: DTypeSpec
    shape: tuple[int, ...] | None  # None: the null dataspace (h5py.Empty)


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    dtype: DTypeSpec
    shape: tuple[int, ...] | None  # None: null dataspace
    maxshape: tuple[int | None, ...] | None
    chunks: tuple[int, ...] | None
    compression: str  # "none", "gzip", "lzf", "szip" or "filter <id>"
    compression_opts: int | None
    shuffle: bool
    fletcher32: bool
    fillvalue: Any  # None when the file leaves it undefined
    nbytes_per_item: int
