"""Group trees and whole schema documents."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import DrawFn, SearchStrategy

from h5schema._schema.spec import DatasetSpec, GroupSpec, PatternSpec, SchemaSpec
from h5schema._types.dtypes import DTypeSpec
from h5schema.strategies._attributes import _attribute_list
from h5schema.strategies._checks import _check_int, _check_strategy, _unique
from h5schema.strategies._datasets import _dataset_spec, _member_names, _Opts, _validate_sizes, _witnesses
from h5schema.strategies._dtypes import dtypes

__all__ = ["group_specs", "schemas"]


_PATTERN_PREFIXES = ("p", "q", "run", "set", "ch")


@st.composite
def _group_spec(
    draw: DrawFn,
    *,
    name: str | None,
    required: bool,
    depth: int,
    opts: _Opts,
    shape: _Shape,
    min_members: int = 0,
) -> GroupSpec:
    witness = draw(_witnesses(opts.max_side, min_size=1))
    attributes = draw(_attribute_list(opts.max_attributes, opts.max_side))
    names = _unique(draw(st.lists(_member_names(), min_size=min_members, max_size=shape.max_members)))
    members: list[GroupSpec | DatasetSpec] = []
    for member in names:
        req = draw(st.booleans())
        if depth > 0 and draw(st.integers(0, 2)) == 0:
            members.append(
                draw(_group_spec(name=member, required=req, depth=depth - 1, opts=opts, shape=shape))
            )
        else:
            members.append(draw(_dataset_spec(name=member, required=req, witness=witness, opts=opts)))
    patterns = []
    prefixes = draw(st.lists(st.sampled_from(_PATTERN_PREFIXES), max_size=shape.max_patterns, unique=True))
    for prefix in prefixes:
        regex = draw(st.sampled_from((r"{}_\d+", r"{}_[a-z]+"))).format(re.escape(prefix))
        lo = draw(st.integers(0, 2))
        hi = draw(st.none() | st.integers(lo, lo + 2))
        item: GroupSpec | DatasetSpec
        if depth > 0 and draw(st.booleans()):
            item = draw(_group_spec(name=None, required=True, depth=depth - 1, opts=opts, shape=shape))
        else:
            item = draw(_dataset_spec(name=None, required=True, witness=witness, opts=opts))
        patterns.append(PatternSpec(pattern=regex, min_count=lo, max_count=hi, item=item))
    return GroupSpec(
        name=name,
        required=required,
        closed=draw(st.booleans()),
        attributes=attributes,
        members=tuple(members),
        patterns=tuple(patterns),
        description=draw(st.none() | st.text(max_size=8)),
    )


@dataclass(frozen=True)
class _Shape:
    max_members: int
    max_patterns: int


def _group_opts(
    dtypes_: SearchStrategy[DTypeSpec] | None,
    max_depth: int,
    max_members: int,
    max_patterns: int,
    max_attributes: int,
    max_rank: int,
    max_side: int,
) -> tuple[_Opts, _Shape]:
    _check_strategy(dtypes_, "dtypes")
    _check_int(max_depth, "max_depth")
    _check_int(max_members, "max_members")
    _check_int(max_patterns, "max_patterns")
    _validate_sizes(max_rank, max_side, max_attributes)
    if max_depth > 3:
        raise InvalidArgument(f"max_depth={max_depth} must be <= 3")
    if max_patterns > len(_PATTERN_PREFIXES):
        raise InvalidArgument(f"max_patterns={max_patterns} must be <= {len(_PATTERN_PREFIXES)}")
    return _Opts(max_rank, max_side, max_attributes, dtypes_ if dtypes_ is not None else dtypes()), _Shape(
        max_members, max_patterns
    )


def group_specs(
    *,
    dtypes: SearchStrategy[DTypeSpec] | None = None,
    max_depth: int = 2,
    min_members: int = 0,
    max_members: int = 3,
    max_patterns: int = 1,
    max_attributes: int = 2,
    max_rank: int = 2,
    max_side: int = 3,
) -> SearchStrategy[GroupSpec]:
    """Group trees: attributes, ``min_members`` (the top group only) to ``max_members`` named
    members (datasets, and groups down to ``max_depth`` more levels), required or optional,
    ``max_patterns`` pattern members (``p_\\d+``-like names with min/max counts), open or
    closed. Datasets of a group share the named dims ``n`` and ``m``, always with at least one
    length that every declaration allows.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, database=None)
    ... @given(group_specs(max_depth=1, max_members=2))
    ... def check(group):
    ...     assert len(group.members) <= 2
    >>> check()
    """
    opts, shape = _group_opts(
        dtypes, max_depth, max_members, max_patterns, max_attributes, max_rank, max_side
    )
    _check_int(min_members, "min_members")
    if min_members > max_members:
        raise InvalidArgument(f"min_members={min_members} is greater than max_members={max_members}")
    return _group_spec(
        name=None, required=True, depth=max_depth, opts=opts, shape=shape, min_members=min_members
    )


def schemas(
    *,
    dtypes: SearchStrategy[DTypeSpec] | None = None,
    max_depth: int = 2,
    min_members: int = 0,
    max_members: int = 3,
    max_patterns: int = 1,
    max_attributes: int = 2,
    max_rank: int = 2,
    max_side: int = 3,
) -> SearchStrategy[SchemaSpec]:
    """Whole schema documents: a :func:`group_specs` root (so at most ``max_depth + 1`` levels
    of groups), a name and a description. Every one can be materialized by :func:`values_for`.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, database=None)
    ... @given(schemas(max_depth=0))
    ... def check(schema):
    ...     assert all(m.kind == "dataset" for m in schema.root.members)
    >>> check()
    """
    root = group_specs(
        dtypes=dtypes,
        max_depth=max_depth,
        min_members=min_members,
        max_members=max_members,
        max_patterns=max_patterns,
        max_attributes=max_attributes,
        max_rank=max_rank,
        max_side=max_side,
    )
    return st.builds(
        lambda name, description, root: SchemaSpec(name=name, description=description, root=root),
        st.text("ABCxyz_é", min_size=1, max_size=8),
        st.none() | st.text(max_size=10),
        root,
    )
