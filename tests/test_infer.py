"""h5schema infer: the inferred schema is one the file validates against, cleanly."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import h5schema as h5s
import h5schema.strategies as h5st
from h5schema import _h5
from h5schema._convert.infer import infer
from tests.helpers import write_tutorial
from tests.test_cli import run


def inferred(path: Path) -> h5s.SchemaSpec:
    f = _h5.open_read(path)
    try:
        return infer(_h5.root_of(f), "Inferred", 1_000_000)
    finally:
        f.close()


def test_infer_command_writes_a_schema_the_file_validates_against(tmp_path: Path) -> None:
    path = write_tutorial(tmp_path / "tut.h5")
    code, out, _ = run("infer", str(path), "-o", str(tmp_path / "tut.yaml"))
    assert code == 0 and out.strip() == f"wrote {tmp_path / 'tut.yaml'}"
    code, out, _ = run("validate", str(path), "--schema", str(tmp_path / "tut.yaml"))
    assert code == 0 and out.splitlines()[-1] == "1 file, 0 invalid, 0 errors, 0 warnings"
    spec = h5s.SchemaSpec.load(tmp_path / "tut.yaml")
    (features,) = [m for m in spec.root.members[0].members if m.name == "features"]
    assert features.shape is not None and features.shape[0].name == "n"  # shared with gender
    assert features.maxshape == (None, 40, 200)
    code, out, _ = run("infer", str(path), "--name", "Speech")
    assert code == 0 and "name: Speech" in out and "kind: string" in out


def test_infer_catches_drift(tmp_path: Path) -> None:
    """A schema inferred from one file flags what changed in the next version."""
    first = write_tutorial(tmp_path / "v1.h5")
    run("infer", str(first), "-o", str(tmp_path / "v1.json"))

    def drift(f: h5py.File) -> None:
        del f["features_A/gender"]
        f["features_A"].create_dataset("gender", data=np.array([b"m", b"f", b"f"]), maxshape=(None,))

    second = write_tutorial(tmp_path / "v2.h5", drift)
    code, out, _ = run("validate", str(second), "--schema", str(tmp_path / "v1.json"))
    assert code == 1 and "dtype_mismatch" in out and "/features_A/gender" in out


def test_infer_unreadable_file_exits_1(tmp_path: Path) -> None:
    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"nope")
    code, _, err = run("infer", str(junk))
    assert code == 1 and "not an HDF5 file" in err
    code, _, err = run("infer", str(junk), "-o", "x.txt")
    assert code == 2


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], max_examples=30)
@given(data=st.data(), schema=h5st.schemas())
def test_inferred_schema_validates_generated_files_cleanly(
    tmp_path: Path, data: st.DataObject, schema: h5s.SchemaSpec
) -> None:
    """Property: for any conforming file, infer then validate reports no violation at all."""
    path = data.draw(h5st.conforming_files(schema, tmp_path))
    spec = inferred(path)
    report = h5s.validate(path, spec, isolate=False)
    assert report.violations == (), str(report)
