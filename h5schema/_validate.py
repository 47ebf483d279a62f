"""The validator's walk: go through a file alongside its schema and collect every violation.

It reads metadata only (link lists, dataset headers, the attributes the schema names, and the
names of the others); dataset values are read only for declared data checks. It runs in the
calling process; :mod:`h5schema._check` decides whether that process is a sandboxed child.

The walk is iterative (a stack of groups, no recursion), follows hard links only, reports soft
and external links by their type without following them, and stops at the :class:`Limits`.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from h5schema import _h5
from h5schema._attrcheck import attribute_problem, needs_value
from h5schema._codes import Code, Severity
from h5schema._datachecks import check_data
from h5schema._dtypes import DTypeSpec
from h5schema._limits import Limits
from h5schema._report import Report, Violation, unreadable_report
from h5schema._shapes import DimSpec, describe_lengths, describe_shape
from h5schema._spec import AttributeSpec, DatasetSpec, GroupSpec, SchemaSpec

__all__ = ["walk", "walk_path"]

_KIND_WORDS = {
    "hard": "an object",
    "group": "a group",
    "dataset": "a dataset",
    "datatype": "a named datatype",
    "soft_link": "a soft link",
    "external_link": "an external link",
    "other": "an object of unknown type",
    "unreadable": "an unreadable object",
}
_DEFAULT_LIMITS = Limits()


def walk(source: Any, spec: SchemaSpec, *, check_data: bool = True, limits: Limits | None = None) -> Report:
    """Validate a path or an open ``h5py.File``/``h5py.Group`` in this process."""
    limits = limits or _DEFAULT_LIMITS
    if _h5.is_h5py_object(source):
        root = _h5.root_of(source)
        return _walk(root, spec, _h5.file_label(source), check_data, limits, _h5.name_of(source))
    return walk_path(os.fspath(source), spec, check_data=check_data, limits=limits)


def walk_path(
    path: str,
    spec: SchemaSpec,
    *,
    check_data: bool = True,
    limits: Limits | None = None,
    label: str | None = None,
) -> Report:
    """Open a file read-only and validate it in this process; an unopenable file is reported.
    ``label`` names the file in the report (default: ``path``)."""
    label = path if label is None else label
    try:
        f = _h5.open_read(path)
    except _h5.Unreadable as exc:
        return unreadable_report(label, spec.name, str(exc))
    try:
        return _walk(_h5.root_of(f), spec, label, check_data, limits or _DEFAULT_LIMITS)
    finally:
        with contextlib.suppress(Exception):  # a failing close must not hide the report
            f.close()


def _walk(
    root: _h5.Handle, spec: SchemaSpec, label: str, check_data: bool, limits: Limits, base: str = "/"
) -> Report:
    walker = _Walker(check_data, limits)
    # Each group is a generator that yields its subgroups as it meets them: a stack of them walks
    # depth first, in declaration order, like recursion would, but with no recursion limit.
    stack: list[Iterator[_Pending]] = [walker.group(root, spec.root, base, 0)]
    paths = [base]
    while stack:
        try:
            child = next(stack[-1], None)
        except Exception as exc:  # a failure we did not foresee: the group ends, the walk goes on
            walker.unreadable(paths[-1], exc)
            child = None
        if child is None:
            stack.pop()
            paths.pop()
        else:
            stack.append(walker.group(*child))
            paths.append(child[2])
    return Report(file=label, schema=spec.name, violations=tuple(walker.out))


_Pending = tuple[_h5.Handle, GroupSpec, str, int]  # an opened group, its spec, its path, its depth


def _child(path: str, name: str) -> str:
    return f"/{name}" if path == "/" else f"{path}/{name}"


def _attr_path(path: str, name: str) -> str:
    return f"{path}@{name}" if path != "/" else f"/@{name}"


class _Walker:
    """One walk: the violations found so far, and per-schema work done once."""

    def __init__(self, check_data: bool, limits: Limits) -> None:
        self.check_data = check_data
        self.limits = limits
        self.out: list[Violation] = []
        self._seen: set[tuple[tuple[int, int], int]] = set()  # groups with several hard links
        self._matches: dict[tuple[int, int], tuple[bool, DTypeSpec]] = {}
        self._wanted: dict[int, list[tuple[str, bool]]] = {}
        self._plans: dict[int, _DatasetPlan] = {}

    def add(
        self,
        path: str,
        code: Code,
        message: str,
        expected: Any = None,
        actual: Any = None,
        *,
        warn: bool = False,
    ) -> None:
        severity = Severity.WARNING if warn else Severity.ERROR
        self.out.append(Violation(path, code, f"{path}: {message}", expected, actual, severity))

    def unreadable(self, path: str, exc: Exception) -> None:
        text = (
            str(exc) if isinstance(exc, _h5.ObjectError) else f"cannot be read ({type(exc).__name__}: {exc})"
        )
        self.add(path, Code.OBJECT_UNREADABLE, text, "a readable object", text)

    def dtype_matches(self, declared: DTypeSpec, observed: DTypeSpec) -> bool:
        """``declared.matches(observed)``, memoized: files repeat a few dtypes many times."""
        key = (id(declared), id(observed))
        hit = self._matches.get(key)
        if hit is not None and hit[1] is observed:  # the stored reference keeps the id valid
            return hit[0]
        ok = declared.matches(observed)
        self._matches[key] = (ok, observed)
        return ok

    # ------------------------------------------------------------ groups

    def group(self, gid: _h5.Handle, spec: GroupSpec, path: str, depth: int) -> Iterator[_Pending]:
        """Check one group's attributes and members, yielding each subgroup to walk in turn."""
        self.attributes(gid, spec.attributes, spec.closed, path)
        cap = self.limits.max_members
        try:
            listed = _h5.links(gid, cap)
        except _h5.ObjectError as exc:
            self.unreadable(path, exc)
            return
        if len(listed) > cap:
            self.add(
                path, Code.LIMIT_EXCEEDED,
                f"more than {cap} members (the max_members limit); its members were not checked",
                f"at most {cap} members", f"more than {cap}",
            )  # fmt: skip
            return
        found = {link.name: link for link in listed}
        scope: dict[str, tuple[int, str]] = {}
        for member in spec.members:
            name = member.name or ""
            link = found.pop(name, None)
            if link is None:
                if member.required:
                    code = Code.MISSING_GROUP if member.kind == "group" else Code.MISSING_DATASET
                    self.add(
                        _child(path, name), code, f"required {member.kind} is missing", member.kind, None
                    )
                continue
            child = self.member(gid, link, member, _child(path, name), scope, depth)
            if child is not None:
                yield child
        for regex, pattern in spec.compiled_patterns():
            matched = [n for n in found if regex.fullmatch(n)]
            for name in matched:
                child = self.member(gid, found.pop(name), pattern.item, _child(path, name), scope, depth)
                if child is not None:
                    yield child
            lo, hi = pattern.min_count, pattern.max_count
            if len(matched) < lo or (hi is not None and len(matched) > hi):
                self.add(
                    path, Code.MEMBER_COUNT,
                    f"expected {pattern.describe()}, got {len(matched)}" + _listing(matched),
                    pattern.describe(), len(matched),
                )  # fmt: skip
        for name, link in found.items():
            self.extra(gid, link, _child(path, name), spec.closed)

    def extra(self, gid: _h5.Handle, link: _h5.Link, path: str, closed: bool) -> None:
        """A member the schema does not declare."""
        if link.kind == "external_link":
            self.external_link(link, path)
            return
        link = _h5.resolve_kind(gid, link)
        if link.kind == "unreadable":
            self.add(path, Code.OBJECT_UNREADABLE, link.target or "cannot be read", None, link.target)
            return
        self.add(
            path, Code.UNEXPECTED_MEMBER,
            f"unexpected member: expected nothing here, got {_what(link)}",
            None, link.kind, warn=not closed,
        )  # fmt: skip
        if link.kind == "soft_link":
            self.soft_link(gid, link, path)

    def soft_link(self, gid: _h5.Handle, link: _h5.Link, path: str) -> None:
        """Report a soft link whose target is not an object of this file (never followed out)."""
        reason = "its target cannot be read" if link.target is None else _h5.soft_target(gid, link.target)
        if reason is not None:
            self.add(
                path, Code.DANGLING_LINK, f"soft link to {link.target} leads nowhere: {reason}",
                "a link to an object in this file", link.target,
            )  # fmt: skip

    def external_link(self, link: _h5.Link, path: str) -> None:
        self.add(
            path, Code.EXTERNAL_REFERENCE,
            f"an external link to {link.target}; links out of the file are reported, never followed",
            "an object stored in this file", link.target,
        )  # fmt: skip

    def member(
        self,
        gid: _h5.Handle,
        link: _h5.Link,
        spec: GroupSpec | DatasetSpec,
        path: str,
        scope: dict[str, tuple[int, str]],
        depth: int,
    ) -> _Pending | None:
        """Check a declared member; a group is returned for the walk to descend into."""
        if link.kind == "external_link":
            self.external_link(link, path)
            return None
        if link.kind != "hard":
            self.add(
                path, Code.WRONG_KIND, f"expected a {spec.kind}, got {_what(link)}", spec.kind, link.kind
            )
            if link.kind == "soft_link":
                self.soft_link(gid, link, path)
            return None
        try:
            oid = _h5.open_member(gid, link.name)
        except _h5.ObjectError as exc:
            self.add(path, Code.OBJECT_UNREADABLE, str(exc), "a readable object", str(exc))
            return None
        kind = _h5.kind_of(oid)
        if kind != spec.kind:
            self.add(
                path, Code.WRONG_KIND, f"expected a {spec.kind}, got {_KIND_WORDS[kind]}", spec.kind, kind
            )
        elif isinstance(spec, GroupSpec):
            if depth + 1 > self.limits.max_depth:
                cap = self.limits.max_depth
                msg = f"nested deeper than {cap} groups (the max_depth limit); not checked"
                self.add(path, Code.LIMIT_EXCEEDED, msg, f"at most {cap} levels", depth + 1)
                return None
            key = _h5.object_key(oid)
            if key is not None:  # several hard links lead here: walk it once per declaration
                if (key, id(spec)) in self._seen:
                    return None
                self._seen.add((key, id(spec)))
            return (oid, spec, path, depth + 1)
        else:
            try:
                self.dataset(oid, spec, path, scope)
            except Exception as exc:  # a failure we did not foresee: this dataset only
                self.unreadable(path, exc)
        return None

    # ------------------------------------------------------------ datasets

    def plan(self, spec: DatasetSpec) -> _DatasetPlan:
        plan = self._plans.get(id(spec))
        if plan is None:
            plan = self._plans[id(spec)] = _DatasetPlan.of(spec, self.check_data)
        return plan

    def dataset(
        self, dsid: _h5.Handle, spec: DatasetSpec, path: str, scope: dict[str, tuple[int, str]]
    ) -> None:
        plan = self.plan(spec)
        try:
            info = _h5.dataset_info(dsid, layout=plan.layout, fill=plan.fill, maxshape=plan.maxshape)
        except _h5.ObjectError as exc:
            self.unreadable(path, exc)
            return
        dtype_ok = spec.dtype is None or self.dtype_matches(spec.dtype, info.dtype)
        if not dtype_ok:
            assert spec.dtype is not None
            exp, got = spec.dtype.describe(), info.dtype.describe()
            self.add(path, Code.DTYPE_MISMATCH, f"expected dtype {exp}, got {got}", exp, got)
        if plan.dims is not None:
            shape = info.shape
            if shape is None or len(shape) != len(plan.dims) or not _fits(plan.dims, shape, scope):
                self.shape(spec.shape or (), shape, path, scope)
        if spec.maxshape is not None and info.maxshape != spec.maxshape:
            got_max = "none" if info.maxshape is None else describe_lengths(info.maxshape)
            self.add(
                path, Code.MAXSHAPE_MISMATCH,
                f"expected maxshape {describe_lengths(spec.maxshape)}, got {got_max}",
                list(spec.maxshape), None if info.maxshape is None else list(info.maxshape),
            )  # fmt: skip
        if info.layout_read:
            self.layout(spec, info, path)
        self.attributes(dsid, spec.attributes, spec.closed, path)
        if info.foreign is not None:  # never read: it would open files outside this one
            self.add(
                path, Code.EXTERNAL_REFERENCE,
                f"{info.foreign}; data outside the file is reported, never read"
                + ("; its data checks were not run" if plan.data_checks else ""),
                "data stored in this file", info.foreign,
            )  # fmt: skip
        elif plan.data_checks and dtype_ok:  # a wrong dtype is reported once
            try:
                self.out.extend(check_data(dsid, info, spec, path, self.limits.max_chunk_bytes))
            except _h5.ObjectError as exc:
                self.unreadable(path, exc)

    def shape(
        self,
        declared: tuple[DimSpec, ...],
        shape: tuple[int, ...] | None,
        path: str,
        scope: dict[str, tuple[int, str]],
    ) -> None:
        if shape is None or len(shape) != len(declared):
            exp = describe_shape(declared)
            got = "empty dataspace" if shape is None else describe_lengths(shape)
            rank = "no rank" if shape is None else f"rank {len(shape)}"
            msg = f"expected shape {exp} (rank {len(declared)}), got {got} ({rank})"
            self.add(path, Code.SHAPE_MISMATCH, msg, exp, got)
            return
        bad = [i for i, (d, n) in enumerate(zip(declared, shape, strict=True)) if not d.allows(n)]
        if bad:
            exp, got = describe_shape(declared), describe_lengths(shape)
            axes = ", ".join(map(str, bad))
            self.add(path, Code.SHAPE_MISMATCH, f"expected shape {exp}, got {got} (axis {axes})", exp, got)
        for axis, (d, n) in enumerate(zip(declared, shape, strict=True)):
            if d.name is None or axis in bad:
                continue
            bound = scope.setdefault(d.name, (n, path))
            if bound[0] != n:
                self.add(
                    path, Code.DIM_MISMATCH,
                    f"expected dim {d.name!r} = {bound[0]} (as in {bound[1]}), got {n} on axis {axis}",
                    bound[0], n,
                )  # fmt: skip

    def layout(self, spec: DatasetSpec, info: _h5.DatasetInfo, path: str) -> None:
        if spec.chunks is not None:
            if spec.chunks is True or spec.chunks is False:
                ok = (info.chunks is not None) == spec.chunks
            else:
                ok = info.chunks == spec.chunks
            if not ok:
                exp = (
                    ("chunked" if spec.chunks else "not chunked")
                    if isinstance(spec.chunks, bool)
                    else f"chunks {describe_lengths(spec.chunks)}"
                )
                got = "not chunked" if info.chunks is None else f"chunks {describe_lengths(info.chunks)}"
                self.add(path, Code.CHUNKS_MISMATCH, f"expected {exp}, got {got}", exp, got)
        checks: tuple[tuple[str, Any, Any], ...] = (
            ("compression", spec.compression, info.compression),
            ("compression_opts", spec.compression_opts, info.compression_opts),
            ("shuffle", spec.shuffle, info.shuffle),
            ("fletcher32", spec.fletcher32, info.fletcher32),
        )
        for what, want, got in checks:
            if want is not None and want != got:
                self.add(path, Code.COMPRESSION_MISMATCH, f"expected {what} {want}, got {got}", want, got)
        if spec.fillvalue is not None and not _same_fill(spec.fillvalue, info.fillvalue):
            self.add(
                path, Code.FILLVALUE_MISMATCH,
                f"expected fill value {spec.fillvalue!r}, got {info.fillvalue!r}",
                spec.fillvalue, info.fillvalue,
            )  # fmt: skip

    # ------------------------------------------------------------ attributes

    def attributes(self, oid: _h5.Handle, specs: tuple[AttributeSpec, ...], closed: bool, path: str) -> None:
        wanted = self._wanted.get(id(specs))
        if wanted is None:
            wanted = self._wanted[id(specs)] = [(s.name, needs_value(s)) for s in specs]
        try:
            scan = _h5.scan_attributes(oid, wanted, self.limits.max_attribute_bytes)
        except _h5.ObjectError as exc:
            self.unreadable(path, exc)
            return
        for spec, (_, check_value) in zip(specs, wanted, strict=True):
            got = scan.found.get(spec.name)
            if got is None:
                if spec.required:
                    exp = spec.describe_type()
                    msg = f"required attribute is missing (expected {exp})"
                    self.add(_attr_path(path, spec.name), Code.MISSING_ATTRIBUTE, msg, exp, None)
                continue
            problem = attribute_problem(spec, got, check_value=check_value)
            if problem is not None:
                self.add(_attr_path(path, spec.name), *problem)
        for name in scan.extra:
            self.add(
                _attr_path(path, name), Code.UNEXPECTED_ATTRIBUTE,
                "unexpected attribute: expected nothing here", None, name, warn=not closed,
            )  # fmt: skip


Dim = tuple[str | None, int, int | None]  # name, lowest and highest allowed length


@dataclass(slots=True)
class _DatasetPlan:
    """What checking one dataset declaration needs, worked out once per walk."""

    layout: bool
    fill: bool
    maxshape: bool
    data_checks: bool
    dims: tuple[Dim, ...] | None

    @classmethod
    def of(cls, spec: DatasetSpec, check_data: bool) -> _DatasetPlan:
        data_checks = check_data and spec.has_data_checks
        dims = None if spec.shape is None else tuple((d.name, d.lower, d.upper) for d in spec.shape)
        return cls(
            layout=data_checks or _checks_layout(spec),
            fill=spec.fillvalue is not None,
            maxshape=spec.maxshape is not None,
            data_checks=data_checks,
            dims=dims,
        )


def _fits(dims: tuple[Dim, ...], shape: tuple[int, ...], scope: dict[str, tuple[int, str]]) -> bool:
    """The common case, fast: every length allowed and every named dim as bound before.

    Binds nothing; on False the caller takes the slow path, which reports and binds."""
    for (name, lo, hi), n in zip(dims, shape, strict=True):
        if n < lo or (hi is not None and n > hi):
            return False
        if name is not None:
            bound = scope.get(name)
            if bound is None or bound[0] != n:
                return False
    return True


def _checks_layout(spec: DatasetSpec) -> bool:
    """Whether the schema checks anything stored in the dataset creation property list."""
    return not (
        spec.chunks is None
        and spec.compression is None
        and spec.compression_opts is None
        and spec.shuffle is None
        and spec.fletcher32 is None
        and spec.fillvalue is None
    )


def _what(link: _h5.Link) -> str:
    return _KIND_WORDS[link.kind] + (f" to {link.target}" if link.target else "")


def _listing(names: list[str]) -> str:
    return f" ({', '.join(names)})" if names else ""


def _same_fill(want: Any, got: Any) -> bool:
    if got is None:
        return False
    if isinstance(want, float) and isinstance(got, float) and math.isnan(want):
        return math.isnan(got)
    try:
        return bool(want == got)
    except Exception:
        return False
