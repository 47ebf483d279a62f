"""Comparing two versions of a schema: every change, each marked compatible or breaking.

A change is *compatible* when every file the old schema accepts (no errors) is still accepted by
the new one, and *breaking* when some such file may now fail. The judgement is conservative: a
change is compatible only when that follows from the two declarations, so a loosening this module
cannot prove (a reordered pattern, a renamed dim) is called breaking, never the reverse.

One assumption, the one schema-evolution tools make: a member or attribute the new schema adds is
judged by what the old schema *declared*. An old file that carried an undeclared object of the
same name (allowed, with a warning, in a group that is not closed) must now match the new
declaration; the change's message says so where it matters.
"""

import json
from dataclasses import dataclass
from typing import Any

from h5schema._diff.fields import SchemaChange
from h5schema._diff.groups import group_changes
from h5schema._diff.widening import show
from h5schema._schema.model import SchemaLike, as_schema

__all__ = ["SchemaChange", "SchemaDiff", "diff"]


@dataclass(frozen=True)
class SchemaDiff:
    """Every change from ``old`` to ``new`` (schema names), in document order."""

    old: str
    new: str
    changes: tuple[SchemaChange, ...]

    @property
    def breaking(self) -> tuple[SchemaChange, ...]:
        return tuple(c for c in self.changes if c.breaking)

    @property
    def compatible(self) -> bool:
        """True when every file valid under the old schema is valid under the new one."""
        return not self.breaking

    def summary(self) -> str:
        n, b = len(self.changes), len(self.breaking)
        if not n:
            return "no changes"
        return f"{n} change{'' if n == 1 else 's'}: {b} breaking, {n - b} compatible"

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "compatible": self.compatible,
            "changes": [c.to_dict() for c in self.changes],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def __str__(self) -> str:
        lines = [f"{self.old} -> {self.new}: {self.summary()}"]
        lines += [
            f"  {'breaking  ' if c.breaking else 'compatible'}  {c.path}: {c.message}" for c in self.changes
        ]
        return "\n".join(lines)


def diff(old: SchemaLike, new: SchemaLike) -> SchemaDiff:
    """What changed from schema ``old`` to schema ``new``, each change compatible or breaking.

    Both may be anything :func:`h5schema.validate` accepts as a schema (a ``File`` or ``Group``
    class, a :class:`SchemaSpec`).

    >>> import numpy as np, h5schema as h5s
    >>> class V1(h5s.File):
    ...     x: h5s.Dataset = h5s.dataset(np.int32, shape=("n",))
    >>> class V2(h5s.File):
    ...     x: h5s.Dataset = h5s.dataset(h5s.family("integer"), shape=("n",))
    ...     y: h5s.Dataset = h5s.dataset(np.float64, shape=("n",))
    >>> for change in h5s.diff(V1, V2).changes:
    ...     print(change)
    compatible: /: renamed V1 -> V2
    compatible: /x: dtype int32 -> any integer
    breaking: /y: required dataset added: files written for the old schema do not have it
    """
    a, b = as_schema(old), as_schema(new)
    changes: list[SchemaChange] = []
    if a.name != b.name:
        changes.append(
            SchemaChange(
                "/", "schema", "changed", "name", False, f"renamed {a.name} -> {b.name}", a.name, b.name
            )
        )
    if a.description != b.description:
        changes.append(
            SchemaChange("/", "schema", "changed", "description", False, "schema description changed",
                         show(a.description), show(b.description))
        )  # fmt: skip
    changes.extend(group_changes(a.root, b.root, "/", (a.description, b.description)))
    return SchemaDiff(a.name, b.name, tuple(changes))
