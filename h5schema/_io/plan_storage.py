"""Planning a dataset's storage: the shape, chunks and maximum shape it is created with.

Part of planning a file (see :mod:`h5schema._io.plan`): a shape that does not fit the declaration,
its named dims or its maxshape raises :class:`MaterializeError` before anything is written.
"""

from __future__ import annotations

import numpy as np

from h5schema._errors import materialize_error
from h5schema._schema.spec import DatasetSpec
from h5schema._types.dtypes import DTypeSpec, to_numpy
from h5schema._types.shapes import DimSpec, describe_lengths, describe_shape, shape_allows

__all__ = ["CHUNK_TARGET_BYTES", "choose_chunks", "initial_shape", "storage"]

CHUNK_TARGET_BYTES = 1 << 20

Layout = tuple[tuple[int, ...], tuple[int, ...] | None, tuple[int | None, ...] | None]


# ---------------------------------------------------------------- the initial shape


def initial_shape(
    spec: DatasetSpec, data: np.ndarray | None, path: str, scope: dict[str, int], floors: dict[str, int]
) -> tuple[int, ...]:
    """The shape to create the dataset with: the data's, else the declared lower lengths (a named
    dim as the group bound it, else at its floor). Named dims bind in ``scope``."""
    if spec.shape is None:
        return _undeclared_shape(spec, data)
    shape = _declared_shape(spec.shape, data, path, scope, floors)
    _bind_dims(spec.shape, shape, path, scope)
    _within_maxshape(spec.maxshape, shape, path)
    return shape


def _undeclared_shape(spec: DatasetSpec, data: np.ndarray | None) -> tuple[int, ...]:
    """Without a declared shape: the data's, else maxshape's (unlimited axes empty), else ()."""
    if data is not None:
        return tuple(data.shape)
    if spec.maxshape is not None:
        return tuple(0 if m is None else m for m in spec.maxshape)
    return ()


def _declared_shape(
    dims: tuple[DimSpec, ...],
    data: np.ndarray | None,
    path: str,
    scope: dict[str, int],
    floors: dict[str, int],
) -> tuple[int, ...]:
    """The data's shape, which must fit the declaration, else the declared lengths."""
    if data is None:
        return tuple(scope.get(d.name, floors.get(d.name, d.lower)) if d.name else d.lower for d in dims)
    shape = tuple(data.shape)
    if not shape_allows(dims, shape):
        raise materialize_error(
            path, f"data of shape {describe_lengths(shape)} does not fit {describe_shape(dims)}"
        )
    return shape


def _bind_dims(dims: tuple[DimSpec, ...], shape: tuple[int, ...], path: str, scope: dict[str, int]) -> None:
    """Each named dim has one length within the group: bind it, or agree with its binding."""
    for axis, (d, n) in enumerate(zip(dims, shape, strict=True)):
        if d.name is not None and scope.setdefault(d.name, n) != n:
            raise materialize_error(
                path, f"dim {d.name!r} is {scope[d.name]} in this group, but this data has {n} on axis {axis}"
            )


def _within_maxshape(maxshape: tuple[int | None, ...] | None, shape: tuple[int, ...], path: str) -> None:
    """No length exceeds its bounded axis of maxshape."""
    if maxshape is None:
        return
    for axis, (n, m) in enumerate(zip(shape, maxshape, strict=True)):
        if m is not None and n > m:
            raise materialize_error(
                path, f"length {n} on axis {axis} exceeds maxshape {describe_lengths(maxshape)}"
            )


# ---------------------------------------------------------------- chunks and maxshape


def storage(
    spec: DatasetSpec, shape: tuple[int, ...], data: np.ndarray | None, dtype: DTypeSpec, path: str
) -> Layout:
    """The shape, chunks and maximum shape to create the dataset with. HDF5 wants chunks within
    the maximum shape: without a declared one, it grows to hold them (it is not checked)."""
    shape, chunks, maxshape = _layout(spec, shape, data, dtype, path)
    if chunks and maxshape is None and any(c > n for c, n in zip(chunks, shape, strict=True)):
        maxshape = tuple(max(c, n) for c, n in zip(chunks, shape, strict=True))
    return shape, chunks, maxshape


def _layout(
    spec: DatasetSpec, shape: tuple[int, ...], data: np.ndarray | None, dtype: DTypeSpec, path: str
) -> Layout:
    if spec.chunks is False:
        return _contiguous(spec, shape, path)
    maxshape = spec.maxshape
    if not _needs_chunks(spec):
        return shape, None, maxshape
    if shape == ():
        shape, maxshape = _growable_scalar(spec, data, path)
    chunks = (
        spec.chunks if isinstance(spec.chunks, tuple) else choose_chunks(shape, maxshape, _itemsize(dtype))
    )
    return shape, chunks, maxshape


def _needs_chunks(spec: DatasetSpec) -> bool:
    """Chunked when asked for, or when chunks are left open and an unlimited axis or a filter
    needs them."""
    return (
        spec.chunks is True
        or isinstance(spec.chunks, tuple)
        or (spec.chunks is None and (spec.unlimited or spec.filtered))
    )


def _contiguous(spec: DatasetSpec, shape: tuple[int, ...], path: str) -> Layout:
    """chunks=False: contiguous storage, which cannot be resized, so maxshape is the shape."""
    maxshape = spec.maxshape
    if maxshape is not None and maxshape != shape:
        raise materialize_error(
            path,
            f"chunks=False keeps it contiguous, so it cannot be resizable to maxshape "
            f"{describe_lengths(maxshape)} from shape {describe_lengths(shape)}",
        )
    return shape, None, None


def _growable_scalar(
    spec: DatasetSpec, data: np.ndarray | None, path: str
) -> tuple[tuple[int, ...], tuple[int | None, ...]]:
    """A chunked dataset of no declared shape and no data starts empty and growable on every axis
    (a declared scalar, or scalar data, cannot be chunked)."""
    if data is not None or spec.shape is not None:
        raise materialize_error(path, "a scalar dataset cannot be chunked or filtered")
    rank = len(spec.chunks) if isinstance(spec.chunks, tuple) else 1
    return (0,) * rank, (None,) * rank


def _itemsize(dtype: DTypeSpec) -> int:
    npdt = to_numpy(dtype)
    return 16 if npdt.kind == "O" else max(npdt.itemsize, 1)


def choose_chunks(
    shape: tuple[int, ...], maxshape: tuple[int | None, ...] | None, itemsize: int
) -> tuple[int, ...]:
    """Chunks near 1 MiB that never split the fixed axes: only unlimited axes are cut.

    >>> choose_chunks((0, 40, 200), (None, 40, 200), 4)
    (32, 40, 200)
    """
    if not shape:
        return ()
    limits = maxshape if maxshape is not None else tuple(shape)
    grow = [i for i, m in enumerate(limits) if m is None] or [0]
    chunk = _fixed_axes(shape, limits, grow)
    fixed_bytes = int(np.prod(chunk)) * itemsize
    per = max(1, CHUNK_TARGET_BYTES // max(fixed_bytes, 1))
    first = grow[0]
    chunk[first] = per if limits[first] is None else min(per, max(shape[first], 1))
    return _under_chunk_cap(chunk, itemsize)


def _fixed_axes(shape: tuple[int, ...], limits: tuple[int | None, ...], grow: list[int]) -> list[int]:
    """A chunk spanning every fixed axis whole (at least 1), and 1 on the growing axes."""
    chunk = [max(1, n if limits[i] is not None else 1) for i, n in enumerate(shape)]
    for i in grow:
        chunk[i] = 1
    return chunk


def _under_chunk_cap(chunk: list[int], itemsize: int) -> tuple[int, ...]:
    """HDF5 caps a chunk at 4 GiB; halve the largest axis until far below it."""
    while int(np.prod(chunk)) * itemsize > (1 << 28):
        j = int(np.argmax(chunk))
        chunk[j] = max(1, chunk[j] // 2)
    return tuple(chunk)
