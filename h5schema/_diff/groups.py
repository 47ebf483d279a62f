"""Comparing two group declarations: members, patterns and named dims (see :mod:`h5schema._diff.changes`)."""

from __future__ import annotations

from h5schema._diff.fields import Fields, SchemaChange, attribute_changes, dataset_changes, whole
from h5schema._diff.widening import upper_implies
from h5schema._schema.spec import DatasetSpec, GroupSpec, PatternSpec
from h5schema._types.paths import child_path

__all__ = ["group_changes"]


def _item(old: GroupSpec | DatasetSpec, new: GroupSpec | DatasetSpec, path: str) -> list[SchemaChange]:
    if old.kind != new.kind:
        message = f"{old.kind} -> {new.kind}"
        return [SchemaChange(path, new.kind, "changed", "kind", True, message, old.kind, new.kind)]
    if isinstance(old, DatasetSpec) and isinstance(new, DatasetSpec):
        return dataset_changes(old, new, path)
    assert isinstance(old, GroupSpec) and isinstance(new, GroupSpec)
    return group_changes(old, new, path)


def _matching(group: GroupSpec, name: str) -> PatternSpec | None:
    return next((p for r, p in group.compiled_patterns() if r.fullmatch(name)), None)


def group_changes(
    old: GroupSpec, new: GroupSpec, path: str, described: tuple[str | None, str | None] | None = None
) -> list[SchemaChange]:
    """Changes of one group and everything under it. ``described``: the schema's two descriptions,
    which a root group's repeat without being listed again."""
    d = Fields(path, "group")
    d.flags(old, new, root=path == "/", said=(old.description, new.description) == described)
    out = d.out + list(attribute_changes(old.attributes, new.attributes, path, new.closed))
    out += _members(old, new, path)
    out += _patterns(old, new, path)
    out += _dims(old, new, path)
    return out


def _members(old: GroupSpec, new: GroupSpec, path: str) -> list[SchemaChange]:
    out: list[SchemaChange] = []
    before = {m.name or "": m for m in old.members}
    after = {m.name or "": m for m in new.members}
    for name, m in before.items():
        where = child_path(path, name)
        if name in after:
            out += _item(m, after[name], where)
            continue
        pattern = _matching(new, name)
        if pattern is not None:  # now checked as one of the pattern's members
            capped = pattern.max_count is not None
            why = f"{m.kind} declaration removed: now one of <{pattern.pattern}>"
            verdict = (capped, why + (", whose count may now exceed its max_count" if capped else ""))
        elif new.closed:
            verdict = (True, f"{m.kind} removed: the group is closed, so old files holding it now fail")
        else:
            verdict = (
                False,
                f"{m.kind} removed: old files may still hold it (undeclared members are warnings)",
            )
        out.append(whole(where, m.kind, "removed", *verdict))
        if pattern is not None:
            out += _item(m, pattern.item, where)
    for name, m in after.items():
        if name in before:
            continue
        where = child_path(path, name)
        pattern = None if m.required else _matching(old, name)
        if m.required:
            verdict = (True, f"required {m.kind} added: files written for the old schema do not have it")
        elif pattern is not None:  # it was one of the pattern's members
            why = f"optional {m.kind} added, taking the name from <{pattern.pattern}>"
            low = pattern.min_count > 0
            verdict = (low, why + (", whose count may now fall below its min_count" if low else ""))
        else:
            verdict = (False, f"optional {m.kind} added (an undeclared one of that name must now match it)")
        out.append(whole(where, m.kind, "added", *verdict))
        if pattern is not None:
            out += _item(pattern.item, m, where)
    return out


def _patterns(old: GroupSpec, new: GroupSpec, path: str) -> list[SchemaChange]:
    """Patterns, keyed by their text. A name is checked against the first pattern it matches,
    so removing, adding ahead or reordering patterns may move members to another declaration."""
    out: list[SchemaChange] = []
    before = {p.pattern: p for p in old.patterns}
    after = {p.pattern: p for p in new.patterns}
    kept_old = [p for p in before if p in after]
    kept_new = [p for p in after if p in before]
    if kept_old != kept_new:
        why = "patterns reordered: a name is checked against the first pattern it matches"
        out.append(
            SchemaChange(
                path, "pattern", "changed", "order", True, why, ", ".join(kept_old), ", ".join(kept_new)
            )
        )
    for text, p in before.items():
        where = child_path(path, f"<{text}>")
        if text in after:
            q = after[text]
            d = Fields(where, "pattern")
            d.field(
                "min_count",
                p.min_count,
                q.min_count,
                q.min_count <= p.min_count,
                "fewer members were allowed",
            )
            more_ok = upper_implies((None, p.max_count), (None, q.max_count))
            d.field("max_count", p.max_count, q.max_count, more_ok, "more members were allowed")
            out += d.out + _item(p.item, q.item, where)
        elif new.closed or new.patterns:
            why = "the group is closed" if new.closed else "another pattern may now match them"
            out.append(
                whole(
                    where,
                    "pattern",
                    "removed",
                    True,
                    f"pattern removed: members it matched may now fail ({why})",
                )
            )
        else:
            why = "pattern removed: members it matched are now undeclared (warnings)"
            out.append(whole(where, "pattern", "removed", False, why))
    last_kept = max((i for i, text in enumerate(after) if text in before), default=-1)
    removed_any = any(text not in after for text in before)
    for i, (text, q) in enumerate(after.items()):
        if text in before:
            continue
        if q.min_count > 0:
            verdict = (True, f"pattern added with min_count {q.min_count}: old files may have fewer members")
        elif i < last_kept or removed_any:
            verdict = (True, "pattern added where it may take members another pattern matched")
        else:
            verdict = (
                False,
                "optional members added by pattern (undeclared ones that match must now fit it)",
            )
        out.append(whole(child_path(path, f"<{text}>"), "pattern", "added", *verdict))
    return out


_Key = tuple[bool, str]  # (a pattern's members?, member name or pattern text)


def _named_axes(group: GroupSpec) -> dict[tuple[_Key, int], str]:
    """(member, axis) -> dim name, for the datasets a group declares."""
    items = [
        ((p is not None, ds.name or "" if p is None else p.pattern), ds)
        for p, ds in group.dataset_declarations()
    ]
    return {(key, i): d.name for key, ds in items for i, d in enumerate(ds.shape or ()) if d.name is not None}


def _dims(old: GroupSpec, new: GroupSpec, path: str) -> list[SchemaChange]:
    """Named dims: axes that share a name in the new schema must have shared one in the old.
    Members the old schema did not declare are left out (their addition is its own change)."""
    before, after = _named_axes(old), _named_axes(new)
    declared = {(False, m.name or "") for m in old.datasets} | {(True, p.pattern) for p in old.patterns}
    out: list[SchemaChange] = []
    for name in sorted(set(after.values())):
        axes = [a for a, n in after.items() if n == name and a[0] in declared]
        olds = {before.get(a) for a in axes}
        ties = len(axes) > 1 or any(key[0] for key, _ in axes)  # a pattern ties all its members
        if ties and (None in olds or len(olds) > 1):
            where = ", ".join(f"{child_path(path, f'<{m}>' if pat else m)} axis {i}" for (pat, m), i in axes)
            out.append(
                SchemaChange(
                    path,
                    "group",
                    "changed",
                    "dims",
                    True,
                    f"dim {name!r} now ties {where}: their lengths did not have to agree",
                    ", ".join(sorted(str(o) for o in olds)),
                    name,
                )
            )
    return out
