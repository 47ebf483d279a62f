"""The benchmark harness itself works: each workload at its tiniest size, with no timing checks.

Speed is measured by ``python benchmarks/run.py``, never asserted here. Parts that need the
comparison tools of the ``bench`` extra are skipped when those are not installed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import h5py
import numpy as np
import pytest

import h5schema as h5s

ROOT = Path(__file__).resolve().parent.parent


def _load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmarks_run", ROOT / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


run = _load_runner()
from benchmarks.common import Row, Settings, Target, markdown_table  # noqa: E402  (importable once run.py is)
from benchmarks.workloads import p1_metadata, p3_walk, p4_append, p5_data  # noqa: E402


@pytest.fixture
def tiny(tmp_path: Path) -> Settings:
    """The smallest settings: tiny files, one timed run, no warm-up."""
    return Settings(tmp_path, "tiny", repeat=1, warmup=False)


def _check_rows(rows: list[Row], workload: str) -> None:
    assert rows and all(r.workload.startswith(workload) for r in rows)
    for r in rows:
        assert not r.note or r.workload == "P6", r.note  # P6 notes list imports; others flag disagreements
        if r.target is not None:
            assert r.ratio is not None and r.ratio > 0 and r.met is not None
    assert markdown_table(rows).count("\n") == len(rows) + 1


def test_command_line_choices() -> None:
    """--only takes known workload names in any case, and rejects unknown ones."""
    assert run.selected("") == list(run.WORKLOADS)
    assert run.selected("p1, scaling") == ["P1", "SCALING"]
    with pytest.raises(SystemExit):
        run.selected("P9")
    assert run.parse_args(["--quick", "--only", "P4"]).quick


def test_targets_and_table() -> None:
    """A missed target says by how much; a failing workload becomes a FAILED row."""
    assert Target("<=", 0.5).miss(1.0) == "2.00x off" and Target(">=", 10).miss(2.5) == "4.00x off"
    row = Row("P0", "demo", "base 1 s", "2 s", 2.0, "x", Target("<=", 0.5))
    assert row.met is False and "**no** (4.00x off)" in markdown_table([row])

    def broken(_s: Settings) -> list[Row]:
        raise RuntimeError("boom")

    run.WORKLOADS["BROKEN"] = broken
    try:
        rows = run.run_all(["BROKEN"], Settings(Path(".")))
    finally:
        del run.WORKLOADS["BROKEN"]
    assert rows[0].what == "FAILED" and "boom" in rows[0].baseline


def test_p1_file_and_schema(tmp_path: Path) -> None:
    """The P1 file is valid against the P1 schema, and its broken copy is not."""
    path = p1_metadata.build(tmp_path / "p1.h5", groups=2, per_group=2)
    assert p1_metadata.run_h5schema(path)
    p1_metadata.break_file(path)
    assert h5s.validate(path, p1_metadata.P1File).codes() == ["dtype_mismatch"]


def test_p1_with_other_validators(tiny: Settings) -> None:
    """P1 runs against hdf5schema (and numpydantic, pandera when present), all agreeing."""
    pytest.importorskip("hdf5schema")
    _check_rows(p1_metadata.run(tiny), "P1")


def test_p2_nwb(tiny: Settings) -> None:
    """A pynwb-written file passes NWBTimeSeriesFile and pynwb.validate; both refuse a broken one."""
    pytest.importorskip("pynwb")
    from benchmarks.workloads import p2_nwb

    _check_rows(p2_nwb.run(tiny), "P2")


def test_nwb_schema_is_a_ready_schema() -> None:
    """schemas/nwb_timeseries.py loads by reference and round-trips as a document."""
    spec = h5s.load_schema(f"{ROOT / 'schemas' / 'nwb_timeseries.py'}:NWBTimeSeriesFile")
    assert h5s.SchemaSpec.from_json(spec.to_json()) == spec


def test_p3_walk(tiny: Settings) -> None:
    """P3 walks and validates a small file of the 11-objects-per-group layout."""
    _check_rows(p3_walk.run(tiny), "P3")
    path = p3_walk.build(tiny.tmp / "walk.h5", groups=2)
    assert p3_walk.naive_walk(path) == 22


def test_p4_append(tiny: Settings) -> None:
    """The three append strategies write the same rows; the speech layout validates."""
    _check_rows(p4_append.run(tiny), "P4")
    assert not list(tiny.tmp.iterdir())  # every file was deleted


def test_p5_data(tiny: Settings) -> None:
    """P5 checks a clean dataset and measures the peak memory of two sizes in subprocesses."""
    rows = p5_data.run(tiny)
    _check_rows(rows, "P5")
    assert rows[-1].details["peak_mb"]["h5schema"][0] > 10
    path = p5_data.build(tiny.tmp / "bad.h5", 1 << 20)
    with h5py.File(path, "a") as f:
        f["x"][0, :2] = [np.nan, 0.3]
    assert h5s.validate(path, p5_data.Levels).codes() == ["value_constraint", "value_constraint"]


def test_p6_process(tiny: Settings) -> None:
    """P6 runs the h5schema command on a small file and reads -X importtime."""
    from benchmarks.workloads import p6_process

    rows = p6_process.run(tiny)
    _check_rows(rows, "P6")
    assert rows[1].details["import_seconds"] > 0


def test_scaling(tiny: Settings) -> None:
    """The scaling workload validates two object counts and two data sizes."""
    from benchmarks.workloads import scaling

    _check_rows(scaling.run(tiny), "SCALING")


def test_jobs(tiny: Settings) -> None:
    """JOBS runs the command and validate_many with -j 1 and -j 2 on data files and on small
    files, the runs agreeing and finding the broken files, and cleans up."""
    from benchmarks.workloads import jobs

    rows = jobs.run(tiny)
    _check_rows(rows, "JOBS")
    assert [r.target is not None for r in rows] == [True, False, False]
    assert all(r.details["files"] == 20 for r in rows) and not list(tiny.tmp.iterdir())


def test_jobs_files(tmp_path: Path) -> None:
    """A recording passes its schema; each broken one fails exactly its one data check."""
    from benchmarks.workloads import jobs
    from benchmarks.workloads.jobs_schema import Recording

    path = jobs.build_recording(tmp_path / "r.h5", 4096, seed=0)
    assert h5s.validate(path, Recording).valid
    for how in ("nan", "range", "label"):
        broken = jobs.build_recording(tmp_path / f"{how}.h5", 4096, seed=0)
        jobs.break_recording(broken, how)
        assert h5s.validate(broken, Recording).codes() == ["value_constraint"]


def test_jobs_disagreement_is_noted(tiny: Settings) -> None:
    """Runs that print different reports, or miss a broken file, are flagged in the row's note."""
    from benchmarks.workloads import jobs

    assert "2 different outputs" in jobs.timed(str, tiny, None)[1]
    same = '{"files": [{"file": "a.h5", "valid": true}]}'
    assert "expected ['a.h5']" in jobs.timed(lambda j: same, tiny, {"a.h5"})[1]
    assert jobs.timed(lambda j: same, tiny, set())[1] == ""
