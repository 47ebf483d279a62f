"""Links and object identity, read without ever following a link out of the file."""

from __future__ import annotations

from typing import Any

from h5py import h5d, h5g, h5l, h5o, h5t

from h5schema._h5._types import Handle, Link, LinkKind, ObjectError

__all__ = ["kind_of", "links", "object_key", "open_member", "soft_target"]


def _decode_name(raw: bytes | str) -> str:
    return raw if isinstance(raw, str) else raw.decode("utf-8", errors="surrogateescape")


def links(gid: Handle, limit: int | None = None) -> list[Link]:
    """The links of a group, by name, without following soft or external links.

    With ``limit``, listing stops after ``limit + 1`` links (so the caller can tell "too many")."""
    found: list[tuple[bytes, int]] = []

    def visit(name: bytes, info: Any) -> bool | None:
        found.append((name, info.type))
        return True if limit is not None and len(found) > limit else None  # not None: stop

    try:
        gid.links.iterate(visit, info=True)
    except Exception as exc:
        raise ObjectError(f"cannot list members: {exc}") from None
    out = []
    for raw, ltype in found:
        name = _decode_name(raw)
        if ltype == h5l.TYPE_HARD:
            out.append(Link(name, "hard"))
        elif ltype == h5l.TYPE_SOFT:
            out.append(Link(name, "soft_link", _link_value(gid, raw)))
        elif ltype == h5l.TYPE_EXTERNAL:
            out.append(Link(name, "external_link", _link_value(gid, raw)))
        else:
            out.append(Link(name, "other"))
    return out


_MAX_HOPS = 16  # HDF5's own default limit on soft links followed in one path


def soft_target(gid: Handle, target: str) -> str | None:
    """Where a soft link's target path leads, resolved one component at a time without ever
    leaving the file: None when it names an object of this file, else the reason it does not
    ("nothing at /x", "an external link at /x", "a loop of soft links")."""
    try:
        root = h5g.open(gid, b"/")
    except Exception as exc:
        return f"cannot be resolved: {exc}"
    return _Resolution(root, gid, target).run()


def _components(path: str) -> list[str]:
    return [c for c in path.split("/") if c not in ("", ".")]


class _Resolution:
    """A path resolved one component at a time from ``where``; ``at`` is the absolute path
    reached, when known."""

    def __init__(self, root: Handle, gid: Handle, target: str) -> None:
        absolute = target.startswith("/")
        self.root, self.hops, self.todo = root, 0, _components(target)
        self.where = root if absolute else gid
        self.at: str | None = "" if absolute else None

    def run(self) -> str | None:
        while self.todo:
            comp = self.todo.pop(0)
            raw = comp.encode("utf-8", errors="surrogateescape")
            here = f"{self.at}/{comp}" if self.at is not None else comp
            try:
                problem = self.step(raw, here)
            except Exception as exc:
                return f"cannot be resolved at {here}: {exc}"
            if problem is not None:
                return problem
        return None

    def step(self, raw: bytes, here: str) -> str | None:
        """Go through one component: a hard link into its object, a soft link by its value; an
        external link or nothing there ends the walk."""
        where = self.where
        if not isinstance(where, h5g.GroupID) or not where.links.exists(raw):
            return f"nothing at {here}"
        ltype = where.links.get_info(raw).type
        if ltype == h5l.TYPE_SOFT:
            return self.follow(raw)
        if ltype != h5l.TYPE_HARD:
            return f"an external link at {here}"
        if self.todo:
            self.where = h5o.open(where, raw)
        self.at = here if self.at is not None else None
        return None

    def follow(self, raw: bytes) -> str | None:
        """A soft link: its value's components come next (from the root when it is absolute),
        up to HDF5's limit on soft links followed in one path."""
        self.hops += 1
        if self.hops > _MAX_HOPS:
            return "a loop of soft links"
        value = _decode_name(self.where.links.get_val(raw))
        self.todo = _components(value) + self.todo
        if value.startswith("/"):
            self.where, self.at = self.root, ""
        return None


def object_key(oid: Handle) -> tuple[int, int] | None:
    """An identity for an object reachable by more than one hard link (None when it has just one)."""
    try:
        info = h5o.get_info(oid)
    except Exception:
        return None
    return (info.fileno, info.addr) if info.rc > 1 else None


def _link_value(gid: Handle, raw: bytes) -> str | None:
    """A soft link's target path, or an external link's ``file:path`` (never followed)."""
    try:
        val = gid.links.get_val(raw)
    except Exception:
        return None
    if isinstance(val, tuple):
        return f"{_decode_name(val[0])}:{_decode_name(val[1])}"
    return _decode_name(val)


def kind_of(oid: Handle) -> LinkKind:
    """What an opened object is."""
    if isinstance(oid, h5g.GroupID):
        return "group"
    if isinstance(oid, h5d.DatasetID):
        return "dataset"
    if isinstance(oid, h5t.TypeID):
        return "datatype"
    return "other"


def open_member(gid: Handle, name: str) -> Handle:
    try:
        return h5o.open(gid, name.encode("utf-8", errors="surrogateescape"))
    except Exception as exc:
        raise ObjectError(f"cannot read its object header: {exc}") from None
