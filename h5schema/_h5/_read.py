"""Reading structure with the low-level API: links, attributes, dataset headers, data blocks.

Each object is opened once and each attribute once; one bad object fails alone
(:class:`ObjectError`). Hard links are not typed when listed: the type is learnt when the object
is opened, which the validator does anyway.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import h5py
import numpy as np
from h5py import h5a, h5d, h5g, h5l, h5o, h5s, h5t, h5z

from h5schema._dtypes import DTypeSpec, StringDType, from_numpy
from h5schema._h5._types import AttrRead, AttrScan, DatasetInfo, Handle, Link, LinkKind, ObjectError
from h5schema._strings import decode_array

_UNLIMITED = h5s.UNLIMITED
_DTYPES: dict[tuple[str, str], DTypeSpec] = {}
_DTYPE_CACHE_MAX = 4096


def dtype_spec(dt: np.dtype[Any]) -> DTypeSpec:
    """``from_numpy`` with a cache: files repeat a handful of dtypes many times."""
    if dt.names is not None or dt.subdtype is not None:
        return from_numpy(dt)
    key = (dt.str, str(dt.metadata))  # h5py's metadata tells the string flavours and enums apart
    spec = _DTYPES.get(key)
    if spec is None:
        if len(_DTYPES) >= _DTYPE_CACHE_MAX:  # a hostile file with endless distinct enums
            _DTYPES.clear()
        spec = _DTYPES[key] = from_numpy(dt)
    return spec


def _decode_name(raw: bytes | str) -> str:
    return raw if isinstance(raw, str) else raw.decode("utf-8", errors="surrogateescape")


class _Enough(Exception):
    """Stops a link iteration once one more than the limit is listed."""


def links(gid: Handle, limit: int | None = None) -> list[Link]:
    """The links of a group, by name, without following soft or external links.

    With ``limit``, listing stops after ``limit + 1`` links (so the caller can tell "too many")."""
    found: list[tuple[bytes, int]] = []

    def visit(name: bytes, info: Any) -> None:
        found.append((name, info.type))
        if limit is not None and len(found) > limit:
            raise _Enough

    try:
        gid.links.iterate(visit, info=True)
    except _Enough:
        pass
    except Exception as exc:
        raise ObjectError(f"cannot list members: {exc}") from None
    out = []
    for raw, ltype in found:
        name = _decode_name(raw)
        if ltype == h5l.TYPE_HARD:
            out.append(Link(name, "hard"))
        elif ltype == h5l.TYPE_SOFT:
            out.append(Link(name, "soft_link", _link_value(gid, raw)))
        elif ltype == h5l.TYPE_EXTERNAL:
            out.append(Link(name, "external_link", _link_value(gid, raw)))
        else:
            out.append(Link(name, "other"))
    return out


_MAX_HOPS = 16  # HDF5's own default limit on soft links followed in one path


def soft_target(gid: Handle, target: str) -> str | None:
    """Where a soft link's target path leads, resolved one component at a time without ever
    leaving the file: None when it names an object of this file, else the reason it does not
    ("nothing at /x", "an external link at /x", "a loop of soft links")."""
    try:
        root = h5g.open(gid, b"/")
    except Exception as exc:
        return f"cannot be resolved: {exc}"
    hops = 0
    todo = [c for c in target.split("/") if c not in ("", ".")]
    where = root if target.startswith("/") else gid
    at = "" if target.startswith("/") else None  # the absolute path reached, when known
    while todo:
        comp = todo.pop(0)
        raw = comp.encode("utf-8", errors="surrogateescape")
        here = f"{at}/{comp}" if at is not None else comp
        try:
            if not isinstance(where, h5g.GroupID) or not where.links.exists(raw):
                return f"nothing at {here}"
            ltype = where.links.get_info(raw).type
            if ltype == h5l.TYPE_SOFT:
                hops += 1
                if hops > _MAX_HOPS:
                    return "a loop of soft links"
                value = _decode_name(where.links.get_val(raw))
                todo = [c for c in value.split("/") if c not in ("", ".")] + todo
                if value.startswith("/"):
                    where, at = root, ""
                continue
            if ltype != h5l.TYPE_HARD:
                return f"an external link at {here}"
            if todo:
                where = h5o.open(where, raw)
            at = here if at is not None else None
        except Exception as exc:
            return f"cannot be resolved at {here}: {exc}"
    return None


def object_key(oid: Handle) -> tuple[int, int] | None:
    """An identity for an object reachable by more than one hard link (None when it has just one)."""
    try:
        info = h5o.get_info(oid)
    except Exception:
        return None
    return (info.fileno, info.addr) if info.rc > 1 else None


def _link_value(gid: Handle, raw: bytes) -> str | None:
    """A soft link's target path, or an external link's ``file:path`` (never followed)."""
    try:
        val = gid.links.get_val(raw)
    except Exception:
        return None
    if isinstance(val, tuple):
        return f"{_decode_name(val[0])}:{_decode_name(val[1])}"
    return _decode_name(val)


def kind_of(oid: Handle) -> LinkKind:
    """What an opened object is."""
    if isinstance(oid, h5g.GroupID):
        return "group"
    if isinstance(oid, h5d.DatasetID):
        return "dataset"
    if isinstance(oid, h5t.TypeID):
        return "datatype"
    return "other"


def open_member(gid: Handle, name: str) -> Handle:
    try:
        return h5o.open(gid, name.encode("utf-8", errors="surrogateescape"))
    except Exception as exc:
        raise ObjectError(f"cannot read its object header: {exc}") from None


def resolve_kind(gid: Handle, link: Link) -> Link:
    """A hard link with its object type (opening the object); other links as they are."""
    if link.kind != "hard":
        return link
    try:
        return Link(link.name, kind_of(open_member(gid, link.name)))
    except ObjectError as exc:
        return Link(link.name, "unreadable", str(exc))


def attribute_names(oid: Handle) -> list[str]:
    names: list[str] = []
    try:
        h5a.iterate(oid, lambda n, *_: names.append(_decode_name(n)))
    except Exception as exc:
        raise ObjectError(f"cannot list attributes: {exc}") from None
    return names


_TYPES: dict[tuple[Any, ...], tuple[DTypeSpec, np.dtype[Any]]] = {}


def _type_key(tid: Any) -> tuple[Any, ...] | None:
    """A cheap identity for the common scalar types (a numpy dtype costs more to build)."""
    if isinstance(tid, h5t.TypeStringID):
        return ("s", tid.is_variable_str(), tid.get_cset(), tid.get_size())
    if isinstance(tid, h5t.TypeFloatID):
        return ("f", tid.get_size(), tid.get_order())
    if isinstance(tid, h5t.TypeIntegerID):
        return ("i", tid.get_sign(), tid.get_size(), tid.get_order())
    return None  # enums (bool), compounds, arrays, ...: build the numpy dtype


def _attr_type(a: Any) -> tuple[DTypeSpec, np.dtype[Any]]:
    tid = a.get_type()
    key = _type_key(tid)
    if key is None:
        npdt = tid.dtype
        return dtype_spec(npdt), npdt
    hit = _TYPES.get(key)
    if hit is None:
        npdt = tid.dtype
        hit = _TYPES[key] = (dtype_spec(npdt), npdt)
    return hit


def _read_open(a: Any, want_value: bool, max_bytes: int | None = None) -> AttrRead:
    try:
        spec, npdt = _attr_type(a)
        shape = a.shape  # None for the null dataspace
        if shape is None:
            return AttrRead(spec, None)
        if not want_value:
            return AttrRead(spec, shape)
        if max_bytes is not None:
            nbytes = int(np.prod(shape, dtype=np.float64)) * npdt.itemsize  # no overflow on hostile shapes
            if nbytes > max_bytes:
                return AttrRead(spec, shape, too_big=nbytes)
        arr = np.empty(shape, dtype=npdt)
        a.read(arr)
        if isinstance(spec, StringDType):
            arr = decode_array(spec, arr)
        value = arr.item() if arr.ndim == 0 and arr.dtype.kind in "biufcOS" else arr
        return AttrRead(spec, shape, value)
    except Exception as exc:
        return AttrRead(None, None, error=f"cannot read attribute: {exc}")


_NO_ATTRIBUTES = AttrScan({}, [])


def scan_attributes(
    oid: Handle, wanted: Sequence[tuple[str, bool]], max_bytes: int | None = None
) -> AttrScan:
    """Open each wanted attribute once (reading its value when its flag says so and its size is
    at most ``max_bytes``), and list the other names only when the attribute count says some
    exist."""
    try:
        total = h5a.get_num_attrs(oid)
    except Exception as exc:
        raise ObjectError(f"cannot list attributes: {exc}") from None
    if total == 0:
        return _NO_ATTRIBUTES
    found: dict[str, AttrRead] = {}
    for name, want_value in wanted:
        if len(found) == total:
            break
        try:
            a = h5a.open(oid, name.encode("utf-8", errors="surrogateescape"))
        except KeyError:
            continue
        except Exception as exc:
            found[name] = AttrRead(None, None, error=f"cannot open attribute: {exc}")
            continue
        found[name] = _read_open(a, want_value, max_bytes)
    extra: list[str] = []
    if total > len(found):
        extra = [n for n in attribute_names(oid) if n not in found]
    return AttrScan(found, extra)


def _attr(oid: Handle, name: str) -> Any:
    return h5a.open(oid, name.encode("utf-8", errors="surrogateescape"))


def read_attribute(oid: Handle, name: str) -> Any:
    """The attribute's value: Python scalars for scalars, ndarrays otherwise; strings decoded by
    flavour (UTF-8 to str, ASCII to bytes)."""
    try:
        a = _attr(oid, name)
    except Exception as exc:
        raise ObjectError(f"cannot read attribute value: {exc}") from None
    got = _read_open(a, True)
    if got.error is not None:
        raise ObjectError(got.error)
    return got.value


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


def dataset_info(
    dsid: Handle, *, layout: bool = True, fill: bool = True, maxshape: bool = True
) -> DatasetInfo:
    """The dataset header; with ``layout`` also chunks and filters, with ``fill`` as well the fill
    value. ``maxshape=False`` leaves it None. Storage outside the file (a virtual dataset's
    sources, external raw storage) is always noted in ``foreign``, never opened."""
    try:
        space = dsid.get_space()
        dtype = dsid.dtype
        spec = dtype_spec(dtype)
        shape: tuple[int, ...] | None = None
        limits: tuple[int | None, ...] | None = None
        if space.get_simple_extent_type() != h5s.NULL:
            shape = space.get_simple_extent_dims()
            if maxshape:
                limits = tuple(None if m == _UNLIMITED else m for m in space.get_simple_extent_dims(True))
        dcpl = dsid.get_create_plist()
        kind = dcpl.get_layout()
        foreign = _foreign(dcpl, kind)
        if not layout:
            return DatasetInfo(spec, shape, limits, dtype.itemsize, foreign=foreign)
        chunks = tuple(dcpl.get_chunk()) if kind == h5d.CHUNKED else None
        compression, opts, shuffle, fletcher = _filters(dcpl)
        value = _fill_value(dcpl, dtype, spec) if fill else None
        return DatasetInfo(
            spec, shape, limits, dtype.itemsize, True, chunks, compression, opts, shuffle, fletcher, value,
            foreign=foreign,
        )  # fmt: skip
    except Exception as exc:
        raise ObjectError(f"cannot read dataset metadata: {exc}") from None


def _foreign(dcpl: Any, kind: int) -> str | None:
    """What a dataset's storage points at outside the file, in words; None when it is inside."""
    if kind == h5d.VIRTUAL:
        count = dcpl.get_virtual_count()
        sources = sorted({_decode_name(dcpl.get_virtual_filename(i)) for i in range(count)})
        return "a virtual dataset mapping " + (", ".join(sources) if sources else "no sources")
    n = dcpl.get_external_count()
    if n:
        files = [_decode_name(dcpl.get_external(i)[0]) for i in range(n)]
        return "external raw storage in " + ", ".join(dict.fromkeys(files))
    return None


def _fill_value(dcpl: Any, dtype: np.dtype[Any], spec: DTypeSpec) -> Any:
    if dcpl.fill_value_defined() != h5d.FILL_VALUE_USER_DEFINED:
        return None
    buf = np.zeros((1,), dtype=dtype)
    dcpl.get_fill_value(buf)
    fill = buf[0].item() if isinstance(buf[0], np.generic) and dtype.names is None else buf[0]
    if isinstance(spec, StringDType) and isinstance(fill, bytes) and spec.encoding == "utf-8":
        fill = fill.decode("utf-8", errors="replace")
    return fill


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
    reuse = ds.dtype.kind in "biufc" and ds.dtype.names is None
    buffer = np.empty(block, dtype=ds.dtype) if reuse else None
    for offset in np.ndindex(*[len(r) for r in ranges]):
        start = tuple(r[i] for r, i in zip(ranges, offset, strict=True))
        sel = tuple(slice(s, min(s + b, n)) for s, b, n in zip(start, block, shape, strict=True))
        if buffer is None:
            yield start, _decoded(ds, info, sel)
            continue
        # numbers: read into one buffer, reused (a yielded block is valid until the next one)
        view = buffer[tuple(slice(0, x.stop - x.start) for x in sel)]
        if not view.flags.c_contiguous:  # a partial block on an inner axis
            yield start, _decoded(ds, info, sel)
            continue
        try:
            ds.read_direct(view, sel)
        except Exception as exc:
            raise ObjectError(f"cannot read data: {exc}") from None
        yield start, view


def unwritten(dsid: Handle, info: DatasetInfo) -> tuple[int, tuple[int, ...], list[tuple[int, ...]] | None]:
    """How much of a dataset was never written (it reads back as the fill value) without reading
    any data: ``(count, first index, stored chunk offsets)``. The offsets are None when every
    chunk is stored (or the dataset is not chunked and its storage exists): read it all then."""
    shape = info.shape or ()
    total = int(np.prod(shape, dtype=np.float64)) if shape else 1
    try:
        if info.chunks is None:
            contiguous = dsid.get_create_plist().get_layout() == h5d.CONTIGUOUS
            if total and contiguous and dsid.get_storage_size() == 0:  # never written
                return total, (0,) * len(shape), []
            return 0, (), None
        grid = [-(-n // c) for n, c in zip(shape, info.chunks, strict=True)]
        if int(np.prod(grid, dtype=np.float64)) == dsid.get_num_chunks():
            return 0, (), None
        offsets: list[tuple[int, ...]] = []
        dsid.chunk_iter(lambda store: offsets.append(tuple(store.chunk_offset)))
    except Exception as exc:
        raise ObjectError(f"cannot read the chunk index: {exc}") from None
    # a corrupt index may list chunks outside the extent, or twice: they hold nothing readable
    inside = sorted({o for o in offsets if all(0 <= x < n for x, n in zip(o, shape, strict=True))})
    written = 0
    for off in inside:
        written += int(np.prod([min(c, n - o) for o, c, n in zip(off, info.chunks, shape, strict=True)]))
    if written >= total:
        return 0, (), inside
    gap = len(inside)  # the first chunk, in C order, that is not stored
    for i, off in enumerate(inside):
        if tuple(o // c for o, c in zip(off, info.chunks, strict=True)) != np.unravel_index(i, grid):
            gap = i
            break
    first = tuple(int(x) * c for x, c in zip(np.unravel_index(gap, grid), info.chunks, strict=True))
    return total - written, first, inside


def iter_chunks(
    dsid: Handle, info: DatasetInfo, offsets: list[tuple[int, ...]]
) -> Iterator[tuple[tuple[int, ...], np.ndarray]]:
    """Yield ``(offset, block)`` for the given stored chunks only, strings decoded by flavour."""
    ds = h5py.Dataset(dsid)
    shape, chunks = info.shape or (), info.chunks or ()
    for off in offsets:
        sel = tuple(slice(o, min(o + c, n)) for o, c, n in zip(off, chunks, shape, strict=True))
        yield off, _decoded(ds, info, sel)


def fill_block(dsid: Handle, info: DatasetInfo) -> np.ndarray | None:
    """One element holding what unwritten parts of the dataset read back as (None if unknown)."""
    try:
        dtype = dsid.dtype
        buf = np.zeros((1,), dtype=dtype)
        dcpl = dsid.get_create_plist()
        if dcpl.fill_value_defined() == h5d.FILL_VALUE_USER_DEFINED:
            dcpl.get_fill_value(buf)
        elif dtype.kind == "O":
            buf = np.array([b""], dtype=object)  # a null variable-length string reads back empty
    except Exception:
        return None
    if isinstance(info.dtype, StringDType):
        return decode_array(info.dtype, buf)
    return buf


def _decoded(ds: h5py.Dataset, info: DatasetInfo, sel: Any) -> np.ndarray:
    try:
        raw = np.asarray(ds[sel])
    except Exception as exc:
        raise ObjectError(f"cannot read data: {exc}") from None
    if isinstance(info.dtype, StringDType):
        try:
            return decode_array(info.dtype, raw)
        except UnicodeDecodeError as exc:
            raise ObjectError(f"holds strings that are not valid {info.dtype.encoding}: {exc}") from None
    return raw


def read_dataset(ds: h5py.Dataset, sel: Any, dtype: DTypeSpec) -> Any:
    """Read a selection, with strings decoded by flavour (and scalars as Python values)."""
    raw = ds[sel]
    if isinstance(dtype, StringDType):
        arr = np.asarray(raw, dtype=raw.dtype if isinstance(raw, np.ndarray) else None)
        out = decode_array(dtype, arr)
        return out.item() if out.ndim == 0 else out
    return raw
