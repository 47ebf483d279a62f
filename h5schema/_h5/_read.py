"""Reading structure with the low-level API: links, attributes, dataset headers, data blocks.

One bad object fails alone (:class:`ObjectError`) and no path is reopened twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import h5py
import numpy as np
from h5py import h5a, h5d, h5l, h5o, h5s, h5z

from h5schema._dtypes import DTypeSpec, StringDType, from_numpy
from h5schema._h5._types import AttrInfo, DatasetInfo, Handle, Link, LinkKind, ObjectError
from h5schema._strings import decode_array

_UNLIMITED = h5s.UNLIMITED


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


def read_dataset(ds: h5py.Dataset, sel: Any, dtype: DTypeSpec) -> Any:
    """Read a selection, with strings decoded by flavour (and scalars as Python values)."""
    raw = ds[sel]
    if isinstance(dtype, StringDType):
        arr = np.asarray(raw, dtype=raw.dtype if isinstance(raw, np.ndarray) else None)
        out = decode_array(dtype, arr)
        return out.item() if out.ndim == 0 else out
    return raw
