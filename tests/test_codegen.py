"""Schemas as Python source (``h5schema infer -o schema.py``): loading the source gives back the
schema, and an inferred schema written as classes validates its file cleanly."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import h5schema as h5s
import h5schema.strategies as h5st
from h5schema._convert.codegen import to_python
from tests.helpers import write_tutorial
from tests.prop_classes import choices_as_sets, expressible
from tests.prop_support import PROPERTY
from tests.test_cli import run

_COUNTER = itertools.count()


def _load(tmp_path: Path, source: str, name: str) -> h5s.SchemaSpec:
    path = tmp_path / f"gen_{next(_COUNTER)}.py"
    path.write_text(source, encoding="utf-8")
    return h5s.load_schema(f"{path}:{name}")


def test_infer_writes_classes_the_file_validates_against(tmp_path: Path) -> None:
    path = write_tutorial(tmp_path / "tut.h5")
    out_py = tmp_path / "tut_schema.py"
    code, out, _ = run("infer", str(path), "-o", str(out_py), "--name", "Speech")
    assert code == 0 and out.strip() == f"wrote {out_py}"
    source = out_py.read_text()
    assert "class Speech(h5s.File):" in source and "h5s.dataset(" in source
    code, out, _ = run("validate", str(path), "--schema", f"{out_py}:Speech")
    assert code == 0, out
    code, _, _ = run("infer", str(path), "-o", str(tmp_path / "x.txt"))
    assert code == 2


def test_awkward_names_are_declared_with_name(tmp_path: Path) -> None:
    """Names that cannot be field names (spaces, keywords, pydantic's own) still round-trip."""
    doc = h5s.SchemaSpec(
        name="my schema",
        root=h5s.GroupSpec(
            attributes=(
                h5s.AttributeSpec(name="sample rate", type="int"),
                h5s.AttributeSpec(name="class", type="str"),
            ),
            members=(
                h5s.DatasetSpec(name="model_x", dtype="int8"),
                h5s.DatasetSpec(name="to_spec", dtype="int8"),  # File.to_spec() must stay a method
                h5s.GroupSpec(
                    name="2nd group", members=(h5s.DatasetSpec(name="é", dtype="str", shape=(None,)),)
                ),
            ),
        ),
    )
    source = to_python(doc)
    assert "class My_schema(h5s.File):" in source
    assert 'name="sample rate"' in source and 'name="class"' in source and 'name="model_x"' in source
    assert 'name="to_spec"' in source and _load(tmp_path, source, "My_schema").root == doc.root


@PROPERTY
@given(schema=st.one_of(h5st.schemas(), h5st.schemas(max_depth=1, min_members=2)))
def test_generated_source_declares_the_same_schema(tmp_path: Path, schema: h5s.SchemaSpec) -> None:
    """to_python, loaded back, equals the schema (up to what a class cannot say)."""
    want = choices_as_sets(expressible(schema))
    source = to_python(want.model_copy(update={"name": "Doc"}))
    got = choices_as_sets(_load(tmp_path, source, "Doc"))
    assert got == want, source


def test_an_attribute_and_a_member_sharing_a_name_get_two_fields(tmp_path: Path) -> None:
    """HDF5 lets attribute "a" and member "a" coexist; so must the generated class (hypothesis
    found the second field silently replacing the first). Infinite complex values are spelled
    in Python, not as repr's (inf+0j)."""
    doc = h5s.SchemaSpec(
        name="Doc",
        root=h5s.GroupSpec(
            attributes=(h5s.AttributeSpec(name="a", type="int"), h5s.AttributeSpec(name="0", type="int")),
            members=(
                h5s.GroupSpec(name="a", required=False),
                h5s.DatasetSpec(name="attr_0", dtype="int8"),
                h5s.DatasetSpec(name="z", dtype="complex64", fillvalue=complex(float("inf"), 0.0)),
            ),
            patterns=(h5s.PatternSpec(pattern="p_.*", item=h5s.DatasetSpec(dtype="int8")),),
        ),
    )
    source = to_python(doc)
    assert 'fillvalue=complex(float("inf"), 0.0)' in source
    assert _load(tmp_path, source, "Doc") == doc
