"""One dataset's writer: rows checked as they arrive, buffered, written a block at a time.

Rows wait in one preallocated block of about 4 MiB (whole chunks along the growing axis) and are
written with one resize and one write. Writing the buffer hands the rows to HDF5; they are
durable (they survive a SIGKILL) only once the file writer flushes, which its flush policy,
``flush()`` and ``close()`` do: see :mod:`h5schema._io.flush`.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from h5schema import _h5
from h5schema._errors import WriteError
from h5schema._schema.spec import DatasetSpec
from h5schema._types.coerce import Casting, coerce
from h5schema._types.dtypes import DTypeSpec
from h5schema._types.shapes import describe_lengths, first_unlimited
from h5schema._validate.data import batch_problem

__all__ = ["DatasetWriter", "one_row"]

_BUFFER_BYTES = 4 << 20


class Owner(Protocol):
    """What a dataset writer needs from its file writer."""

    swmr: bool

    def flush(self) -> None: ...

    def _appended(self, rows: int) -> None: ...


class DatasetWriter:
    """Appends to one resizable dataset along its first unlimited axis."""

    def __init__(
        self,
        ds: Any,
        spec: DatasetSpec,
        path: str,
        casting: Casting,
        partners: tuple[str, ...] = (),
        *,
        owner: Owner,
    ) -> None:
        self._ds = ds
        self._owner = owner
        self.spec = spec
        self.path = path
        self.casting = casting
        info = _h5.dataset_info(ds.id)
        self.dtype: DTypeSpec = info.dtype
        self._maxshape = info.maxshape
        self._stored = _h5.shape_of(ds)
        self.axis = axis = _growth_axis(self._stored, info.maxshape, spec)
        self.partners = partners
        # Rows wait in one preallocated block, copied in (the caller may reuse its arrays).
        self._pending: np.ndarray | None = None
        self._buffered = 0
        chunk_rows = info.chunks[axis] if info.chunks and axis is not None else 1
        row_bytes = max(
            1,
            info.nbytes_per_item * int(np.prod([n for i, n in enumerate(self._stored) if i != axis] or [1])),
        )
        self._buffer_rows = max(chunk_rows, (_BUFFER_BYTES // row_bytes) // chunk_rows * chunk_rows)
        self._checker = spec.has_data_checks
        self._refusal = None
        if owner.swmr and self.dtype.is_variable_length():
            self._refusal = (
                f"{path}: variable-length data cannot be appended in SWMR mode: HDF5's SWMR "
                "ordering does not cover it, so a reader or a crash could find it torn; declare "
                "fixed-length strings (h5s.string(N)) for datasets written in SWMR mode"
            )

    # ---------------------------------------------------------------- inspection

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape including rows still buffered."""
        if self.axis is None:
            return self._stored
        s = list(self._stored)
        s[self.axis] += self._buffered
        return tuple(s)

    def __len__(self) -> int:
        return self.shape[0] if self.shape else 0

    def __repr__(self) -> str:
        return f"<DatasetWriter {self.path} {describe_lengths(self.shape)} {self.dtype.describe()}>"

    # ---------------------------------------------------------------- appending

    def prepare(self, batch: npt.ArrayLike, *, casting: Casting | None = None) -> np.ndarray:
        """Check a batch and return it as stored; raise WriteError without writing anything."""
        axis = self._growing_axis()
        try:
            arr = coerce(self.dtype, batch, casting=casting or self.casting)
        except ValueError as exc:
            raise WriteError(f"{self.path}: {exc}") from None
        stored = self.shape
        self._fits_rows(arr, stored, axis)
        self._has_room(stored[axis] + arr.shape[axis], axis)
        problem = batch_problem(self.spec, self.dtype, arr) if self._checker and arr.size else None
        if problem is not None:
            raise WriteError(f"{self.path}: batch refused: {problem}")
        return arr

    def _growing_axis(self) -> int:
        """The axis appends grow; refused when appending is not allowed or no axis can grow."""
        if self._refusal is not None:
            raise WriteError(self._refusal)
        if self.axis is None:
            limit = "fixed" if self._maxshape is None else describe_lengths(self._maxshape)
            shape = describe_lengths(self._stored)
            raise WriteError(f"{self.path}: no axis can grow (shape {shape}, maxshape {limit})")
        return self.axis

    def _fits_rows(self, arr: np.ndarray, stored: tuple[int, ...], axis: int) -> None:
        """A batch has the dataset's rank and its lengths on every axis but the growing one."""
        if arr.ndim != len(stored):
            raise WriteError(
                f"{self.path}: expected a batch of rank {len(stored)} (rows along axis {axis}), "
                f"got shape {describe_lengths(arr.shape)}"
            )
        trailing = [n for i, n in enumerate(stored) if i != axis]
        got = [n for i, n in enumerate(arr.shape) if i != axis]
        if trailing != got:
            want = ", ".join("k" if i == axis else str(n) for i, n in enumerate(stored))
            got_shape = describe_lengths(arr.shape)
            raise WriteError(f"{self.path}: expected a batch of shape ({want}), got {got_shape}")

    def _has_room(self, new_len: int, axis: int) -> None:
        """The grown axis stays within maxshape and within the declared maximum length."""
        bound = self._maxshape[axis] if self._maxshape else None
        if bound is not None and new_len > bound:
            raise WriteError(f"{self.path}: {new_len} rows would exceed maxshape {bound} on axis {axis}")
        dim = self.spec.shape[axis] if self.spec.shape else None
        if dim is not None and dim.upper is not None and new_len > dim.upper:
            raise WriteError(f"{self.path}: {new_len} rows would exceed the declared maximum {dim.upper}")

    def stage(self, arr: np.ndarray) -> bool:
        """Buffer an already prepared batch (copying it). True when the buffer should be flushed.

        A batch that does not fit flushes what is buffered first; one at least as large as the
        buffer is written straight through."""
        axis = self.axis or 0
        k = arr.shape[axis]
        if k == 0:
            return self._buffered >= self._buffer_rows
        if self._buffered + k > self._buffer_rows:
            self.write_buffered()
            if k >= self._buffer_rows:
                self._write(arr)
                return False
        if self._pending is None or self._pending.dtype != arr.dtype:
            shape = list(arr.shape)
            shape[axis] = self._buffer_rows
            self._pending = np.empty(shape, dtype=arr.dtype)
        self._pending[_along(axis, self._buffered, self._buffered + k, arr.ndim)] = arr
        self._buffered += k
        return self._buffered >= self._buffer_rows

    def append(self, batch: npt.ArrayLike, *, casting: Casting | None = None) -> None:
        """Append rows (a batch whose axis ``self.axis`` is the row axis). All or nothing.

        A dataset that shares its row dim with others in its group is appended through the group
        (``group.append(a=..., b=...)``), so the shared dim never falls out of step.
        """
        if self.partners:
            raise WriteError(
                f"{self.path}: shares its row dim with {list(self.partners)}; append to them together "
                "through the group: group.append(name=batch, ...)"
            )
        arr = self.prepare(batch, casting=casting)
        if self.stage(arr):
            self.write_buffered()
        self._owner._appended(arr.shape[self.axis or 0])

    def append_row(self, row: npt.ArrayLike, *, casting: Casting | None = None) -> None:
        """Append a single row (a batch of one)."""
        self.append(one_row(row, self.dtype, self.axis or 0, self.path), casting=casting)

    def flush(self) -> None:
        """Make the rows appended so far durable: the file writer's ``flush()``, for every dataset."""
        self._owner.flush()

    def write_buffered(self) -> None:
        """Hand the buffered rows to HDF5 (one resize, one write); durable only after a flush."""
        if not self._buffered or self._pending is None:
            return
        axis = self.axis or 0
        self._write(self._pending[_along(axis, 0, self._buffered, self._pending.ndim)])
        self._buffered = 0

    def _write(self, block: np.ndarray) -> None:
        axis = self.axis or 0
        start = self._stored[axis]
        end = start + block.shape[axis]
        _h5.resize(self._ds, end, axis)
        _h5.write_block(self._ds, _along(axis, start, end, block.ndim), block)
        self._stored = (*self._stored[:axis], end, *self._stored[axis + 1 :])

    def read(self, sel: Any = ...) -> Any:
        """Read back (buffered rows included), strings decoded by flavour."""
        self.write_buffered()
        return _h5.read_dataset(self._ds, sel, self.dtype)


def one_row(row: Any, dtype: DTypeSpec, axis: int, path: str) -> np.ndarray:
    """A single row as a batch of one (a view, no copy); WriteError if it cannot be one."""
    try:
        arr = dtype.as_elements(row)
    except ValueError as exc:
        raise WriteError(f"{path}: {exc}") from None
    return arr.reshape((1, *arr.shape)) if axis == 0 else np.expand_dims(arr, axis)


def _along(axis: int, start: int, stop: int, ndim: int) -> tuple[slice, ...]:
    """The selection ``start:stop`` on ``axis`` and everything on the other axes."""
    return tuple(slice(start, stop) if i == axis else slice(None) for i in range(ndim))


def _growth_axis(
    shape: tuple[int, ...], maxshape: tuple[int | None, ...] | None, spec: DatasetSpec
) -> int | None:
    """The axis appends grow: the first unlimited one, else a bounded one with room left."""
    if maxshape is None:
        return None
    unlimited = first_unlimited(maxshape)
    if unlimited is not None:
        return unlimited
    if spec.append_axis is not None:
        return spec.append_axis
    return next(
        (i for i, (n, m) in enumerate(zip(shape, maxshape, strict=True)) if m is not None and m > n), None
    )
