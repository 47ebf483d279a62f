"""The materializer: plan a conforming file from a schema and values, then write it atomically.

The file is built in a temporary sibling (``.<name>.h5schema-<random>.tmp``) and moved into place
only when complete, so a failure at any step leaves nothing at the target path; a process killed
meanwhile (SIGKILL) leaves nothing there either, only the temporary sibling, which may be deleted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from h5schema import _h5
from h5schema._errors import MaterializeError, TargetExistsError
from h5schema._io.plan import DatasetPlan, GroupPlan, attr_dtype, plan_group, to_mapping
from h5schema._schema.model import Group, SchemaLike, as_schema
from h5schema._schema.spec import SchemaSpec
from h5schema._types.coerce import Casting
from h5schema._typing import StrPath

__all__ = ["materialize", "resolve", "write_dataset", "write_plan"]


def write_plan(parent: Any, plan: GroupPlan) -> None:
    for name, (spec, value) in plan.attrs.items():
        _h5.write_attribute(parent, name, value, spec.type, attr_dtype(spec))
    for name, member in plan.members:
        if isinstance(member, GroupPlan):
            write_plan(_h5.create_group(parent, name), member)
        else:
            write_dataset(parent, name, member)


def write_dataset(parent: Any, name: str, p: DatasetPlan) -> None:
    s = p.spec
    ds = _h5.create_dataset(
        parent,
        name,
        dtype=p.dtype,
        shape=p.shape,
        maxshape=p.maxshape,
        chunks=p.chunks,
        compression=s.compression,
        compression_opts=s.compression_opts,
        shuffle=bool(s.shuffle),
        fletcher32=bool(s.fletcher32),
        fillvalue=s.fillvalue,
        data=p.data,
    )
    for aname, (aspec, value) in p.attrs.items():
        _h5.write_attribute(ds, aname, value, aspec.type, attr_dtype(aspec))


def resolve(schema_or_values: SchemaLike | Group) -> tuple[SchemaSpec, dict[str, Any]]:
    """Split what the caller passed into the schema and the values mapping."""
    if isinstance(schema_or_values, Group):
        return as_schema(type(schema_or_values)), to_mapping(schema_or_values)
    spec = as_schema(schema_or_values)
    if isinstance(schema_or_values, type) and issubclass(schema_or_values, Group):
        try:
            return spec, to_mapping(schema_or_values())
        except Exception as exc:  # pydantic's ValidationError names the missing fields
            raise MaterializeError(f"{spec.name} cannot be built from its defaults alone: {exc}") from None
    return spec, {}


def materialize(
    path: StrPath,
    schema_or_values: SchemaLike | Group,
    *,
    values: dict[str, Any] | None = None,
    overwrite: bool = False,
    casting: Casting = "lossless",
    swmr: bool = False,
) -> Path:
    """Create a file that conforms to the schema, atomically.

    ``schema_or_values`` is a schema instance holding attribute values and data, a schema class
    (built from its defaults), or a schema document with ``values`` as a mapping keyed by HDF5
    names. Raises :class:`MaterializeError` (nothing written) when the values do not fit, and
    :class:`TargetExistsError` when ``path`` exists and ``overwrite`` is false. ``swmr=True``
    writes the file in the HDF5 1.10 format (readable by HDF5 1.10 and later), which writing it
    in SWMR mode needs (``open_writer(path, schema, swmr=True)``).
    """
    target = Path(path)
    spec, mapping = resolve(schema_or_values)
    if values is not None:
        mapping = {**mapping, **values}
    plan = plan_group(spec.root, mapping, "/", casting)
    if target.exists() and not overwrite:
        raise TargetExistsError(f"{target} exists; pass overwrite=True to replace it")
    try:
        _h5.create_atomic(target, lambda f: write_plan(f, plan), overwrite=overwrite, swmr=swmr)
    except FileExistsError:
        raise TargetExistsError(f"{target} exists; pass overwrite=True to replace it") from None
    return target
