"""Acceptance: the tutorial layout written with raw h5py, and each classic defect in it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np
import pytest

import h5schema as h5s
from tests.helpers import recreate, speech_schema, write_tutorial


def test_tutorial_file_validates_clean(tmp_path: Path) -> None:
    """The tutorial's own file, features_A and features_B filled, has no violation at all."""
    report = h5s.validate(write_tutorial(tmp_path / "t.h5"), speech_schema())
    assert report.valid
    assert report.violations == ()


def _del_attr(f: h5py.File) -> None:
    del f["features_A"].attrs["fs"]


def _float64(f: h5py.File) -> None:
    recreate(f, "features_A/features", dtype="f8", maxshape=(None, 40, 200))


def _dim_199(f: h5py.File) -> None:
    del f["features_A/features"]
    f["features_A"].create_dataset("features", (3, 40, 199), maxshape=(None, 40, 200), dtype="f4")


def _not_resizable(f: h5py.File) -> None:
    recreate(f, "features_A/features", dtype="f4")


def _fixed_bytes(f: h5py.File) -> None:
    recreate(f, "features_A/gender", data=np.array([b"m", b"f", b"m"]), maxshape=(None,))


def _short_gender(f: h5py.File) -> None:
    f["features_A/gender"].resize((2,))


def _fs_string(f: h5py.File) -> None:
    f["features_A"].attrs["fs"] = "16000"


def _gender_x(f: h5py.File) -> None:
    f["features_A/gender"][1] = "x"


def _extra_dataset(f: h5py.File) -> None:
    f["features_A"].create_dataset("notes", data=np.arange(3), dtype="i8")


def _no_groups(f: h5py.File) -> None:
    del f["features_A"]
    del f["features_B"]


def _missing_dataset(f: h5py.File) -> None:
    del f["features_B/features"]


DEFECTS: list[tuple[Callable[[h5py.File], None], str, str, str]] = [
    (_del_attr, "missing_attribute", "/features_A@fs", "error"),
    (_float64, "dtype_mismatch", "/features_A/features", "error"),
    (_dim_199, "shape_mismatch", "/features_A/features", "error"),
    (_not_resizable, "maxshape_mismatch", "/features_A/features", "error"),
    (_fixed_bytes, "dtype_mismatch", "/features_A/gender", "error"),
    (_short_gender, "dim_mismatch", "/features_A/gender", "error"),
    (_fs_string, "attribute_type", "/features_A@fs", "error"),
    (_gender_x, "value_constraint", "/features_A/gender", "error"),
    (_extra_dataset, "unexpected_member", "/features_A/notes", "warning"),
    (_no_groups, "member_count", "/", "error"),
    (_missing_dataset, "missing_dataset", "/features_B/features", "error"),
]


@pytest.mark.parametrize(
    ("mutate", "code", "path", "severity"), DEFECTS, ids=[d[1] + d[0].__name__ for d in DEFECTS]
)
def test_each_defect_is_reported_alone(
    tmp_path: Path, mutate: Callable[[h5py.File], None], code: str, path: str, severity: str
) -> None:
    """Each classic defect yields exactly its code, at its path, with its severity."""
    report = h5s.validate(write_tutorial(tmp_path / "t.h5", mutate), speech_schema())
    assert [(v.code.value, v.path, v.severity.value) for v in report] == [(code, path, severity)]
    assert report.valid is (severity == "warning")
    assert not report.violations[0].message.startswith(f"{path}:")  # the path is its own field
    assert f"\n  {path}\n    [{severity}] {code}: " in str(report)  # and the text shows it once


def test_truncated_file_is_unreadable_not_an_exception(tmp_path: Path) -> None:
    """A file cut in half is a file_unreadable violation saying it is truncated."""
    path = write_tutorial(tmp_path / "t.h5")
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.truncate(size // 2)
    report = h5s.validate(path, speech_schema())
    assert report.codes() == ["file_unreadable"]
    assert "truncated" in report.violations[0].message


def test_all_defects_at_once_are_all_reported(tmp_path: Path) -> None:
    """The validator never stops at the first violation."""

    def many(f: h5py.File) -> None:
        _del_attr(f)
        _float64(f)
        _short_gender(f)
        _extra_dataset(f)
        _missing_dataset(f)

    report = h5s.validate(write_tutorial(tmp_path / "t.h5", many), speech_schema())
    assert sorted(report.codes()) == sorted(
        ["missing_attribute", "dtype_mismatch", "dim_mismatch", "unexpected_member", "missing_dataset"]
    )


def test_expected_and_actual_are_plain_values(tmp_path: Path) -> None:
    """expected/actual describe the declared and found values, as JSON-ready data."""
    report = h5s.validate(write_tutorial(tmp_path / "t.h5", _float64), speech_schema())
    (v,) = report.violations
    assert (v.expected, v.actual) == ("float32", "float64")
    assert "expected dtype float32, got float64" in v.message
