"""Comparing two declarations field by field: datasets and attributes (see :mod:`h5schema._diff.changes`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from h5schema._diff.widening import (
    divides,
    dtype_widens,
    dump,
    lower_implies,
    shape_widens,
    show,
    subset,
    unset_or_equal,
    upper_implies,
)
from h5schema._schema.spec import AttributeSpec, DatasetSpec
from h5schema._types.constraints import describe_bounds
from h5schema._types.paths import attribute_path

__all__ = [
    "Element",
    "Fields",
    "Kind",
    "SchemaChange",
    "attribute_changes",
    "dataset_changes",
    "whole",
]

Element = Literal["schema", "group", "dataset", "attribute", "pattern"]
Kind = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class SchemaChange:
    """One difference between two schemas.

    ``path`` is an HDF5 path (``/a/b``), an attribute (``/a/b@units``) or the members a pattern
    declares (``/a/<run_\\d+>``); ``field`` is the declaration field that changed (``dtype``,
    ``shape``, ``required``, ...) or None when the whole element was added or removed; ``old``
    and ``new`` describe the two sides in words.
    """

    path: str
    element: Element
    kind: Kind
    field: str | None
    breaking: bool
    message: str
    old: str | None = None
    new: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "element": self.element,
            "change": self.kind,
            "field": self.field,
            "breaking": self.breaking,
            "message": self.message,
            "old": self.old,
            "new": self.new,
        }

    def __str__(self) -> str:
        return f"{'breaking' if self.breaking else 'compatible'}: {self.path}: {self.message}"


class Fields:
    """Changes of one element, collected in order."""

    def __init__(self, path: str, element: Element) -> None:
        self.path, self.element = path, element
        self.out: list[SchemaChange] = []

    def field(self, name: str, old: Any, new: Any, compatible: bool, why: str = "") -> None:
        if dump(old) == dump(new):
            return
        message = f"{name} {show(old)} -> {show(new)}" + (f": {why}" if why and not compatible else "")
        self.note(name, compatible, message, old, new)

    def note(self, name: str, compatible: bool, message: str, old: Any = None, new: Any = None) -> None:
        old_text, new_text = show(old), show(new)
        change = SchemaChange(
            self.path, self.element, "changed", name, not compatible, message, old_text, new_text
        )
        self.out.append(change)

    def flags(self, old: Any, new: Any, *, root: bool = False, said: bool = False) -> None:
        """``required``, ``closed``, ``external`` and ``description``, which groups and datasets
        share. A ``root`` is always there, so ``required`` means nothing for it; ``said``: the
        description change was already listed (the root's is the schema's)."""
        if not root:
            self.required(old, new)
        self.field(
            "closed",
            old.closed,
            new.closed,
            old.closed or not new.closed,
            "undeclared members and attributes, warnings before, are now errors",
        )
        self.field(
            "external",
            old.external,
            new.external,
            not old.external or new.external,
            "links and storage outside the file, allowed before, are now errors",
        )
        if not said:
            self.description(old, new)

    def required(self, old: Any, new: Any) -> None:
        self.field(
            "required",
            old.required,
            new.required,
            not new.required or old.required,
            "files written for the old schema may not have it",
        )

    def description(self, old: Any, new: Any) -> None:
        if old.description != new.description:
            self.note("description", True, "description changed", old.description, new.description)


def whole(where: str, element: Any, kind: Any, breaking: bool, message: str) -> SchemaChange:
    """An element added or removed as a whole."""
    return SchemaChange(where, element, kind, None, breaking, message)


# ------------------------------------------------------------------ attributes


def attribute_changes(
    old: tuple[AttributeSpec, ...], new: tuple[AttributeSpec, ...], path: str, new_closed: bool
) -> Iterator[SchemaChange]:
    before = {a.name: a for a in old}
    after = {a.name: a for a in new}
    for name, a in before.items():
        where = attribute_path(path, name)
        if name not in after:
            msg = (
                "attribute removed: the group or dataset is closed, so old files holding it now fail"
                if new_closed
                else "attribute removed: old files may still hold it (undeclared attributes are warnings)"
            )
            yield whole(where, "attribute", "removed", new_closed, msg)
        else:
            yield from _attribute(a, after[name], where)
    for name, b in after.items():
        if name not in before:
            where = attribute_path(path, name)
            msg = (
                "required attribute added: files written for the old schema do not have it"
                if b.required
                else "optional attribute added (an undeclared one of that name must now match it)"
            )
            yield whole(where, "attribute", "added", b.required, msg)


def _attribute(old: AttributeSpec, new: AttributeSpec, path: str) -> list[SchemaChange]:
    d = Fields(path, "attribute")
    d.field("type", old.type, new.type, False, "stored values of the old type no longer match")
    d.field("item", old.item, new.item, False, "stored items of the old type no longer match")
    d.field("dtype", old.dtype, new.dtype, dtype_widens(old.dtype, new.dtype), "narrower dtype")
    d.field("shape", old.shape, new.shape, shape_widens(old.shape, new.shape), "narrower shape")
    d.required(old, new)
    _bounds(d, old, new)
    d.field(
        "multiple_of",
        old.multiple_of,
        new.multiple_of,
        divides(new.multiple_of, old.multiple_of),
        "old values need not be multiples of it",
    )
    d.field(
        "min_length",
        old.min_length,
        new.min_length,
        lower_implies((None, old.min_length), (None, new.min_length)),
        "shorter values were allowed",
    )
    d.field(
        "max_length",
        old.max_length,
        new.max_length,
        upper_implies((None, old.max_length), (None, new.max_length)),
        "longer values were allowed",
    )
    d.field(
        "pattern",
        old.pattern,
        new.pattern,
        unset_or_equal(old.pattern, new.pattern),
        "values matching only the old pattern now fail",
    )
    d.field(
        "choices",
        old.choices,
        new.choices,
        subset(old.choices, new.choices),
        "values allowed before are no longer allowed",
    )
    if dump(old.default) != dump(new.default):
        d.note(
            "default",
            True,
            f"default {show(old.default)} -> {show(new.default)} (used when writing only)",
            old.default,
            new.default,
        )
    d.description(old, new)
    return d.out


def _bound_words(bound: tuple[Any, Any], lower: bool) -> str:
    """gt/ge (``lower``) or lt/le in words, as validation messages say them."""
    return describe_bounds(*((*bound, None, None) if lower else (None, None, *bound))) or "none"


def _bounds(d: Fields, old: Any, new: Any) -> None:
    """gt/ge and lt/le, each pair compared as the one bound it makes."""
    sides = (
        ("lower bound", ("gt", "ge"), lower_implies, "smaller values were allowed"),
        ("upper bound", ("lt", "le"), upper_implies, "larger values were allowed"),
    )
    for label, (s, i), implies, why in sides:
        a, b = (getattr(old, s), getattr(old, i)), (getattr(new, s), getattr(new, i))
        if dump(a) == dump(b):
            continue
        ta, tb = _bound_words(a, s == "gt"), _bound_words(b, s == "gt")
        ok = implies(a, b)
        msg = f"{label} {ta} -> {tb}" + ("" if ok else f": {why}")
        d.out.append(SchemaChange(d.path, d.element, "changed", f"{s}/{i}", not ok, msg, ta, tb))


# ------------------------------------------------------------------ datasets and groups


def dataset_changes(old: DatasetSpec, new: DatasetSpec, path: str) -> list[SchemaChange]:
    d = Fields(path, "dataset")
    d.flags(old, new)
    d.field(
        "dtype",
        old.dtype,
        new.dtype,
        dtype_widens(old.dtype, new.dtype),
        "old files may hold a dtype it refuses",
    )
    d.field(
        "shape",
        old.shape,
        new.shape,
        shape_widens(old.shape, new.shape),
        "old files may have a shape it refuses",
    )
    storage = (
        ("maxshape", "a different maxshape"),
        ("compression", "other compression"),
        ("compression_opts", "another gzip level"),
        ("shuffle", "another shuffle setting"),
        ("fletcher32", "another fletcher32 setting"),
        ("fillvalue", "another fill value"),
    )
    for name, what in storage:
        o, n = getattr(old, name), getattr(new, name)
        d.field(name, o, n, unset_or_equal(o, n), f"old files may have {what}")
    chunks_ok = (
        new.chunks is None
        or old.chunks == new.chunks
        or (isinstance(old.chunks, tuple) and new.chunks is True)
    )
    d.field("chunks", old.chunks, new.chunks, chunks_ok, "old files may have another layout")
    d.field(
        "values",
        old.values,
        new.values,
        subset(old.values, new.values),
        "values allowed before are no longer allowed",
    )
    _bounds(d, old, new)
    d.field(
        "allow_nan",
        old.allow_nan,
        new.allow_nan,
        new.allow_nan or not old.allow_nan,
        "old files may hold NaN",
    )
    return d.out + list(attribute_changes(old.attributes, new.attributes, path, new.closed))
