"""The defects and mutants strategies: walk a conforming file and pick one defect to make."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from h5schema._report.codes import Code
from h5schema._schema.model import as_schema
from h5schema._schema.spec import DatasetSpec, GroupSpec
from h5schema._types.paths import child_path

# imported for their @makes registrations: together they fill MAKERS
from h5schema.strategies import _defect_attrs, _defect_datasets, _defect_members  # noqa: F401
from h5schema.strategies._defects import MAKERS, Defect, _h5py, _Node

__all__ = ["defects", "mutants"]


_DEFECT_CODES = tuple(c for c in Code if c.defect)  # each made by its function in MAKERS


def _dataset_props(h5py: ModuleType, ds: Any) -> dict[str, Any]:
    dcpl = ds.id.get_create_plist()
    fill = None
    if dcpl.fill_value_defined() == h5py.h5d.FILL_VALUE_USER_DEFINED:
        buf = np.zeros((1,), dtype=ds.dtype)
        dcpl.get_fill_value(buf)
        fill = buf[0]
    return {
        "dtype": ds.dtype,
        "shape": tuple(ds.shape),
        "maxshape": tuple(ds.maxshape) if ds.maxshape is not None else None,
        "chunks": ds.chunks,
        "compression": ds.compression,
        "compression_opts": ds.compression_opts,
        "shuffle": bool(ds.shuffle),
        "fletcher32": bool(ds.fletcher32),
        "fillvalue": fill,
        "data": ds[()],
    }


def _walk(
    h5py: ModuleType, f: Any, spec: GroupSpec, path: str, name: str, parent: _Node | None
) -> list[_Node]:
    g = f[path]
    node = _Node(path, name, spec, parent, list(g.attrs.keys()))
    node.links = list(g.keys())
    out = [node]
    found: dict[str, str] = {}
    for link in node.links:
        if isinstance(g.get(link, getlink=True), h5py.HardLink):
            cls = g.get(link, getclass=True)
            found[link] = "group" if cls is h5py.Group else "dataset" if cls is h5py.Dataset else "other"
        else:
            found[link] = "link"

    def visit(child_name: str, child_spec: GroupSpec | DatasetSpec) -> None:
        kind = found.pop(child_name)
        if kind != child_spec.kind:
            return
        cpath = child_path(path, child_name)
        if isinstance(child_spec, GroupSpec):
            sub = _walk(h5py, f, child_spec, cpath, child_name, node)
            node.children.append(sub[0])
            out.extend(sub)
        else:
            ds = f[cpath]
            child = _Node(cpath, child_name, child_spec, node, list(ds.attrs.keys()))
            child.props = _dataset_props(h5py, ds)
            node.children.append(child)
            out.append(child)

    for m in spec.members:
        if (m.name or "") in found:
            visit(m.name or "", m)
    for i, (regex, pattern) in enumerate(spec.compiled_patterns()):
        names = [n for n in found if regex.fullmatch(n)]
        node.matched[i] = names
        for n in names:
            visit(n, pattern.item)
    return out


def defects(
    schema: Any, file: str | Path, *, codes: Iterable[Code | str] | None = None
) -> SearchStrategy[Defect]:
    """One :class:`Defect` for the conforming ``file`` of ``schema``, chosen among ``codes``
    (default: every code below, those with ``Code.defect`` set). Drawing reads the file;
    :meth:`Defect.apply` changes it.

    Each defect changes exactly one thing, so that validation reports exactly its code at its
    path: a required attribute deleted (``missing_attribute`` at ``/g@a``), an attribute stored
    with another type (``attribute_type``) or a value breaking a constraint
    (``attribute_value``), an undeclared attribute or member added (``unexpected_attribute``,
    ``unexpected_member``: errors in closed groups, warnings in open ones), a required member
    deleted (``missing_dataset``, ``missing_group``), a pattern left one member short
    (``member_count``), a member replaced by the other kind or a soft link (``wrong_kind``), and
    datasets recreated with one property changed and everything else copied (dtype, data,
    chunks, filters, fill value, attributes): ``dtype_mismatch``, ``maxshape_mismatch``,
    ``chunks_mismatch``, ``compression_mismatch``, ``fillvalue_mismatch``, or resized:
    ``shape_mismatch``, ``dim_mismatch`` (one dataset of a named dim), or one element written:
    ``value_constraint``. The strategy is empty when none applies (``unexpected_*`` always does
    unless ``codes`` excludes them).
    """
    try:
        spec = as_schema(schema)
    except TypeError as exc:
        raise InvalidArgument(str(exc)) from None
    if not Path(file).is_file():
        raise InvalidArgument(f"file={file!r} is not a file")
    wanted = set(_DEFECT_CODES)
    if codes is not None:
        try:
            wanted = {Code(str(c)) for c in codes}  # type: ignore[arg-type]  # Code(slug) looks members up
        except ValueError as exc:
            raise InvalidArgument(f"codes: {exc}") from None
        unknown = wanted - set(_DEFECT_CODES)
        if unknown:
            raise InvalidArgument(f"no defect makes {sorted(unknown)}")
    makers = [(code, MAKERS[code]) for code in _DEFECT_CODES if code in wanted]
    h5py = _h5py()
    by_code: dict[Code, list[Defect]] = {}
    with h5py.File(file, "r") as f:
        for node in _walk(h5py, f, spec.root, "/", "", None):
            for code, maker in makers:
                made = maker(f, node)
                if made:
                    by_code.setdefault(code, []).extend(made)
    if not by_code:
        return st.nothing()
    kinds = [c for c in _DEFECT_CODES if c in by_code]
    return st.sampled_from(kinds).flatmap(lambda c: st.sampled_from(by_code[c]))


def mutants(
    schema: Any, file: str | Path, *, codes: Iterable[Code | str] | None = None
) -> SearchStrategy[tuple[Code, str]]:
    """Apply one of :func:`defects` to ``file`` in place and give the ``(code, path)`` that
    validation must report, alone. Draw it once per file: each draw changes the file again.
    """
    return defects(schema, file, codes=codes).map(lambda d: d.apply(file))
