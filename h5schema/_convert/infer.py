"""Inferring a schema from a file: the strictest declaration the file itself satisfies.

Every group, dataset and attribute found through hard links is declared with what it is: exact
dtypes (string flavours included), fixed lengths for fixed axes and any length for resizable
ones (named ``n``, ``n1``, ... where datasets of a group share a resizable length), maxshape,
chunking and filters, and attribute types. Links and empty attributes cannot be declared; they
stay undeclared (warnings). Runs in the sandboxed child, like validation.
"""

from __future__ import annotations

from typing import Any

from h5schema import _h5
from h5schema._schema.spec import AttributeSpec, DatasetSpec, GroupSpec, SchemaSpec
from h5schema._types.dtypes import DTypeSpec
from h5schema._types.shapes import DimSpec
from h5schema._validate.attributes import scalar_kind_ok

__all__ = ["infer"]

_KINDS = ("str", "bytes", "bool", "int", "float")


def _attribute(name: str, got: _h5.AttrRead) -> AttributeSpec | None:
    dt, shape = got.dtype, got.shape
    if dt is None or shape is None or got.error is not None:
        return None  # unreadable, or an empty dataspace: nothing to declare
    kind = _kind(dt)
    if shape == () and kind is not None:
        return AttributeSpec(name=name, type=kind)
    if kind in ("str", "bytes"):  # text arrays are declared as lists, which are 1-d
        return AttributeSpec(name=name, type="list", item=kind) if len(shape) == 1 else None
    return AttributeSpec(name=name, type="array", dtype=dt, shape=tuple(DimSpec(size=n) for n in shape))


def _kind(dt: DTypeSpec) -> str | None:
    """The scalar attribute kind of a dtype, as validation will see it (None: none fits)."""
    return next((k for k in _KINDS if scalar_kind_ok(k, dt)), None)


def _attributes(oid: _h5.Handle) -> tuple[AttributeSpec, ...]:
    names = _h5.attribute_names(oid)
    scan = _h5.scan_attributes(oid, [(n, False) for n in names])  # types only, no values
    found = (_attribute(n, scan.found[n]) for n in names if n in scan.found)
    return tuple(a for a in found if a is not None)


def _dataset(name: str, dsid: _h5.Handle) -> tuple[DatasetSpec, list[int | None]]:
    """The declaration, and the dataset's resizable lengths (for naming shared dims)."""
    info = _h5.dataset_info(dsid)
    shape = info.shape
    spec: dict[str, Any] = {"name": name, "dtype": info.dtype, "attributes": _attributes(dsid)}
    growing: list[int | None] = []
    if shape is not None:
        spec["maxshape"] = maxshape = info.maxshape or shape
        spec["shape"], growing = _axes(shape, maxshape)
    # chunked or not, never the chunk shape: h5py picks that from the size of the first data, so
    # the next file written by the same code would differ
    spec["chunks"] = info.chunks is not None
    spec["compression"] = info.compression if info.compression in ("gzip", "lzf", "none") else None
    if info.compression == "gzip":
        spec["compression_opts"] = info.compression_opts
    spec["shuffle"], spec["fletcher32"] = info.shuffle, info.fletcher32
    if info.foreign is not None:
        spec["external"] = True
    return DatasetSpec(**spec), growing


def _axes(
    shape: tuple[int, ...], maxshape: tuple[int | None, ...]
) -> tuple[tuple[DimSpec, ...], list[int | None]]:
    """Each axis declared: a fixed axis at its length, a resizable one of any length; and the
    resizable axes' lengths (None for the fixed ones)."""
    dims, growing = [], []
    for n, m in zip(shape, maxshape, strict=True):
        dims.append(DimSpec(size=n) if m == n else DimSpec())
        growing.append(None if m == n else n)
    return tuple(dims), growing


def _named(datasets: list[tuple[DatasetSpec, list[int | None]]]) -> list[DatasetSpec]:
    """Give resizable axes whose lengths agree across datasets of the group a shared name."""
    names = _shared_names([growing for _, growing in datasets])
    return [_with_dim_names(spec, growing, names) for spec, growing in datasets]


def _shared_names(growing: list[list[int | None]]) -> dict[int, str]:
    """The resizable lengths that more than one dataset has, named ``n``, ``n1``, ... in order."""
    counts: dict[int, int] = {}
    for lengths in growing:
        for n in {n for n in lengths if n is not None}:
            counts[n] = counts.get(n, 0) + 1
    shared = sorted(n for n, c in counts.items() if c > 1)
    return {n: ("n" if i == 0 else f"n{i}") for i, n in enumerate(shared)}


def _with_dim_names(spec: DatasetSpec, growing: list[int | None], names: dict[int, str]) -> DatasetSpec:
    """The declaration with its resizable axes of a shared length named."""
    if not any(n in names for n in growing if n is not None) or spec.shape is None:
        return spec
    dims = tuple(
        DimSpec(name=names[n]) if n is not None and n in names else d
        for d, n in zip(spec.shape, growing, strict=True)
    )
    return spec.model_copy(update={"shape": dims})


def _group(gid: _h5.Handle, name: str | None, depth: int, max_members: int) -> GroupSpec:
    members: list[GroupSpec] = []
    datasets: list[tuple[DatasetSpec, list[int | None]]] = []
    links = _h5.links(gid, max_members)
    for link in links[:max_members]:
        if link.kind != "hard":
            continue  # links cannot be declared: they stay undeclared members
        try:
            oid = _h5.open_member(gid, link.name)
            kind = _h5.kind_of(oid)
            if kind == "group" and depth < 64:
                members.append(_group(oid, link.name, depth + 1, max_members))
            elif kind == "dataset":
                datasets.append(_dataset(link.name, oid))
        except _h5.ObjectError:
            continue  # unreadable: left out, validation will report it
    every: list[GroupSpec | DatasetSpec] = [*members, *_named(datasets)]
    every.sort(key=lambda m: m.name or "")  # members in name order
    return GroupSpec(name=name, attributes=_attributes(gid), members=tuple(every))


def infer(root: _h5.Handle, name: str, max_members: int) -> SchemaSpec:
    """The schema of the file under ``root``, named ``name``."""
    return SchemaSpec(name=name, root=_group(root, None, 0, max_members))
