"""Writing: atomic file creation, groups, datasets, attributes, appends."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from h5schema._types.dtypes import DTypeSpec, StringDType, to_numpy


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class SwmrUnsupported(Exception):
    """The file cannot be written in SWMR mode; ``str()`` says why."""


TEMP_PREFIX = ".{name}.h5schema-"
TEMP_SUFFIX = ".tmp"
# HDF5 1.10's file format (superblock version 3), the oldest SWMR writing accepts.
_SWMR_LIBVER = ("v110", "latest")


def create_atomic(
    path: Path, build: Callable[[h5py.File], None], *, overwrite: bool, swmr: bool = False
) -> None:
    """Build a new file in a temporary sibling and move it into place only when complete.

    The sibling is named ``.<name>.h5schema-<random>.tmp``; a process killed before the end
    leaves it behind, never a partial file at ``path``. Without ``overwrite`` the final step is
    a hard link, which fails if the target appeared in the meantime. With ``swmr`` the file is
    written in the HDF5 1.10 format, which SWMR writing needs.
    """
    directory = path.parent if str(path.parent) else Path(".")
    prefix = TEMP_PREFIX.format(name=path.name)
    fd, tmp_name = tempfile.mkstemp(prefix=prefix, suffix=TEMP_SUFFIX, dir=directory)
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a data file follows the umask
    try:
        with h5py.File(tmp, "w", libver=_SWMR_LIBVER if swmr else None) as f:
            build(f)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
        _fsync_dir(directory)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def open_append(path: str | os.PathLike[str], *, swmr: bool = False) -> h5py.File:
    """Open a file for writing; with ``swmr``, straight into SWMR writing mode.

    Opening in SWMR mode at once (rather than opening, then switching) leaves no moment at
    which a killed writer would leave the file marked as open by a non-SWMR writer. A file not
    in the HDF5 1.10 format raises :class:`SwmrUnsupported`.
    """
    if not swmr:
        return h5py.File(path, "r+")
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(h5py.h5f.LIBVER_V110, h5py.h5f.LIBVER_LATEST)
    flags = h5py.h5f.ACC_RDWR | h5py.h5f.ACC_SWMR_WRITE
    try:
        fid = h5py.h5f.open(os.fsencode(path), flags, fapl=fapl)
    except OSError as exc:
        if "superblock version" in str(exc).lower():
            raise SwmrUnsupported(
                "SWMR writing needs the HDF5 1.10 file format, and this file is older; "
                "create it with swmr=True"
            ) from None
        raise
    return h5py.File(fid)


def create_group(parent: h5py.Group, name: str) -> h5py.Group:
    return parent.create_group(name)


def get_member(parent: h5py.Group, name: str) -> h5py.Group | h5py.Dataset:
    return parent[name]


def has_member(parent: h5py.Group, name: str) -> bool:
    return name in parent


def create_dataset(
    parent: h5py.Group,
    name: str,
    *,
    dtype: DTypeSpec,
    shape: tuple[int, ...],
    maxshape: tuple[int | None, ...] | None,
    chunks: tuple[int, ...] | None,
    compression: str | None,
    compression_opts: int | None,
    shuffle: bool,
    fletcher32: bool,
    fillvalue: Any,
    data: np.ndarray | None,
) -> h5py.Dataset:
    npdt = to_numpy(dtype)
    if fillvalue is not None and npdt.kind in "OS":  # text: encoded as the flavour stores it
        fillvalue = dtype.coerce(fillvalue)[()]
    ds = parent.create_dataset(
        name,
        shape=shape,
        dtype=npdt,
        maxshape=maxshape,
        chunks=chunks,
        compression=None if compression in (None, "none") else compression,
        compression_opts=compression_opts,
        shuffle=shuffle or None,
        fletcher32=fletcher32 or None,
        fillvalue=fillvalue,
    )
    if data is not None and data.size:
        write_block(ds, np.s_[...], data)
    return ds


def write_attribute(
    obj: h5py.Group | h5py.Dataset, name: str, value: Any, kind: str, dtype: DTypeSpec | None
) -> None:
    """Write an attribute with the HDF5 type its declared kind maps to."""
    attrs = obj.attrs
    if kind in ("str", "bytes") or (kind == "list" and dtype is not None and isinstance(dtype, StringDType)):
        spec = (
            dtype
            if isinstance(dtype, StringDType)
            else StringDType(encoding="utf-8" if kind == "str" else "ascii")
        )
        arr = spec.coerce(value)
        attrs.create(name, arr, dtype=to_numpy(spec))
    elif kind == "bool":
        attrs.create(name, np.bool_(value))
    elif kind == "int":
        attrs.create(name, np.int64(value))
    elif kind == "float":
        attrs.create(name, np.float64(value))
    else:
        arr = np.asarray(value, dtype=to_numpy(dtype) if dtype is not None else None)
        attrs.create(name, arr)


def resize(ds: h5py.Dataset, length: int, axis: int) -> None:
    ds.resize(length, axis=axis)


def write_block(ds: h5py.Dataset, sel: Any, block: np.ndarray) -> None:
    """Write ``block`` to the selection ``sel`` of ``ds`` as it is (no conversion guessed)."""
    if block.dtype.kind == "S":  # concatenation drops h5py's encoding metadata; restore it
        block = block.view(ds.dtype)
    if _holds_sequences(ds.dtype):
        # h5py's ds[sel] = ... stacks sequences of one length into a 2-d array first and then
        # takes its rows apart wrongly; an object array of 1-d arrays goes straight to HDF5.
        ds.write_direct(np.ascontiguousarray(block, dtype=ds.dtype), dest_sel=sel)
        return
    ds[sel] = block


def _holds_sequences(dt: np.dtype[Any]) -> bool:
    """A variable-length dtype of numbers (h5py.vlen_dtype of a number type)."""
    inner = h5py.check_vlen_dtype(dt)
    return isinstance(inner, np.dtype)  # str and bytes are strings; and dtype == None is float64


def flush(f: h5py.File) -> None:
    f.flush()


def close(f: h5py.File) -> None:
    f.close()


def shape_of(ds: h5py.Dataset) -> tuple[int, ...]:
    return tuple(ds.shape)


def is_group(obj: Any) -> bool:
    return isinstance(obj, h5py.Group)
