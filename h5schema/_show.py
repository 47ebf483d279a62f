"""``h5schema show``: a file's tree as text, each node annotated with its violations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from h5schema._report import Report, Violation

__all__ = ["render_tree"]


def _lengths(values: Sequence[int | None] | None) -> str:
    if values is None:
        return "none"
    inner = ", ".join("None" if v is None else str(v) for v in values)
    return f"({inner},)" if len(values) == 1 else f"({inner})"


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


def render_tree(nodes: list[dict[str, Any]], report: Report | None = None) -> str:
    """The tree, two spaces per level, attributes under their object; with a report, each node
    ends in ``[ok]`` or is followed by its violations."""
    by_node: dict[str, list[Violation]] = {}
    if report is not None:
        known = {n["path"] for n in nodes}
        for v in report:
            by_node.setdefault(_owner(v.path, known), []).append(v)
    lines = []
    for node in nodes:
        pad = "  " * node["depth"]
        found = by_node.get(node["path"], [])
        mark = "" if report is None or found or node["path"] in _reported_paths(report) else "  [ok]"
        lines.append(f"{pad}{_describe(node)}{mark}")
        for name, value in node.get("attributes", {}).items():
            lines.append(f"{pad}  @{name} = {value}")
        lines.extend(f"{pad}  {v}" for v in found)
    if report is not None:
        lines.append(report.summary())
    return "\n".join(lines)


def _reported_paths(report: Report) -> set[str]:
    return {v.path for v in report}
