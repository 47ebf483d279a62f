"""Reading dataset values for data checks: chunk-aligned blocks, stored chunks, the fill value."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import h5py
import numpy as np
from h5py import h5d

from h5schema._h5._types import DatasetInfo, Handle, ObjectError
from h5schema._types.dtypes import DTypeSpec, StringDType
from h5schema._types.strings import decode_array

__all__ = ["fill_block", "iter_blocks", "iter_chunks", "read_dataset", "unwritten"]


Part = tuple[int, int]  # (k, n): the k-th of n consecutive, near-equal shares of the blocks


def _share(total: int, part: Part) -> range:
    k, n = part
    return range(k * total // n, (k + 1) * total // n)


def iter_blocks(
    dsid: Handle, info: DatasetInfo, budget: int, part: Part = (0, 1)
) -> Iterator[tuple[tuple[int, ...], np.ndarray]]:
    """Yield ``(offset, block)`` covering the dataset (or its ``part``) in chunk-aligned blocks of
    about ``budget`` bytes (never less than one chunk), strings decoded by flavour."""
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
    counts = [len(r) for r in ranges]
    for index in _share(int(np.prod(counts)), part):
        offset = np.unravel_index(index, counts)
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
    dsid: Handle, info: DatasetInfo, offsets: list[tuple[int, ...]], part: Part = (0, 1)
) -> Iterator[tuple[tuple[int, ...], np.ndarray]]:
    """Yield ``(offset, block)`` for the given stored chunks only (or their ``part``), strings
    decoded by flavour."""
    ds = h5py.Dataset(dsid)
    shape, chunks = info.shape or (), info.chunks or ()
    for off in (offsets[i] for i in _share(len(offsets), part)):
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
