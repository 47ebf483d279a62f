"""The public validation entry points: :func:`validate` and :func:`validate_many`.

A file named by path is checked in a sandboxed child process by default (see
:mod:`h5schema._isolation`); an open ``h5py`` object is checked in the calling process, since
the caller has already trusted the file enough to open it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from h5schema._limits import Limits
from h5schema._model import as_schema
from h5schema._report import Report
from h5schema._spec import SchemaSpec

__all__ = ["validate", "validate_many"]


def _is_open_h5py(source: Any) -> bool:
    h5py = sys.modules.get("h5py")  # an open h5py object means h5py is already imported
    return h5py is not None and isinstance(source, h5py.Group)


def validate(
    source: Any,
    schema: Any,
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
    if _is_open_h5py(source):
        from h5schema._validate import walk

        return walk(source, spec, check_data=check_data, limits=limits)
    return _validate_path(os.fspath(source), spec, check_data, isolate, limits)


def validate_many(
    sources: Iterable[str | os.PathLike[str]],
    schema: Any,
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
    from h5schema._isolation import by_value, run_many

    yield from run_many(labels, by_value(spec), jobs=workers, check_data=check_data, limits=limits)


def _validate_path(
    label: str,
    spec: SchemaSpec,
    check_data: bool,
    isolate: bool,
    limits: Limits,
) -> Report:
    if isolate:
        from h5schema._isolation import by_value, run_isolated

        return run_isolated(label, by_value(spec), check_data=check_data, limits=limits)
    from h5schema._validate import walk_path

    return walk_path(label, spec, check_data=check_data, limits=limits)
