"""Value mappings for a schema, and the conforming files materialized from them."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import DrawFn, SearchStrategy

from h5schema._io.materialize import materialize
from h5schema._schema.model import as_schema
from h5schema._schema.spec import AttributeSpec, DatasetSpec, GroupSpec, PatternSpec
from h5schema.strategies._attributes import attribute_values
from h5schema.strategies._checks import _check_bool, _check_int, _check_strategy, _maybe
from h5schema.strategies._datasets import data_for

__all__ = ["conforming_files", "values_for"]


@dataclass(frozen=True)
class _ValueOpts:
    with_data: bool | None
    optional: bool | None
    max_side: int


def _attr_mapping(draw: DrawFn, specs: Iterable[AttributeSpec], opts: _ValueOpts) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for a in specs:
        must = a.required and a.default is None
        if must or draw(_maybe(opts.optional)):
            out["@" + a.name] = draw(attribute_values(a, max_side=opts.max_side))
    return out


def _pattern_names(
    pattern: PatternSpec, taken: set[str], earlier: list[re.Pattern[str]]
) -> SearchStrategy[str]:
    return st.from_regex(pattern.pattern, fullmatch=True, alphabet=st.characters(codec="utf-8")).filter(
        lambda s: (
            s not in taken
            and s not in (".", "..")
            and "/" not in s
            and "\x00" not in s
            and not s.startswith("@")
            and not any(r.fullmatch(s) for r in earlier)
        )
    )


def _dim_lengths(draw: DrawFn, datasets: Sequence[DatasetSpec], max_side: int) -> dict[str, int]:
    """One length per named dim of a group, allowed by every dataset that declares it."""
    lows: dict[str, int] = {}
    highs: dict[str, int | None] = {}
    for ds in datasets:
        for i, d in enumerate(ds.shape or ()):
            if d.name is None:
                continue
            hi = d.upper
            m = ds.maxshape[i] if ds.maxshape is not None else None
            if m is not None:
                hi = m if hi is None else min(hi, m)
            lows[d.name] = max(lows.get(d.name, 0), d.lower)
            prev = highs.get(d.name)
            highs[d.name] = hi if prev is None else (prev if hi is None else min(prev, hi))
    out = {}
    for name, lo in lows.items():
        hi = highs.get(name)
        top = lo + max_side if hi is None else min(hi, lo + max_side)
        if top < lo:
            raise InvalidArgument(f"no length of dim {name!r} is allowed by every dataset declaring it")
        out[name] = draw(st.integers(lo, top))
    return out


def _data_shape(draw: DrawFn, spec: DatasetSpec, dims: Mapping[str, int], max_side: int) -> tuple[int, ...]:
    ms = spec.maxshape
    contiguous = spec.chunks is False and ms is not None and None not in ms
    if contiguous and spec.shape is None:
        return tuple(int(m or 0) for m in ms or ())  # contiguous: no resizing, shape == maxshape
    if spec.shape is None:
        if ms is not None:
            rank = len(ms)
        elif isinstance(spec.chunks, tuple):
            rank = len(spec.chunks)
        else:
            chunked = (
                spec.chunks is True
                or spec.compression not in (None, "none")
                or spec.shuffle
                or spec.fletcher32
            )
            rank = draw(st.integers(1 if chunked else 0, 2))
        tops = [max_side if ms is None or ms[i] is None else min(max_side, ms[i] or 0) for i in range(rank)]
        return tuple(draw(st.integers(0, top)) for top in tops)
    out = []
    for i, d in enumerate(spec.shape):
        if d.name is not None and d.name in dims:
            out.append(dims[d.name])
            continue
        hi = d.upper if d.upper is not None else d.lower + max_side
        if ms is not None and ms[i] is not None:
            hi = min(hi, ms[i] or 0)
            if contiguous:
                out.append(int(ms[i] or 0))
                continue
        if hi < d.lower:
            raise InvalidArgument(f"no length on axis {i} is allowed by both shape and maxshape of {spec}")
        out.append(draw(st.integers(d.lower, hi)))
    return tuple(out)


def _dataset_value(draw: DrawFn, spec: DatasetSpec, dims: Mapping[str, int], opts: _ValueOpts) -> Any:
    attrs = _attr_mapping(draw, spec.attributes, opts)
    give = draw(_maybe(opts.with_data)) or (spec.dtype is None or not spec.dtype.is_concrete())
    if not give:
        return attrs
    data = draw(data_for(spec, _data_shape(draw, spec, dims, opts.max_side)))
    if not attrs and draw(st.booleans()):
        return data
    return {"data": data, **attrs}


@st.composite
def _group_values(draw: DrawFn, spec: GroupSpec, opts: _ValueOpts) -> dict[str, Any]:
    out = _attr_mapping(draw, spec.attributes, opts)
    chosen: list[tuple[str, GroupSpec | DatasetSpec]] = []
    for m in spec.members:
        if m.required or draw(_maybe(opts.optional)):
            chosen.append((m.name or "", m))
    taken = {m.name or "" for m in spec.members}
    earlier: list[re.Pattern[str]] = []
    for p in spec.patterns:
        hi = p.min_count + 2 if p.max_count is None else min(p.max_count, p.min_count + 2)
        k = draw(st.integers(p.min_count, hi))
        names = draw(st.lists(_pattern_names(p, taken, earlier), min_size=k, max_size=k, unique=True))
        taken.update(names)
        earlier.append(re.compile(p.pattern))
        chosen += [(n, p.item) for n in names]
    dims = _dim_lengths(draw, [s for _, s in chosen if isinstance(s, DatasetSpec)], opts.max_side)
    for name, s in chosen:
        if isinstance(s, GroupSpec):
            out[name] = draw(_group_values(s, opts))
        else:
            out[name] = _dataset_value(draw, s, dims, opts)
    return out


def values_for(
    schema: Any,
    *,
    with_data: bool | None = True,
    optional: bool | None = None,
    max_side: int = 3,
) -> SearchStrategy[dict[str, Any]]:
    """Value mappings that :func:`h5schema.materialize` accepts for ``schema`` (a SchemaSpec,
    GroupSpec or class; pass its document form, ``as_schema(cls)``, to the materializer).

    Keys are HDF5 names: ``"@name"`` for attributes, member names for members, and for a
    dataset either its data or ``{"data": ..., "@attr": ...}``. Every required attribute without
    a default gets a value that satisfies its constraints, and optional ones (attributes and
    members) are given when ``optional`` is True, never when False, and either way when None.
    Each pattern gets a count of matching names within its bounds. ``with_data``: every dataset
    gets data (True), none does (False), or each one may (None); data satisfies the data checks
    and gives every named dim one length in its group.

    >>> import h5schema as h5s
    >>> fs = h5s.AttributeSpec(name="fs", type="int", gt=0)
    >>> schema = h5s.SchemaSpec(root=h5s.GroupSpec(attributes=(fs,)))
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(values_for(schema))
    ... def check(values):
    ...     assert values["@fs"] > 0
    >>> check()
    """
    try:
        spec = as_schema(schema)
    except TypeError as exc:
        raise InvalidArgument(str(exc)) from None
    _check_bool(with_data, "with_data", optional=True)
    _check_bool(optional, "optional", optional=True)
    _check_int(max_side, "max_side")
    return _group_values(spec.root, _ValueOpts(with_data, optional, max_side))


def conforming_files(
    schema: Any,
    directory: str | Path,
    *,
    values: SearchStrategy[dict[str, Any]] | None = None,
) -> SearchStrategy[Path]:
    """Materialize a file that conforms to ``schema`` and give its path.

    Each example gets a fresh sub-directory of ``directory``, made with
    :func:`tempfile.mkdtemp`, holding ``file.h5``: hypothesis runs many examples within one
    test, so a test's ``tmp_path`` (or any directory its caller cleans up) is the right place,
    and no example ever sees another's file. Nothing is deleted here; pytest prunes old
    ``tmp_path`` trees itself. ``values`` defaults to ``values_for(schema)``.

    >>> import tempfile, h5schema as h5s
    >>> from hypothesis import given, settings
    >>> spec = h5s.SchemaSpec(root=h5s.GroupSpec(members=(h5s.DatasetSpec(name="x", dtype="int8"),)))
    >>> @settings(max_examples=3, database=None)
    ... @given(conforming_files(spec, tempfile.gettempdir()))
    ... def check(path):
    ...     assert h5s.validate(path, spec).violations == ()
    >>> check()
    """
    try:
        spec = as_schema(schema)
    except TypeError as exc:
        raise InvalidArgument(str(exc)) from None
    if not isinstance(directory, str | Path) or not Path(directory).is_dir():
        raise InvalidArgument(f"directory={directory!r} must be an existing directory")
    _check_strategy(values, "values")
    strategy = values if values is not None else values_for(spec)

    @st.composite
    def build(draw: DrawFn) -> Path:
        mapping = draw(strategy)
        folder = Path(tempfile.mkdtemp(prefix="h5s-", dir=directory))
        return materialize(folder / "file.h5", spec, values=mapping)

    return build()
