"""Data checks spread over forked processes report exactly what one process reports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import h5py
import numpy as np
import pytest

import h5schema as h5s
from h5schema._sandbox.forked import forked
from h5schema._validate import data as _datachecks
from h5schema._validate.spread import SERIAL, PartsFailed, Spread
from h5schema._validate.walk import walk_path

T = TypeVar("T")


class Checked(h5s.File):
    full: h5s.Dataset = h5s.dataset(np.float32, shape=(None, 64), ge=0, le=1, allow_nan=False)
    sparse: h5s.Dataset = h5s.dataset(np.int16, shape=(None,), values={0, 1, 2})
    labels: h5s.Dataset = h5s.dataset(str, shape=(None,), values={"a", "b"})


@pytest.fixture
def path(tmp_path: Path) -> Path:
    rng = np.random.default_rng(7)
    full = rng.random((5000, 64), dtype=np.float32)
    full[[3, 2600, 4999], [1, 5, 63]] = [-1.0, np.nan, 7.0]  # spread over the shares
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("full", data=full, chunks=(100, 64))
        sparse = f.create_dataset("sparse", shape=(100_000,), dtype=np.int16, chunks=(1000,), fillvalue=9)
        sparse[5000:9000] = 1
        sparse[60_000:61_000] = 5
        labels = np.array(["a", "b", "c"] * 3000, dtype=object)
        f.create_dataset("labels", data=labels, dtype=h5py.string_dtype(), chunks=(500,))
    return path


@pytest.mark.parametrize("workers", [2, 3])
def test_forked_checks_match_one_process(path: Path, workers: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Data checks split over forked copies give the serial report, element counts included."""
    monkeypatch.setattr(_datachecks, "PARALLEL_BYTES", 0)  # fork even for this small file
    spec = h5s.as_schema(Checked)
    one = walk_path(str(path), spec, spread=SERIAL)
    many = walk_path(str(path), spec, spread=forked(workers))
    assert many.to_json() == one.to_json()  # NaN examples compare equal as JSON
    assert {v.path for v in one} == {"/full", "/sparse", "/labels"}
    counts = {(v.path, v.expected): v.actual["count"] for v in one}
    assert counts[("/full", ">= 0 and <= 1")] == 2 and counts[("/full", "no NaN")] == 1
    assert counts[("/sparse", "values in [0, 1, 2]")] == 1000 + (100_000 - 5000)  # fives and fill 9
    assert counts[("/labels", "values in ['a', 'b']")] == 3000


def test_a_failing_part_is_an_unreadable_object(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An error inside a forked part comes back and is reported like a serial one."""
    monkeypatch.setattr(_datachecks, "PARALLEL_BYTES", 0)

    def broken(*args: object, **kwargs: object) -> None:
        raise h5s_object_error("cannot read data: injected")

    from h5schema import _h5

    h5s_object_error = _h5.ObjectError
    monkeypatch.setattr(_h5, "iter_blocks", broken)
    report = walk_path(str(path), h5s.as_schema(Checked), spread=forked(2))
    assert report.at("/full")[0].code is h5s.Code.OBJECT_UNREADABLE
    assert "injected" in report.at("/full")[0].message


def test_shared_group_walk_matches_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many pattern-matched groups walked in forked shares: the same report, in the same order."""
    from h5schema._validate import walk as _validate

    class Run(h5s.Group):
        rate: int = h5s.attribute(gt=0)
        x: h5s.Dataset = h5s.dataset(np.float32, shape=("n",), ge=0)
        y: h5s.Dataset = h5s.dataset(np.float32, shape=("n",))

    class Runs(h5s.File):
        runs: dict[str, Run] = h5s.members(r"run_\d+", min_count=1)

    path = tmp_path / "runs.h5"
    with h5py.File(path, "w") as f:
        for i in range(40):
            g = f.create_group(f"run_{i:02d}")
            g.attrs["rate"] = -1 if i in (3, 27) else 10
            g["x"] = np.arange(5, dtype=np.float32) - (i == 38)
            g["y"] = np.zeros(5 if i != 11 else 4, np.float32)
            if i == 20:
                g["extra"] = 1
        f["run_99"] = 7  # a dataset where a group is declared
    monkeypatch.setattr(_validate, "PARALLEL_GROUPS", 4)
    spec = h5s.as_schema(Runs)
    one = walk_path(str(path), spec, spread=SERIAL)
    assert len(one) == 6
    for workers in (2, 3):
        assert walk_path(str(path), spec, spread=forked(workers)).violations == one.violations


def test_the_walk_uses_the_spread_it_is_given(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk forks nothing itself: big jobs go through the injected map, serial by default."""
    monkeypatch.setattr(_datachecks, "PARALLEL_BYTES", 0)
    calls: list[int] = []

    def recording(n: int, work: Callable[[int], T], /) -> list[T]:
        calls.append(n)
        return [work(k) for k in range(n)]

    spec = h5s.as_schema(Checked)
    serial = walk_path(str(path), spec)
    spread = walk_path(str(path), spec, spread=Spread(workers=3, run=recording))
    assert calls == [3, 3, 3]  # one split per checked dataset
    assert spread.to_json() == serial.to_json()


def test_a_spread_that_cannot_run_parts_falls_back_to_one(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A map that raises PartsFailed (no copies could start) leaves the job to run here."""
    monkeypatch.setattr(_datachecks, "PARALLEL_BYTES", 0)

    def refusing(n: int, work: Callable[[int], T], /) -> list[T]:
        raise PartsFailed("no copies here")

    spec = h5s.as_schema(Checked)
    assert (
        walk_path(str(path), spec, spread=Spread(4, refusing)).to_json()
        == walk_path(str(path), spec).to_json()
    )
