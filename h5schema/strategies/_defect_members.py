"""Group defects: members deleted, added or replaced by another kind, and named dims broken."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from h5schema._report.codes import Code, Severity
from h5schema._schema.spec import DatasetSpec, GroupSpec
from h5schema._types.paths import child_path
from h5schema.strategies._defects import Defect, _h5py, _Node, _relength

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


def _group_defects(node: _Node) -> list[Defect]:
    spec = node.spec
    assert isinstance(spec, GroupSpec)
    out: list[Defect] = []
    present = {c.name: c for c in node.children}
    for m in spec.members:
        child = present.get(m.name or "")
        if child is not None and m.required:
            code = Code.MISSING_GROUP if m.kind == "group" else Code.MISSING_DATASET
            out.append(
                Defect(code, child.path, Severity.ERROR, f"delete {child.path}", _del_member(child.path))
            )
    for i, p in enumerate(spec.patterns):
        names = node.matched.get(i, [])
        if names and len(names) == p.min_count:
            victim = child_path(node.path, names[0])
            out.append(
                Defect(Code.MEMBER_COUNT, node.path, Severity.ERROR, f"delete {victim}", _del_member(victim))
            )
    regexes = [r for r, _ in spec.compiled_patterns()]
    declared = {m.name for m in spec.members}
    for extra in ("zz_extra", "zz extra 2", "ZZ-3"):
        if extra in node.links or extra in declared or any(r.fullmatch(extra) for r in regexes):
            continue
        sev = Severity.ERROR if spec.closed else Severity.WARNING
        epath = child_path(node.path, extra)
        for kind in ("group", "dataset", "link"):
            out.append(
                Defect(Code.UNEXPECTED_MEMBER, epath, sev, f"add {kind} {epath}", _add_member(epath, kind))
            )
        break
    for child in node.children:
        for kind in ("group", "dataset", "link"):
            if kind != child.spec.kind:
                out.append(
                    Defect(
                        Code.WRONG_KIND,
                        child.path,
                        Severity.ERROR,
                        f"replace {child.path} by a {kind}",
                        _replace_member(child.path, kind),
                    )
                )
    out += _dim_defects(node)
    return out


def _dim_defects(node: _Node) -> list[Defect]:
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
                    out.append(
                        Defect(
                            Code.DIM_MISMATCH,
                            child.path,
                            Severity.ERROR,
                            f"give {child.path} {length} on axis {axis} (dim {dim_name!r} is {bound})",
                            change,
                        )
                    )
                    break
    return out
