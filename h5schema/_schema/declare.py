"""Declaring class fields: ``h5s.attribute()``, ``h5s.dataset()``, ``h5s.group()``, ``h5s.members()``.

Each returns a pydantic ``Field`` carrying a marker with the role and options; the class
compiler in :mod:`h5schema._schema.model` reads the markers back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from h5schema._types.dtypes import DTypeLike
from h5schema._types.shapes import ShapeLike

__all__ = ["FieldRole", "Role", "attribute", "dataset", "group", "marker_of", "members", "pattern_of"]


Role = Literal["attribute", "dataset", "group", "members"]


@dataclass(frozen=True)
class _Marker:
    """Carried in ``json_schema_extra``, which pydantic keeps through every copy of a FieldInfo."""

    role: Role
    options: dict[str, Any]

    def __call__(self, schema: dict[str, Any]) -> None:
        schema["x-h5schema"] = self.role


@dataclass(frozen=True)
class FieldRole:
    """How one class field maps to the file: its role and its HDF5 name (or pattern)."""

    role: Role
    name: str


def attribute(
    default: Any = PydanticUndefined,
    *,
    name: str | None = None,
    description: str | None = None,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
    multiple_of: float | None = None,
    min_length: int | None = None,
    max_length: int | None = None,
    pattern: str | None = None,
    dtype: DTypeLike | None = None,
    shape: ShapeLike = None,
) -> Any:
    """Declare an HDF5 attribute: a pydantic field with pydantic's constraints.

    ``name`` is the attribute's name in the file (default: the field name). ``dtype``/``shape``
    describe an ``np.ndarray`` attribute. Without a default the attribute is required, unless the
    annotation is ``X | None``.
    """
    return Field(
        default,
        description=description,
        gt=gt,
        ge=ge,
        lt=lt,
        le=le,
        multiple_of=multiple_of,
        min_length=min_length,
        max_length=max_length,
        pattern=pattern,
        json_schema_extra=_Marker("attribute", {"name": name, "dtype": dtype, "shape": shape}),
    )


def dataset(
    dtype: DTypeLike | None = None,
    *,
    shape: ShapeLike = None,
    maxshape: tuple[int | None, ...] | None = None,
    chunks: bool | tuple[int, ...] | None = None,
    compression: Literal["gzip", "lzf", "none"] | None = None,
    compression_opts: int | None = None,
    shuffle: bool | None = None,
    fletcher32: bool | None = None,
    fillvalue: Any = None,
    values: Any = None,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
    allow_nan: bool = True,
    external: bool | None = None,
    name: str | None = None,
    required: bool | None = None,
    closed: bool | None = None,
    description: str | None = None,
) -> Any:
    """Declare a dataset in place. Every storage option left ``None`` is not checked.

    ``shape`` entries: an int (fixed), a name like ``"n"`` (a dim shared within the group),
    ``None`` (any length) or ``h5s.dim(...)``. ``maxshape`` uses ``None`` for unlimited axes.
    ``chunks=True`` requires chunking of any shape. ``values``/``gt``..``le``/``allow_nan`` are
    data checks, read chunk by chunk. ``external=True`` allows the dataset to live outside the
    file (an external link, a virtual dataset, external raw storage): it is then not reported as
    ``external_reference``, and never read (so it takes no data checks).
    """
    options = {k: v for k, v in locals().items() if k not in ("name", "required", "closed")}
    options = {k: v for k, v in options.items() if v is not None and not (k == "allow_nan" and v)}
    return Field(
        None,
        description=description,
        json_schema_extra=_Marker(
            "dataset", {"name": name, "required": required, "closed": closed, "spec": options}
        ),
    )


def group(
    *,
    name: str | None = None,
    required: bool | None = None,
    external: bool = False,
    description: str | None = None,
) -> Any:
    """Declare a child group whose annotation is a Group subclass.

    The instance value may be left ``None``: the materializer then builds the group from its
    defaults. A group is required unless ``required=False`` or the annotation is ``X | None``.
    ``external=True`` allows it to be an external link to a group in another file: the link is
    then not reported, and never followed.
    """
    return Field(
        None,
        description=description,
        json_schema_extra=_Marker("group", {"name": name, "required": required, "external": external}),
    )


def members(
    pattern: str,
    *,
    min_count: int = 0,
    max_count: int | None = None,
    dataset: Any = None,
    description: str | None = None,
) -> Any:
    """Declare repeated members whose names fully match ``pattern``.

    Annotate as ``dict[str, SomeGroup]``, or ``dict[str, h5s.Dataset]`` with
    ``dataset=h5s.dataset(...)`` describing each dataset.
    """
    return Field(
        default_factory=dict,
        description=description,
        json_schema_extra=_Marker(
            "members",
            {
                "pattern": pattern,
                "min_count": min_count,
                "max_count": max_count,
                "dataset": dataset,
            },
        ),
    )


def pattern_of(value: Any) -> str | None:
    if not isinstance(value, FieldInfo):
        return None
    return next((m.pattern for m in value.metadata if isinstance(getattr(m, "pattern", None), str)), None)


def marker_of(field: FieldInfo) -> _Marker | None:
    extra = field.json_schema_extra
    return extra if isinstance(extra, _Marker) else None
