"""Opening files for reading, with every failure explained as :class:`Unreadable`."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, TypeAlias

import h5py

from h5schema._h5._types import Handle, Unreadable


def _explain_open_error(path: Path, exc: BaseException) -> str:
    text = str(exc)
    low = text.lower()
    if "file signature not found" in low:
        return "not an HDF5 file (no HDF5 signature found)"
    if "truncated file" in low:
        return (
            f"truncated: the file is shorter than its header says ({path.stat().st_size} bytes "
            "on disk); it was probably cut off during a copy or a write"
        )
    if "already open for write" in low or ("file close degree" in low and "swmr" in low):
        return (
            "not closed cleanly: a writer crashed or still holds it; open it with swmr=True "
            "or run h5clear -s on it"
        )
    if "unable to lock file" in low or ("lock" in low and "resource temporarily" in low):
        return "locked by another process that has it open for writing; retry when it is closed"
    if "permission denied" in low:
        return "permission denied"
    return f"cannot be opened as HDF5: {text}"


def open_read(path: str | os.PathLike[str]) -> h5py.File:
    """Open a file read-only, or raise :class:`Unreadable` with the reason."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise Unreadable("no such file") from None
    except OSError as exc:
        raise Unreadable(f"cannot be read: {exc.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise Unreadable("is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise Unreadable("is not a regular file (a FIFO, device or socket); refused before opening")
    if st.st_size == 0:
        raise Unreadable("is empty (0 bytes), not an HDF5 file")
    try:
        return h5py.File(p, "r")
    except Exception as exc:
        raise Unreadable(_explain_open_error(p, exc)) from None


def root_of(source: h5py.File | h5py.Group) -> Handle:
    return source.id if isinstance(source, h5py.Group) else source["/"].id


def name_of(source: h5py.Group) -> str:
    """The absolute path of an open group ("/" for a file)."""
    return str(source.name or "/")


def file_label(source: h5py.Group) -> str:
    return str(source.file.filename)


H5Group: TypeAlias = h5py.Group
"""An open ``h5py.File`` or ``h5py.Group``: what callers may hand in instead of a path."""


def is_h5py_object(value: Any) -> bool:
    return isinstance(value, h5py.Group)
