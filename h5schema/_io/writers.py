"""Writers: validated, buffered, aligned appends into a materialized file.

Rows are checked when they arrive (dtype castable without loss, trailing shape, data checks)
and buffered until a whole chunk's worth can be written with one resize and one write
(:mod:`h5schema._io.dataset_writer`).

A row is *durable*, it survives the process being killed (SIGKILL), once the file writer has
*flushed*: written every buffered row into its dataset, then flushed HDF5's caches to the file.
``flush()``, ``close()`` and leaving the ``with`` block flush, also when the block exits with an
exception; a :class:`~h5schema.FlushPolicy` (``flush=``) adds flushes every N rows or every T
seconds, checked on each append. A plain writer killed between two flushes leaves a file that
opens as any file and holds exactly the rows of its last flush; killed *during* a flush it is
not protected, since HDF5 writes a flush in no crash-safe order.

``swmr=True`` writes in SWMR (single writer, multiple readers) mode, which is protected at every
moment: every object exists when the file is created (the materializer makes them all), the
writer opens the file straight into SWMR writing, and appends then only grow datasets, so
readers may open the file with ``h5py.File(path, "r", swmr=True)`` while it is written. New
members, attributes and variable-length data cannot be written in this mode. A killed SWMR
writer's file keeps every flushed row, but stays marked as open: it opens with ``swmr=True``
(or after ``h5clear -s``). docs/reliability.md has the details, mode by mode.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

import numpy as np

from h5schema import _h5
from h5schema._errors import MaterializeError, WriteError
from h5schema._io.dataset_writer import DatasetWriter, one_row
from h5schema._io.flush import FlushPolicy, FlushSchedule
from h5schema._io.materialize import materialize, resolve, write_dataset, write_plan
from h5schema._io.plan import attr_dtype, plan_attrs, plan_dataset, plan_group, to_mapping
from h5schema._schema.model import Group, SchemaLike, as_schema
from h5schema._schema.spec import DatasetSpec, GroupSpec
from h5schema._types.coerce import Casting
from h5schema._types.paths import child_path
from h5schema._typing import StrPath
from h5schema._validate.walk import walk

__all__ = ["FileWriter", "GroupWriter", "create", "open_writer"]


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
        return child_path(self.path, name)

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
                path = self._child_path(head)
                child = DatasetWriter(obj, spec, path, self._owner.casting, partners, owner=self._owner)
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
        """Create a declared member that is not in the file yet (e.g. another ``features_*`` group).

        Refused in SWMR mode, where HDF5 cannot create objects."""
        self._refuse_in_swmr(f"{self._child_path(name)}: cannot add a member")
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
        """Write (or replace) a declared attribute after checking it. Refused in SWMR mode."""
        self._refuse_in_swmr(f"{self.path}: cannot set attribute {name!r}")
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

    def _refuse_in_swmr(self, what: str) -> None:
        if self._owner.swmr:
            raise WriteError(
                f"{what} in SWMR mode: HDF5 cannot create objects or change attributes once a file "
                "is written in SWMR mode; give every member and attribute to create() instead"
            )

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
                w.write_buffered()
        self._owner._appended(next(iter(rows.values())))

    def append_row(self, rows: Mapping[str, Any] | None = None, /, **named: Any) -> None:
        """Append one row to each of several aligned datasets."""
        items = {**(rows or {}), **named}
        batches = {}
        for name, row in items.items():
            w = self.dataset(name)
            batches[name] = one_row(row, w.dtype, w.axis or 0, w.path)
        self.append(batches)


class FileWriter(GroupWriter):
    """An open file for appending. Use it as a context manager; ``close()`` flushes.

    ``flush_policy`` says when it flushes on its own (see :class:`~h5schema.FlushPolicy`);
    ``swmr`` is true when it writes in SWMR mode.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        spec: GroupSpec,
        *,
        casting: Casting = "lossless",
        flush: FlushPolicy | None = None,
        swmr: bool = False,
    ) -> None:
        policy = FlushPolicy() if flush is None else flush
        if not isinstance(policy, FlushPolicy):
            raise TypeError(f"flush must be a FlushPolicy or None (got {flush!r} that is a {type(flush)})")
        self.casting = casting
        self.flush_policy = policy
        self.swmr = swmr
        self._datasets: list[DatasetWriter] = []
        self._schedule = FlushSchedule(policy)
        try:
            self._file = _h5.open_append(path, swmr=swmr)
        except _h5.SwmrUnsupported as exc:
            raise WriteError(f"{os.fspath(path)}: {exc}") from None
        self.filename = os.fspath(path)
        super().__init__(self, self._file, spec, "/")

    def _appended(self, rows: int) -> None:
        """Count rows just appended (kept cheap: it runs on every append); flush when due."""
        if self._schedule.due(rows):
            self.flush()

    def flush(self) -> None:
        """Make every row appended so far durable: write each dataset's buffered rows, then flush
        HDF5's caches to the file. Survives the process being killed, not a power cut (no fsync)."""
        for w in self._datasets:
            w.write_buffered()
        _h5.flush(self._file)
        self._schedule.restart()

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
    path: StrPath,
    schema_or_values: SchemaLike | Group,
    *,
    values: dict[str, Any] | None = None,
    overwrite: bool = False,
    casting: Casting = "lossless",
    flush: FlushPolicy | None = None,
    swmr: bool = False,
) -> FileWriter:
    """Materialize a file atomically, then open it for appending.

    ``flush`` adds automatic flushes (every N rows, every T seconds) to the ones ``flush()`` and
    ``close()`` make; a writer killed between flushes leaves the rows of its last flush.
    ``swmr=True`` creates the file in the HDF5 1.10 format and writes it in SWMR mode, which also
    survives a kill during a flush: readers may open it with ``h5py.File(path, "r", swmr=True)``
    meanwhile, and members, attributes and variable-length data can no longer be written (give
    every member here). A killed create leaves nothing at ``path`` (at most a temporary
    ``.<name>.h5schema-<random>.tmp`` sibling). See docs/reliability.md.
    """
    materialize(path, schema_or_values, values=values, overwrite=overwrite, casting=casting, swmr=swmr)
    spec, _ = resolve(schema_or_values)
    return FileWriter(path, spec.root, casting=casting, flush=flush, swmr=swmr)


def open_writer(
    path: StrPath,
    schema: SchemaLike,
    *,
    check: bool = True,
    casting: Casting = "lossless",
    flush: FlushPolicy | None = None,
    swmr: bool = False,
) -> FileWriter:
    """Open an existing file to append to it. With ``check`` the file is validated first
    (metadata only) and an invalid one raises :class:`InvalidFileError`.

    ``flush`` and ``swmr`` work as in :func:`create`; ``swmr=True`` needs a file created with
    ``swmr=True`` (the HDF5 1.10 format) and raises :class:`WriteError` for an older one.
    """
    spec = as_schema(schema)
    if check:
        walk(path, spec, check_data=False).raise_if_invalid()
    return FileWriter(path, spec.root, casting=casting, flush=flush, swmr=swmr)
