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
    hops = 0
    todo = [c for c in target.split("/") if c not in ("", ".")]
    where = root if target.startswith("/") else gid
    at = "" if target.startswith("/") else None  # the absolute path reached, when known
    while todo:
        comp = todo.pop(0)
        raw = comp.encode("utf-8", errors="surrogateescape")
        here = f"{at}/{comp}" if at is not None else comp
        try:
            if not isinstance(where, h5g.GroupID) or not where.links.exists(raw):
                return f"nothing at {here}"
            ltype = where.links.get_info(raw).type
            if ltype == h5l.TYPE_SOFT:
                hops += 1
                if hops > _MAX_HOPS:
                    return "a loop of soft links"
                value = _decode_name(where.links.get_val(raw))
                todo = [c for c in value.split("/") if c not in ("", ".")] + todo
                if value.startswith("/"):
                    where, at = root, ""
                continue
            if ltype != h5l.TYPE_HARD:
                return f"an external link at {here}"
            if todo:
                where = h5o.open(where, raw)
            at = here if at is not None else None
        except Exception as exc:
            return f"cannot be resolved at {here}: {exc}"
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
