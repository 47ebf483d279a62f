"""Every dtype kind answers every concern of the protocol in ``h5schema._types.dtypes.base``.

One module per kind holds its behaviour; this test draws dtypes of every kind that can be
created and checks each concern on them (numpy round trip, writing, reading, JSON, JSON Schema,
Python source, widening), so a new kind that forgets one fails here rather than in a branch that
falls through somewhere else.
"""

from __future__ import annotations

import json
import typing
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import h5schema as h5s
import h5schema.strategies as h5st
from h5schema._convert.codegen import _value
from h5schema._types.dtypes import KINDS, DTypeBase, DTypeSpec, as_dtype, from_numpy
from h5schema._types.jsonvalue import NoJSON
from h5schema._validate.data import DataChecker
from h5schema.strategies._kinds import KIND_DRAWS

_ALL = h5st.dtypes(compound=True, ragged=True)
_NOT_CREATABLE = {"family", "other"}


def _kind_name(kind: type[DTypeBase]) -> str:
    return str(kind.model_fields["kind"].default)


def test_every_kind_is_in_the_union_and_has_its_own_module() -> None:
    union = typing.get_args(typing.get_args(DTypeSpec)[0])
    assert set(union) == set(KINDS)
    modules = {k.__module__ for k in KINDS}
    assert len(modules) == len(KINDS)  # one module each
    assert all(m.startswith("h5schema._types.dtypes.") for m in modules)


def test_the_strategies_draw_values_of_every_kind_that_can_be_created() -> None:
    creatable = {_kind_name(k) for k in KINDS} - _NOT_CREATABLE
    assert set(KIND_DRAWS) == creatable


@given(dt=_ALL)
def test_numpy_round_trip(dt: DTypeSpec) -> None:
    """to_numpy gives what h5py creates; from_numpy (and as_dtype) read it back as the same."""
    npdt = dt.to_numpy()
    assert from_numpy(npdt) == dt.model_copy(update=_no_bounds(dt))
    assert as_dtype(dt.model_dump(mode="json")) == dt
    assert dt.is_concrete() and dt.matches(from_numpy(npdt))


@given(dt=_ALL)
def test_python_source_declares_the_same_dtype(dt: DTypeSpec) -> None:
    source = dt.python_source(_value)
    assert as_dtype(eval(source, {"h5s": h5s, "np": np})) == dt


@given(dt=_ALL)
def test_json_schema_accepts_the_dtype_as_a_manifest_writes_it(dt: DTypeSpec) -> None:
    schema = dt.json_schema()
    Draft202012Validator.check_schema(schema)
    stored = from_numpy(dt.to_numpy()).model_dump(mode="json")
    assert Draft202012Validator(schema).is_valid(stored)
    assert Draft202012Validator(h5s.family("any").json_schema()).is_valid(stored)


@given(dt=_ALL)
def test_widening_is_reflexive_and_any_accepts_all(dt: DTypeSpec) -> None:
    assert dt.widens_to(dt)
    assert dt.widens_to(h5s.family("any"))
    assert not h5s.family("any").widens_to(dt)


@given(data=st.data(), dt=_ALL)
def test_written_values_read_back_and_have_a_json_form(data: st.DataObject, dt: DTypeSpec) -> None:
    """Values drawn for a kind coerce to its numpy dtype, keep their shape, and turn into JSON
    (or raise NoJSON for NaN and infinity) that json.dumps takes as strict JSON."""
    spec = h5s.DatasetSpec(dtype=dt)
    values = data.draw(h5st.data_for(spec, (2,)))
    stored = dt.coerce(values)
    assert stored.shape == (2,) and stored.dtype == dt.to_numpy()
    back = dt.decode(stored)
    assert back.shape == (2,)
    try:
        text = json.dumps(dt.json_value(back), allow_nan=False)
    except NoJSON:
        return
    assert isinstance(json.loads(text), list)


@given(dt=_ALL)
def test_blank_values_are_what_the_data_checks_see_in_unwritten_regions(dt: DTypeSpec) -> None:
    """What a dataset made without data holds is one element of the kind, and the data checks
    take it as the fill block of never-written regions."""
    block = dt.decode(dt.as_elements([dt.blank()]))
    assert block.shape == (1,)
    loose = dt.model_copy(update=_no_bounds(dt))
    checker = DataChecker(h5s.DatasetSpec(dtype=loose, allow_nan=not dt.is_numeric(floating=True)), dt)
    checker.feed(block, (0,), repeat=3)
    assert checker.violations("/x") == []  # zero is not NaN, and a blank sequence has no numbers


def _no_bounds(dt: DTypeSpec) -> dict[str, Any]:
    """What a file cannot say of a declaration: a ragged dtype's length bounds."""
    return {"min_length": None, "max_length": None} if dt.kind == "ragged" else {}
