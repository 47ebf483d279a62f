"""A file's structure as one JSON document, for ``h5schema show --format json``: no bulk data.

The root and every group: ``{"kind": "group", "attributes": {NAME: ATTR}, "members": {NAME:
NODE}}``. A dataset: its dtype (as a schema document writes it), shape, maxshape, chunks,
filters, fill value, storage outside the file (``foreign``) and attributes. Links are reported
with their target, never followed. An object reached again by another hard link is described
once, at its first path (depth first, in link order); its later paths hold ``{"kind": ...,
"alias": FIRST_PATH}``, so cycles end. A group or dataset that cannot be read fully says why in
``error``. ATTR is ``{"dtype", "shape", "value"}``; ``value`` is left out when the attribute
holds more than :data:`MAX_VALUE_ELEMENTS` numbers or strings, or has no JSON form (see
:mod:`h5schema._types.jsonvalue`); a value with no JSON form (NaN, infinity, references) is given as
``text``, its repr, instead.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

import numpy as np

from h5schema._h5._links import kind_of, links, object_key, open_member
from h5schema._h5._read import attribute_names, dataset_info, read_attribute, scan_attributes
from h5schema._h5._types import Handle, ObjectError
from h5schema._types.jsonvalue import NoJSON, json_value
from h5schema._types.paths import child_path

__all__ = ["MAX_VALUE_ELEMENTS", "manifest"]

MAX_VALUE_ELEMENTS = 1024  # numbers or strings in an attribute value the manifest shows
MAX_TEXT = 200  # characters of ``text``: the repr of a value with no JSON form


def _text(value: Any) -> str:
    text = (
        np.array2string(value, threshold=8, max_line_width=10_000)
        if isinstance(value, np.ndarray)
        else repr(value)
    )
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def _lengths(shape: tuple[int | None, ...] | None) -> list[int | None] | None:
    return None if shape is None else list(shape)


def _attributes(oid: Handle, node: dict[str, Any], max_bytes: int) -> dict[str, Any]:
    try:
        names = attribute_names(oid)
    except ObjectError as exc:
        node["error"] = str(exc)
        return {}
    scan = scan_attributes(oid, [(n, False) for n in names], max_bytes)
    out: dict[str, Any] = {}
    for name in names:
        got = scan.found.get(name)
        if got is None or got.error is not None or got.dtype is None:
            out[name] = {"error": got.error if got is not None and got.error else "cannot be read"}
            continue
        record: dict[str, Any] = {"dtype": got.dtype.model_dump(mode="json"), "shape": _lengths(got.shape)}
        out[name] = record
        if got.shape is None or math.prod(got.shape) * got.dtype.element_count() > MAX_VALUE_ELEMENTS:
            continue
        with contextlib.suppress(ObjectError):  # unreadable: what it is, not what it holds
            raw = read_attribute(oid, name)
            try:
                record["value"] = json_value(raw, got.dtype)
            except NoJSON:  # NaN, infinity, references: shown as text, for people
                record["text"] = _text(raw)
    return out


def _dataset(oid: Handle, node: dict[str, Any]) -> None:
    try:
        info = dataset_info(oid)
    except ObjectError as exc:
        node["error"] = str(exc)
        return
    node.update(
        dtype=info.dtype.model_dump(mode="json"),
        shape=_lengths(info.shape),
        maxshape=_lengths(info.maxshape),
        chunks=_lengths(info.chunks),
        compression=None if info.compression == "none" else info.compression,
        compression_opts=info.compression_opts,
        shuffle=info.shuffle,
        fletcher32=info.fletcher32,
    )
    with contextlib.suppress(NoJSON):  # defined, but with no JSON form (NaN): the key is left out
        node["fillvalue"] = None if info.fillvalue is None else json_value(info.fillvalue, info.dtype)
    node["foreign"] = info.foreign


def _members(
    gid: Handle, path: str, node: dict[str, Any], max_members: int
) -> list[tuple[Handle, str, dict[str, Any]]]:
    """Fill ``node["members"]``: links as they are, objects as empty records to describe next."""
    members: dict[str, Any] = {}
    node["members"] = members
    try:
        found = links(gid, max_members)
    except ObjectError as exc:
        node["error"] = str(exc)
        return []
    if len(found) > max_members:
        node["error"] = f"more than {max_members} members (the max_members limit); not listed"
        return []
    todo = []
    for link in found:
        if link.kind in ("soft_link", "external_link"):
            members[link.name] = {"kind": link.kind, "target": link.target}
        elif link.kind != "hard":
            members[link.name] = {"kind": "other"}
        else:
            child = child_path(path, link.name)
            try:
                oid = open_member(gid, link.name)
            except ObjectError as exc:
                members[link.name] = {"kind": "unreadable", "error": str(exc)}
                continue
            record: dict[str, Any] = {}
            members[link.name] = record
            todo.append((oid, child, record))
    return todo


def manifest(root: Handle, max_members: int, max_attribute_bytes: int) -> dict[str, Any]:
    """The manifest of the tree under ``root`` (walked iteratively: no recursion limit)."""
    top: dict[str, Any] = {}
    seen: dict[tuple[int, int], str] = {}
    stack: list[tuple[Handle, str, dict[str, Any]]] = [(root, "/", top)]
    while stack:
        oid, path, node = stack.pop()
        kind = kind_of(oid)
        node["kind"] = kind
        key = object_key(oid)
        if key is not None:
            if key in seen:
                node["alias"] = seen[key]
                continue
            seen[key] = path
        if kind == "dataset":
            _dataset(oid, node)
            node["attributes"] = _attributes(oid, node, max_attribute_bytes)
        elif kind == "group":
            node["attributes"] = _attributes(oid, node, max_attribute_bytes)
            stack.extend(reversed(_members(oid, path, node, max_members)))
    return top
