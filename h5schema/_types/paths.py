"""HDF5 paths as reports spell them: ``/group/dataset`` for objects, ``/group@attr`` for
attributes (``/@attr`` on the root). Plain strings; nothing here touches a file."""

from __future__ import annotations

__all__ = ["attribute_path", "child_path"]


def child_path(path: str, name: str) -> str:
    """The path of member ``name`` of the group at ``path``."""
    return f"/{name}" if path == "/" else f"{path}/{name}"


def attribute_path(path: str, name: str) -> str:
    """The path of attribute ``name`` of the object at ``path``."""
    return f"/@{name}" if path == "/" else f"{path}@{name}"
