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
        out += _item(m, after[name], where) if name in after else _removed_member(m, new, name, where)
    for name, m in after.items():
        if name not in before:
            out += _added_member(m, old, name, child_path(path, name))
    return out


def _removed_member(m: GroupSpec | DatasetSpec, new: GroupSpec, name: str, where: str) -> list[SchemaChange]:
    """A member no longer declared breaks files when the group is closed, or when a pattern with
    a max_count now takes it (it is then compared with that pattern's item)."""
    pattern = _matching(new, name)
    if pattern is None:
        if new.closed:
            why = f"{m.kind} removed: the group is closed, so old files holding it now fail"
        else:
            why = f"{m.kind} removed: old files may still hold it (undeclared members are warnings)"
        return [whole(where, m.kind, "removed", new.closed, why)]
    capped = pattern.max_count is not None
    why = f"{m.kind} declaration removed: now one of <{pattern.pattern}>"
    why += ", whose count may now exceed its max_count" if capped else ""
    return [whole(where, m.kind, "removed", capped, why), *_item(m, pattern.item, where)]


def _added_member(m: GroupSpec | DatasetSpec, old: GroupSpec, name: str, where: str) -> list[SchemaChange]:
    """A required member added breaks old files; an optional one breaks them only when it takes
    its name from a pattern with a min_count (it is then compared with that pattern's item)."""
    if m.required:
        why = f"required {m.kind} added: files written for the old schema do not have it"
        return [whole(where, m.kind, "added", True, why)]
    pattern = _matching(old, name)
    if pattern is None:
        why = f"optional {m.kind} added (an undeclared one of that name must now match it)"
        return [whole(where, m.kind, "added", False, why)]
    low = pattern.min_count > 0
    why = f"optional {m.kind} added, taking the name from <{pattern.pattern}>"
    why += ", whose count may now fall below its min_count" if low else ""
    return [whole(where, m.kind, "added", low, why), *_item(pattern.item, m, where)]


def _patterns(old: GroupSpec, new: GroupSpec, path: str) -> list[SchemaChange]:
    """Patterns, keyed by their text. A name is checked against the first pattern it matches,
    so removing, adding ahead or reordering patterns may move members to another declaration."""
    before = {p.pattern: p for p in old.patterns}
    after = {p.pattern: p for p in new.patterns}
    out = _pattern_order(before, after, path)
    for text, p in before.items():
        where = child_path(path, f"<{text}>")
        out += _kept_pattern(p, after[text], where) if text in after else _removed_pattern(new, where)
    return out + _added_patterns(before, after, path)


def _added_patterns(
    before: dict[str, PatternSpec], after: dict[str, PatternSpec], path: str
) -> list[SchemaChange]:
    """The patterns added, each judged by whether it comes ahead of a kept one or replaces a
    removed one."""
    last_kept = max((i for i, text in enumerate(after) if text in before), default=-1)
    removed_any = any(text not in after for text in before)
    return [
        _added_pattern(q, i < last_kept or removed_any, child_path(path, f"<{text}>"))
        for i, (text, q) in enumerate(after.items())
        if text not in before
    ]


def _pattern_order(
    before: dict[str, PatternSpec], after: dict[str, PatternSpec], path: str
) -> list[SchemaChange]:
    """Patterns kept in another order break files: a name is checked against the first pattern
    it matches."""
    kept_old = [p for p in before if p in after]
    kept_new = [p for p in after if p in before]
    if kept_old == kept_new:
        return []
    why = "patterns reordered: a name is checked against the first pattern it matches"
    return [
        SchemaChange(path, "pattern", "changed", "order", True, why, ", ".join(kept_old), ", ".join(kept_new))
    ]


def _kept_pattern(p: PatternSpec, q: PatternSpec, where: str) -> list[SchemaChange]:
    """A kept pattern breaks files when it allows fewer or more members, or its item changes."""
    d = Fields(where, "pattern")
    d.field("min_count", p.min_count, q.min_count, q.min_count <= p.min_count, "fewer members were allowed")
    more_ok = upper_implies((None, p.max_count), (None, q.max_count))
    d.field("max_count", p.max_count, q.max_count, more_ok, "more members were allowed")
    return d.out + _item(p.item, q.item, where)


def _removed_pattern(new: GroupSpec, where: str) -> list[SchemaChange]:
    """A removed pattern breaks files when the group is closed or another pattern may take its
    members; otherwise they become undeclared (warnings)."""
    if not (new.closed or new.patterns):
        why = "pattern removed: members it matched are now undeclared (warnings)"
        return [whole(where, "pattern", "removed", False, why)]
    why = "the group is closed" if new.closed else "another pattern may now match them"
    message = f"pattern removed: members it matched may now fail ({why})"
    return [whole(where, "pattern", "removed", True, message)]


def _added_pattern(q: PatternSpec, ahead: bool, where: str) -> SchemaChange:
    """An added pattern breaks files when it needs members (min_count), or when it comes ahead
    of a kept pattern or replaces a removed one, so it may take members another pattern matched."""
    if q.min_count > 0:
        verdict = (True, f"pattern added with min_count {q.min_count}: old files may have fewer members")
    elif ahead:
        verdict = (True, "pattern added where it may take members another pattern matched")
    else:
        verdict = (False, "optional members added by pattern (undeclared ones that match must now fit it)")
    return whole(where, "pattern", "added", *verdict)


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
    declared = _dataset_keys(old)
    out: list[SchemaChange] = []
    for name in sorted(set(after.values())):
        axes = [a for a, n in after.items() if n == name and a[0] in declared]
        olds = {before.get(a) for a in axes}
        if _ties(axes) and (None in olds or len(olds) > 1):
            out.append(_new_tie(name, axes, olds, path))
    return out


def _dataset_keys(group: GroupSpec) -> set[_Key]:
    """The keys of the datasets a group names and of all its patterns."""
    return {(False, m.name or "") for m in group.datasets} | {(True, p.pattern) for p in group.patterns}


def _ties(axes: list[tuple[_Key, int]]) -> bool:
    """A dim ties lengths when it names several axes, or any axis of a pattern's members (a
    pattern ties all its members)."""
    return len(axes) > 1 or any(key[0] for key, _ in axes)


def _new_tie(name: str, axes: list[tuple[_Key, int]], olds: set[str | None], path: str) -> SchemaChange:
    """The change of a dim that now ties axes whose lengths did not have to agree."""
    where = ", ".join(f"{child_path(path, f'<{m}>' if pat else m)} axis {i}" for (pat, m), i in axes)
    message = f"dim {name!r} now ties {where}: their lengths did not have to agree"
    before = ", ".join(sorted(str(o) for o in olds))
    return SchemaChange(path, "group", "changed", "dims", True, message, before, name)
