"""Reading metadata with the low-level API: attributes and dataset headers.

Each attribute is opened once; one bad object fails alone (:class:`ObjectError`). Links live in
``_links``, dataset values in ``_data``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from h5py import h5a, h5d, h5s, h5t, h5z

from h5schema._h5._types import AttrRead, AttrScan, DatasetInfo, Handle, ObjectError
from h5schema._types.dtypes import DTypeSpec, from_numpy

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
    """An opened attribute's type and shape, and its value when wanted and within ``max_bytes``;
    any failure to read is recorded, not raised."""
    try:
        spec, npdt = _attr_type(a)
        shape = a.shape  # None for the null dataspace
        if shape is None or not want_value:
            return AttrRead(spec, shape)
        if shape == ():  # the common case, kept short: most attributes are scalars
            return _read_scalar(a, spec, npdt, max_bytes)
        return _read_array(a, spec, npdt, shape, max_bytes)
    except Exception as exc:
        return AttrRead(None, None, error=f"cannot read attribute: {exc}")


def _read_scalar(a: Any, spec: DTypeSpec, npdt: np.dtype[Any], max_bytes: int | None) -> AttrRead:
    """A scalar attribute's value as a Python value (UTF-8 strings decoded)."""
    if max_bytes is not None and npdt.itemsize > max_bytes:
        return AttrRead(spec, (), too_big=npdt.itemsize)
    one = np.empty((), dtype=npdt)
    a.read(one)
    value = one.item() if npdt.kind in "biufcOS" else one
    return AttrRead(spec, (), spec.decode_value(value))


def _read_array(
    a: Any, spec: DTypeSpec, npdt: np.dtype[Any], shape: tuple[int, ...], max_bytes: int | None
) -> AttrRead:
    """An array attribute's value (strings decoded by flavour), unless larger than ``max_bytes``."""
    if max_bytes is not None:
        nbytes = int(np.prod(shape, dtype=np.float64)) * npdt.itemsize  # no overflow on hostile shapes
        if nbytes > max_bytes:
            return AttrRead(spec, shape, too_big=nbytes)
    arr = np.empty(shape, dtype=npdt)
    a.read(arr)
    arr = spec.decode(arr)
    value = arr.item() if arr.ndim == 0 and arr.dtype.kind in "biufcOS" else arr
    return AttrRead(spec, shape, value)


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
    return spec.decode_value(fill, errors="replace")
