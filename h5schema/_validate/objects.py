"""Checking one object against its declaration: attributes, dataset headers, data.

:class:`ObjectChecks` holds one walk's findings and the per-schema work done once (dtype matches,
attribute wish lists, dataset plans); the group walk in :mod:`h5schema._validate.walk` builds on it.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any, Self

from h5schema import _h5
from h5schema._report.codes import Code
from h5schema._report.report import Violation
from h5schema._schema.spec import AttributeSpec, DatasetSpec
from h5schema._types.dtypes import DTypeSpec
from h5schema._types.paths import attribute_path
from h5schema._types.shapes import DimSpec, describe_lengths, describe_shape
from h5schema._validate.attributes import attribute_problem, needs_value
from h5schema._validate.data import check_data
from h5schema._validate.limits import Limits
from h5schema._validate.spread import SERIAL, Spread

__all__ = ["ObjectChecks"]


class ObjectChecks:
    """One walk's findings so far, and the checks of single objects."""

    def __init__(self, check_data: bool, limits: Limits, spread: Spread = SERIAL) -> None:
        self.check_data = check_data
        self.limits = limits
        self.spread = spread
        self.out: list[Violation] = []
        self._seen: set[tuple[tuple[int, int], int]] = set()  # objects with several hard links
        self._matches: dict[tuple[int, int], tuple[bool, DTypeSpec]] = {}
        self._wanted: dict[int, list[tuple[str, bool]]] = {}
        self._plans: dict[int, _DatasetPlan] = {}

    def serial_share(self) -> Self:
        """A checker for one share of a spread job: the same per-schema work and objects seen,
        findings of its own, and no further spreading."""
        share = copy.copy(self)
        share.out = []
        share.spread = SERIAL
        return share

    def add(
        self,
        path: str,
        code: Code,
        message: str,
        expected: Any = None,
        actual: Any = None,
        *,
        closed: bool = False,
    ) -> None:
        """Record a violation of ``code`` at ``path``, with the code's severity on an object the
        schema closes (``closed``) or leaves open."""
        severity = code.severity_for(closed=closed)
        self.out.append(Violation(path, code, message, expected, actual, severity))

    def unreadable(self, path: str, exc: Exception) -> None:
        text = (
            str(exc) if isinstance(exc, _h5.ObjectError) else f"cannot be read ({type(exc).__name__}: {exc})"
        )
        self.add(path, Code.OBJECT_UNREADABLE, text, "a readable object", text)

    def foreign(self, path: str, where: str, data_checks: bool) -> None:
        """A dataset whose data lives in other files (virtual sources, external raw storage)."""
        self.add(
            path, Code.EXTERNAL_REFERENCE,
            f"{where}; data outside the file is reported, never read"
            + ("; its data checks were not run" if data_checks else ""),
            "data stored in this file", where,
        )  # fmt: skip

    def first_visit(self, oid: _h5.Handle, spec: Any) -> bool:
        """False when this object, reached by another hard link, was already checked against
        ``spec``: aliases and cycles are walked (and their data read) once."""
        key = _h5.object_key(oid)
        if key is None:
            return True
        if (key, id(spec)) in self._seen:
            return False
        self._seen.add((key, id(spec)))
        return True

    def dtype_matches(self, declared: DTypeSpec, observed: DTypeSpec) -> bool:
        """``declared.matches(observed)``, memoized: files repeat a few dtypes many times."""
        key = (id(declared), id(observed))
        hit = self._matches.get(key)
        if hit is not None and hit[1] is observed:  # the stored reference keeps the id valid
            return hit[0]
        ok = declared.matches(observed)
        self._matches[key] = (ok, observed)
        return ok

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
        dtype_ok = self.dataset_dtype(spec, info, path)
        if plan.dims is not None and not _fits(plan.dims, info.shape, scope):
            self.shape(spec.shape or (), info.shape, path, scope)
        self.dataset_maxshape(spec, info, path)
        if info.layout_read:
            self.layout(spec, info, path)
        self.attributes(dsid, spec.attributes, spec.closed, path)
        self.data_checks(dsid, info, spec, plan.data_checks, dtype_ok, path)

    def data_checks(
        self,
        dsid: _h5.Handle,
        info: _h5.DatasetInfo,
        spec: DatasetSpec,
        wanted: bool,
        dtype_ok: bool,
        path: str,
    ) -> None:
        """Data stored outside the file is reported (unless declared external), never read;
        otherwise the ``wanted`` data checks run once per object, and not on a wrong dtype."""
        if info.foreign is not None:  # never read: it would open files outside this one
            if not spec.external:
                self.foreign(path, info.foreign, wanted)
        elif wanted and dtype_ok and self.first_visit(dsid, spec):  # a wrong dtype: once
            self.read_data(dsid, info, spec, path)

    def dataset_dtype(self, spec: DatasetSpec, info: _h5.DatasetInfo, path: str) -> bool:
        """Whether the dataset has the declared dtype (any, when none is declared); reports it when not."""
        if spec.dtype is None or self.dtype_matches(spec.dtype, info.dtype):
            return True
        exp, got = spec.dtype.describe(), info.dtype.describe()
        self.add(path, Code.DTYPE_MISMATCH, f"expected dtype {exp}, got {got}", exp, got)
        return False

    def dataset_maxshape(self, spec: DatasetSpec, info: _h5.DatasetInfo, path: str) -> None:
        """A declared maxshape is the dataset's, axis for axis."""
        if spec.maxshape is None or info.maxshape == spec.maxshape:
            return
        got_max = "none" if info.maxshape is None else describe_lengths(info.maxshape)
        self.add(
            path, Code.MAXSHAPE_MISMATCH,
            f"expected maxshape {describe_lengths(spec.maxshape)}, got {got_max}",
            list(spec.maxshape), None if info.maxshape is None else list(info.maxshape),
        )  # fmt: skip

    def read_data(self, dsid: _h5.Handle, info: _h5.DatasetInfo, spec: DatasetSpec, path: str) -> None:
        """The dataset's data checks; data that cannot be read (or does not fit in memory) is
        reported unreadable."""
        try:
            self.out.extend(check_data(dsid, info, spec, path, self.limits.max_chunk_bytes, self.spread))
        except _h5.ObjectError as exc:
            self.unreadable(path, exc)
        except MemoryError as exc:
            self.unreadable(path, _h5.ObjectError(f"ran out of memory reading its data: {exc}"))

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
        self.named_dims(declared, shape, bad, path, scope)

    def named_dims(
        self,
        declared: tuple[DimSpec, ...],
        shape: tuple[int, ...],
        bad: list[int],
        path: str,
        scope: dict[str, tuple[int, str]],
    ) -> None:
        """Each named dim has one length in the group: the first allowed length binds it, later
        ones must agree (axes of a disallowed length are left out)."""
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
        self.dataset_chunks(spec, info, path)
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

    def dataset_chunks(self, spec: DatasetSpec, info: _h5.DatasetInfo, path: str) -> None:
        """Chunked or not as declared (chunks=True/False), or with the declared chunk shape."""
        if spec.chunks is None:
            return
        ok = (
            (info.chunks is not None) == spec.chunks
            if isinstance(spec.chunks, bool)
            else info.chunks == spec.chunks
        )
        if ok:
            return
        exp = (
            ("chunked" if spec.chunks else "not chunked")
            if isinstance(spec.chunks, bool)
            else f"chunks {describe_lengths(spec.chunks)}"
        )
        got = "not chunked" if info.chunks is None else f"chunks {describe_lengths(info.chunks)}"
        self.add(path, Code.CHUNKS_MISMATCH, f"expected {exp}, got {got}", exp, got)

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
                    self.add(attribute_path(path, spec.name), Code.MISSING_ATTRIBUTE, msg, exp, None)
                continue
            problem = attribute_problem(spec, got, check_value=check_value)
            if problem is not None:
                self.add(attribute_path(path, spec.name), *problem)
        for name in scan.extra:
            self.add(
                attribute_path(path, name), Code.UNEXPECTED_ATTRIBUTE,
                "unexpected attribute: expected nothing here", None, name, closed=closed,
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


def _fits(dims: tuple[Dim, ...], shape: tuple[int, ...] | None, scope: dict[str, tuple[int, str]]) -> bool:
    """The common case, fast: the declared rank, every length allowed and every named dim as
    bound before.

    Binds nothing; on False the caller takes the slow path, which reports and binds."""
    if shape is None or len(shape) != len(dims):
        return False
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


def _same_fill(want: Any, got: Any) -> bool:
    if got is None:
        return False
    if isinstance(want, float) and isinstance(got, float) and math.isnan(want):
        return math.isnan(got)
    try:
        return bool(want == got)
    except Exception:
        return False
