"""A file's tree as plain records, for ``h5schema show``: every object reached by hard links,
with its kind, dataset header and attributes; links reported, never followed."""

from __future__ import annotations

from typing import Any

import numpy as np

from h5schema._h5._links import kind_of, links, object_key, open_member
from h5schema._h5._read import attribute_names, dataset_info, read_attribute, scan_attributes
from h5schema._h5._types import Handle, ObjectError

__all__ = ["describe"]

_PREVIEW = 60  # characters of an attribute value shown


def _lengths(shape: tuple[int | None, ...] | None) -> list[int | None] | None:
    return None if shape is None else list(shape)


def _preview(value: Any) -> str:
    if isinstance(value, np.ndarray):
        text = np.array2string(value, threshold=8, max_line_width=10_000)
    else:
        text = repr(value)
    return text if len(text) <= _PREVIEW else text[: _PREVIEW - 3] + "..."


def _attributes(oid: Handle, max_bytes: int) -> dict[str, str]:
    try:
        names = attribute_names(oid)
    except ObjectError as exc:
        return {"(attributes)": str(exc)}
    out: dict[str, str] = {}
    scan = scan_attributes(oid, [(n, False) for n in names], max_bytes)
    for name in names:
        got = scan.found.get(name)
        if got is None or got.error is not None or got.dtype is None:
            out[name] = got.error if got is not None and got.error else "unreadable"
            continue
        kind = got.dtype.describe() + ("" if got.shape in ((), None) else f" {tuple(got.shape)}")
        size = int(np.prod(got.shape or (), dtype=np.float64))
        if got.shape is None or size > 64:
            out[name] = kind
            continue
        try:
            out[name] = f"{_preview(read_attribute(oid, name))} ({kind})"
        except ObjectError as exc:
            out[name] = f"{kind}, {exc}"
    return out


def describe(root: Handle, max_members: int, max_attribute_bytes: int) -> list[dict[str, Any]]:
    """One record per object, depth first in name order, the root first. An object reached by
    several hard links is described once (later paths say ``alias``)."""
    nodes: list[dict[str, Any]] = []
    seen: dict[tuple[int, int], str] = {}
    # each entry: an object to open and describe, or a finished record (a link, an unreadable one)
    stack: list[tuple[str, Handle, int] | dict[str, Any]] = [("/", root, 0)]
    while stack:
        entry = stack.pop()
        if isinstance(entry, dict):
            nodes.append(entry)
            continue
        path, oid, depth = entry
        node: dict[str, Any] = {"path": path, "kind": kind_of(oid), "depth": depth}
        nodes.append(node)
        key = object_key(oid)
        if key is not None and key in seen:
            node["alias"] = seen[key]
            continue
        if key is not None:
            seen[key] = path
        node["attributes"] = _attributes(oid, max_attribute_bytes)
        if node["kind"] == "dataset":
            _dataset(oid, node)
        elif node["kind"] == "group":
            stack.extend(reversed(_members(oid, path, depth, max_members, node)))
    return nodes


def _dataset(oid: Handle, node: dict[str, Any]) -> None:
    try:
        info = dataset_info(oid)
    except ObjectError as exc:
        node["error"] = str(exc)
        return
    node.update(
        dtype=info.dtype.describe(), shape=_lengths(info.shape), maxshape=_lengths(info.maxshape),
        chunks=_lengths(info.chunks), compression=info.compression, foreign=info.foreign,
    )  # fmt: skip


def _members(
    gid: Handle, path: str, depth: int, max_members: int, node: dict[str, Any]
) -> list[tuple[str, Handle, int] | dict[str, Any]]:
    try:
        found = sorted(links(gid, max_members), key=lambda link: link.name)
    except ObjectError as exc:
        node["error"] = str(exc)
        return []
    if len(found) > max_members:
        node["error"] = f"more than {max_members} members; not listed"
        return []
    out: list[tuple[str, Handle, int] | dict[str, Any]] = []
    for link in found:
        child = f"/{link.name}" if path == "/" else f"{path}/{link.name}"
        if link.kind != "hard":
            out.append({"path": child, "kind": link.kind, "depth": depth + 1, "target": link.target})
            continue
        try:
            out.append((child, open_member(gid, link.name), depth + 1))
        except ObjectError as exc:
            out.append({"path": child, "kind": "unreadable", "depth": depth + 1, "error": str(exc)})
    return out
