"""The only module that talks to h5py.

Everything above it works with plain dataclasses and the schema's own dtype models; handles
(``Handle``) pass through as opaque objects. Reading uses h5py's low-level API (link iteration,
``h5o``/``h5a``) so one bad object fails alone and no path is reopened twice. Failures are turned
into :class:`Unreadable` (the file) or :class:`ObjectError` (one object) with a readable message.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import h5py
import numpy as np
from h5py import h5a, h5d, h5l, h5o, h5s, h5z

from h5schema._dtypes import DTypeSpec, StringDType, from_numpy, to_numpy
from h5schema._strings import decode_array, encode_array

__all__ = [
    "AttrInfo",
    "DatasetInfo",
    "Handle",
    "Link",
    "ObjectError",
    "Unreadable",
]

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


# ---------------------------------------------------------------- opening


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


def is_h5py_object(value: Any) -> bool:
    return isinstance(value, h5py.Group)


# ---------------------------------------------------------------- reading structure


def _decode_name(raw: bytes) -> str:
    return raw.decode("utf-8", errors="surrogateescape")


def links(gid: Handle) -> list[Link]:
    """The links of a group, by name, without following soft or external links."""
    found: list[tuple[bytes, int]] = []

    def visit(name: bytes, info: Any) -> None:
        found.append((name, info.type))

    try:
        gid.links.iterate(visit, info=True)
    except Exception as exc:
        raise ObjectError(f"cannot list members: {exc}") from None
    out = []
    for raw, ltype in found:
        name = _decode_name(raw)
        if ltype == h5l.TYPE_SOFT:
            out.append(Link(name, "soft_link", _link_value(gid, raw)))
        elif ltype == h5l.TYPE_EXTERNAL:
            out.append(Link(name, "external_link", _link_value(gid, raw)))
        elif ltype == h5l.TYPE_HARD:
            out.append(_hard_link(gid, raw, name))
        else:
            out.append(Link(name, "other"))
    return out


def _link_value(gid: Handle, raw: bytes) -> str | None:
    """A soft link's target path, or an external link's ``file:path`` (never followed)."""
    try:
        val = gid.links.get_val(raw)
    except Exception:
        return None
    if isinstance(val, tuple):
        return f"{_decode_name(val[0])}:{_decode_name(val[1])}"
    return _decode_name(val)


_OBJ_KINDS: dict[int, LinkKind] = {
    h5o.TYPE_GROUP: "group",
    h5o.TYPE_DATASET: "dataset",
    h5o.TYPE_NAMED_DATATYPE: "datatype",
}


def _hard_link(gid: Handle, raw: bytes, name: str) -> Link:
    try:
        return Link(name, _OBJ_KINDS.get(h5o.get_info(gid, raw).type, "other"))
    except Exception as exc:
        return Link(name, "unreadable", f"cannot read its object header: {exc}")


def open_member(gid: Handle, name: str) -> Handle:
    try:
        return h5o.open(gid, name.encode("utf-8", errors="surrogateescape"))
    except Exception as exc:
        raise ObjectError(f"cannot open: {exc}") from None


def attribute_names(oid: Handle) -> list[str]:
    names: list[str] = []
    try:
        h5a.iterate(oid, lambda n, *_: names.append(_decode_name(n)))
    except Exception as exc:
        raise ObjectError(f"cannot list attributes: {exc}") from None
    return names


def _attr(oid: Handle, name: str) -> Any:
    return h5a.open(oid, name.encode("utf-8", errors="surrogateescape"))


def attribute_info(oid: Handle, name: str) -> AttrInfo:
    try:
        a = _attr(oid, name)
        null = a.get_space().get_simple_extent_type() == h5s.NULL
        return AttrInfo(from_numpy(a.dtype), None if null else tuple(a.shape))
    except Exception as exc:
        raise ObjectError(f"cannot read attribute type: {exc}") from None


def read_attribute(oid: Handle, name: str) -> Any:
    """The attribute's value: Python scalars for scalars, ndarrays otherwise; strings decoded by
    flavour (UTF-8 to str, ASCII to bytes)."""
    try:
        a = _attr(oid, name)
        if a.get_space().get_simple_extent_type() == h5s.NULL:
            return None
        arr = np.empty(a.shape, dtype=a.dtype)
        a.read(arr)
        spec = from_numpy(a.dtype)
        if isinstance(spec, StringDType):
            arr = decode_array(spec, arr)
        return arr.item() if arr.ndim == 0 and arr.dtype.kind in "biufcOS" else arr
    except Exception as exc:
        raise ObjectError(f"cannot read attribute value: {exc}") from None


def _filters(dcpl: Any) -> tuple[str, int | None, bool, bool]:
    compression, opts, shuffle, fletcher = "none", None, False, False
    for i in range(dcpl.get_nfilters()):
        code, _flags, values, _name = dcpl.get_filter(i)
        if code == h5z.FILTER_DEFLATE:
            compression, opts = "gzip", int(values[0]) if values else None
        elif code == h5z.FILTER_SHUFFLE:
            shuffle = True
        elif code == h5z.FILTER_FLETCHER32:
            fletcher = True
        elif code == 32000:
            compression = "lzf"
        elif code == h5z.FILTER_SZIP:
            compression = "szip"
        elif code not in (h5z.FILTER_SCALEOFFSET, h5z.FILTER_NBIT):
            compression = f"filter {code}"
    return compression, opts, shuffle, fletcher


def dataset_info(dsid: Handle) -> DatasetInfo:
    try:
        space = dsid.get_space()
        null = space.get_simple_extent_type() == h5s.NULL
        shape = None if null else tuple(space.get_simple_extent_dims())
        maxshape = None
        if not null:
            maxshape = tuple(None if m == _UNLIMITED else int(m) for m in space.get_simple_extent_dims(True))
        dcpl = dsid.get_create_plist()
        chunks = tuple(dcpl.get_chunk()) if dcpl.get_layout() == h5d.CHUNKED else None
        compression, opts, shuffle, fletcher = _filters(dcpl)
        dtype = dsid.dtype
        spec = from_numpy(dtype)
        fill = None
        if dcpl.fill_value_defined() == h5d.FILL_VALUE_USER_DEFINED:
            buf = np.zeros((1,), dtype=dtype)
            dcpl.get_fill_value(buf)
            fill = buf[0].item() if isinstance(buf[0], np.generic) and dtype.names is None else buf[0]
            if isinstance(spec, StringDType) and isinstance(fill, bytes) and spec.encoding == "utf-8":
                fill = fill.decode("utf-8", errors="replace")
        return DatasetInfo(
            dtype=spec,
            shape=shape,
            maxshape=maxshape,
            chunks=chunks,
            compression=compression,
            compression_opts=opts,
            shuffle=shuffle,
            fletcher32=fletcher,
            fillvalue=fill,
            nbytes_per_item=dtype.itemsize,
        )
    except Exception as exc:
        raise ObjectError(f"cannot read dataset metadata: {exc}") from None


def iter_blocks(dsid: Handle, info: DatasetInfo, budget: int) -> Iterator[tuple[tuple[int, ...], np.ndarray]]:
    """Yield ``(offset, block)`` covering the dataset in chunk-aligned blocks of about ``budget``
    bytes (never less than one chunk), strings decoded by flavour."""
    shape = info.shape or ()
    if info.shape is None:
        return
    ds = h5py.Dataset(dsid)
    if shape == ():
        yield (), _decoded(ds, info, ())
        return
    block = list(info.chunks or (1,) * len(shape))
    item = max(info.nbytes_per_item, 1)
    for axis in reversed(range(len(shape))):  # grow trailing axes first: contiguous reads
        unit = block[axis]
        others = int(np.prod([b for i, b in enumerate(block) if i != axis])) * item
        fit = max(unit, (budget // max(others, 1)) // unit * unit)
        block[axis] = min(max(shape[axis], 1), fit)
    ranges = [range(0, n, b) for n, b in zip(shape, block, strict=True)]
    for offset in np.ndindex(*[len(r) for r in ranges]):
        start = tuple(r[i] for r, i in zip(ranges, offset, strict=True))
        sel = tuple(slice(s, min(s + b, n)) for s, b, n in zip(start, block, shape, strict=True))
        yield start, _decoded(ds, info, sel)


def _decoded(ds: h5py.Dataset, info: DatasetInfo, sel: Any) -> np.ndarray:
    try:
        raw = np.asarray(ds[sel])
    except Exception as exc:
        raise ObjectError(f"cannot read data: {exc}") from None
    if isinstance(info.dtype, StringDType):
        return decode_array(info.dtype, raw)
    return raw


# ---------------------------------------------------------------- writing


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


def create_atomic(path: Path, build: Callable[[h5py.File], None], *, overwrite: bool) -> None:
    """Build a new file in a temporary sibling and move it into place only when complete.

    Without ``overwrite`` the final step is a hard link, which fails if the target appeared in
    the meantime; a failure at any step leaves nothing at ``path``.
    """
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a data file follows the umask
    try:
        with h5py.File(tmp, "w") as f:
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


def open_append(path: str | os.PathLike[str]) -> h5py.File:
    return h5py.File(path, "r+")


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
    if fillvalue is not None and isinstance(dtype, StringDType):
        fillvalue = encode_array(dtype, fillvalue)[()]
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
        ds[...] = data
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
        arr = encode_array(spec, value)
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


def write_block(ds: h5py.Dataset, sel: tuple[slice, ...], block: np.ndarray) -> None:
    if block.dtype.kind == "S":  # concatenation drops h5py's encoding metadata; restore it
        block = block.view(ds.dtype)
    ds[sel] = block


def flush(f: h5py.File) -> None:
    f.flush()


def close(f: h5py.File) -> None:
    f.close()


def dataset_of(obj: Any) -> h5py.Dataset:
    return obj


def read_dataset(ds: h5py.Dataset, sel: Any, dtype: DTypeSpec) -> Any:
    """Read a selection, with strings decoded by flavour (and scalars as Python values)."""
    raw = ds[sel]
    if isinstance(dtype, StringDType):
        arr = np.asarray(raw, dtype=raw.dtype if isinstance(raw, np.ndarray) else None)
        out = decode_array(dtype, arr)
        return out.item() if out.ndim == 0 else out
    return raw


def shape_of(ds: h5py.Dataset) -> tuple[int, ...]:
    return tuple(ds.shape)


def is_group(obj: Any) -> bool:
    return isinstance(obj, h5py.Group)
