"""export --format jsonschema and show --format json: the manifest of a file, and the JSON Schema
of a schema that accepts it exactly when the file meets the schema's metadata rules."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import h5schema as h5s
import h5schema.strategies as h5st
from h5schema import _h5
from h5schema._convert.jsonschema import UNCHECKED, to_json_schema
from h5schema._convert.regex import ecma_pattern, full_match
from h5schema._validate.limits import Limits
from tests.helpers import IMAGES_REF, ROOT, SPEECH_REF, speech_schema, write_tutorial
from tests.prop_support import PROPERTY
from tests.test_cli import run
from tests.test_properties import _DATASET_CODES, _valid_file

NWB_REF = f"{ROOT / 'schemas' / 'nwb_timeseries.py'}:NWBTimeSeriesFile"
Code = h5s.Code
# Defects JSON Schema sees in a manifest (when they are errors); the others it cannot.
EXPRESSIBLE = {c for c in Code if c.defect and c.json_schema}
UNEXPRESSIBLE = {c for c in Code if c.defect and not c.json_schema}


def manifest(path: str | Path) -> Any:
    """The file's manifest, read in this process, through strict JSON (no NaN may slip in)."""
    f = _h5.open_read(path)
    try:
        found = _h5.manifest(_h5.root_of(f), Limits().max_members, Limits().max_attribute_bytes)
    finally:
        f.close()
    return json.loads(json.dumps(found, allow_nan=False))


def validator(spec: Any) -> Draft202012Validator:
    """A validator of the exported JSON Schema, itself checked against the draft's meta-schema."""
    doc = to_json_schema(h5s.load_schema(spec) if isinstance(spec, str) else h5s.as_schema(spec))
    Draft202012Validator.check_schema(doc)
    return Draft202012Validator(doc)


def errors(spec: Any, path: str | Path) -> list[str]:
    """Where the file's manifest breaks the schema's JSON Schema, and how."""
    found = validator(spec).iter_errors(manifest(path))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found]


# ---------------------------------------------------------------- ready schemas, example files


@pytest.mark.parametrize("ref", [SPEECH_REF, IMAGES_REF, NWB_REF], ids=["speech", "images", "nwb"])
def test_ready_schemas_export_valid_json_schemas(ref: str) -> None:
    """Every ready schema exports a valid draft 2020-12 JSON Schema, named and annotated."""
    doc = validator(ref).schema
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["title"] == h5s.load_schema(ref).name and doc["description"]
    assert doc[UNCHECKED]


def test_tutorial_file_and_its_defects(tmp_path: Path) -> None:
    """The tutorial file is accepted; a wrong attribute, dtype and an external link are refused."""
    good = write_tutorial(tmp_path / "good.h5")
    assert errors(SPEECH_REF, good) == []

    def spoil(f: h5py.File) -> None:
        f["features_A"].attrs["fs"] = -1
        f["features_B"].attrs["fs"] = 1.5
        f["ext"] = h5py.ExternalLink("other.h5", "/")

    bad = write_tutorial(tmp_path / "bad.h5", spoil)
    assert sorted(errors(SPEECH_REF, bad)) == [
        "members/ext/kind: 'external_link' is not one of "
        "['group', 'dataset', 'soft_link', 'datatype', 'other']",
        "members/features_A/attributes/fs/value: -1 is less than or equal to the minimum of 0",
        "members/features_B/attributes/fs/dtype/name: 'float64' is not one of "
        "['int16', 'int32', 'int64', 'int8', 'uint16', 'uint32', 'uint64', 'uint8']",
    ]


def test_declared_names_and_earlier_patterns_come_first(tmp_path: Path) -> None:
    """A declared name never meets a pattern, and a name meets only the first pattern matching it."""

    class Item(h5s.Group):
        pass

    class F(h5s.File, closed=True):
        p_1: h5s.Dataset = h5s.dataset(np.int8, shape=())
        groups: dict[str, Item] = h5s.members(r"p_\d")
        sets: dict[str, h5s.Dataset] = h5s.members(r"p_\d+", dataset=h5s.dataset(np.int16))

    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        f["p_1"] = np.int8(1)
        f.create_group("p_2")
        f["p_22"] = np.arange(3, dtype=np.int16)
    assert h5s.validate(path, F).violations == ()
    assert errors(F, path) == []
    with h5py.File(path, "a") as f:
        f["p_3"] = np.int16(1)  # a dataset where the first pattern wants a group
    assert h5s.validate(path, F).codes() == ["wrong_kind"]
    assert {e.split(":")[0] for e in errors(F, path)} == {"members/p_3", "members/p_3/kind"}


def test_names_and_patterns_match_in_full_as_python_does() -> None:
    """Pattern keys match whole names (a final newline included), escape declared names for ECMA-262."""
    key = full_match(r"p_\d+", ["a.b", "p_1"], [r"p_9\d"])
    assert key == r"^(?!(?:a\.b|p_1)(?![\s\S]))(?!(?:p_9\d)(?![\s\S]))(?:p_\d+)(?![\s\S])"
    for name in ["p_1", "p_2", "p_2\n", "p_91", "p_9", "a.b", "axb", "xp_2"]:
        expected = name not in ("a.b", "p_1") and not re.fullmatch(r"p_9\d", name)
        assert bool(re.search(key, name)) == (expected and bool(re.fullmatch(r"p_\d+", name))), name
    for pattern in [r"^[a-z]+$", r"(?P<x>a)b(?P=x)", r"\Ax.\Z", r"[]$]", r"^2\.\d+\.\d+"]:
        ecma = ecma_pattern(pattern)
        assert "(?P" not in ecma and "\\Z" not in ecma and "\\A" not in ecma
        for text in ["abc", "abc\n", "aba", "x\n", "xy", "]", "$", "2.11.0", "2.x"]:
            assert bool(re.search(ecma, text)) == bool(re.search(pattern, text)), (pattern, text)


def test_links_aliases_and_values_without_json_form(tmp_path: Path) -> None:
    """Links keep their targets; a second hard link is an alias; NaN values and fills are left out."""

    class G(h5s.Group):
        x: float = h5s.attribute()

    class F(h5s.File):
        g: G
        same: G
        d: h5s.Dataset = h5s.dataset(np.float32, fillvalue=float("nan"))
        ext: G = h5s.group(external=True)

    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        f.create_group("g").attrs["x"] = np.nan
        f["same"] = f["g"]  # described at /g, the first path in name order
        f.create_dataset("d", data=np.zeros(2, np.float32), fillvalue=np.nan)
        f["ext"] = h5py.ExternalLink("other.h5", "/g")
        f["soft"] = h5py.SoftLink("/g")
    found = manifest(path)
    members = found["members"]
    assert members["same"] == {"kind": "group", "alias": "/g"}
    assert members["g"]["attributes"]["x"] == {
        "dtype": {"kind": "numeric", "name": "float64"},
        "shape": [],
        "text": "nan",  # no JSON value: its repr, for the tree show prints
    }
    assert "fillvalue" not in members["d"] and members["d"]["foreign"] is None
    assert members["ext"] == {"kind": "external_link", "target": "other.h5:/g"}
    assert members["soft"] == {"kind": "soft_link", "target": "/g"}
    assert h5s.validate(path, F).violations[0].code == Code.UNEXPECTED_MEMBER  # soft: a warning
    assert errors(F, path) == []
    schema = validator(F).schema
    assert schema["else"]["properties"]["members"]["properties"]["d"][UNCHECKED] == [
        "fill value nan (no JSON form)"
    ]


def test_closed_groups_refuse_extras_open_ones_refuse_only_external_ones(tmp_path: Path) -> None:
    """Undeclared members and attributes: errors when closed; when open, only links out of the file."""

    class Open(h5s.File):
        a: int = 1

    class Closed(h5s.File, closed=True):
        a: int = 1

    path = tmp_path / "f.h5"
    h5s.materialize(path, Open())
    with h5py.File(path, "a") as f:
        f.attrs["extra"] = 1
        f.create_group("g")
    assert errors(Open, path) == []
    assert sorted(e.split(":")[0] for e in errors(Closed, path)) == ["attributes", "members"]
    with h5py.File(path, "a") as f:
        f["ext"] = h5py.ExternalLink("x.h5", "/")
    assert [e.split(":")[0] for e in errors(Open, path)] == ["members/ext/kind"]


@pytest.mark.parametrize("code", [Code.DANGLING_LINK, Code.EXTERNAL_REFERENCE], ids=str)
def test_link_errors_fail_the_json_schema_as_their_codes_say(tmp_path: Path, code: h5s.Code) -> None:
    """Codes no defect makes: a dangling soft link passes the JSON Schema, an external link fails it."""

    class F(h5s.File):
        pass

    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        f["l"] = h5py.SoftLink("/nowhere") if code is Code.DANGLING_LINK else h5py.ExternalLink("o.h5", "/")
    assert [v.code for v in h5s.validate(path, F).errors] == [code]
    assert bool(errors(F, path)) == code.json_schema


# ---------------------------------------------------------------- properties


def _check_defect(path: Path, schema: h5s.SchemaSpec, defect: h5st.Defect) -> None:
    assert errors(schema, path) == []
    event(defect.code.value)
    defect.apply(path)
    found = errors(schema, path)
    if defect.code in UNEXPRESSIBLE or defect.severity is h5s.Severity.WARNING:
        assert found == [], (defect, found)
    else:
        assert found, defect


@PROPERTY
@given(data=st.data(), schema=h5st.schemas())
def test_conforming_manifests_pass_and_one_defect_fails_exactly_when_expressible(
    tmp_path: Path, data: st.DataObject, schema: h5s.SchemaSpec
) -> None:
    """A conforming file's manifest passes; one defect fails it iff it is an error JSON Schema expresses."""
    path = _valid_file(tmp_path, data, schema)
    _check_defect(path, schema, data.draw(h5st.defects(schema, path), label="defect"))


@PROPERTY
@given(data=st.data(), schema=h5st.schemas(max_depth=1, min_members=2, max_members=4))
def test_dataset_defects_fail_the_json_schema(
    tmp_path: Path, data: st.DataObject, schema: h5s.SchemaSpec
) -> None:
    """The same for dataset defects: dtype, shape, maxshape, chunks, filters, fill (and dims, values pass)."""
    path = _valid_file(tmp_path, data, schema)
    _check_defect(path, schema, data.draw(h5st.defects(schema, path, codes=_DATASET_CODES), label="defect"))


# Member and attribute defects but missing_dataset and attribute_type, which this property has
# always left out (its docstring lists the rest); the first property above draws every code.
_MEMBER_CODES = [
    c
    for c in Code
    if c.defect
    and c.category in (h5s.Category.MEMBER, h5s.Category.ATTRIBUTE)
    and c not in (Code.MISSING_DATASET, Code.ATTRIBUTE_TYPE)
]


@PROPERTY
@given(data=st.data(), schema=h5st.schemas(max_patterns=2))
def test_member_and_attribute_defects_fail_the_json_schema(
    tmp_path: Path, data: st.DataObject, schema: h5s.SchemaSpec
) -> None:
    """The same for members and attributes: missing, unexpected, wrong kind, bad value (counts pass)."""
    path = _valid_file(tmp_path, data, schema)
    _check_defect(path, schema, data.draw(h5st.defects(schema, path, codes=_MEMBER_CODES), label="defect"))


# ---------------------------------------------------------------- command line


def test_cli_export_and_show(tmp_path: Path) -> None:
    """export --format jsonschema prints the JSON Schema; show --format json the manifest it accepts."""
    good = write_tutorial(tmp_path / "good.h5")
    code, out, _ = run("export", SPEECH_REF, "--format", "jsonschema")
    assert code == 0 and json.loads(out) == to_json_schema(speech_schema())
    code, shown, _ = run("show", str(good), "--format", "json")
    assert code == 0 and json.loads(shown) == manifest(good)
    assert list(Draft202012Validator(json.loads(out)).iter_errors(json.loads(shown))) == []


def test_cli_show_json_errors(tmp_path: Path) -> None:
    """--format json with --schema is a usage error (2); an unreadable file exits 1, said on stderr."""
    good = write_tutorial(tmp_path / "good.h5")
    code, out, err = run("show", str(good), "--format", "json", "--schema", SPEECH_REF)
    assert (code, out) == (2, "") and "cannot be combined with --schema" in err
    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"\x00" * 100)
    code, out, err = run("show", str(junk), "--format", "json")
    assert (code, out) == (1, "")
    assert err.strip() == f"h5schema: error: {junk}: not an HDF5 file (no HDF5 signature found)"


def test_module_exports_and_shows_in_a_real_process(tmp_path: Path) -> None:
    """python -m h5schema: the exported schema validates the manifest printed by show."""
    good = write_tutorial(tmp_path / "good.h5")

    def h5schema(*args: str) -> Any:
        done = subprocess.run(
            [sys.executable, "-m", "h5schema", *args], capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        return json.loads(done.stdout)

    schema = h5schema("export", SPEECH_REF, "--format", "jsonschema")
    Draft202012Validator.check_schema(schema)
    shown = h5schema("show", str(good), "--format", "json")
    assert list(Draft202012Validator(schema).iter_errors(shown)) == []
