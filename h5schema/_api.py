"""The public validation entry points: :func:`validate` and :func:`validate_many`.

A file named by path is checked in a sandboxed child process by default (see
:mod:`h5schema._sandbox`); an open ``h5py`` object is checked in the calling process, since
the caller has already trusted the file enough to open it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from h5schema import _h5
from h5schema._report.report import Report
from h5schema._sandbox import by_value, run_isolated, run_many
from h5schema._schema.model import SchemaLike, as_schema
from h5schema._schema.spec import SchemaSpec
from h5schema._typing import StrPath
from h5schema._validate.limits import Limits
from h5schema._validate.walk import walk, walk_path

__all__ = ["validate", "validate_many"]


def validate(
    source: StrPath | _h5.H5Group,
    schema: SchemaLike,
    *,
    check_data: bool = True,
    isolate: bool = True,
    limits: Limits | None = None,
) -> Report:
    """Check a file (a path, or an open ``h5py.File``/``h5py.Group``) against a schema.

    Never raises for a bad file: whatever is wrong with it is a violation in the report, an
    unreadable file a ``file_unreadable``. A path is read in a child process (``isolate=True``,
    the default) with the time and memory :class:`Limits`, so that a file that crashes, hangs or
    exhausts the HDF5 library still gives a report; ``isolate=False`` reads it in this process.
    An open h5py object is always checked in this process. With ``check_data=False`` the
    declared data checks are skipped and only metadata is read.
    """
    spec = as_schema(schema)
    limits = limits or Limits()
    if _h5.is_h5py_object(source):
        return walk(source, spec, check_data=check_data, limits=limits)
    return _validate_path(os.fspath(source), spec, check_data, isolate, limits)


def validate_many(
    sources: Iterable[StrPath],
    schema: SchemaLike,
    *,
    jobs: int | None = None,
    check_data: bool = True,
    isolate: bool = True,
    limits: Limits | None = None,
) -> Iterator[Report]:
    """Validate files in parallel (``jobs`` child processes, default one per core), yielding
    their reports in the order given. Each report is the one :func:`validate` gives."""
    spec = as_schema(schema)
    limits = limits or Limits()
    labels = [os.fspath(s) for s in sources]
    workers = max(1, min(jobs or os.cpu_count() or 1, len(labels) or 1))
    if not isolate:
        for label in labels:
            yield _validate_path(label, spec, check_data, isolate, limits)
        return
    yield from run_many(labels, by_value(spec), jobs=workers, check_data=check_data, limits=limits)


def _validate_path(label: str, spec: SchemaSpec, check_data: bool, isolate: bool, limits: Limits) -> Report:
    """One file named by path: in a reader process, or in this one."""
    if isolate:
        return run_isolated(label, by_value(spec), check_data=check_data, limits=limits)
    return walk_path(label, spec, check_data=check_data, limits=limits)
