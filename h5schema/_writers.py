"""Writers: validated, buffered, aligned appends into a materialized file.

Rows are checked when they arrive (dtype castable without loss, trailing shape, data checks)
and buffered until a whole chunk's worth can be written with one resize and one write.
Buffered rows are written by :meth:`flush`, by :meth:`FileWriter.close` and on leaving the
``with`` block, including when it exits with an exception. A process killed (SIGKILL) before
then loses what was buffered; everything flushed before survives.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

import numpy as np

from h5schema import _h5
from h5schema._coerce import Casting, coerce
from h5schema._datachecks import batch_problem
from h5schema._dtypes import DTypeSpec, StringDType
from h5schema._errors import MaterializeError, WriteError
from h5schema._materialize import materialize, resolve, write_dataset, write_plan
from h5schema._model import as_schema
from h5schema._plan import attr_dtype, plan_attrs, plan_dataset, plan_group, to_mapping
from h5schema._shapes import describe_lengths
from h5schema._spec import DatasetSpec, GroupSpec
from h5schema._validate import validate

__all__ = ["DatasetWriter", "FileWriter", "GroupWriter", "create", "open_writer"]

_FLUSH_BYTES = 4 << 20


class DatasetWriter:
    """Appends to one resizable dataset along its first unlimited axis."""

    def __init__(
        self, ds: Any, spec: DatasetSpec, path: str, casting: Casting, partners: tuple[str, ...] = ()
    ) -> None:
        self._ds = ds
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
        self._flush_rows = max(chunk_rows, (_FLUSH_BYTES // row_bytes) // chunk_rows * chunk_rows)
        self._checker = spec.has_data_checks

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

    def prepare(self, batch: Any, *, casting: Casting | None = None) -> np.ndarray:
        """Check a batch and return it as stored; raise WriteError without writing anything."""
        if self.axis is None:
            limit = "fixed" if self._maxshape is None else describe_lengths(self._maxshape)
            shape = describe_lengths(self._stored)
            raise WriteError(f"{self.path}: no axis can grow (shape {shape}, maxshape {limit})")
        try:
            arr = coerce(self.dtype, batch, casting=casting or self.casting)
        except ValueError as exc:
            raise WriteError(f"{self.path}: {exc}") from None
        stored = self.shape
        if arr.ndim != len(stored):
            raise WriteError(
                f"{self.path}: expected a batch of rank {len(stored)} (rows along axis {self.axis}), "
                f"got shape {describe_lengths(arr.shape)}"
            )
        trailing = [n for i, n in enumerate(stored) if i != self.axis]
        got = [n for i, n in enumerate(arr.shape) if i != self.axis]
        if trailing != got:
            want = ", ".join("k" if i == self.axis else str(n) for i, n in enumerate(stored))
            got_shape = describe_lengths(arr.shape)
            raise WriteError(f"{self.path}: expected a batch of shape ({want}), got {got_shape}")
        new_len = stored[self.axis] + arr.shape[self.axis]
        bound = self._maxshape[self.axis] if self._maxshape else None
        if bound is not None and new_len > bound:
            raise WriteError(f"{self.path}: {new_len} rows would exceed maxshape {bound} on axis {self.axis}")
        dim = self.spec.shape[self.axis] if self.spec.shape else None
        if dim is not None and dim.upper is not None and new_len > dim.upper:
            raise WriteError(f"{self.path}: {new_len} rows would exceed the declared maximum {dim.upper}")
        problem = batch_problem(self.spec, self.dtype, arr) if self._checker and arr.size else None
        if problem is not None:
            raise WriteError(f"{self.path}: batch refused: {problem}")
        return arr

    def stage(self, arr: np.ndarray) -> bool:
        """Buffer an already prepared batch (copying it). True when the buffer should be flushed.

        A batch that does not fit flushes what is buffered first; one at least as large as the
        buffer is written straight through."""
        axis = self.axis or 0
        k = arr.shape[axis]
        if k == 0:
            return self._buffered >= self._flush_rows
        if self._buffered + k > self._flush_rows:
            self.flush()
            if k >= self._flush_rows:
                self._write(arr)
                return False
        if self._pending is None or self._pending.dtype != arr.dtype:
            shape = list(arr.shape)
            shape[axis] = self._flush_rows
            self._pending = np.empty(shape, dtype=arr.dtype)
        self._pending[_along(axis, self._buffered, self._buffered + k, arr.ndim)] = arr
        self._buffered += k
        return self._buffered >= self._flush_rows

    def append(self, batch: Any, *, casting: Casting | None = None) -> None:
        """Append rows (a batch whose axis ``self.axis`` is the row axis). All or nothing.

        A dataset that shares its row dim with others in its group is appended through the group
        (``group.append(a=..., b=...)``), so the shared dim never falls out of step.
        """
        if self.partners:
            raise WriteError(
                f"{self.path}: shares its row dim with {list(self.partners)}; append to them together "
                "through the group: group.append(name=batch, ...)"
            )
        if self.stage(self.prepare(batch, casting=casting)):
            self.flush()

    def append_row(self, row: Any, *, casting: Casting | None = None) -> None:
        """Append a single row (a batch of one)."""
        self.append(_one_row(row, self.dtype, self.axis or 0), casting=casting)

    def flush(self) -> None:
        """Write buffered rows (one resize, one write)."""
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
        """Read back (after flushing), strings decoded by flavour."""
        self.flush()
        return _h5.read_dataset(self._ds, sel, self.dtype)


def _one_row(row: Any, dtype: DTypeSpec, axis: int) -> np.ndarray:
    """A single row as a batch of one (a view, no copy)."""
    arr = np.asarray(row, dtype=object if isinstance(dtype, StringDType) else None)
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
    unlimited = next((i for i, m in enumerate(maxshape) if m is None), None)
    if unlimited is not None:
        return unlimited
    if spec.append_axis is not None:
        return spec.append_axis
    return next(
        (i for i, (n, m) in enumerate(zip(shape, maxshape, strict=True)) if m is not None and m > n), None
    )


class GroupWriter:
    """A group of an open file: child writers, aligned appends, new pattern members."""

    def __init__(self, owner: FileWriter, group: Any, spec: GroupSpec, path: str) -> None:
        self._owner = owner
        self._group = group
        self.spec = spec
        self.path = path
        self._children: dict[str, GroupWriter | DatasetWriter] = {}
        self._aligned_cache: dict[str, list[str]] = {}  # cleared when add() creates a member

    def __repr__(self) -> str:
        return f"<GroupWriter {self.path}>"

    def _child_path(self, name: str) -> str:
        return f"/{name}" if self.path == "/" else f"{self.path}/{name}"

    def _spec_of(self, name: str) -> GroupSpec | DatasetSpec:
        for m in self.spec.members:
            if m.name == name:
                return m
        for regex, p in self.spec.compiled_patterns():
            if regex.fullmatch(name):
                return p.item
        raise KeyError(f"{self._child_path(name)}: not declared in the schema")

    def __getitem__(self, name: str) -> GroupWriter | DatasetWriter:
        head, _, rest = name.strip("/").partition("/")
        child = self._children.get(head)
        if child is None:
            spec = self._spec_of(head)
            try:
                obj = _h5.get_member(self._group, head)
            except KeyError:
                raise KeyError(f"{self._child_path(head)}: not in the file") from None
            if isinstance(spec, GroupSpec):
                child = GroupWriter(self._owner, obj, spec, self._child_path(head))
            else:
                partners = tuple(n for n in self._aligned(head) if n != head)
                child = DatasetWriter(obj, spec, self._child_path(head), self._owner.casting, partners)
                self._owner._datasets.append(child)
            self._children[head] = child
        if rest:
            if not isinstance(child, GroupWriter):
                raise KeyError(f"{child.path} is a dataset")
            return child[rest]
        return child

    def group(self, name: str) -> GroupWriter:
        child = self[name]
        if not isinstance(child, GroupWriter):
            raise KeyError(f"{child.path} is a dataset, not a group")
        return child

    def dataset(self, name: str) -> DatasetWriter:
        child = self[name]
        if not isinstance(child, DatasetWriter):
            raise KeyError(f"{child.path} is a group, not a dataset")
        return child

    def add(self, name: str, value: Any = None) -> GroupWriter | DatasetWriter:
        """Create a declared member that is not in the file yet (e.g. another ``features_*`` group)."""
        if _h5.has_member(self._group, name):
            raise MaterializeError(f"{self._child_path(name)} exists already")
        self._aligned_cache.clear()
        spec = self._spec_of(name)
        path = self._child_path(name)
        if isinstance(spec, GroupSpec):
            plan = plan_group(spec, to_mapping(value), path, self._owner.casting)
            write_plan(_h5.create_group(self._group, name), plan)
        else:
            write_dataset(self._group, name, plan_dataset(spec, value, path, {}, self._owner.casting))
        return self[name]

    def set_attribute(self, name: str, value: Any) -> None:
        """Write (or replace) a declared attribute after checking it."""
        specs = tuple(a for a in self.spec.attributes if a.name == name)
        if not specs:
            raise WriteError(f"{self.path}: attribute {name!r} is not declared")
        try:
            spec, checked = plan_attrs(specs, {"@" + name: value}, self.path)[name]
        except MaterializeError as exc:
            raise WriteError(str(exc)) from None
        if name in self._group.attrs:
            del self._group.attrs[name]
        _h5.write_attribute(self._group, name, checked, spec.type, attr_dtype(spec))

    def _aligned(self, name: str) -> list[str]:
        """Names of the datasets sharing ``name``'s append dim in this group (itself included)."""
        hit = self._aligned_cache.get(name)
        if hit is None:
            hit = self._aligned_cache[name] = self._find_aligned(name)
        return hit

    def _find_aligned(self, name: str) -> list[str]:
        spec = self._spec_of(name)
        if not isinstance(spec, DatasetSpec):
            raise WriteError(f"{self._child_path(name)} is a group; append to its datasets")
        axis = spec.append_axis
        dim = spec.shape[axis].name if spec.shape is not None and axis is not None else None
        if dim is None:
            return [name]
        out = []
        for m in self.spec.datasets:
            a = m.append_axis
            shares = m.shape is not None and a is not None and m.shape[a].name == dim
            # an optional partner absent from the file is not required
            if shares and m.name is not None and (m.name == name or _h5.has_member(self._group, m.name)):
                out.append(m.name)
        return out or [name]

    def append(
        self,
        batches: Mapping[str, Any] | None = None,
        /,
        *,
        casting: Casting | None = None,
        **named: Any,
    ) -> None:
        """Append to several datasets at once, all or nothing.

        Datasets that share the named dim of their append axis must be given together, with the
        same number of rows: ``g.append(features=f, gender=g)``.
        """
        items = {**(batches or {}), **named}
        if not items:
            return
        needed: set[str] = set()
        for name in items:
            needed.update(self._aligned(name))
        missing = sorted(needed - set(items))
        if missing:
            raise WriteError(
                f"{self.path}: datasets {missing} share a dim with {sorted(items)} "
                "and must be appended together"
            )
        prepared: dict[str, tuple[DatasetWriter, np.ndarray]] = {}
        for name, batch in items.items():
            w = self.dataset(name)
            prepared[name] = (w, w.prepare(batch, casting=casting))
        rows = {n: arr.shape[w.axis or 0] for n, (w, arr) in prepared.items()}
        if len(set(rows.values())) > 1:
            raise WriteError(f"{self.path}: aligned batches differ in length: {rows}")
        due = [w.stage(arr) for w, arr in prepared.values()]
        if any(due):
            for w, _ in prepared.values():
                w.flush()

    def append_row(self, rows: Mapping[str, Any] | None = None, /, **named: Any) -> None:
        """Append one row to each of several aligned datasets."""
        items = {**(rows or {}), **named}
        batches = {}
        for name, row in items.items():
            w = self.dataset(name)
            batches[name] = _one_row(row, w.dtype, w.axis or 0)
        self.append(batches)


class FileWriter(GroupWriter):
    """An open file for appending. Use it as a context manager; ``close()`` flushes."""

    def __init__(
        self, path: str | os.PathLike[str], spec: GroupSpec, *, casting: Casting = "lossless"
    ) -> None:
        self.casting = casting
        self._datasets: list[DatasetWriter] = []
        self._file = _h5.open_append(path)
        self.filename = os.fspath(path)
        super().__init__(self, self._file, spec, "/")

    def flush(self) -> None:
        """Write every buffered row and flush HDF5's caches to disk."""
        for w in self._datasets:
            w.flush()
        _h5.flush(self._file)

    def close(self) -> None:
        if self._file is None:
            return
        try:
            self.flush()
        finally:
            _h5.close(self._file)
            self._file = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object | TracebackType | None) -> None:
        self.close()


def create(
    path: str | os.PathLike[str],
    schema_or_values: Any,
    *,
    values: dict[str, Any] | None = None,
    overwrite: bool = False,
    casting: Casting = "lossless",
) -> FileWriter:
    """Materialize a file atomically, then open it for appending."""
    materialize(path, schema_or_values, values=values, overwrite=overwrite, casting=casting)
    spec, _ = (
        resolve(schema_or_values)
        if not isinstance(schema_or_values, dict)
        else (as_schema(schema_or_values), {})
    )
    return FileWriter(path, spec.root, casting=casting)


def open_writer(
    path: str | os.PathLike[str], schema: Any, *, check: bool = True, casting: Casting = "lossless"
) -> FileWriter:
    """Open an existing file to append to it. With ``check`` the file is validated first
    (metadata only) and an invalid one raises :class:`InvalidFileError`."""
    spec = as_schema(schema)
    if check:
        validate(path, spec, check_data=False).raise_if_invalid()
    return FileWriter(path, spec.root, casting=casting)
