"""Property-based tests: strings, appends, materialize/validate, defects, schema documents.

Every test draws its cases from h5schema.strategies. Each hypothesis example works in its own
fresh sub-directory of the test's tmp_path (tests/prop_support.py: fresh_path).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, event, given, note, reject
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import h5schema as h5s
import h5schema.strategies as h5st
from tests.prop_classes import choices_as_sets, expressible, to_class
from tests.prop_support import PROPERTY, canonical, fresh_path, read, same, snapshot

FLAVOURS = [
    h5s.string(),
    h5s.string(encoding="ascii"),
    h5s.string(5),
    h5s.string(5, encoding="ascii"),
]
FLAVOUR_IDS = ["vlen-utf8", "vlen-ascii", "fixed5-utf8", "fixed5-ascii"]


def _one_dataset(spec: h5s.DatasetSpec) -> h5s.SchemaSpec:
    return h5s.SchemaSpec(name="One", root=h5s.GroupSpec(members=(spec,)))


def _strings_schema(dtype: h5s.StringDType) -> h5s.SchemaSpec:
    return _one_dataset(h5s.DatasetSpec(name="s", dtype=dtype, shape=(None,), maxshape=(None,)))


def _objects(values: list[Any]) -> np.ndarray:
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


# ---------------------------------------------------------------- strings


@pytest.mark.parametrize("dtype", FLAVOURS, ids=FLAVOUR_IDS)
@PROPERTY
@given(data=st.data())
def test_strings_round_trip_through_materialize(
    tmp_path: Path, dtype: h5s.StringDType, data: st.DataObject
) -> None:
    """Text a flavour can hold, materialized as data, reads back equal and as str (UTF-8) or bytes (ASCII)."""
    values = data.draw(st.lists(h5st.string_values(dtype), max_size=5))
    path = fresh_path(tmp_path)
    h5s.materialize(path, _strings_schema(dtype), values={"s": _objects(values)})
    got = read(path, "s").tolist()
    assert got == values
    assert all(type(v) is dtype.python_type for v in got)


@pytest.mark.parametrize("dtype", FLAVOURS, ids=FLAVOUR_IDS)
@PROPERTY
@given(data=st.data())
def test_strings_round_trip_through_append(
    tmp_path: Path, dtype: h5s.StringDType, data: st.DataObject
) -> None:
    """Text appended in batches or row by row reads back as the concatenation, of the flavour's type."""
    batches = data.draw(st.lists(st.lists(h5st.string_values(dtype), max_size=4), max_size=4))
    schema = _strings_schema(dtype)
    path = fresh_path(tmp_path)
    with h5s.create(path, schema) as f:
        w = f.dataset("s")
        for batch in batches:
            if len(batch) == 1 and data.draw(st.booleans(), label="append_row"):
                w.append_row(batch[0])
            else:
                w.append(_objects(batch))
    got = read(path, "s").tolist()
    assert got == [v for b in batches for v in b]
    assert all(type(v) is dtype.python_type for v in got)


@pytest.mark.parametrize("dtype", FLAVOURS, ids=FLAVOUR_IDS)
@PROPERTY
@given(data=st.data())
def test_unholdable_strings_are_refused_and_change_nothing(
    tmp_path: Path, dtype: h5s.StringDType, data: st.DataObject
) -> None:
    """An unholdable value: MaterializeError and no file; WriteError on append and the file unchanged."""
    good = data.draw(st.lists(h5st.string_values(dtype), max_size=3), label="good")
    bad = data.draw(h5st.invalid_string_values(dtype), label="bad")
    at = data.draw(st.integers(0, len(good)), label="position")
    batch = _objects([*good[:at], bad, *good[at:]])
    schema = _strings_schema(dtype)

    refused = fresh_path(tmp_path)
    with pytest.raises(h5s.MaterializeError):
        h5s.materialize(refused, schema, values={"s": batch})
    assert list(refused.parent.iterdir()) == []

    path = fresh_path(tmp_path)
    h5s.materialize(path, schema, values={"s": _objects(good)})
    before = snapshot(path)
    with h5s.open_writer(path, schema) as f:
        w = f.dataset("s")
        with pytest.raises(h5s.WriteError):
            w.append(batch)
        with pytest.raises(h5s.WriteError):
            w.append_row(bad)
    assert snapshot(path) == before


@pytest.mark.parametrize("kind", ["str", "bytes"])
@PROPERTY
@given(data=st.data())
def test_unholdable_attribute_strings_are_refused_by_materialize(
    tmp_path: Path, kind: str, data: st.DataObject
) -> None:
    """A str/bytes attribute value vlen strings cannot hold: MaterializeError, and no file."""
    flavour = h5s.string() if kind == "str" else h5s.string(encoding="ascii")
    bad = data.draw(h5st.invalid_string_values(flavour))
    schema = h5s.SchemaSpec(root=h5s.GroupSpec(attributes=(h5s.AttributeSpec(name="t", type=kind),)))  # type: ignore[arg-type]
    path = fresh_path(tmp_path)
    with pytest.raises(h5s.MaterializeError):
        h5s.materialize(path, schema, values={"@t": bad})
    assert list(path.parent.iterdir()) == []


_NUMERIC = h5st.dtypes(strings=False, enums=False)


@st.composite
def _attribute_and_value(draw: st.DrawFn) -> tuple[h5s.AttributeSpec, Any]:
    """An int, float, list[int] or numeric array attribute, and a value of any size or numeric dtype."""
    kind = draw(st.sampled_from(["int", "float", "list", "array"]))
    if kind == "int":
        return h5s.AttributeSpec(name="a", type="int"), draw(st.integers())
    if kind == "float":
        return h5s.AttributeSpec(name="a", type="float"), draw(st.integers() | st.floats())
    if kind == "list":
        return h5s.AttributeSpec(name="a", type="list", item="int"), draw(st.lists(st.integers(), max_size=3))
    declared = draw(_NUMERIC)
    given_dtype = np.dtype(
        draw(st.sampled_from(["bool", "int8", "uint16", "int64", "float16", "float64", "complex64"]))
    )
    shape = tuple(draw(st.lists(st.integers(0, 3), max_size=2)))
    value = draw(hnp.arrays(given_dtype, shape))
    return h5s.AttributeSpec(name="a", type="array", dtype=declared), value


@PROPERTY
@given(case=_attribute_and_value())
def test_attribute_values_are_stored_exactly_or_refused(
    tmp_path: Path, case: tuple[h5s.AttributeSpec, Any]
) -> None:
    """An attribute value is written exactly as given, or refused with MaterializeError (no file)."""
    spec, value = case
    schema = h5s.SchemaSpec(root=h5s.GroupSpec(attributes=(spec,)))
    path = fresh_path(tmp_path)
    try:
        h5s.materialize(path, schema, values={"@a": value})
    except h5s.MaterializeError:
        assert list(path.parent.iterdir()) == []
        return
    with h5s.open(path) as f:
        got = f.attrs["a"]
    assert same(np.asarray(got).tolist(), np.asarray(value).tolist()), (got, value)


# ---------------------------------------------------------------- appends


@PROPERTY
@given(data=st.data())
def test_appends_read_back_as_the_concatenation(tmp_path: Path, data: st.DataObject) -> None:
    """Any sequence of batch sizes (empty ones too), of any dtype, reads back as the concatenation."""
    dtype = data.draw(h5st.dtypes(compound=True), label="dtype")
    # a chunked axis needs a maximum of at least 1 (a 0 there is a schema definition error)
    trailing = data.draw(st.lists(st.integers(1, 3), max_size=2).map(tuple), label="trailing")
    spec = h5s.DatasetSpec(name="x", dtype=dtype, shape=(None, *trailing), maxshape=(None, *trailing))
    sizes = data.draw(st.lists(st.integers(0, 4), max_size=5), label="sizes")
    batches = [data.draw(h5st.data_for(spec, (k, *trailing))) for k in sizes]
    path = fresh_path(tmp_path)
    with h5s.create(path, _one_dataset(spec)) as f:
        w = f.dataset("x")
        for batch in batches:
            if len(batch) == 1 and data.draw(st.booleans(), label="append_row"):
                w.append_row(batch[0])
            else:
                w.append(batch)
    expected = [row for b in batches for row in b.tolist()]
    got = read(path, "x")
    assert got.shape == (sum(sizes), *trailing)
    assert same(got.tolist(), expected)


@st.composite
def _aligned_members(draw: st.DrawFn) -> tuple[h5s.DatasetSpec, ...]:
    names = draw(st.lists(st.sampled_from("abcd"), min_size=2, max_size=3, unique=True))
    out = []
    for name in names:
        trailing = tuple(draw(st.lists(st.integers(1, 3), max_size=1)))
        out.append(
            h5s.DatasetSpec(
                name=name,
                dtype=draw(h5st.dtypes()),
                shape=("n", *trailing),
                maxshape=(None, *trailing),
            )
        )
    return tuple(out)


@PROPERTY
@given(data=st.data(), members=_aligned_members())
def test_aligned_group_appends_keep_shared_dims_equal(
    tmp_path: Path, data: st.DataObject, members: tuple[h5s.DatasetSpec, ...]
) -> None:
    """Aligned group appends keep the shared dim equal, hold the concatenations and validate clean."""
    schema = h5s.SchemaSpec(root=h5s.GroupSpec(members=members))
    sizes = data.draw(st.lists(st.integers(0, 3), max_size=4), label="sizes")
    batches = [
        {
            m.name: data.draw(h5st.data_for(m, (k, *(d.size or 0 for d in (m.shape or ())[1:]))))
            for m in members
        }
        for k in sizes
    ]
    path = fresh_path(tmp_path)
    with h5s.create(path, schema) as f:
        for batch in batches:
            f.append(batch)
    for m in members:
        got = read(path, m.name or "")
        assert len(got) == sum(sizes)
        assert same(got.tolist(), [row for b in batches for row in b[m.name or ""].tolist()])
    assert h5s.validate(path, schema).violations == ()


_LEDGER = h5s.SchemaSpec(
    name="Ledger",
    root=h5s.GroupSpec(
        members=(
            h5s.DatasetSpec(name="a", dtype="int16", shape=("n",), maxshape=(None,)),
            h5s.DatasetSpec(name="lab", dtype=str, shape=("n",), maxshape=(None,), values=("x", "y")),
            h5s.DatasetSpec(name="f", dtype="float32", shape=("n", 2), maxshape=(None, 2), ge=0),
        )
    ),
)
_BAD_KINDS = ["lossy", "overflow", "trailing", "outside", "range", "nul", "partner", "lengths", "dtype"]


@st.composite
def _ledger_batches(draw: st.DrawFn, *, min_rows: int = 0) -> dict[str, Any]:
    k = draw(st.integers(min_rows, 3))
    return {
        str(m.name): draw(h5st.data_for(m, (k, *((2,) if m.name == "f" else ()))))
        for m in _LEDGER.root.datasets
    }


def _spoil(batch: dict[str, Any], kind: str) -> dict[str, Any]:
    """The batch made invalid in one way (it has at least one row)."""
    k = len(batch["a"])
    bad = dict(batch)
    if kind == "lossy":
        bad["a"] = np.full(k, 0.5)
    elif kind == "overflow":
        bad["a"] = np.full(k, 70000, dtype=np.int64)
    elif kind == "trailing":
        bad["f"] = np.zeros((k, 3), dtype=np.float32)
    elif kind == "outside":
        bad["lab"] = _objects(["z"] * k)
    elif kind == "range":
        bad["f"] = np.full((k, 2), -1, dtype=np.float32)
    elif kind == "nul":
        bad["lab"] = _objects(["x\x00"] * k)
    elif kind == "partner":
        del bad["lab"]
    elif kind == "lengths":
        bad["a"] = np.zeros(k + 1, dtype=np.int16)
    elif kind == "dtype":
        bad["lab"] = np.arange(k)
    return bad


@PROPERTY
@given(
    first=st.lists(_ledger_batches(), max_size=3),
    bad=_ledger_batches(min_rows=1),
    kind=st.sampled_from(_BAD_KINDS),
    second=st.lists(_ledger_batches(), max_size=2),
)
def test_invalid_group_append_is_refused_and_writes_nothing(
    tmp_path: Path, first: list[dict[str, Any]], bad: dict[str, Any], kind: str, second: list[dict[str, Any]]
) -> None:
    """A refused aligned append (lossy, shape, values, range, NUL, partner, lengths) writes nothing."""
    path = fresh_path(tmp_path)
    with h5s.create(path, _LEDGER) as f:
        for batch in first:
            f.append(batch)
    before = snapshot(path)
    spoiled = _spoil(bad, kind)
    with h5s.open_writer(path, _LEDGER) as f, pytest.raises(h5s.WriteError):
        f.append(spoiled)
    assert snapshot(path) == before  # refused alone: the file is untouched
    with h5s.open_writer(path, _LEDGER) as f:
        for batch in second:
            f.append(batch)
            with pytest.raises(h5s.WriteError):
                f.append(spoiled)  # refused between good batches, still buffered or not
    for name in ("a", "lab", "f"):
        expected = [row for b in first + second for row in b[name].tolist()]
        assert same(read(path, name).tolist(), expected), name
    assert h5s.validate(path, _LEDGER).violations == ()


# ---------------------------------------------------------------- materialize, then validate


@PROPERTY
@given(data=st.data(), schema=h5st.schemas())
def test_materialized_files_validate_without_any_violation(
    tmp_path: Path, data: st.DataObject, schema: h5s.SchemaSpec
) -> None:
    """Materializing a generated schema with generated values gives a file with no error and no warning."""
    values = data.draw(h5st.values_for(schema), label="values")
    path = fresh_path(tmp_path)
    h5s.materialize(path, schema, values=values)
    report = h5s.validate(path, schema)
    assert report.violations == (), str(report)


@PROPERTY
@given(data=st.data(), schema=h5st.schemas())
def test_materialize_with_missing_data_refuses_or_validates_clean(
    tmp_path: Path, data: st.DataObject, schema: h5s.SchemaSpec
) -> None:
    """With some datasets given no data: MaterializeError and no file, or a file without violations."""
    values = data.draw(h5st.values_for(schema, with_data=None), label="values")
    path = fresh_path(tmp_path)
    try:
        h5s.materialize(path, schema, values=values)
    except h5s.MaterializeError as exc:
        note(f"refused: {exc}")
        assert list(path.parent.iterdir()) == []
        return
    report = h5s.validate(path, schema)
    assert report.violations == (), str(report)


# ---------------------------------------------------------------- one defect, one violation


def _valid_file(tmp_path: Path, data: st.DataObject, schema: h5s.SchemaSpec) -> Path:
    """A conforming file of ``schema``. Schemas the materializer cannot turn into a clean file are
    test_materialized_files_validate_without_any_violation's failures; they are skipped here so
    that every other schema still checks the defects."""
    values = data.draw(h5st.values_for(schema), label="values")
    path = fresh_path(tmp_path)
    try:
        h5s.materialize(path, schema, values=values)
    except Exception:
        reject()
    assume(h5s.validate(path, schema).violations == ())
    return path


@PROPERTY
@given(data=st.data(), schema=h5st.schemas())
def test_one_defect_gives_exactly_its_violation(
    tmp_path: Path, data: st.DataObject, schema: h5s.SchemaSpec
) -> None:
    """One defect in a valid file is reported alone: exactly its code, at its path, with its severity."""
    path = _valid_file(tmp_path, data, schema)
    defect = data.draw(h5st.defects(schema, path), label="defect")
    event(defect.code.value)
    code, where = defect.apply(path)
    report = h5s.validate(path, schema)
    assert report.codes() == [code.value], str(report)
    assert report.violations[0].path == where
    assert report.violations[0].severity == defect.severity


_DATASET_CODES = [c for c in h5s.Code if c.defect and c.category in (h5s.Category.LAYOUT, h5s.Category.DATA)]


@PROPERTY
@given(data=st.data(), schema=h5st.schemas(max_depth=1, min_members=2, max_members=4))
def test_one_dataset_defect_gives_exactly_its_violation(
    tmp_path: Path, data: st.DataObject, schema: h5s.SchemaSpec
) -> None:
    """The same for dataset defects: dtype, shape, dims, maxshape, chunks, filters, fill, values."""
    path = _valid_file(tmp_path, data, schema)
    defect = data.draw(h5st.defects(schema, path, codes=_DATASET_CODES), label="defect")
    event(defect.code.value)
    code, where = defect.apply(path)
    report = h5s.validate(path, schema)
    assert report.codes() == [code.value], str(report)
    assert report.violations[0].path == where
    assert report.violations[0].severity == defect.severity


# ---------------------------------------------------------------- schema documents


def _dense_schemas() -> st.SearchStrategy[h5s.SchemaSpec]:
    """Flat schemas packed with datasets and attributes: many more fields per example than schemas()."""
    datasets = st.lists(h5st.dataset_specs(), max_size=4, unique_by=lambda d: d.name)
    attributes = st.lists(h5st.attribute_specs(), max_size=4, unique_by=lambda a: a.name)

    def build(ds: list[h5s.DatasetSpec], attrs: list[h5s.AttributeSpec]) -> h5s.SchemaSpec | None:
        try:
            return h5s.SchemaSpec(root=h5s.GroupSpec(members=tuple(ds), attributes=tuple(attrs)))
        except ValueError:  # datasets drawn apart may give one named dim two sizes
            return None

    return st.builds(build, datasets, attributes).filter(lambda s: s is not None)  # type: ignore[return-value]


@PROPERTY
@given(schema=st.one_of(h5st.schemas(), _dense_schemas()))
def test_json_and_yaml_documents_read_back_as_the_same_schema(schema: h5s.SchemaSpec) -> None:
    """schema -> JSON/YAML -> schema gives an equal SchemaSpec, holding the same Python values."""
    from_json = h5s.SchemaSpec.from_json(schema.to_json())
    from_yaml = h5s.SchemaSpec.from_yaml(schema.to_yaml())
    assert from_json == schema
    assert from_yaml == schema
    # SchemaSpec's == compares JSON dumps; the documents must also give back the same values
    assert canonical(from_json) == canonical(schema)
    assert canonical(from_yaml) == canonical(schema)


def _outcome(report: h5s.Report) -> list[tuple[str, str, str]]:
    return [(v.path, v.code.value, v.severity.value) for v in report]


@PROPERTY
@given(data=st.data(), schema=h5st.schemas())
def test_class_form_and_document_form_give_identical_reports(
    tmp_path: Path, data: st.DataObject, schema: h5s.SchemaSpec
) -> None:
    """A class built from a document compiles back to it; class and document report identically."""
    doc = expressible(schema)
    cls = to_class(doc)
    assert canonical(choices_as_sets(cls.to_spec())) == canonical(choices_as_sets(doc))
    forms: list[Any] = [cls, cls.to_spec(), doc]
    path = _valid_file(tmp_path, data, doc)
    for form in forms:
        assert h5s.validate(path, form).violations == ()
    data.draw(h5st.mutants(doc, path), label="defect")
    outcomes = [_outcome(h5s.validate(path, form)) for form in forms]
    assert len(outcomes[0]) == 1
    assert all(o == outcomes[0] for o in outcomes), outcomes
