"""Build the class form (h5s.File/Group/Dataset subclasses) of a schema document.

Used by the property that a class-form schema and its document form behave identically. A class
cannot say everything a document can, so :func:`expressible` first maps the document to the
closest one a class can express (the two are then expected to be equal):

- an attribute with a default is optional in a class (``required`` follows from the default);
- descriptions are dropped (a class takes its group description from its docstring, reflowed),
  and the schema is named after the class.
"""

from __future__ import annotations

import itertools
import types
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field

import h5schema as h5s

_ITEM_TYPES: dict[str, type] = {"int": int, "float": float, "bool": bool, "str": str, "bytes": bytes}
_PER_ITEM = ("gt", "ge", "lt", "le", "multiple_of", "pattern")


def expressible(schema: h5s.SchemaSpec) -> h5s.SchemaSpec:
    """The document closest to ``schema`` that the class form can express."""
    return h5s.SchemaSpec(name="Doc", root=_group(schema.root))


def _attr(a: h5s.AttributeSpec) -> h5s.AttributeSpec:
    return a.model_copy(update={"description": None, "required": a.required and a.default is None})


def _dataset(d: h5s.DatasetSpec) -> h5s.DatasetSpec:
    return d.model_copy(update={"description": None, "attributes": tuple(_attr(a) for a in d.attributes)})


def _group(g: h5s.GroupSpec) -> h5s.GroupSpec:
    return g.model_copy(
        update={
            "description": None,
            "attributes": tuple(_attr(a) for a in g.attributes),
            "members": tuple(_group(m) if isinstance(m, h5s.GroupSpec) else _dataset(m) for m in g.members),
            "patterns": tuple(
                p.model_copy(
                    update={"item": _group(p.item) if isinstance(p.item, h5s.GroupSpec) else _dataset(p.item)}
                )
                for p in g.patterns
            ),
        }
    )


def choices_as_sets(schema: h5s.SchemaSpec) -> h5s.SchemaSpec:
    """``schema`` with every attribute's choices in one order. Choices are a set, and a class
    may list them in another order: ``Literal[True, False] | None`` can come back from Python's
    typing cache as ``Literal[False, True] | None``."""

    def attr(a: h5s.AttributeSpec) -> h5s.AttributeSpec:
        if a.choices is None:
            return a
        return a.model_copy(update={"choices": tuple(sorted(a.choices, key=repr))})

    def node(n: Any) -> Any:
        update: dict[str, Any] = {"attributes": tuple(attr(a) for a in n.attributes)}
        if isinstance(n, h5s.GroupSpec):
            update["members"] = tuple(node(m) for m in n.members)
            update["patterns"] = tuple(p.model_copy(update={"item": node(p.item)}) for p in n.patterns)
        return n.model_copy(update=update)

    return schema.model_copy(update={"root": node(schema.root)})


def to_class(schema: h5s.SchemaSpec) -> type[h5s.File]:
    """A File subclass whose ``to_spec()`` is ``schema`` (which :func:`expressible` returned)."""
    counter = itertools.count()
    cls = _group_class(schema.root, h5s.File, schema.name, counter)
    assert issubclass(cls, h5s.File)
    return cls


def _annotation(a: h5s.AttributeSpec) -> Any:
    if a.type == "array":
        return np.ndarray
    kind = a.scalar_kind
    item: Any = _ITEM_TYPES[kind]
    if a.choices is not None:
        item = Literal[a.choices]
    if a.type == "list":
        per_item = {k: getattr(a, k) for k in _PER_ITEM if getattr(a, k) is not None}
        if per_item:
            item = Annotated[item, Field(**per_item)]
        return list[item]  # type: ignore[valid-type]
    return item


def _attribute_field(a: h5s.AttributeSpec) -> tuple[Any, Any]:
    annotation = _annotation(a)
    optional = not a.required and a.default is None
    if optional:
        annotation = annotation | None
    options: dict[str, Any] = {"name": a.name}
    keys = ("min_length", "max_length") if a.type == "list" else (*_PER_ITEM, "min_length", "max_length")
    options.update({k: getattr(a, k) for k in keys if getattr(a, k) is not None})
    if a.type == "array":
        options.update(dtype=a.dtype, shape=a.shape)
    default = None if optional else a.default
    if default is None and not optional:
        return annotation, h5s.attribute(**options)
    return annotation, h5s.attribute(default, **options)


def _namespace(attributes: tuple[h5s.AttributeSpec, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    annotations: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for i, a in enumerate(attributes):
        annotations[f"a{i}"], values[f"a{i}"] = _attribute_field(a)
    return annotations, values


def _make(name: str, base: type, closed: bool, annotations: dict[str, Any], values: dict[str, Any]) -> type:
    def body(ns: dict[str, Any]) -> None:
        ns["__annotations__"] = annotations
        ns["__module__"] = __name__
        ns.update(values)

    return types.new_class(name, (base,), {"closed": closed}, body)


def _dataset_options(d: h5s.DatasetSpec) -> dict[str, Any]:
    keys = (
        "dtype", "shape", "maxshape", "chunks", "compression", "compression_opts", "shuffle",
        "fletcher32", "fillvalue", "values", "gt", "ge", "lt", "le",
    )  # fmt: skip
    options = {k: getattr(d, k) for k in keys if getattr(d, k) is not None}
    if not d.allow_nan:
        options["allow_nan"] = False
    return options


def _dataset_class(d: h5s.DatasetSpec, counter: itertools.count[int]) -> type:
    annotations, values = _namespace(d.attributes)
    return _make(f"D{next(counter)}", h5s.Dataset, d.closed, annotations, values)


def _group_class(g: h5s.GroupSpec, base: type, name: str, counter: itertools.count[int]) -> type:
    annotations, values = _namespace(g.attributes)
    for i, m in enumerate(g.members):
        field = f"m{i}"
        if isinstance(m, h5s.DatasetSpec):
            annotations[field] = _dataset_class(m, counter)
            values[field] = h5s.dataset(
                name=m.name, required=m.required, closed=m.closed, **_dataset_options(m)
            )
        else:
            annotations[field] = _group_class(m, h5s.Group, f"G{next(counter)}", counter)
            values[field] = h5s.group(name=m.name, required=m.required)
    for i, p in enumerate(g.patterns):
        field = f"p{i}"
        if isinstance(p.item, h5s.DatasetSpec):
            item = _dataset_class(p.item, counter)
            spec = h5s.dataset(closed=p.item.closed, required=p.item.required, **_dataset_options(p.item))
            values[field] = h5s.members(p.pattern, min_count=p.min_count, max_count=p.max_count, dataset=spec)
        else:
            item = _group_class(p.item, h5s.Group, f"G{next(counter)}", counter)
            values[field] = h5s.members(p.pattern, min_count=p.min_count, max_count=p.max_count)
        annotations[field] = dict[str, item]  # type: ignore[valid-type]
    return _make(name, base, g.closed, annotations, values)
