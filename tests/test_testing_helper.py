"""h5schema.testing.assert_valid: passes on valid files, fails with the report."""

from __future__ import annotations

from pathlib import Path

import h5py
import pytest

from h5schema.testing import assert_valid
from tests.helpers import speech_schema, write_tutorial


def test_valid_file_passes_and_returns_the_report(tmp_path: Path) -> None:
    report = assert_valid(write_tutorial(tmp_path / "good.h5"), speech_schema())
    assert report.valid


def test_failure_message_is_the_report(tmp_path: Path) -> None:
    def drop(f: h5py.File) -> None:
        del f["features_A"].attrs["fs"]

    path = write_tutorial(tmp_path / "bad.h5", drop)
    with pytest.raises(AssertionError) as info:
        assert_valid(path, speech_schema())
    message = str(info.value)
    assert f"{path}: INVALID against SpeechFeatures (1 error)" in message
    assert "/features_A@fs" in message and "missing_attribute" in message


def test_strict_fails_on_warnings_and_open_files_work(tmp_path: Path) -> None:
    path = write_tutorial(tmp_path / "warn.h5", lambda f: f.create_group("features_A/extra"))
    assert_valid(path, speech_schema())
    with pytest.raises(AssertionError, match="unexpected_member"):
        assert_valid(path, speech_schema(), strict=True)
    with h5py.File(path, "r") as f:
        assert assert_valid(f, speech_schema()).warnings
