"""The class form of a schema: ``Group``, ``File`` and ``Dataset`` subclasses.

A subclass is an ordinary pydantic model. Its fields are sorted by role when the class is
created, and compiled into the spec tree (``cls.__h5spec__``); a malformed declaration raises
:class:`SchemaDefinitionError` naming ``Class.field`` right there. Instances carry the values the
materializer writes: attribute values, dataset data, child groups.
"""

from __future__ import annotations

import re
import typing
from typing import Any, ClassVar, TypeAlias

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic.fields import FieldInfo

from h5schema._errors import SchemaDefinitionError, first_error
from h5schema._schema.annotations import attribute_spec, strip_optional
from h5schema._schema.declare import FieldRole, Role, attribute, dataset, group, members
from h5schema._schema.declare import marker_of as _marker
from h5schema._schema.declare import pattern_of as _pattern_of
from h5schema._schema.spec import AttributeSpec, DatasetSpec, GroupSpec, PatternSpec, SchemaSpec

__all__ = ["Dataset", "File", "Group", "as_schema", "attribute", "dataset", "group", "members"]


def _is_sub(tp: Any, base: type | tuple[type, ...]) -> bool:
    return isinstance(tp, type) and issubclass(tp, base)


class _Node(BaseModel):
    """Shared machinery: attribute fields and the ``closed=`` class keyword."""

    # python-re: the same regex engine validates instances and files (pydantic's default differs).
    model_config = ConfigDict(
        strict=True, extra="forbid", arbitrary_types_allowed=True, regex_engine="python-re"
    )

    @model_validator(mode="before")
    @classmethod
    def _numpy_scalars(cls, value: Any) -> Any:
        # np.int64(5) from numpy code is an int; strict mode would refuse it.
        if isinstance(value, dict):
            return {k: v.item() if isinstance(v, np.generic) else v for k, v in value.items()}
        return value

    __h5closed__: ClassVar[bool] = False
    __h5attrs__: ClassVar[tuple[AttributeSpec, ...]] = ()
    __h5fields__: ClassVar[dict[str, FieldRole]] = {}

    def __init_subclass__(cls, *, closed: bool | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if closed is not None:
            cls.__h5closed__ = closed
        # pydantic compiles field patterns before our hook runs; check them first to name the field.
        for fname, value in vars(cls).items():
            pattern = _pattern_of(value)
            if pattern is not None:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    problem = f"pattern {pattern!r} is not a valid regular expression: {exc}"
                    raise SchemaDefinitionError(f"{cls.__name__}.{fname}", problem) from None

    @classmethod
    def _where(cls, field: str) -> str:
        return f"{cls.__name__}.{field}"

    @classmethod
    def _attribute(cls, fname: str, info: FieldInfo) -> AttributeSpec:
        m = _marker(info)
        opts = m.options if m is not None and m.role == "attribute" else {}
        hdf5_name = opts.get("name") or fname
        try:
            return attribute_spec(
                hdf5_name, info.annotation, info, dtype=opts.get("dtype"), shape=opts.get("shape")
            )
        except ValidationError as exc:
            raise SchemaDefinitionError(cls._where(fname), _first_error(exc)) from None
        except (TypeError, ValueError) as exc:
            raise SchemaDefinitionError(cls._where(fname), str(exc)) from None


def _first_error(exc: ValidationError) -> str:
    loc, msg = first_error(exc)
    return f"{loc}: {msg}" if loc else msg


class Dataset(_Node):
    """A dataset's value: its ``data`` plus the attributes a subclass declares.

    Subclass it to give a dataset attributes (``class Times(h5s.Dataset): units: str``), and
    annotate a group field with it. An array given where a Dataset is expected is wrapped.
    """

    data: Any = None

    @model_validator(mode="before")
    @classmethod
    def _wrap_array(cls, value: Any) -> Any:
        if isinstance(value, dict | Dataset):
            return value
        return {"data": value}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        attrs, roles = [], {}
        for fname, info in cls.model_fields.items():
            if fname == "data":
                continue
            spec = cls._attribute(fname, info)
            attrs.append(spec)
            roles[fname] = FieldRole("attribute", spec.name)
        cls.__h5attrs__ = tuple(attrs)
        cls.__h5fields__ = roles


class Group(_Node):
    """A group: attributes, datasets, child groups and pattern members, declared as fields.

    ``class G(h5s.Group, closed=True)`` makes undeclared members and attributes errors
    instead of warnings.
    """

    __h5spec__: ClassVar[GroupSpec] = GroupSpec()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        attrs: list[AttributeSpec] = []
        children: list[GroupSpec | DatasetSpec] = []
        patterns: list[PatternSpec] = []
        roles: dict[str, FieldRole] = {}
        for fname, info in cls.model_fields.items():
            role, node = cls._compile_field(fname, info)
            if isinstance(node, AttributeSpec):
                attrs.append(node)
            elif isinstance(node, PatternSpec):
                patterns.append(node)
            else:
                children.append(node)
            roles[fname] = FieldRole(role, _node_name(node))
        try:
            cls.__h5spec__ = GroupSpec(
                description=_doc(cls),
                closed=cls.__h5closed__,
                attributes=tuple(attrs),
                members=tuple(children),
                patterns=tuple(patterns),
            )
        except ValidationError as exc:
            raise SchemaDefinitionError(cls.__name__, _first_error(exc)) from None
        cls.__h5fields__ = roles

    @classmethod
    def _compile_field(
        cls, fname: str, info: FieldInfo
    ) -> tuple[Role, AttributeSpec | DatasetSpec | GroupSpec | PatternSpec]:
        m = _marker(info)
        cls._check_resolved(fname, info)
        inner, optional = strip_optional(info.annotation)
        role = _role(m.role if m is not None else None, inner)
        opts = m.options if m is not None else {}
        try:
            if role == "members":
                return "members", cls._pattern(fname, _dict_value(inner), opts)
            if role == "dataset":
                return "dataset", cls._dataset_member(fname, inner, opts, optional)
            if role == "group":
                return "group", cls._group_member(fname, inner, info, opts, optional)
        except ValidationError as exc:
            raise SchemaDefinitionError(cls._where(fname), _first_error(exc)) from None
        return "attribute", cls._attribute(fname, info)

    @classmethod
    def _check_resolved(cls, fname: str, info: FieldInfo) -> None:
        """A field's annotation is a type, not a name left unresolved."""
        if isinstance(info.annotation, typing.ForwardRef | str):
            ref = getattr(info.annotation, "__forward_arg__", info.annotation)
            raise SchemaDefinitionError(
                cls._where(fname),
                f"annotation {ref!r} cannot be resolved: define the class in a module that imports the "
                "names it uses",
            )

    @classmethod
    def _dataset_member(cls, fname: str, inner: Any, opts: dict[str, Any], optional: bool) -> DatasetSpec:
        """A dataset field: an h5s.Dataset annotation, with h5s.dataset() options."""
        if not _is_sub(inner, Dataset):
            raise SchemaDefinitionError(cls._where(fname), "h5s.dataset() needs an h5s.Dataset annotation")
        return _dataset_spec(inner, opts, fname, optional)

    @classmethod
    def _group_member(
        cls, fname: str, inner: Any, info: FieldInfo, opts: dict[str, Any], optional: bool
    ) -> GroupSpec:
        """A group field: a Group subclass's declaration under the field's name, required unless
        optional, with h5s.group() options."""
        if not _is_sub(inner, Group):
            raise SchemaDefinitionError(
                cls._where(fname), "h5s.group() needs an h5s.Group subclass annotation"
            )
        required = opts.get("required")
        spec: GroupSpec = inner.__h5spec__
        return spec.model_copy(
            update={
                "name": opts.get("name") or fname,
                "required": (not optional) if required is None else required,
                "description": info.description or spec.description,
                "external": bool(opts.get("external", False)),
            }
        )

    @classmethod
    def _pattern(cls, fname: str, value_type: Any, opts: dict[str, Any]) -> PatternSpec:
        if not _is_sub(value_type, (Group, Dataset)):
            raise SchemaDefinitionError(
                cls._where(fname),
                "h5s.members() needs a dict[str, Group subclass or Dataset] annotation",
            )
        item: GroupSpec | DatasetSpec
        if issubclass(value_type, Group):
            if opts.get("dataset") is not None:
                raise SchemaDefinitionError(cls._where(fname), "dataset= applies to dataset members")
            item = value_type.__h5spec__
        else:
            inner = _marker(opts["dataset"]) if isinstance(opts.get("dataset"), FieldInfo) else None
            item = _dataset_spec(value_type, inner.options if inner else {}, None, False)
        return PatternSpec(
            pattern=opts.get("pattern") or ".*",
            min_count=opts.get("min_count", 0),
            max_count=opts.get("max_count"),
            item=item,
        )


def _dataset_spec(cls: type[Dataset], opts: dict[str, Any], fname: str | None, optional: bool) -> DatasetSpec:
    required = opts.get("required")
    closed = opts.get("closed")
    return DatasetSpec(
        name=None if fname is None else (opts.get("name") or fname),
        required=(not optional) if required is None else required,
        closed=cls.__h5closed__ if closed is None else closed,
        attributes=cls.__h5attrs__,
        **opts.get("spec", {}),
    )


def _node_name(node: AttributeSpec | DatasetSpec | GroupSpec | PatternSpec) -> str:
    if isinstance(node, PatternSpec):
        return node.pattern
    return node.name or ""


def _doc(cls: type) -> str | None:
    doc = cls.__dict__.get("__doc__")
    return " ".join(doc.split()) if doc else None


class File(Group):
    """The root group of a file. Subclass it to declare a whole file layout."""

    @classmethod
    def to_spec(cls) -> SchemaSpec:
        """The schema document of this class (dump it with ``.to_json()`` / ``.to_yaml()``)."""
        return SchemaSpec(name=cls.__name__, description=_doc(cls), root=cls.__h5spec__)


SchemaLike: TypeAlias = type[Group] | SchemaSpec | GroupSpec
"""What every function that takes a schema accepts: a File or Group subclass, or a document."""


def as_schema(schema: SchemaLike) -> SchemaSpec:
    """Accept a File/Group subclass, a SchemaSpec or a GroupSpec and return the SchemaSpec."""
    if isinstance(schema, SchemaSpec):
        return schema
    if isinstance(schema, GroupSpec):
        return SchemaSpec(root=schema)
    if isinstance(schema, type) and issubclass(schema, File):
        return schema.to_spec()
    if isinstance(schema, type) and issubclass(schema, Group):
        return SchemaSpec(name=schema.__name__, description=_doc(schema), root=schema.__h5spec__)
    raise TypeError(f"expected an h5s.File or h5s.Group subclass or a SchemaSpec, got {schema!r}")


def _dict_value(annotation: Any) -> Any:
    """The value type of a ``dict[str, X]`` annotation (None for any other)."""
    args = typing.get_args(annotation)
    return args[1] if typing.get_origin(annotation) is dict and len(args) == 2 else None


def _role(marked: str | None, inner: Any) -> Role:
    """A field's role: as its marker (h5s.members/dataset/group) says, else as its annotation
    implies (a dict of Groups or Datasets, a Dataset, a Group), else an attribute."""
    if marked == "members" or _is_sub(_dict_value(inner), (Group, Dataset)):
        return "members"
    if marked == "dataset" or _is_sub(inner, Dataset):
        return "dataset"
    if marked == "group" or _is_sub(inner, Group):
        return "group"
    return "attribute"
