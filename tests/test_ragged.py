"""Ragged datasets: HDF5 variable-length sequences of numbers (``h5py.vlen_dtype(np.int32)``),
declared with ``h5s.ragged``, end to end: declare, materialize, append, read, validate, export,
infer, generate as Python, diff, and draw with the strategies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import h5schema as h5s
import h5schema.strategies as h5st
from h5schema._convert.codegen import dtype_source, to_python
from h5schema._convert.jsonschema import to_json_schema
from h5schema._types.dtypes import as_dtype, from_numpy
from tests.prop_support import PROPERTY, fresh_path
from tests.test_infer import inferred
from tests.test_jsonschema_export import errors


class Tokens(h5s.File):
    """Token ids of variable length, one row per sample, with a label per sample."""

    ids: h5s.Dataset = h5s.dataset(
        h5s.ragged(np.int32, min_length=1, max_length=4), shape=("n",), maxshape=(None,), ge=0, lt=1000
    )
    label: h5s.Dataset = h5s.dataset(np.int64, shape=("n",), maxshape=(None,))


def _ids(path: Path) -> list[list[int]]:
    with h5py.File(path) as f:
        assert h5py.check_vlen_dtype(f["ids"].dtype) == np.dtype("int32")
        return [row.tolist() for row in f["ids"][:]]


def _codes(path: Path, schema: Any = Tokens) -> list[tuple[str, str, str]]:
    return [(v.code.value, v.path, v.message) for v in h5s.validate(path, schema).violations]


# -- declaring ----------------------------------------------------------------------------------


def test_ragged_dtypes_describe_their_element_type_and_lengths() -> None:
    assert h5s.ragged(np.int32).describe() == "ragged int32"
    assert (
        h5s.ragged("float32", min_length=2).describe() == "ragged float32 (sequences of at least 2 elements)"
    )
    assert (
        h5s.ragged(np.uint8, min_length=3, max_length=3).describe()
        == "ragged uint8 (sequences of 3 elements)"
    )
    assert h5s.ragged(h5s.family("integer")).describe() == "ragged any integer"


def test_h5py_vlen_dtypes_read_as_ragged() -> None:
    assert from_numpy(h5py.vlen_dtype(np.int16)) == h5s.ragged(np.int16)
    assert as_dtype(h5py.vlen_dtype(np.float64)) == h5s.ragged(np.float64)
    assert h5s.ragged(np.int32).to_numpy() == h5py.vlen_dtype(np.int32)
    assert h5py.check_vlen_dtype(h5s.ragged(np.int32).to_numpy()) == np.dtype("int32")
    # vlen of str and bytes stay strings; vlen of a compound is not declarable
    assert from_numpy(h5py.string_dtype()).kind == "string"
    assert from_numpy(h5py.vlen_dtype(np.dtype([("a", "i4")]))).kind == "other"


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (
            lambda: h5s.ragged(np.int32, min_length=5, max_length=2),
            "min_length=5 is greater than max_length=2",
        ),
        (lambda: h5s.ragged(str), "ragged sequences hold numbers or bool, not str"),
        (
            lambda: h5s.ragged(np.int32, max_length=-1),
            "h5s.ragged[(][)]: max_length: Input should be greater",
        ),
        (
            lambda: h5s.DatasetSpec(dtype=h5s.ragged(np.int8), fillvalue=1),
            "a fill value does not apply to ragged int8",
        ),
        (lambda: h5s.DatasetSpec(dtype=h5s.ragged(np.complex64), ge=0), "do not apply to complex numbers"),
        (
            lambda: h5s.AttributeSpec(name="a", type="array", dtype=h5s.ragged(np.int8)),
            "array attributes hold fixed-size values, not ragged int8",
        ),
    ],
)
def test_bad_ragged_declarations_are_refused_when_defined(make: Any, words: str) -> None:
    """By the dtype constructor (SchemaDefinitionError) or by the spec models (pydantic's
    ValidationError), each with the reason."""
    with pytest.raises((h5s.SchemaDefinitionError, ValueError), match=words):
        make()


def test_a_bad_ragged_field_is_refused_with_its_name() -> None:
    with pytest.raises(h5s.SchemaDefinitionError, match=r"Bad\.ids: a fill value does not apply"):

        class Bad(h5s.File):
            ids: h5s.Dataset = h5s.dataset(h5s.ragged(np.int8), fillvalue=1)


# -- writing and reading ------------------------------------------------------------------------


def test_rows_and_batches_append_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "t.h5"
    with h5s.create(path, Tokens) as w:
        w.append_row(ids=[1, 2, 3], label=0)
        w.append({"ids": [[4], [5, 6]], "label": [1, 2]})
        w.append({"ids": np.array([[7, 8], [9, 10]], dtype=np.int64), "label": [3, 4]})  # one length
        w.append(
            {"ids": np.array([np.array([11]), np.array([12, 13, 14, 15])], dtype=object), "label": [5, 6]}
        )
        assert [r.tolist() for r in w.dataset("ids").read()] == [
            [1, 2, 3],
            [4],
            [5, 6],
            [7, 8],
            [9, 10],
            [11],
            [12, 13, 14, 15],
        ]
    assert _ids(path)[-1] == [12, 13, 14, 15]
    assert _codes(path) == []
    with h5s.open(path, Tokens) as r:
        got = r["ids"].read()
        assert got.dtype == object and got[0].dtype == np.int32 and got[1].tolist() == [4]


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ([], "expected sequences of 1 to 4 elements, got 1 element(s) of other lengths: 0"),
        ([1, 2, 3, 4, 5], "expected sequences of 1 to 4 elements, got 1 element(s) of other lengths: 5"),
        ([1, 2000], "expected >= 0 and < 1000, got 1 element(s) out of range: 2000"),
        ([1.5], "cannot store float64 data as int32 without loss"),
        (7, "expected sequences of numbers for a ragged dtype, got int"),
        ([[1], [2]], "expected a batch"),
    ],
)
def test_bad_rows_are_refused_and_nothing_is_written(tmp_path: Path, row: Any, words: str) -> None:
    path = tmp_path / "t.h5"
    with h5s.create(path, Tokens) as w:
        w.append_row(ids=[1], label=0)
        with pytest.raises(h5s.WriteError, match=words.replace("(", r"\(").replace(")", r"\)")):
            w.append_row(ids=row, label=1)
    assert _ids(path) == [[1]]


def test_materialize_takes_lists_of_sequences(tmp_path: Path) -> None:
    path = h5s.materialize(tmp_path / "m.h5", Tokens(ids=[[1, 2], [3]], label=[0, 1]))
    assert _ids(path) == [[1, 2], [3]] and _codes(path) == []
    with pytest.raises(h5s.MaterializeError, match="sequences of 1 to 4 elements"):
        h5s.materialize(tmp_path / "bad.h5", Tokens(ids=[[1], []], label=[0, 1]))
    assert not (tmp_path / "bad.h5").exists()


# -- validating ---------------------------------------------------------------------------------


def test_validation_checks_the_dtype_the_lengths_and_the_numbers(tmp_path: Path) -> None:
    path = h5s.materialize(tmp_path / "m.h5", Tokens(ids=[[1, 2], [3], [4]], label=[0, 1, 2]))
    with h5py.File(path, "a") as f:
        f["ids"][1] = np.array([], dtype=np.int32)
        f["ids"][2] = np.array([1, 2, 3, 4, 5000], dtype=np.int32)
    assert _codes(path) == [
        (
            "value_constraint",
            "/ids",
            "expected >= 0 and < 1000, got 1 element(s) out of range: 5000, first at index [2]",
        ),
        (
            "value_constraint",
            "/ids",
            "expected sequences of 1 to 4 elements, got 2 element(s) of other lengths: 0, 5, "
            "first at index [1]",
        ),
    ]
    with h5py.File(path, "a") as f:
        del f["ids"]
        f.create_dataset("ids", data=np.arange(3, dtype=np.int32), maxshape=(None,))
    (code,) = _codes(path)
    assert (
        code[:2] == ("dtype_mismatch", "/ids")
        and "expected dtype ragged int32 (sequences of 1 to 4" in code[2]
    )


def test_a_ragged_file_written_by_h5py_validates_and_infers(tmp_path: Path) -> None:
    path = tmp_path / "raw.h5"
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("audio", shape=(3,), maxshape=(None,), dtype=h5py.vlen_dtype(np.float32))
        ds[0], ds[1], ds[2] = np.zeros(5, np.float32), np.ones(2, np.float32), np.full(7, np.nan, np.float32)

    class Audio(h5s.File):
        audio: h5s.Dataset = h5s.dataset(h5s.ragged(np.float32, max_length=6), shape=(None,), allow_nan=False)

    assert [c[2] for c in _codes(path, Audio)] == [
        "expected no NaN, got 7 element(s) NaN: nan, first at index [2]",
        "expected sequences of at most 6 elements, got 1 element(s) of other lengths: 7, first at index [2]",
    ]
    spec = inferred(path)
    assert spec.root.members[0].dtype == h5s.ragged(np.float32)
    assert h5s.validate(path, spec).valid


# -- documents ----------------------------------------------------------------------------------


def test_schema_documents_python_source_and_json_schema_carry_ragged(tmp_path: Path) -> None:
    spec = Tokens.to_spec()
    assert h5s.SchemaSpec.model_validate_json(spec.model_dump_json()) == spec
    source = dtype_source(spec.root.members[0].dtype)
    assert source == "h5s.ragged(np.int32, min_length=1, max_length=4)"
    (tmp_path / "gen.py").write_text(to_python(spec), encoding="utf-8")
    assert h5s.load_schema(f"{tmp_path / 'gen.py'}:Tokens").root == spec.root
    doc = to_json_schema(spec)
    assert "data check: sequences of 1 to 4 elements" in json.dumps(doc)
    good = h5s.materialize(tmp_path / "m.h5", Tokens(ids=[[1, 2]], label=[0]))
    assert errors(Tokens, good) == []
    with h5py.File(good, "a") as f:
        del f["ids"]
        f.create_dataset("ids", shape=(1,), maxshape=(None,), dtype=h5py.vlen_dtype(np.int16))
    assert len(errors(Tokens, good)) == 1


def test_diff_widens_element_types_and_loosens_lengths() -> None:
    def schema(dt: Any) -> h5s.SchemaSpec:
        return h5s.SchemaSpec(root=h5s.GroupSpec(members=(h5s.DatasetSpec(name="x", dtype=dt),)))

    tight, loose = h5s.ragged(np.int32, min_length=1, max_length=4), h5s.ragged(np.int32, max_length=8)
    assert h5s.diff(schema(tight), schema(loose)).compatible
    assert not h5s.diff(schema(loose), schema(tight)).compatible
    assert h5s.diff(schema(tight), schema(h5s.ragged(h5s.family("integer")))).compatible
    assert not h5s.diff(schema(tight), schema(np.int32)).compatible


# -- strategies ---------------------------------------------------------------------------------


@PROPERTY
@given(data=st.data(), spec=h5st.dataset_specs(dtypes=h5st.ragged_dtypes(), resizable=True, max_rank=2))
def test_drawn_ragged_datasets_materialize_append_and_validate(
    tmp_path: Path, data: Any, spec: h5s.DatasetSpec
) -> None:
    """Any drawn ragged declaration, with data drawn for it, makes a file that validates cleanly
    and reads back the same sequences; rows appended by a writer do too."""
    assert spec.name is not None and spec.dtype is not None
    schema = h5s.SchemaSpec(
        root=h5s.GroupSpec(members=(spec.model_copy(update={"name": "x", "required": True}),))
    )
    path = data.draw(h5st.conforming_files(schema, fresh_path(tmp_path).parent))
    report = h5s.validate(path, schema)
    assert report.valid, report.violations
    declared = schema.root.members[0]
    assert isinstance(declared, h5s.DatasetSpec)
    with h5s.open_writer(path, schema) as w:
        ds = w.dataset("x")
        shape = list(ds.shape)
        room = [
            n
            for n in (declared.shape[0].upper if declared.shape else None, (declared.maxshape or (None,))[0])
            if n is not None
        ]
        shape[0] = min([2, *(n - ds.shape[0] for n in room)])
        assume(shape[0] > 0)
        names = [d.name for d in declared.shape or () if d.name is not None]
        assume(not names or names.count(names[0]) == 1)  # rows only grow a dim no other axis shares
        rows = data.draw(h5st.data_for(declared, tuple(shape)))
        ds.append(rows)
        tail = ds.read()[-shape[0] :]
    assert [np.asarray(v).tolist() for v in tail.reshape(-1)] == [
        np.asarray(v).tolist() for v in rows.reshape(-1)
    ]
    assert h5s.validate(path, schema).valid
