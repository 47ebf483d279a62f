"""The validator's walk: go through a file alongside its schema and collect every violation.

It reads metadata only (link lists, dataset headers, the attributes the schema names, and the
names of the others); dataset values are read only for declared data checks. It runs in the
calling process; :mod:`h5schema._api` decides whether that process is a sandboxed child.

The walk is iterative (a stack of groups, no recursion), follows hard links only, reports soft
and external links by their type without following them, and stops at the :class:`Limits`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from h5schema import _h5
from h5schema._report.codes import Code
from h5schema._report.report import Report, Violation, unreadable_report
from h5schema._schema.spec import DatasetSpec, GroupSpec, SchemaSpec
from h5schema._types.paths import child_path
from h5schema._validate.limits import Limits
from h5schema._validate.objects import ObjectChecks
from h5schema._validate.spread import SERIAL, PartsFailed, Spread

__all__ = ["walk", "walk_path"]

_KIND_WORDS = {
    "hard": "an object",
    "group": "a group",
    "dataset": "a dataset",
    "datatype": "a named datatype",
    "soft_link": "a soft link",
    "external_link": "an external link",
    "other": "an object of unknown type",
    "unreadable": "an unreadable object",
}
_DEFAULT_LIMITS = Limits()


def walk(source: Any, spec: SchemaSpec, *, check_data: bool = True, limits: Limits | None = None) -> Report:
    """Validate a path or an open ``h5py.File``/``h5py.Group`` in this process."""
    limits = limits or _DEFAULT_LIMITS
    if _h5.is_h5py_object(source):
        root = _h5.root_of(source)
        return _walk(root, spec, _h5.file_label(source), check_data, limits, _h5.name_of(source))
    return walk_path(os.fspath(source), spec, check_data=check_data, limits=limits)


def walk_path(
    path: str,
    spec: SchemaSpec,
    *,
    check_data: bool = True,
    limits: Limits | None = None,
    label: str | None = None,
    spread: Spread = SERIAL,
) -> Report:
    """Open a file read-only and validate it in this process; an unopenable file is reported.
    ``label`` names the file in the report (default: ``path``). ``spread`` says how big jobs
    (data checks of big datasets, many subgroups) may be split; by default all runs here."""
    label = path if label is None else label
    try:
        f = _h5.open_read(path)
    except _h5.Unreadable as exc:
        return unreadable_report(label, spec.name, str(exc))
    try:
        return _walk(_h5.root_of(f), spec, label, check_data, limits or _DEFAULT_LIMITS, "/", spread)
    finally:
        with contextlib.suppress(Exception):  # a failing close must not hide the report
            f.close()


def _walk(
    root: _h5.Handle,
    spec: SchemaSpec,
    label: str,
    check_data: bool,
    limits: Limits,
    base: str = "/",
    spread: Spread = SERIAL,
) -> Report:
    walker = _Walker(check_data, limits, spread)
    walker.drain((root, spec.root, base, 0))
    return Report(file=label, schema=spec.name, violations=tuple(walker.out))


_Pending = tuple[_h5.Handle, GroupSpec, str, int]  # an opened group, its spec, its path, its depth
PARALLEL_GROUPS = 64  # pattern-matched subgroups from which the walk is shared by forked copies


class _Walker(ObjectChecks):
    """One walk of the groups of a file, from the root down."""

    def drain(self, top: _Pending) -> None:
        """Walk a group and everything below it.

        Each group is a generator that yields its subgroups as it meets them: a stack of them
        walks depth first, in declaration order, like recursion would, but with no recursion
        limit."""
        stack: list[Iterator[_Pending]] = [self.group(*top)]
        paths = [top[2]]
        while stack:
            try:
                child = next(stack[-1], None)
            except Exception as exc:  # a failure we did not foresee: the group ends, the walk goes on
                self.unreadable(paths[-1], exc)
                child = None
            if child is None:
                stack.pop()
                paths.pop()
            else:
                stack.append(self.group(*child))
                paths.append(child[2])

    def shared(self, gid: _h5.Handle, links: list[_h5.Link], spec: GroupSpec, path: str, depth: int) -> None:
        """Walk many pattern-matched subgroups in consecutive shares, one per part of the walk's
        spread. Each share is walked without spreading further and gives back its violations;
        they are added in order, so the report is the one-part one."""
        n = self.spread.parts_for(len(links))

        def part(k: int) -> list[Violation]:
            share = self.serial_share()
            for link in links[k * len(links) // n : (k + 1) * len(links) // n]:
                child = share.member(gid, link, spec, child_path(path, link.name), {}, depth)
                if child is not None:
                    share.drain(child)
            return share.out

        try:
            shares = self.spread.run(n, part)
        except PartsFailed:  # the parts could not run apart: walk them all here, as one
            n = 1
            shares = [part(0)]
        for found in shares:
            self.out.extend(found)

    # ------------------------------------------------------------ groups

    def group(self, gid: _h5.Handle, spec: GroupSpec, path: str, depth: int) -> Iterator[_Pending]:
        """Check one group's attributes and members, yielding each subgroup to walk in turn."""
        self.attributes(gid, spec.attributes, spec.closed, path)
        cap = self.limits.max_members
        try:
            listed = _h5.links(gid, cap)
        except _h5.ObjectError as exc:
            self.unreadable(path, exc)
            return
        if len(listed) > cap:
            self.add(
                path, Code.LIMIT_EXCEEDED,
                f"more than {cap} members (the max_members limit); its members were not checked",
                f"at most {cap} members", f"more than {cap}",
            )  # fmt: skip
            return
        found = {link.name: link for link in listed}
        scope: dict[str, tuple[int, str]] = {}
        for member in spec.members:
            name = member.name or ""
            link = found.pop(name, None)
            if link is None:
                if member.required:
                    code = Code.MISSING_GROUP if member.kind == "group" else Code.MISSING_DATASET
                    self.add(
                        child_path(path, name), code, f"required {member.kind} is missing", member.kind, None
                    )
                continue
            child = self.member(gid, link, member, child_path(path, name), scope, depth)
            if child is not None:
                yield child
        for regex, pattern in spec.compiled_patterns():
            matched = [n for n in found if regex.fullmatch(n)]
            item = pattern.item
            if isinstance(item, GroupSpec) and self.spread.workers > 1 and len(matched) >= PARALLEL_GROUPS:
                self.shared(gid, [found.pop(name) for name in matched], item, path, depth)
            else:
                for name in matched:
                    child = self.member(gid, found.pop(name), item, child_path(path, name), scope, depth)
                    if child is not None:
                        yield child
            lo, hi = pattern.min_count, pattern.max_count
            if len(matched) < lo or (hi is not None and len(matched) > hi):
                self.add(
                    path, Code.MEMBER_COUNT,
                    f"expected {pattern.describe()}, got {len(matched)}" + _listing(matched),
                    pattern.describe(), len(matched),
                )  # fmt: skip
        for name, link in found.items():
            self.extra(gid, link, child_path(path, name), spec.closed)

    def extra(self, gid: _h5.Handle, link: _h5.Link, path: str, closed: bool) -> None:
        """A member the schema does not declare."""
        if link.kind == "external_link":
            self.external_link(link, path)
            return
        oid = None
        if link.kind == "hard":  # open it to learn what it is
            try:
                oid = _h5.open_member(gid, link.name)
            except _h5.ObjectError as exc:
                self.unreadable(path, exc)
                return
            link = _h5.Link(link.name, _h5.kind_of(oid))
        self.add(
            path, Code.UNEXPECTED_MEMBER,
            f"unexpected member: expected nothing here, got {_what(link)}",
            None, link.kind, closed=closed,
        )  # fmt: skip
        if link.kind == "soft_link":
            self.soft_link(gid, link, path)
        elif link.kind == "dataset":  # undeclared, but its storage may still point out of the file
            try:
                foreign = _h5.dataset_info(oid, layout=False, maxshape=False).foreign
            except _h5.ObjectError as exc:
                self.unreadable(path, exc)
                return
            if foreign is not None:
                self.foreign(path, foreign, False)

    def soft_link(self, gid: _h5.Handle, link: _h5.Link, path: str) -> None:
        """Report a soft link whose target is not an object of this file (never followed out)."""
        reason = "its target cannot be read" if link.target is None else _h5.soft_target(gid, link.target)
        if reason is not None:
            self.add(
                path, Code.DANGLING_LINK, f"soft link to {link.target} leads nowhere: {reason}",
                "a link to an object in this file", link.target,
            )  # fmt: skip

    def external_link(self, link: _h5.Link, path: str) -> None:
        self.add(
            path, Code.EXTERNAL_REFERENCE,
            f"an external link to {link.target}; links out of the file are reported, never followed",
            "an object stored in this file", link.target,
        )  # fmt: skip

    def member(
        self,
        gid: _h5.Handle,
        link: _h5.Link,
        spec: GroupSpec | DatasetSpec,
        path: str,
        scope: dict[str, tuple[int, str]],
        depth: int,
    ) -> _Pending | None:
        """Check a declared member; a group is returned for the walk to descend into."""
        if link.kind == "external_link":
            if not spec.external:  # declared external: fine, and never followed
                self.external_link(link, path)
            return None
        if link.kind != "hard":
            self.add(
                path, Code.WRONG_KIND, f"expected a {spec.kind}, got {_what(link)}", spec.kind, link.kind
            )
            if link.kind == "soft_link":
                self.soft_link(gid, link, path)
            return None
        try:
            oid = _h5.open_member(gid, link.name)
        except _h5.ObjectError as exc:
            self.add(path, Code.OBJECT_UNREADABLE, str(exc), "a readable object", str(exc))
            return None
        kind = _h5.kind_of(oid)
        if kind != spec.kind:
            self.add(
                path, Code.WRONG_KIND, f"expected a {spec.kind}, got {_KIND_WORDS[kind]}", spec.kind, kind
            )
        elif isinstance(spec, GroupSpec):
            if depth + 1 > self.limits.max_depth:
                cap = self.limits.max_depth
                msg = f"nested deeper than {cap} groups (the max_depth limit); not checked"
                self.add(path, Code.LIMIT_EXCEEDED, msg, f"at most {cap} levels", depth + 1)
                return None
            return (oid, spec, path, depth + 1) if self.first_visit(oid, spec) else None
        else:
            try:
                self.dataset(oid, spec, path, scope)
            except Exception as exc:  # a failure we did not foresee: this dataset only
                self.unreadable(path, exc)
        return None


def _what(link: _h5.Link) -> str:
    return _KIND_WORDS[link.kind] + (f" to {link.target}" if link.target else "")


def _listing(names: list[str]) -> str:
    return f" ({', '.join(names)})" if names else ""
