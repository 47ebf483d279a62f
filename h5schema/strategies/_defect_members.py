"""Group defects: members deleted, added or replaced by another kind, and named dims broken."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from h5schema._report.codes import Code
from h5schema._schema.spec import DatasetSpec, GroupSpec
from h5schema._types.paths import child_path
from h5schema.strategies._defects import Defect, _defect, _h5py, _Node, _relength, makes

__all__: list[str] = []


def _del_member(path: str) -> Callable[[Any], None]:
    def change(f: Any) -> None:
        del f[path]

    return change


def _add_member(path: str, kind: str) -> Callable[[Any], None]:
    def change(f: Any) -> None:
        parent, name = f[path.rsplit("/", 1)[0] or "/"], path.rsplit("/", 1)[1]
        if kind == "group":
            parent.create_group(name)
        elif kind == "dataset":
            parent.create_dataset(name, data=np.arange(3), dtype="i8")
        else:
            parent[name] = _h5py().SoftLink("/")

    return change


def _replace_member(path: str, kind: str) -> Callable[[Any], None]:
    def change(f: Any) -> None:
        del f[path]
        _add_member(path, kind)(f)

    return change


def _group(node: _Node) -> GroupSpec | None:
    return node.spec if isinstance(node.spec, GroupSpec) else None


def _deletions(node: _Node, code: Code, kind: str) -> list[Defect]:
    """A required member of ``kind`` deleted."""
    spec = _group(node)
    if spec is None:
        return []
    present = {c.name: c for c in node.children}
    out = []
    for m in spec.members:
        child = present.get(m.name or "")
        if child is not None and m.required and m.kind == kind:
            out.append(_defect(code, child.path, f"delete {child.path}", _del_member(child.path)))
    return out


@makes(Code.MISSING_GROUP)
def _missing_groups(f: Any, node: _Node) -> list[Defect]:
    """A required group deleted."""
    return _deletions(node, Code.MISSING_GROUP, "group")


@makes(Code.MISSING_DATASET)
def _missing_datasets(f: Any, node: _Node) -> list[Defect]:
    """A required dataset deleted."""
    return _deletions(node, Code.MISSING_DATASET, "dataset")


@makes(Code.MEMBER_COUNT)
def _member_counts(f: Any, node: _Node) -> list[Defect]:
    """A pattern left one member short of its ``min_count``."""
    spec = _group(node)
    if spec is None:
        return []
    out = []
    for i, p in enumerate(spec.patterns):
        names = node.matched.get(i, [])
        if names and len(names) == p.min_count:
            victim = child_path(node.path, names[0])
            out.append(_defect(Code.MEMBER_COUNT, node.path, f"delete {victim}", _del_member(victim)))
    return out


@makes(Code.UNEXPECTED_MEMBER)
def _unexpected_members(f: Any, node: _Node) -> list[Defect]:
    """An undeclared group, dataset or soft link added: errors in a closed group, else warnings."""
    spec = _group(node)
    if spec is None:
        return []
    regexes = [r for r, _ in spec.compiled_patterns()]
    declared = {m.name for m in spec.members}
    for extra in ("zz_extra", "zz extra 2", "ZZ-3"):
        if extra in node.links or extra in declared or any(r.fullmatch(extra) for r in regexes):
            continue
        epath = child_path(node.path, extra)
        return [
            _defect(
                Code.UNEXPECTED_MEMBER,
                epath,
                f"add {kind} {epath}",
                _add_member(epath, kind),
                closed=spec.closed,
            )
            for kind in ("group", "dataset", "link")
        ]
    return []


@makes(Code.WRONG_KIND)
def _wrong_kinds(f: Any, node: _Node) -> list[Defect]:
    """A member replaced by one of the other kinds (group, dataset, soft link)."""
    if _group(node) is None:
        return []
    out = []
    for child in node.children:
        for kind in ("group", "dataset", "link"):
            if kind != child.spec.kind:
                change = _replace_member(child.path, kind)
                out.append(_defect(Code.WRONG_KIND, child.path, f"replace {child.path} by a {kind}", change))
    return out


@makes(Code.DIM_MISMATCH)
def _dim_mismatches(f: Any, node: _Node) -> list[Defect]:
    """A dataset of a group given another length on an axis of a named dim that others share."""
    if _group(node) is None:
        return []
    out: list[Defect] = []
    users: dict[str, list[tuple[_Node, int]]] = {}
    for child in node.children:
        spec = child.spec
        if not isinstance(spec, DatasetSpec) or spec.shape is None:
            continue
        for dim_name in {d.name for d in spec.shape if d.name is not None}:
            axes = [i for i, d in enumerate(spec.shape) if d.name == dim_name]
            users.setdefault(dim_name, []).append((child, axes[0] if len(axes) == 1 else -1))
    for dim_name, found in users.items():
        if len(found) < 2:
            continue
        bound = found[0][0].props["shape"][found[0][1]] if found[0][1] >= 0 else None
        if bound is None:
            continue
        for child, axis in found[1:]:
            if axis < 0:
                continue
            spec = child.spec
            assert isinstance(spec, DatasetSpec) and spec.shape is not None
            for length in (bound - 1, bound + 1):
                if length < 0 or not spec.shape[axis].allows(length):
                    continue
                change = _relength(child, axis, length)
                if change is not None:
                    what = f"give {child.path} {length} on axis {axis} (dim {dim_name!r} is {bound})"
                    out.append(_defect(Code.DIM_MISMATCH, child.path, what, change))
                    break
    return out
