"""Reading dataset values for data checks: chunk-aligned blocks, stored chunks, the fill value."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import h5py
import numpy as np
from h5py import h5d

from h5schema._h5._types import DatasetInfo, Handle, ObjectError
from h5schema._types.dtypes import DTypeSpec

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
    block = _block_shape(shape, info.chunks or (1,) * len(shape), max(info.nbytes_per_item, 1), budget)
    reuse = ds.dtype.kind in "biufc" and ds.dtype.names is None
    buffer = np.empty(block, dtype=ds.dtype) if reuse else None
    for start, sel in _selections(shape, block, part):
        yield start, _read_block(ds, info, sel, buffer)


def _selections(
    shape: tuple[int, ...], block: list[int], part: Part
) -> Iterator[tuple[tuple[int, ...], tuple[slice, ...]]]:
    """The start and the selection of each block of the grid (of the part's share), in C order."""
    ranges = [range(0, n, b) for n, b in zip(shape, block, strict=True)]
    counts = [len(r) for r in ranges]
    for index in _share(int(np.prod(counts)), part):
        offset = np.unravel_index(index, counts)
        start = tuple(r[i] for r, i in zip(ranges, offset, strict=True))
        yield start, tuple(slice(s, min(s + b, n)) for s, b, n in zip(start, block, shape, strict=True))


def _block_shape(shape: tuple[int, ...], chunks: tuple[int, ...], item: int, budget: int) -> list[int]:
    """Whole chunks, grown along the trailing axes first (contiguous reads) to about ``budget``
    bytes, never past the dataset's extent."""
    block = list(chunks)
    for axis in reversed(range(len(shape))):
        unit = block[axis]
        others = int(np.prod([b for i, b in enumerate(block) if i != axis])) * item
        fit = max(unit, (budget // max(others, 1)) // unit * unit)
        block[axis] = min(max(shape[axis], 1), fit)
    return block


def _read_block(ds: h5py.Dataset, info: DatasetInfo, sel: Any, buffer: np.ndarray | None) -> np.ndarray:
    """One block: numbers read into the one reused buffer (a block is valid until the next one is
    read), anything else (or a partial block on an inner axis) read and decoded afresh."""
    if buffer is None:
        return _decoded(ds, info, sel)
    view = buffer[tuple(slice(0, x.stop - x.start) for x in sel)]
    if not view.flags.c_contiguous:
        return _decoded(ds, info, sel)
    try:
        ds.read_direct(view, sel)
    except Exception as exc:
        raise ObjectError(f"cannot read data: {exc}") from None
    return view


def unwritten(dsid: Handle, info: DatasetInfo) -> tuple[int, tuple[int, ...], list[tuple[int, ...]] | None]:
    """How much of a dataset was never written (it reads back as the fill value) without reading
    any data: ``(count, first index, stored chunk offsets)``. The offsets are None when every
    chunk is stored (or the dataset is not chunked and its storage exists): read it all then."""
    shape = info.shape or ()
    total = int(np.prod(shape, dtype=np.float64)) if shape else 1
    if info.chunks is None:
        return _unwritten_contiguous(dsid, shape, total)
    chunks = info.chunks
    grid, offsets = _stored_chunks(dsid, shape, chunks)
    if offsets is None:
        return 0, (), None
    inside = _within_extent(offsets, shape)
    written = sum(_chunk_elements(off, chunks, shape) for off in inside)
    if written >= total:
        return 0, (), inside
    return total - written, _first_unstored(inside, chunks, grid), inside


def _unwritten_contiguous(
    dsid: Handle, shape: tuple[int, ...], total: int
) -> tuple[int, tuple[int, ...], list[tuple[int, ...]] | None]:
    """Contiguous storage is written whole or not at all (none allocated)."""
    try:
        contiguous = dsid.get_create_plist().get_layout() == h5d.CONTIGUOUS
        if total and contiguous and dsid.get_storage_size() == 0:  # never written
            return total, (0,) * len(shape), []
    except Exception as exc:
        raise ObjectError(f"cannot read the chunk index: {exc}") from None
    return 0, (), None


def _stored_chunks(
    dsid: Handle, shape: tuple[int, ...], chunks: tuple[int, ...]
) -> tuple[list[int], list[tuple[int, ...]] | None]:
    """The chunk grid, and the offsets of the chunks the index lists (None when it lists as many
    chunks as the grid holds: all are stored)."""
    try:
        grid = [-(-n // c) for n, c in zip(shape, chunks, strict=True)]
        if int(np.prod(grid, dtype=np.float64)) == dsid.get_num_chunks():
            return grid, None
        offsets: list[tuple[int, ...]] = []
        dsid.chunk_iter(lambda store: offsets.append(tuple(store.chunk_offset)))
    except Exception as exc:
        raise ObjectError(f"cannot read the chunk index: {exc}") from None
    return grid, offsets


def _within_extent(offsets: list[tuple[int, ...]], shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The chunk offsets inside the extent, once each, in order: a corrupt index may list chunks
    outside the extent, or twice, and they hold nothing readable."""
    return sorted({o for o in offsets if all(0 <= x < n for x, n in zip(o, shape, strict=True))})


def _chunk_elements(offset: tuple[int, ...], chunks: tuple[int, ...], shape: tuple[int, ...]) -> int:
    """The elements of the extent that the chunk at ``offset`` holds (edge chunks hold fewer)."""
    return int(np.prod([min(c, n - o) for o, c, n in zip(offset, chunks, shape, strict=True)]))


def _first_unstored(
    inside: list[tuple[int, ...]], chunks: tuple[int, ...], grid: list[int]
) -> tuple[int, ...]:
    """The index of the first chunk, in C order, that is not stored."""
    gap = len(inside)
    for i, off in enumerate(inside):
        if tuple(o // c for o, c in zip(off, chunks, strict=True)) != np.unravel_index(i, grid):
            gap = i
            break
    return tuple(int(x) * c for x, c in zip(np.unravel_index(gap, grid), chunks, strict=True))


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
        elif dtype.kind == "O":  # a null variable-length value reads back empty
            buf = info.dtype.as_elements([info.dtype.blank()])
    except Exception:
        return None
    return info.dtype.decode(buf)


def _decoded(ds: h5py.Dataset, info: DatasetInfo, sel: Any) -> np.ndarray:
    try:
        raw = np.asarray(ds[sel])
    except Exception as exc:
        raise ObjectError(f"cannot read data: {exc}") from None
    try:
        return info.dtype.decode(raw)
    except UnicodeDecodeError as exc:
        raise ObjectError(f"holds strings that are not valid {exc.encoding}: {exc}") from None


def read_dataset(ds: h5py.Dataset, sel: Any, dtype: DTypeSpec) -> Any:
    """Read a selection, with strings decoded by flavour (and scalars as Python values)."""
    raw = ds[sel]
    if not isinstance(raw, np.ndarray):
        return dtype.decode_value(raw)
    out = dtype.decode(raw)
    return out[()] if out.ndim == 0 and out is not raw else out  # decoded text: a Python value
