"""The optimized validator reports exactly what a simple reference walk reports."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import h5py
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

import h5schema as h5s
import h5schema.strategies as h5st
from tests import test_codes, test_tutorial
from tests.helpers import speech_schema, write_tutorial
from tests.reference_walker import reference_validate


def findings(report: h5s.Report) -> set[tuple[str, str, str]]:
    return {(v.path, v.code.value, v.severity.value) for v in report}


@pytest.mark.parametrize("defect", test_tutorial.DEFECTS, ids=[d[1] for d in test_tutorial.DEFECTS])
def test_tutorial_defects_match_the_reference(
    tmp_path: Path, defect: tuple[Callable[[h5py.File], None], str, str, str]
) -> None:
    """Each tutorial defect: the fast walk and the reference walk find the same violations."""
    path = write_tutorial(tmp_path / "t.h5", defect[0])
    assert findings(h5s.validate(path, speech_schema())) == reference_validate(str(path), speech_schema())


@pytest.mark.parametrize(
    ("name", "value"), [("i", "16000"), ("f", 1.5), ("names", ["x"]), ("vec", [1.0, -2.0, 3.0])]
)
def test_attribute_cases_match_the_reference(tmp_path: Path, name: str, value: object) -> None:
    """Attribute type and value problems: same findings in both walks."""

    def build(f: h5py.File) -> None:
        test_codes.good_attrs(f)
        del f.attrs[name]
        f.attrs[name] = value
        f.attrs["extra"] = 1

    path = tmp_path / "a.h5"
    with h5py.File(path, "w") as f:
        build(f)
    assert findings(h5s.validate(path, test_codes.Attrs)) == reference_validate(str(path), test_codes.Attrs)


def test_layout_and_data_cases_match_the_reference(tmp_path: Path) -> None:
    """Layout codes and blocked data checks: same findings as the whole-array reference."""
    import numpy as np

    for schema, build in (
        (test_codes.Data, None),
        (test_codes.Table, test_codes.good_table),
    ):
        path = tmp_path / f"{getattr(schema, '__name__', 'x')}.h5"
        with h5py.File(path, "w") as f:
            if build is not None:
                build(f)
            else:
                utf8 = h5py.string_dtype("utf-8", 4)
                f.create_dataset(
                    "label", data=np.array([b"cat", b"cow"] * 40, dtype=utf8), dtype=utf8, chunks=(7,)
                )
                prob = np.linspace(-0.5, 1.5, 300).astype("f4")
                prob[17] = np.nan
                f.create_dataset("prob", data=prob, chunks=(16,))
                f.create_dataset("count", data=np.arange(-3, 40, dtype="i4"))
        assert findings(h5s.validate(path, schema)) == reference_validate(str(path), schema)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
@given(data=st.data(), schema=h5st.schemas())
def test_generated_files_and_defects_match_the_reference(
    tmp_path: Path, data: st.DataObject, schema: h5s.SchemaSpec
) -> None:
    """On generated schemas and files, clean or with up to two defects, both walks agree."""
    values = data.draw(h5st.values_for(schema), label="values")
    path = Path(tempfile.mkdtemp(dir=tmp_path)) / "file.h5"
    try:
        h5s.materialize(path, schema, values=values)
    except h5s.MaterializeError:
        reject()
    for _ in range(data.draw(st.integers(0, 2), label="defects")):
        try:
            data.draw(h5st.mutants(schema, path), label="defect")
        except Exception:  # a second defect may find nothing left to break
            break
    assert findings(h5s.validate(path, schema)) == reference_validate(str(path), schema)
