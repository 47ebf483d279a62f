"""The validator: walk a file alongside its schema and collect every violation.

It reads metadata only (link lists, dataset headers, the attributes the schema names, and the
names of the others); dataset values are read only for declared data checks.
"""

from __future__ import annotations

import contextlib
import math
import os
from typing import Any

import numpy as np

from h5schema import _h5
from h5schema._codes import Code, Severity
from h5schema._datachecks import check_data
from h5schema._dtypes import _FAMILY_MEMBERS, NumericDType, StringDType
from h5schema._model import as_schema
from h5schema._report import Report, Violation
from h5schema._shapes import describe_lengths, describe_shape
from h5schema._spec import AttributeSpec, DatasetSpec, GroupSpec, SchemaSpec
from h5schema._values import constraint_problems

__all__ = ["validate"]

_KIND_WORDS = {
    "group": "a group",
    "dataset": "a dataset",
    "datatype": "a named datatype",
    "soft_link": "a soft link",
    "external_link": "an external link",
    "other": "an object of unknown type",
    "unreadable": "an unreadable object",
}


def validate(source: Any, schema: Any, *, check_data: bool = True) -> Report:
    """Check a file (a path, or an open ``h5py.File``/``h5py.Group``) against a schema.

    Never raises for a bad file: an unreadable file is a ``file_unreadable`` violation. With
    ``check_data=False`` the declared data checks are skipped and only metadata is read.
    """
    spec = as_schema(schema)
    if _h5.is_h5py_object(source):
        return _walk(_h5.root_of(source), spec, _h5.file_label(source), check_data, _h5.name_of(source))
    label = os.fspath(source)
    try:
        f = _h5.open_read(label)
    except _h5.Unreadable as exc:
        v = Violation("/", Code.FILE_UNREADABLE, f"{label}: {exc}", expected="an HDF5 file", actual=str(exc))
        return Report(file=label, schema=spec.name, violations=(v,))
    try:
        return _walk(_h5.root_of(f), spec, label, check_data)
    finally:
        with contextlib.suppress(Exception):  # a failing close must not hide the report
            f.close()


def _walk(root: _h5.Handle, spec: SchemaSpec, label: str, check_data: bool, base: str = "/") -> Report:
    walker = _Walker(check_data)
    walker.group(root, spec.root, base)
    return Report(file=label, schema=spec.name, violations=tuple(walker.out))


def _child(path: str, name: str) -> str:
    return f"/{name}" if path == "/" else f"{path}/{name}"


def _attr_path(path: str, name: str) -> str:
    return f"{path}@{name}" if path != "/" else f"/@{name}"


class _Walker:
    def __init__(self, check_data: bool) -> None:
        self.check_data = check_data
        self.out: list[Violation] = []

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
        self.add(path, Code.OBJECT_UNREADABLE, str(exc), "a readable object", str(exc))

    # ------------------------------------------------------------ groups

    def group(self, gid: _h5.Handle, spec: GroupSpec, path: str) -> None:
        self.attributes(gid, spec.attributes, spec.closed, path)
        try:
            found = {link.name: link for link in _h5.links(gid)}
        except _h5.ObjectError as exc:
            self.unreadable(path, exc)
            return
        scope: dict[str, tuple[int, str]] = {}
        for member in spec.members:
            name = member.name or ""
            link = found.pop(name, None)
            mpath = _child(path, name)
            if link is None:
                if member.required:
                    code = Code.MISSING_GROUP if member.kind == "group" else Code.MISSING_DATASET
                    self.add(mpath, code, f"required {member.kind} is missing", member.kind, None)
                continue
            self.member(gid, link, member, mpath, scope)
        for regex, pattern in self._patterns(spec):
            matched = [n for n in found if regex.fullmatch(n)]
            for name in matched:
                self.member(gid, found.pop(name), pattern.item, _child(path, name), scope)
            lo, hi = pattern.min_count, pattern.max_count
            if len(matched) < lo or (hi is not None and len(matched) > hi):
                self.add(
                    path, Code.MEMBER_COUNT,
                    f"expected {pattern.describe()}, got {len(matched)}" + _listing(matched),
                    pattern.describe(), len(matched),
                )  # fmt: skip
        for name, link in found.items():
            if link.kind == "unreadable":
                self.add(
                    _child(path, name),
                    Code.OBJECT_UNREADABLE,
                    link.target or "cannot be read",
                    None,
                    link.target,
                )
                continue
            what = _KIND_WORDS[link.kind] + (f" to {link.target}" if link.target else "")
            self.add(
                _child(path, name), Code.UNEXPECTED_MEMBER,
                f"unexpected member: expected nothing here, got {what}",
                None, link.kind, warn=not spec.closed,
            )  # fmt: skip

    @staticmethod
    def _patterns(spec: GroupSpec) -> list[Any]:
        return spec.compiled_patterns() if spec.patterns else []

    def member(
        self,
        gid: _h5.Handle,
        link: _h5.Link,
        spec: GroupSpec | DatasetSpec,
        path: str,
        scope: dict[str, tuple[int, str]],
    ) -> None:
        if link.kind == "unreadable":
            self.add(
                path,
                Code.OBJECT_UNREADABLE,
                link.target or "cannot be read",
                "a readable object",
                link.target,
            )
            return
        if link.kind != spec.kind:
            what = _KIND_WORDS[link.kind] + (f" to {link.target}" if link.target else "")
            self.add(path, Code.WRONG_KIND, f"expected a {spec.kind}, got {what}", spec.kind, link.kind)
            return
        try:
            oid = _h5.open_member(gid, link.name)
        except _h5.ObjectError as exc:
            self.unreadable(path, exc)
            return
        if isinstance(spec, GroupSpec):
            self.group(oid, spec, path)
        else:
            self.dataset(oid, spec, path, scope)

    # ------------------------------------------------------------ datasets

    def dataset(
        self, dsid: _h5.Handle, spec: DatasetSpec, path: str, scope: dict[str, tuple[int, str]]
    ) -> None:
        try:
            info = _h5.dataset_info(dsid)
        except _h5.ObjectError as exc:
            self.unreadable(path, exc)
            return
        dtype_ok = spec.dtype is None or spec.dtype.matches(info.dtype)
        if not dtype_ok:
            assert spec.dtype is not None
            exp, got = spec.dtype.describe(), info.dtype.describe()
            self.add(path, Code.DTYPE_MISMATCH, f"expected dtype {exp}, got {got}", exp, got)
        self.shape(spec, info, path, scope)
        self.layout(spec, info, path)
        self.attributes(dsid, spec.attributes, spec.closed, path)
        if self.check_data and spec.has_data_checks and dtype_ok:  # a wrong dtype is reported once
            try:
                self.out.extend(check_data(dsid, info, spec, path))
            except _h5.ObjectError as exc:
                self.unreadable(path, exc)

    def shape(
        self, spec: DatasetSpec, info: _h5.DatasetInfo, path: str, scope: dict[str, tuple[int, str]]
    ) -> None:
        if spec.shape is None:
            return
        exp = describe_shape(spec.shape)
        if info.shape is None or len(info.shape) != len(spec.shape):
            got = "empty dataspace" if info.shape is None else describe_lengths(info.shape)
            rank = "no rank" if info.shape is None else f"rank {len(info.shape)}"
            self.add(
                path,
                Code.SHAPE_MISMATCH,
                f"expected shape {exp} (rank {len(spec.shape)}), got {got} ({rank})",
                exp,
                got,
            )
            return
        bad = [i for i, (d, n) in enumerate(zip(spec.shape, info.shape, strict=True)) if not d.allows(n)]
        if bad:
            got = describe_lengths(info.shape)
            self.add(
                path,
                Code.SHAPE_MISMATCH,
                f"expected shape {exp}, got {got} (axis {', '.join(map(str, bad))})",
                exp,
                got,
            )
        for axis, (d, n) in enumerate(zip(spec.shape, info.shape, strict=True)):
            if d.name is None or axis in bad:
                continue
            if d.name not in scope:
                scope[d.name] = (n, path)
                continue
            length, where = scope[d.name]
            if length != n:
                self.add(
                    path, Code.DIM_MISMATCH,
                    f"expected dim {d.name!r} = {length} (as in {where}), got {n} on axis {axis}",
                    length, n,
                )  # fmt: skip

    def layout(self, spec: DatasetSpec, info: _h5.DatasetInfo, path: str) -> None:
        if spec.maxshape is not None and info.maxshape != spec.maxshape:
            exp, got = (
                describe_lengths(spec.maxshape),
                "none" if info.maxshape is None else describe_lengths(info.maxshape),
            )
            self.add(
                path,
                Code.MAXSHAPE_MISMATCH,
                f"expected maxshape {exp}, got {got}",
                list(spec.maxshape),
                None if info.maxshape is None else list(info.maxshape),
            )
        if spec.chunks is not None:
            if spec.chunks is True or spec.chunks is False:
                ok = (info.chunks is not None) == spec.chunks
                exp = "chunked" if spec.chunks else "not chunked"
            else:
                ok = info.chunks == spec.chunks
                exp = f"chunks {describe_lengths(spec.chunks)}"
            if not ok:
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
        if spec.fillvalue is not None and not _same_fill(spec.fillvalue, info.fillvalue, info):
            self.add(
                path,
                Code.FILLVALUE_MISMATCH,
                f"expected fill value {spec.fillvalue!r}, got {info.fillvalue!r}",
                spec.fillvalue,
                info.fillvalue,
            )

    # ------------------------------------------------------------ attributes

    def attributes(self, oid: _h5.Handle, specs: tuple[AttributeSpec, ...], closed: bool, path: str) -> None:
        try:
            names = _h5.attribute_names(oid)
        except _h5.ObjectError as exc:
            self.unreadable(path, exc)
            return
        present = set(names)
        for spec in specs:
            apath = _attr_path(path, spec.name)
            if spec.name not in present:
                if spec.required:
                    self.add(
                        apath,
                        Code.MISSING_ATTRIBUTE,
                        f"required attribute is missing (expected {spec.describe_type()})",
                        spec.describe_type(),
                        None,
                    )
                continue
            present.discard(spec.name)
            self.attribute(oid, spec, apath)
        for name in names:
            if name in present:
                self.add(
                    _attr_path(path, name),
                    Code.UNEXPECTED_ATTRIBUTE,
                    "unexpected attribute: expected nothing here",
                    None,
                    name,
                    warn=not closed,
                )

    def attribute(self, oid: _h5.Handle, spec: AttributeSpec, apath: str) -> None:
        try:
            info = _h5.attribute_info(oid, spec.name)
        except _h5.ObjectError as exc:
            self.unreadable(apath, exc)
            return
        if not _attr_type_ok(spec, info):
            exp, got = spec.describe_type(), _describe_attr(info)
            self.add(apath, Code.ATTRIBUTE_TYPE, f"expected {exp}, got {got}", exp, got)
            return
        if not _has_value_checks(spec):
            return
        try:
            value = _h5.read_attribute(oid, spec.name)
        except _h5.ObjectError as exc:
            self.unreadable(apath, exc)
            return
        if spec.type == "list" and isinstance(value, np.ndarray):
            value = value.tolist()
        problems = constraint_problems(spec, value)
        if problems:
            exp, got = problems[0]
            self.add(apath, Code.ATTRIBUTE_VALUE, f"expected {exp}, got {got}", exp, _short(value))


def _listing(names: list[str]) -> str:
    return f" ({', '.join(names)})" if names else ""


def _short(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.ravel()[:10].tolist()
    if isinstance(value, list):
        return value[:10]
    return value


def _has_value_checks(spec: AttributeSpec) -> bool:
    keys = ("gt", "ge", "lt", "le", "multiple_of", "min_length", "max_length", "pattern", "choices")
    return any(getattr(spec, k) is not None for k in keys)


def _scalar_kind_ok(kind: str, dtype: Any) -> bool:
    if kind in ("str", "bytes"):
        return isinstance(dtype, StringDType) and dtype.encoding == ("utf-8" if kind == "str" else "ascii")
    if not isinstance(dtype, NumericDType):
        return False
    if kind == "bool":
        return dtype.name == "bool"
    family = "integer" if kind == "int" else "float"
    return dtype.name in _FAMILY_MEMBERS[family]


def _attr_type_ok(spec: AttributeSpec, info: _h5.AttrInfo) -> bool:
    if info.shape is None:
        return False
    if spec.type == "list":
        return len(info.shape) == 1 and _scalar_kind_ok(spec.item or "", info.dtype)
    if spec.type == "array":
        if spec.dtype is not None and not spec.dtype.matches(info.dtype):
            return False
        if spec.shape is not None:
            return len(spec.shape) == len(info.shape) and all(
                d.allows(n) for d, n in zip(spec.shape, info.shape, strict=True)
            )
        return True
    return info.shape == () and _scalar_kind_ok(spec.type, info.dtype)


def _describe_attr(info: _h5.AttrInfo) -> str:
    if info.shape is None:
        return f"{info.dtype.describe()} with an empty dataspace"
    if info.shape == ():
        return f"{info.dtype.describe()} scalar"
    return f"{info.dtype.describe()} array of shape {describe_lengths(info.shape)}"


def _same_fill(want: Any, got: Any, info: _h5.DatasetInfo) -> bool:
    if got is None:
        return False
    if isinstance(want, float) and isinstance(got, float) and math.isnan(want):
        return math.isnan(got)
    try:
        return bool(want == got)
    except Exception:
        return False
