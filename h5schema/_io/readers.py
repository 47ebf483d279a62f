"""Readers: typed access to a file, with strings decoded by flavour.

A UTF-8 string dataset reads as ``str`` values and an ASCII one as ``bytes``, whether
variable- or fixed-length: exactly what was written through a writer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from types import TracebackType
from typing import Any, Self

from h5schema import _h5
from h5schema._schema.model import SchemaLike, as_schema
from h5schema._types.dtypes import DTypeSpec
from h5schema._typing import StrPath
from h5schema._validate.walk import walk

__all__ = ["DatasetReader", "FileReader", "GroupReader", "open"]


def _attrs(obj: Any) -> dict[str, Any]:
    oid = obj.id
    return {name: _h5.read_attribute(oid, name) for name in _h5.attribute_names(oid)}


class DatasetReader:
    """Read access to one dataset."""

    def __init__(self, ds: Any, path: str) -> None:
        self._ds = ds
        self.path = path
        info = _h5.dataset_info(ds.id)
        self.dtype: DTypeSpec = info.dtype
        self.shape = info.shape

    def __repr__(self) -> str:
        return f"<DatasetReader {self.path} {self.shape} {self.dtype.describe()}>"

    def __len__(self) -> int:
        return self.shape[0] if self.shape else 0

    def __getitem__(self, sel: Any) -> Any:
        return _h5.read_dataset(self._ds, sel, self.dtype)

    def read(self) -> Any:
        return self[...] if self.shape else self[()]

    @property
    def attrs(self) -> dict[str, Any]:
        """All attributes, strings decoded by flavour."""
        return _attrs(self._ds)


class GroupReader:
    """Read access to a group: members by name or path, and attributes."""

    def __init__(self, group: Any, path: str) -> None:
        self._group = group
        self.path = path

    def __repr__(self) -> str:
        return f"<GroupReader {self.path}>"

    def __getitem__(self, name: str) -> GroupReader | DatasetReader:
        obj = _h5.get_member(self._group, name)
        path = "/" + "/".join(p for p in (self.path.strip("/"), name.strip("/")) if p)
        return GroupReader(obj, path) if _h5.is_group(obj) else DatasetReader(obj, path)

    def __contains__(self, name: str) -> bool:
        return _h5.has_member(self._group, name)

    def __iter__(self) -> Iterator[str]:
        return iter(link.name for link in _h5.links(self._group.id))

    def keys(self) -> list[str]:
        return list(self)

    @property
    def attrs(self) -> dict[str, Any]:
        return _attrs(self._group)


class FileReader(GroupReader):
    """An open file for reading. Use it as a context manager."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._file = _h5.open_read(path)
        super().__init__(self._file, "/")

    def close(self) -> None:
        _h5.close(self._file)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object | TracebackType | None) -> None:
        self.close()


def open(path: StrPath, schema: SchemaLike | None = None, *, check: bool = True) -> FileReader:
    """Open a file for reading. With a schema and ``check``, an invalid file raises
    :class:`InvalidFileError` (metadata is checked; data checks are not run)."""
    if schema is not None and check:
        walk(path, as_schema(schema), check_data=False).raise_if_invalid()
    try:
        return FileReader(path)
    except _h5.Unreadable as exc:
        raise OSError(f"{os.fspath(path)}: {exc}") from None
