"""The strategies themselves: argument checking, and that what they generate keeps its promises."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import h5schema as h5s
import h5schema.strategies as h5st
from tests.prop_support import PROPERTY, fresh_path

_SPEC = h5s.SchemaSpec(root=h5s.GroupSpec(members=(h5s.DatasetSpec(name="x", dtype="int8", shape=(2,)),)))

BAD_ARGUMENTS: list[tuple[str, Callable[[Path], Any]]] = [
    ("dtypes of nothing", lambda _: h5st.dtypes(numeric=False, strings=False, enums=False, compound=False)),
    ("dtypes flag not bool", lambda _: h5st.dtypes(strings="yes")),  # type: ignore[arg-type]
    ("string length 0", lambda _: h5st.string_dtypes(max_length=0)),
    ("string_values of a number", lambda _: h5st.string_values(h5s.NumericDType(name="int8"))),  # type: ignore[arg-type]
    ("string_values negative size", lambda _: h5st.string_values(h5s.string(), max_size=-1)),
    ("invalid_string_values of a name", lambda _: h5st.invalid_string_values("str")),  # type: ignore[arg-type]
    ("attribute names not a strategy", lambda _: h5st.attribute_specs(names="x")),  # type: ignore[arg-type]
    ("attribute required not bool", lambda _: h5st.attribute_specs(required="no")),  # type: ignore[arg-type]
    ("attribute_values of a dataset", lambda _: h5st.attribute_values(h5s.DatasetSpec())),  # type: ignore[arg-type]
    ("negative rank", lambda _: h5st.dataset_specs(max_rank=-1)),
    ("rank too large", lambda _: h5st.dataset_specs(max_rank=5)),
    ("side too large", lambda _: h5st.dataset_specs(max_side=100)),
    ("side as bool", lambda _: h5st.dataset_specs(max_side=True)),
    ("resizable scalar", lambda _: h5st.dataset_specs(resizable=True, max_rank=0)),
    ("dtypes not a strategy", lambda _: h5st.dataset_specs(dtypes=[h5s.string()])),  # type: ignore[arg-type]
    ("depth too large", lambda _: h5st.group_specs(max_depth=4)),
    ("negative members", lambda _: h5st.group_specs(max_members=-1)),
    ("too many patterns", lambda _: h5st.schemas(max_patterns=99)),
    ("min above max members", lambda _: h5st.schemas(min_members=4, max_members=3)),
    ("data_for negative shape", lambda _: h5st.data_for(h5s.DatasetSpec(dtype="int8"), (-1,))),
    ("data_for list shape", lambda _: h5st.data_for(h5s.DatasetSpec(dtype="int8"), [1])),  # type: ignore[arg-type]
    ("data_for of a group", lambda _: h5st.data_for(h5s.GroupSpec(), (1,))),  # type: ignore[arg-type]
    ("values_for a number", lambda _: h5st.values_for(42)),
    ("values_for with_data not bool", lambda _: h5st.values_for(_SPEC, with_data="x")),  # type: ignore[arg-type]
    ("files in a missing directory", lambda tmp: h5st.conforming_files(_SPEC, tmp / "missing")),
    ("files of a number", lambda tmp: h5st.conforming_files(42, tmp)),
    ("files with values not a strategy", lambda tmp: h5st.conforming_files(_SPEC, tmp, values={})),  # type: ignore[arg-type]
    ("defects of a missing file", lambda tmp: h5st.defects(_SPEC, tmp / "missing.h5")),
    (
        "defects of an unknown code",
        lambda tmp: h5st.defects(_SPEC, h5s.materialize(tmp / "f.h5", _SPEC), codes=["nonsense"]),
    ),
]


@pytest.mark.parametrize(("what", "make"), BAD_ARGUMENTS, ids=[b[0] for b in BAD_ARGUMENTS])
def test_bad_arguments_raise_invalid_argument(tmp_path: Path, what: str, make: Callable[[Path], Any]) -> None:
    """Every strategy refuses bad arguments with hypothesis' InvalidArgument."""
    with pytest.raises(InvalidArgument):
        make(tmp_path).validate()


def test_defects_refuse_codes_no_defect_makes(tmp_path: Path) -> None:
    """defects() names the codes it cannot produce (file_unreadable is not a one-change defect)."""
    path = h5s.materialize(tmp_path / "f.h5", _SPEC)
    with pytest.raises(InvalidArgument, match="file_unreadable"):
        h5st.defects(_SPEC, path, codes=["file_unreadable"])


def test_import_h5schema_does_not_import_the_strategies() -> None:
    """`import h5schema` loads neither h5schema.strategies nor hypothesis."""
    code = (
        "import sys, h5schema; print([m for m in ('h5schema.strategies', 'hypothesis') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ---------------------------------------------------------------- what the strategies generate


@PROPERTY
@given(dtype=h5st.dtypes(compound=True))
def test_dtypes_are_created_and_read_back_exactly(tmp_path: Path, dtype: h5s.DTypeSpec) -> None:
    """Every generated dtype can be created, and the file's dtype is exactly the declared one."""
    schema = h5s.SchemaSpec(root=h5s.GroupSpec(members=(h5s.DatasetSpec(name="x", dtype=dtype, shape=(1,)),)))
    path = h5s.materialize(fresh_path(tmp_path), schema)
    assert h5s.validate(path, schema).violations == ()
    with h5s.open(path) as f:
        ds = f["x"]
        assert isinstance(ds, h5s.DatasetReader)
        assert ds.dtype == dtype


@given(data=st.data(), dtype=h5st.string_dtypes())
def test_string_values_follow_the_flavour_rules(data: st.DataObject, dtype: h5s.StringDType) -> None:
    """string_values: the flavour's type; no NUL in vlen values; fixed ones fit, no trailing NUL."""
    value = data.draw(h5st.string_values(dtype))
    assert type(value) is dtype.python_type
    raw = value.encode("utf-8") if isinstance(value, str) else value
    if dtype.length is None:
        assert b"\x00" not in raw
    else:
        assert len(raw) <= dtype.length
        assert not raw.endswith(b"\x00")


@given(data=st.data(), dtype=h5st.string_dtypes())
def test_invalid_string_values_break_a_flavour_rule(data: st.DataObject, dtype: h5s.StringDType) -> None:
    """invalid_string_values: wrong type, not UTF-8, NUL where forbidden, or too long."""
    value = data.draw(h5st.invalid_string_values(dtype))
    if type(value) is not dtype.python_type:
        return
    try:
        raw: Any = value.encode("utf-8") if isinstance(value, str) else value
    except UnicodeEncodeError:
        return
    if dtype.length is None:
        assert b"\x00" in raw
    else:
        assert len(raw) > dtype.length or raw.endswith(b"\x00")


@PROPERTY
@given(data=st.data(), attribute=h5st.attribute_specs())
def test_attribute_values_satisfy_their_declaration(
    tmp_path: Path, data: st.DataObject, attribute: h5s.AttributeSpec
) -> None:
    """attribute_values gives values that materialize and then validate clean (defaults too)."""
    value = data.draw(h5st.attribute_values(attribute))
    schema = h5s.SchemaSpec(root=h5s.GroupSpec(attributes=(attribute,)))
    values = {"@" + attribute.name: value} if data.draw(st.booleans()) or attribute.default is None else {}
    path = fresh_path(tmp_path)
    try:
        h5s.materialize(path, schema, values=values)
    except UnicodeEncodeError:
        # a library bug, reported by test_materialized_files_validate_without_any_violation:
        # fixed-length UTF-8 string array attributes cannot hold non-ASCII text
        assert isinstance(attribute.dtype, h5s.StringDType) and attribute.dtype.length is not None
        return
    assert h5s.validate(path, schema).violations == ()


def _groups(group: h5s.GroupSpec, depth: int = 0) -> Iterator[tuple[h5s.GroupSpec, int]]:
    yield group, depth
    for m in group.members:
        if isinstance(m, h5s.GroupSpec):
            yield from _groups(m, depth + 1)
    for p in group.patterns:
        if isinstance(p.item, h5s.GroupSpec):
            yield from _groups(p.item, depth + 1)


def _datasets(group: h5s.GroupSpec) -> list[h5s.DatasetSpec]:
    return list(group.datasets) + [p.item for p in group.patterns if isinstance(p.item, h5s.DatasetSpec)]


def _check_dataset(ds: h5s.DatasetSpec, max_rank: int, max_side: int) -> None:
    assert ds.dtype is not None and ds.dtype.kind not in ("family", "other")
    if ds.shape is not None:
        assert len(ds.shape) <= max_rank
        assert all(d.size is None or d.size <= max_side for d in ds.shape)
    if ds.maxshape is not None:
        assert len(ds.maxshape) >= 1
        if None in ds.maxshape:
            assert ds.maxshape[0] is None  # resizable along axis 0
        if ds.shape is not None:
            assert all(m is None or m >= d.lower for m, d in zip(ds.maxshape, ds.shape, strict=True))
    if isinstance(ds.chunks, tuple) and ds.shape is not None:
        assert len(ds.chunks) == len(ds.shape)


def _check_dims(group: h5s.GroupSpec) -> None:
    """Every named dim of a group has a length that all its declarations and maxshapes allow."""
    bounds: dict[str, tuple[int, float]] = {}
    for ds in _datasets(group):
        for i, d in enumerate(ds.shape or ()):
            if d.name is None:
                continue
            hi: float = float("inf") if d.upper is None else d.upper
            if ds.maxshape is not None and ds.maxshape[i] is not None:
                hi = min(hi, ds.maxshape[i] or 0)
            lo0, hi0 = bounds.get(d.name, (0, float("inf")))
            bounds[d.name] = (max(lo0, d.lower), min(hi0, hi))
    for name, (lo, hi) in bounds.items():
        assert lo <= hi, name


@given(
    schema=h5st.schemas(max_depth=1, max_members=2, max_patterns=2, max_rank=1, max_side=2, max_attributes=1)
)
def test_schemas_stay_within_their_bounds(schema: h5s.SchemaSpec) -> None:
    """Generated schemas respect max_depth/members/patterns/rank/side/attributes, and their own invariants."""
    for group, depth in _groups(schema.root):
        assert depth <= 1
        assert len(group.members) <= 2
        assert len(group.patterns) <= 2
        assert len(group.attributes) <= 1
        for p in group.patterns:
            assert p.max_count is None or p.min_count <= p.max_count
            re.compile(p.pattern)
        for ds in _datasets(group):
            assert len(ds.attributes) <= 1
            _check_dataset(ds, 1, 2)
        _check_dims(group)
    assert h5s.SchemaSpec.model_validate(schema.model_dump()) == schema


@given(schema=h5st.schemas(min_members=2, max_members=2))
def test_min_members_applies_to_the_top_group(schema: h5s.SchemaSpec) -> None:
    """schemas(min_members=k) gives the root at least k named members."""
    assert len(schema.root.members) == 2


@given(ds=h5st.dataset_specs(resizable=True))
def test_resizable_datasets_grow_along_axis_0(ds: h5s.DatasetSpec) -> None:
    """dataset_specs(resizable=True) always declares maxshape None on axis 0."""
    assert ds.maxshape is not None and ds.maxshape[0] is None
    assert ds.append_axis == 0


@given(ds=h5st.dataset_specs(resizable=False))
def test_fixed_datasets_have_no_unlimited_axis(ds: h5s.DatasetSpec) -> None:
    """dataset_specs(resizable=False) never declares an unlimited axis."""
    assert ds.maxshape is None or None not in ds.maxshape


@given(data=st.data(), ds=h5st.dataset_specs(data_checks=True))
def test_data_for_has_the_shape_and_passes_the_checks(data: st.DataObject, ds: h5s.DatasetSpec) -> None:
    """data_for(spec, shape) has that shape and only values the data checks allow."""
    shape = tuple(data.draw(st.lists(st.integers(0, 3), max_size=2)))
    arr = data.draw(h5st.data_for(ds, shape))
    assert arr.shape == shape
    flat = arr.ravel().tolist()
    if ds.values is not None:
        assert all(any(v == a for a in ds.values) for v in flat)
    for v in flat:
        if isinstance(v, float) and v != v:
            assert ds.allow_nan
        elif isinstance(v, int | float) and not isinstance(v, bool):
            assert ds.gt is None or v > ds.gt
            assert ds.ge is None or v >= ds.ge
            assert ds.lt is None or v < ds.lt
            assert ds.le is None or v <= ds.le


@given(data=st.data(), schema=h5st.schemas(max_depth=1))
def test_values_for_gives_required_values_and_pattern_counts(
    data: st.DataObject, schema: h5s.SchemaSpec
) -> None:
    """values_for gives each required attribute without default, and each pattern a count in bounds."""
    values = data.draw(h5st.values_for(schema, optional=False))

    def check(group: h5s.GroupSpec, given_: dict[str, Any]) -> None:
        for a in group.attributes:
            assert ("@" + a.name in given_) == (a.required and a.default is None)
        for m in group.members:
            assert (m.name in given_) == m.required
            if isinstance(m, h5s.GroupSpec) and m.required:
                check(m, given_[m.name or ""])
        named = {m.name for m in group.members}
        for p in group.patterns:
            found = [
                k for k in given_ if not k.startswith("@") and k not in named and re.fullmatch(p.pattern, k)
            ]
            assert len(found) >= p.min_count
            assert p.max_count is None or len(found) <= p.max_count

    check(schema.root, values)


@PROPERTY
@given(data=st.data())
def test_conforming_files_are_fresh_and_valid(tmp_path: Path, data: st.DataObject) -> None:
    """conforming_files gives a new directory per draw, holding a file that validates clean."""
    paths = [data.draw(h5st.conforming_files(_SPEC, tmp_path)) for _ in range(2)]
    assert paths[0].parent != paths[1].parent
    for p in paths:
        assert p.parent.parent == tmp_path
        assert list(p.parent.iterdir()) == [p]
        assert h5s.validate(p, _SPEC).violations == ()


@PROPERTY
@given(data=st.data())
def test_defects_keep_to_the_codes_asked(tmp_path: Path, data: st.DataObject) -> None:
    """defects(codes=...) only gives defects of those codes; mutants applies one and names it."""
    path = h5s.materialize(fresh_path(tmp_path), _SPEC, values={"x": np.array([1, 2], dtype=np.int8)})
    codes = data.draw(
        st.sets(st.sampled_from(["unexpected_member", "missing_dataset", "wrong_kind"]), min_size=1)
    )
    defect = data.draw(h5st.defects(_SPEC, path, codes=codes))
    assert defect.code.value in codes
    code, where = data.draw(h5st.mutants(_SPEC, path, codes=codes))
    assert code.value in codes
    report = h5s.validate(path, _SPEC)
    assert report.codes() == [code.value]
    assert report.violations[0].path == where
