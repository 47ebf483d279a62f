"""The schema document: a plain tree of frozen pydantic models.

The class form (``h5s.Group`` subclasses) compiles to this tree; validation, materialization and
serialization all work from it, so a class and its JSON/YAML dump behave identically. Rules that
span several fields are checked when a node is built, so a bad schema fails at definition time.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import Field, ValidationError, field_serializer, model_validator

from h5schema._errors import SchemaDefinitionError, first_error
from h5schema._schema.attribute import AttributeSpec
from h5schema._schema.base import (
    FORMAT,
    ChoicesField,
    Count,
    DTypeField,
    Number,
    ShapeField,
    Spec,
    check_names,
    compile_regex,
    latin1,
    unlatin1,
)
from h5schema._types.dtypes import (
    DTypeSpec,
    FamilyDType,
    NumericDType,
    StringDType,
    is_concrete,
    is_numeric,
    is_variable_length,
    to_numpy,
)
from h5schema._types.shapes import describe_shape

__all__ = [
    "FORMAT",
    "AttributeSpec",
    "DatasetSpec",
    "GroupSpec",
    "PatternSpec",
    "SchemaSpec",
]


class DatasetSpec(Spec):
    """A dataset: element type, shape, storage layout, data checks and attributes.

    ``None`` means "not checked" for every storage field (maxshape, chunks, compression, ...).
    """

    kind: Literal["dataset"] = "dataset"
    name: str | None = None
    required: bool = True
    description: str | None = None
    dtype: DTypeField = None
    shape: ShapeField = None
    maxshape: tuple[Annotated[int, Field(ge=0)] | None, ...] | None = None
    chunks: bool | tuple[Annotated[int, Field(ge=1)], ...] | None = None
    compression: Literal["gzip", "lzf", "none"] | None = None
    compression_opts: Annotated[int, Field(ge=0, le=9)] | None = None
    shuffle: bool | None = None
    fletcher32: bool | None = None
    fillvalue: Any = None
    values: ChoicesField = None
    gt: Number | None = None
    ge: Number | None = None
    lt: Number | None = None
    le: Number | None = None
    allow_nan: bool = True
    closed: bool = False
    external: bool = False
    attributes: tuple[AttributeSpec, ...] = ()

    @field_serializer("values", "fillvalue", when_used="json")
    def _ser_bytes(self, v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return v
        if isinstance(v, complex):  # JSON has no complex numbers: [real, imag]
            return [v.real, v.imag]
        return latin1(v.tolist() if isinstance(v, np.generic | np.ndarray) else v)

    @property
    def has_data_checks(self) -> bool:
        bounds = (self.gt, self.ge, self.lt, self.le)
        return self.values is not None or not self.allow_nan or any(b is not None for b in bounds)

    @property
    def append_axis(self) -> int | None:
        """The axis appends grow: the first unlimited axis of maxshape, else the first bounded
        axis that may hold more than its declared minimum."""
        if self.maxshape is None:
            return None
        unlimited = next((i for i, m in enumerate(self.maxshape) if m is None), None)
        if unlimited is not None or self.shape is None:
            return unlimited
        return next(
            (
                i
                for i, (d, m) in enumerate(zip(self.shape, self.maxshape, strict=True))
                if d.size is None and m is not None and m > d.lower
            ),
            None,
        )

    @model_validator(mode="after")
    def _rules(self) -> DatasetSpec:
        if self.name is not None:
            _check_member_name(self.name)
        check_names([a.name for a in self.attributes], "attribute")
        self._check_layout()
        self._check_data()
        return self

    def _check_layout(self) -> None:
        shape, maxshape, chunks = self.shape, self.maxshape, self.chunks
        rank = len(shape) if shape is not None else None
        if maxshape is not None:
            if rank is not None and len(maxshape) != rank:
                raise ValueError(
                    f"maxshape has rank {len(maxshape)} but shape {describe_shape(shape)} has rank {rank}"
                )
            for i, m in enumerate(maxshape):
                if m is not None and shape is not None and shape[i].lower > m:
                    raise ValueError(
                        f"maxshape {_fmt(maxshape)} is smaller than shape {describe_shape(shape)} on axis {i}"
                    )
        if isinstance(chunks, tuple):
            if rank is not None and len(chunks) != rank:
                raise ValueError(f"chunks {_fmt(chunks)} has rank {len(chunks)}, shape has {rank}")
            if maxshape is not None and len(chunks) != len(maxshape):
                raise ValueError(f"chunks {_fmt(chunks)} and maxshape {_fmt(maxshape)} differ in rank")
            for i, c in enumerate(chunks):
                bound = (
                    maxshape[i] if maxshape is not None else (shape[i].upper if shape is not None else None)
                )
                if bound is not None and c > bound and bound > 0:
                    raise ValueError(
                        f"chunks {_fmt(chunks)} are larger than the bounded maximum {bound} on axis {i}"
                    )
        unlimited = maxshape is not None and any(m is None for m in maxshape)
        if chunks is False:
            if unlimited:
                raise ValueError("a dataset with unlimited axes in maxshape must be chunked")
            if self.compression not in (None, "none") or self.shuffle or self.fletcher32:
                raise ValueError("filters (compression, shuffle, fletcher32) need chunks")
        if self.compression_opts is not None and self.compression != "gzip":
            raise ValueError("compression_opts (the gzip level) needs compression='gzip'")
        filters = self.compression not in (None, "none") or bool(self.shuffle) or bool(self.fletcher32)
        if rank == 0 and (chunks not in (None, False) or unlimited or filters):
            raise ValueError("a scalar dataset cannot be chunked, filtered or resizable")
        if maxshape is not None and 0 in maxshape and (unlimited or chunks not in (None, False) or filters):
            raise ValueError(
                f"maxshape {_fmt(maxshape)} has an axis of length 0, which cannot be chunked: "
                "give it at least 1"
            )
        if self.fletcher32 and self.dtype is not None and is_variable_length(self.dtype):
            raise ValueError("fletcher32 cannot apply to variable-length data (HDF5 refuses it)")

    def _check_data(self) -> None:
        if self.external and self.has_data_checks:
            raise ValueError(
                "external=True: data checks (values, gt/ge/lt/le, allow_nan) cannot run on data that "
                "may be stored outside the file, which is never read"
            )
        dt = self.dtype
        if _is_complex_exact(dt) and isinstance(self.fillvalue, list | tuple) and len(self.fillvalue) == 2:
            object.__setattr__(self, "fillvalue", complex(*self.fillvalue))
        if dt is not None and isinstance(dt, StringDType) and dt.encoding == "ascii":
            object.__setattr__(self, "values", unlatin1(self.values))
            object.__setattr__(self, "fillvalue", unlatin1(self.fillvalue))
        bounds = (self.gt, self.ge, self.lt, self.le)
        if any(b is not None for b in bounds) and not (dt is None or is_numeric(dt)):
            raise ValueError(f"range checks (gt/ge/lt/le) need a numeric dtype, not {dt.describe()}")
        if any(b is not None for b in bounds) and dt is not None and _is_complex(dt):
            raise ValueError("range checks (gt/ge/lt/le) do not apply to complex numbers")
        if self.values is not None and dt is not None and dt.kind in ("compound", "array"):
            raise ValueError(f"allowed values do not apply to {dt.describe()}")
        if not self.allow_nan and not (dt is None or is_numeric(dt, floating=True)):
            raise ValueError(f"allow_nan=False needs a float or complex dtype, not {dt.describe()}")
        if dt is None or not is_concrete(dt):
            return
        for label, vals in (("fill value", (self.fillvalue,)), ("allowed value", self.values)):
            for v in vals or ():
                if v is not None and not _fits(dt, v):
                    raise ValueError(f"{label} {v!r} does not fit dtype {dt.describe()}")


def _is_complex_exact(dt: DTypeSpec | None) -> bool:
    return isinstance(dt, NumericDType) and dt.name in ("complex64", "complex128", "clongdouble")


def _is_complex(dt: DTypeSpec) -> bool:
    return (isinstance(dt, NumericDType) and dt.name.startswith(("complex", "clong"))) or (
        isinstance(dt, FamilyDType) and dt.family == "complex"
    )


def _fits(dt: DTypeSpec, value: Any) -> bool:
    if isinstance(dt, StringDType):
        if not isinstance(value, dt.python_type):
            return False
        raw = value.encode() if isinstance(value, str) else value
        assert isinstance(raw, bytes)
        return dt.length is None or len(raw) <= dt.length
    try:
        arr = np.asarray(value)
        cast = arr.astype(to_numpy(dt))
    except (ValueError, TypeError, OverflowError):
        return False
    if arr.dtype.kind in "iufcb" and cast.dtype.kind in "iufcb":
        if cast.dtype.kind == "c" and arr.dtype.kind != "c":
            return True  # a real number always fits a complex one exactly
        with np.errstate(invalid="ignore"):
            return bool(np.array_equal(cast.astype(arr.dtype), arr, equal_nan=arr.dtype.kind in "fc"))
    return True


def _fmt(t: tuple[int | None, ...]) -> str:
    return "(" + ", ".join("None" if x is None else str(x) for x in t) + ("," if len(t) == 1 else "") + ")"


def _check_member_name(name: str) -> None:
    if not name or "/" in name or name in (".", ".."):
        raise ValueError(f"{name!r} is not a valid HDF5 member name")


class PatternSpec(Spec):
    """Members whose names fully match ``pattern``, each validated against ``item``."""

    pattern: str
    min_count: Count = 0
    max_count: Count | None = None
    item: Annotated[GroupSpec | DatasetSpec, Field(discriminator="kind")]

    @model_validator(mode="after")
    def _rules(self) -> PatternSpec:
        compile_regex(self.pattern, "pattern")
        if self.max_count is not None and self.min_count > self.max_count:
            raise ValueError(f"min_count {self.min_count} is greater than max_count {self.max_count}")
        if self.item.name is not None:
            raise ValueError("a pattern's item has no name of its own")
        return self

    def describe(self) -> str:
        hi = "" if self.max_count is None else self.max_count
        return f'{self.min_count}..{hi} members matching "{self.pattern}"'


class GroupSpec(Spec):
    """A group (or the root): attributes, named members and pattern members.

    ``closed=True`` turns undeclared members and attributes from warnings into errors.
    """

    kind: Literal["group"] = "group"
    name: str | None = None
    required: bool = True
    description: str | None = None
    closed: bool = False
    external: bool = False
    attributes: tuple[AttributeSpec, ...] = ()
    members: tuple[Annotated[GroupSpec | DatasetSpec, Field(discriminator="kind")], ...] = ()
    patterns: tuple[PatternSpec, ...] = ()

    @model_validator(mode="after")
    def _rules(self) -> GroupSpec:
        if self.name is not None:
            _check_member_name(self.name)
        check_names([a.name for a in self.attributes], "attribute")
        names = [m.name for m in self.members]
        if any(n is None for n in names):
            raise ValueError("every named member needs a name")
        check_names([n for n in names if n is not None], "member")
        _check_dims(self)
        return self

    @property
    def datasets(self) -> tuple[DatasetSpec, ...]:
        return tuple(m for m in self.members if isinstance(m, DatasetSpec))

    def dataset_declarations(self) -> list[tuple[PatternSpec | None, DatasetSpec]]:
        """Every dataset the group declares: its named datasets (pattern None), then the
        dataset items of its patterns."""
        named: list[tuple[PatternSpec | None, DatasetSpec]] = [(None, m) for m in self.datasets]
        return named + [(p, p.item) for p in self.patterns if isinstance(p.item, DatasetSpec)]

    def compiled_patterns(self) -> list[tuple[re.Pattern[str], PatternSpec]]:
        return [(_regex(p.pattern), p) for p in self.patterns]


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _check_dims(group: GroupSpec) -> None:
    """Within one group, a named dim may be given only one fixed size and non-empty bounds."""
    seen: dict[str, tuple[int, int | None, str]] = {}
    items = [
        (ds.name or "?" if p is None else f"<{p.pattern}>", ds) for p, ds in group.dataset_declarations()
    ]
    for ds_name, ds in items:
        for d in ds.shape or ():
            if d.name is None:
                continue
            lo, hi = d.lower, d.upper
            if d.name in seen:
                plo, phi, where = seen[d.name]
                if d.size is not None and phi == plo and phi is not None and phi != d.size:
                    raise ValueError(
                        f"dim {d.name!r} is given size {plo} in {where!r} and {d.size} in {ds_name!r}"
                    )
                lo, hi = max(lo, plo), (phi if hi is None else hi if phi is None else min(hi, phi))
                if hi is not None and lo > hi:
                    raise ValueError(
                        f"dim {d.name!r} has no length allowed by both {where!r} and {ds_name!r}"
                    )
            seen[d.name] = (lo, hi, ds_name if d.name not in seen else seen[d.name][2])


class SchemaSpec(Spec):
    """A whole file's schema as a document: the root group plus a name.

    >>> s = SchemaSpec(name="Empty", root=GroupSpec())
    >>> SchemaSpec.from_json(s.to_json()) == s
    True
    """

    _always: ClassVar[tuple[str, ...]] = ("format",)

    format: Literal["h5schema/1"] = "h5schema/1"
    name: str = "schema"
    description: str | None = None
    root: GroupSpec

    def to_json(self, *, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent, exclude_defaults=True, exclude_none=True)

    def to_yaml(self) -> str:
        import yaml

        # allow_unicode=False: non-ASCII is escaped, so characters YAML treats as line breaks
        # (U+0085, U+2028, U+2029) survive the round trip.
        return str(yaml.safe_dump(json.loads(self.to_json()), sort_keys=False, allow_unicode=False))

    @classmethod
    def from_json(cls, text: str | bytes) -> SchemaSpec:
        return _load(lambda: cls.model_validate_json(text))

    @classmethod
    def from_yaml(cls, text: str) -> SchemaSpec:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SchemaDefinitionError("", f"not valid YAML: {exc}") from exc
        return _load(lambda: cls.model_validate(data))

    @classmethod
    def load(cls, path: str | Path) -> SchemaSpec:
        """Read a ``.json``, ``.yaml`` or ``.yml`` schema document."""
        p = Path(path)
        text = p.read_text(encoding="utf-8")
        return cls.from_yaml(text) if p.suffix.lower() in (".yaml", ".yml") else cls.from_json(text)


def _load(build: Any) -> SchemaSpec:
    try:
        return build()  # type: ignore[no-any-return]
    except ValidationError as exc:
        raise SchemaDefinitionError(*first_error(exc)) from None


PatternSpec.model_rebuild()
GroupSpec.model_rebuild()
