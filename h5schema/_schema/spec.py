"""The schema document: a plain tree of frozen pydantic models.

The class form (``h5s.Group`` subclasses) compiles to this tree; validation, materialization and
serialization all work from it, so a class and its JSON/YAML dump behave identically. Rules that
span several fields are checked when a node is built, so a bad schema fails at definition time.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, ValidationError, model_validator

from h5schema._errors import SchemaDefinitionError, first_error
from h5schema._schema.attribute import AttributeSpec
from h5schema._schema.base import FORMAT, Count, Spec, check_member_name, check_names, compile_regex
from h5schema._schema.dataset import DatasetSpec
from h5schema._types.shapes import DimSpec

__all__ = [
    "FORMAT",
    "AttributeSpec",
    "DatasetSpec",
    "GroupSpec",
    "PatternSpec",
    "SchemaSpec",
]


class PatternSpec(Spec):
    """Members whose names fully match ``pattern``, each validated against ``item``."""

    pattern: str
    min_count: Count = 0
    max_count: Count | None = None
    item: Annotated[GroupSpec | DatasetSpec, Field(discriminator="kind")]

    @model_validator(mode="after")
    def _rules(self) -> PatternSpec:
        compile_regex(self.pattern, "pattern")
        if self.max_count is not None and self.min_count > self.max_count:
            raise ValueError(f"min_count {self.min_count} is greater than max_count {self.max_count}")
        if self.item.name is not None:
            raise ValueError("a pattern's item has no name of its own")
        return self

    def describe(self) -> str:
        hi = "" if self.max_count is None else self.max_count
        return f'{self.min_count}..{hi} members matching "{self.pattern}"'


class GroupSpec(Spec):
    """A group (or the root): attributes, named members and pattern members.

    ``closed=True`` turns undeclared members and attributes from warnings into errors.
    """

    kind: Literal["group"] = "group"
    name: str | None = None
    required: bool = True
    description: str | None = None
    closed: bool = False
    external: bool = False
    attributes: tuple[AttributeSpec, ...] = ()
    members: tuple[Annotated[GroupSpec | DatasetSpec, Field(discriminator="kind")], ...] = ()
    patterns: tuple[PatternSpec, ...] = ()

    @model_validator(mode="after")
    def _rules(self) -> GroupSpec:
        if self.name is not None:
            check_member_name(self.name)
        check_names([a.name for a in self.attributes], "attribute")
        names = [m.name for m in self.members]
        if any(n is None for n in names):
            raise ValueError("every named member needs a name")
        check_names([n for n in names if n is not None], "member")
        named_dims_agree(self)
        return self

    @property
    def datasets(self) -> tuple[DatasetSpec, ...]:
        return tuple(m for m in self.members if isinstance(m, DatasetSpec))

    def dataset_declarations(self) -> list[tuple[PatternSpec | None, DatasetSpec]]:
        """Every dataset the group declares: its named datasets (pattern None), then the
        dataset items of its patterns."""
        named: list[tuple[PatternSpec | None, DatasetSpec]] = [(None, m) for m in self.datasets]
        return named + [(p, p.item) for p in self.patterns if isinstance(p.item, DatasetSpec)]

    def compiled_patterns(self) -> list[tuple[re.Pattern[str], PatternSpec]]:
        return [(_regex(p.pattern), p) for p in self.patterns]


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def named_dims_agree(group: GroupSpec) -> None:
    """Within one group, a named dim may be given only one fixed size and non-empty bounds."""
    seen: dict[str, _DimBounds] = {}
    for where, d in _named_dims(group):
        assert d.name is not None
        bound = seen.get(d.name)
        seen[d.name] = (d.lower, d.upper, where) if bound is None else _narrowed(bound, d, where)


_DimBounds = tuple[int, int | None, str]  # lowest and highest length, where first declared


def _named_dims(group: GroupSpec) -> list[tuple[str, DimSpec]]:
    """Every named axis of the group's datasets, with the dataset's name (``<pattern>`` for a
    pattern's datasets), in declaration order."""
    items = [
        (ds.name or "?" if p is None else f"<{p.pattern}>", ds) for p, ds in group.dataset_declarations()
    ]
    return [(where, d) for where, ds in items for d in ds.shape or () if d.name is not None]


def _narrowed(bound: _DimBounds, d: DimSpec, where: str) -> _DimBounds:
    """A named dim's bounds narrowed by one more declaration of it; they must still agree."""
    lo, hi, first = bound
    if d.size is not None and hi == lo and hi is not None and hi != d.size:
        raise ValueError(f"dim {d.name!r} is given size {lo} in {first!r} and {d.size} in {where!r}")
    lo, hi = max(d.lower, lo), _lower_limit(d.upper, hi)
    if hi is not None and lo > hi:
        raise ValueError(f"dim {d.name!r} has no length allowed by both {first!r} and {where!r}")
    return lo, hi, first


def _lower_limit(a: int | None, b: int | None) -> int | None:
    """The tighter of two upper limits (None: no limit)."""
    if a is None:
        return b
    return a if b is None else min(a, b)


class SchemaSpec(Spec):
    """A whole file's schema as a document: the root group plus a name.

    >>> s = SchemaSpec(name="Empty", root=GroupSpec())
    >>> SchemaSpec.from_json(s.to_json()) == s
    True
    """

    _always: ClassVar[tuple[str, ...]] = ("format",)

    format: Literal["h5schema/1"] = "h5schema/1"
    name: str = "schema"
    description: str | None = None
    root: GroupSpec

    def to_json(self, *, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent, exclude_defaults=True, exclude_none=True)

    def to_yaml(self) -> str:
        import yaml

        # allow_unicode=False: non-ASCII is escaped, so characters YAML treats as line breaks
        # (U+0085, U+2028, U+2029) survive the round trip.
        return str(yaml.safe_dump(json.loads(self.to_json()), sort_keys=False, allow_unicode=False))

    @classmethod
    def from_json(cls, text: str | bytes) -> SchemaSpec:
        return _load(lambda: cls.model_validate_json(text))

    @classmethod
    def from_yaml(cls, text: str) -> SchemaSpec:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SchemaDefinitionError("", f"not valid YAML: {exc}") from exc
        return _load(lambda: cls.model_validate(data))

    @classmethod
    def load(cls, path: str | Path) -> SchemaSpec:
        """Read a ``.json``, ``.yaml`` or ``.yml`` schema document."""
        p = Path(path)
        text = p.read_text(encoding="utf-8")
        return cls.from_yaml(text) if p.suffix.lower() in (".yaml", ".yml") else cls.from_json(text)


def _load(build: Any) -> SchemaSpec:
    try:
        return build()  # type: ignore[no-any-return]
    except ValidationError as exc:
        raise SchemaDefinitionError(*first_error(exc)) from None


PatternSpec.model_rebuild()
GroupSpec.model_rebuild()
