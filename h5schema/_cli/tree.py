"""``h5schema show``: a file's tree as text, each node annotated with its violations.

The tree is drawn from the file's manifest (:mod:`h5schema._h5._manifest`), the one description
of a file the sandboxed reader produces; ``show --format json`` prints the manifest itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import TypeAdapter

from h5schema._report.report import Report, Violation
from h5schema._schema.base import unlatin1
from h5schema._types.dtypes import DTypeSpec
from h5schema._types.paths import child_path
from h5schema._types.shapes import describe_lengths

__all__ = ["render_tree"]

_DTYPE: TypeAdapter[DTypeSpec] = TypeAdapter(DTypeSpec)
_PREVIEW = 60  # characters of an attribute value shown
_PREVIEW_ELEMENTS = 64  # larger values are shown by their type only


def _dtype_text(doc: dict[str, Any]) -> str:
    return _DTYPE.validate_python(doc).describe()


def _attribute_text(record: dict[str, Any]) -> str:
    """``value (type)``, or the type alone for a value too big to show or not in the manifest."""
    if "error" in record:
        return str(record["error"])
    dtype, shape = record["dtype"], record["shape"]
    kind = _dtype_text(dtype) + ("" if not shape else f" {tuple(shape)}")
    if int(np.prod(shape or (), dtype=np.float64)) > _PREVIEW_ELEMENTS or not (
        "value" in record or "text" in record
    ):
        return kind
    if "text" in record:  # a value with no JSON form (NaN, a reference), as the reader printed it
        return f"{_cut(record['text'])} ({kind})"
    ascii_text = dtype.get("kind") == "string" and dtype.get("encoding") == "ascii"
    value = unlatin1(record["value"]) if ascii_text else record["value"]  # bytes again, for their repr
    text = np.array2string(np.array(value), threshold=8, max_line_width=10_000) if shape else repr(value)
    return f"{_cut(text)} ({kind})"


def _cut(text: str) -> str:
    return text if len(text) <= _PREVIEW else text[: _PREVIEW - 3] + "..."


def _nodes(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The manifest as one record per line of the tree: depth first, members in name order."""
    out: list[dict[str, Any]] = []
    stack: list[tuple[str, int, dict[str, Any]]] = [("/", 0, manifest)]
    while stack:
        path, depth, node = stack.pop()
        record = {k: v for k, v in node.items() if k not in ("members", "attributes")}
        record.update(path=path, depth=depth)
        if "dtype" in node:
            record["dtype"] = _dtype_text(node["dtype"])
        record["attributes"] = {n: _attribute_text(a) for n, a in node.get("attributes", {}).items()}
        out.append(record)
        members = sorted(node.get("members", {}).items(), reverse=True)
        stack.extend((child_path(path, n), depth + 1, m) for n, m in members)
    return out


def _lengths(values: Sequence[int | None] | None) -> str:
    return "none" if values is None else describe_lengths(tuple(values))


def _describe(node: dict[str, Any]) -> str:
    name = node["path"].rsplit("/", 1)[-1] or "/"
    kind = node["kind"]
    if "alias" in node:
        return f"{name}  (the same object as {node['alias']})"
    if kind == "group":
        return name if name == "/" else f"{name}/"
    if kind in ("soft_link", "external_link"):
        return f"{name} -> {node.get('target')}  ({kind.replace('_', ' ')})"
    if kind != "dataset":
        return f"{name}  ({kind}{': ' + node['error'] if node.get('error') else ''})"
    if node.get("error"):
        return f"{name}  (dataset: {node['error']})"
    parts = [f"{node['dtype']}", f"shape {_lengths(node['shape'])}"]
    if node.get("maxshape") is not None and node["maxshape"] != node["shape"]:
        parts.append(f"maxshape {_lengths(node['maxshape'])}")
    if node.get("chunks") is not None:
        parts.append(f"chunks {_lengths(node['chunks'])}")
    if node.get("compression") not in (None, "none"):
        parts.append(str(node["compression"]))
    if node.get("foreign"):
        parts.append(str(node["foreign"]))
    return f"{name}  " + ", ".join(parts)


def _owner(path: str, known: set[str]) -> str:
    """The deepest described node a violation's path belongs to (attributes to their object,
    missing members to their nearest existing ancestor)."""
    path = path.split("@", 1)[0] or "/"
    while path not in known and path != "/":
        path = path.rsplit("/", 1)[0] or "/"
    return path


def _under(v: Violation, node: str) -> str:
    """A violation under its node: with its own path when it is not the node's (an attribute, a
    missing member)."""
    if v.path == node:
        return str(v)
    return f"[{v.severity.value}] {v.code.value}: {v.path}: {v.message}"


def render_tree(manifest: dict[str, Any], report: Report | None = None) -> str:
    """The tree, two spaces per level, attributes under their object; with a report, each node
    ends in ``[ok]`` or is followed by its violations."""
    nodes = _nodes(manifest)
    by_node: dict[str, list[Violation]] = {}
    if report is not None:
        known = {n["path"] for n in nodes}
        for v in report:
            by_node.setdefault(_owner(v.path, known), []).append(v)
    reported = set() if report is None else {v.path for v in report}
    lines = []
    for node in nodes:
        pad = "  " * node["depth"]
        found = by_node.get(node["path"], [])
        mark = "" if report is None or found or node["path"] in reported else "  [ok]"
        lines.append(f"{pad}{_describe(node)}{mark}")
        for name, value in node.get("attributes", {}).items():
            lines.append(f"{pad}  @{name} = {value}")
        lines.extend(f"{pad}  {_under(v, node['path'])}" for v in found)
    if report is not None:
        lines.append(report.summary())
    return "\n".join(lines)
