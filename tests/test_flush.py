"""Flush policies and SWMR mode: when appended rows become durable, and who may read them.

What a SIGKILL would leave is observed without killing anything: the file is copied while the
writer holds it open (the copy is exactly the bytes the operating system has, which is what a
killed process leaves), and the copy is opened. tests/test_crash_safety.py kills real writers.
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

import h5schema as h5s
from h5schema._io import flush as _flush
from h5schema._io import materialize as _materialize


class Rec(h5s.Group):
    fs: int = h5s.attribute(16000, gt=0)
    x: h5s.Dataset = h5s.dataset(np.float32, shape=("n", 3), maxshape=(None, 3), chunks=(4, 3))
    tag: h5s.Dataset = h5s.dataset(str, shape=("n",), maxshape=(None,), values={"a", "b"})
    other: h5s.Dataset = h5s.dataset(np.int64, shape=("m",), maxshape=(None,), chunks=(4,))


class Root(h5s.File):
    rec: Rec = h5s.group()
    runs: dict[str, Rec] = h5s.members(r"run\d+")


class Stream(h5s.File):
    """A layout for SWMR writing: its strings are fixed-length."""

    x: h5s.Dataset = h5s.dataset(np.float32, shape=("n", 3), maxshape=(None, 3), chunks=(4, 3))
    tag: h5s.Dataset = h5s.dataset(h5s.string(4), shape=("n",), maxshape=(None,), values={"a", "b"})


def on_disk(path: Path, name: str = "rec/other", *, swmr: bool = False) -> list[Any]:
    """The rows of ``name`` a SIGKILL now would leave: a copy of the file's bytes, opened."""
    copy = path.with_name(path.name + ".copy")
    shutil.copyfile(path, copy)
    with h5py.File(copy, "r", swmr=swmr) as f:
        return list(f[name][()].tolist())


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(_flush, "monotonic", fake)
    return fake


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"every_rows": 0}, ValueError, "FlushPolicy.every_rows must be a positive int or None (got 0)"),
        ({"every_rows": -5}, ValueError, "every_rows must be a positive int"),
        ({"every_rows": 2.5}, ValueError, "every_rows must be a positive int or None (got 2.5)"),
        ({"every_rows": True}, TypeError, "every_rows must be a positive int or None (got True that is a"),
        ({"every_rows": "10"}, TypeError, "every_rows must be a positive int or None (got '10' that is a"),
        ({"every_seconds": 0}, ValueError, "FlushPolicy.every_seconds must be a positive, finite number"),
        ({"every_seconds": -1.0}, ValueError, "every_seconds must be a positive, finite number"),
        ({"every_seconds": math.nan}, ValueError, "every_seconds must be a positive, finite number"),
        ({"every_seconds": math.inf}, ValueError, "(got inf)"),
        ({"every_seconds": "5"}, TypeError, "every_seconds must be a positive, finite number of seconds or"),
    ],
)
def test_bad_policy_values_are_refused_naming_the_field(
    kwargs: dict[str, Any], error: type[Exception], words: str
) -> None:
    """A policy with a zero, negative, non-finite or non-numeric setting is refused at once."""
    with pytest.raises(error) as info:
        h5s.FlushPolicy(**kwargs)
    assert words in str(info.value)


def test_policy_is_frozen_and_keyword_only() -> None:
    """FlushPolicy is a frozen value; its settings are passed by name."""
    policy = h5s.FlushPolicy(every_rows=10, every_seconds=2)
    assert policy == h5s.FlushPolicy(every_rows=10, every_seconds=2)
    with pytest.raises(AttributeError):
        policy.every_rows = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        h5s.FlushPolicy(10)  # type: ignore[misc]


def test_writer_refuses_a_flush_that_is_not_a_policy(tmp_path: Path) -> None:
    """flush= takes a FlushPolicy (or None), nothing else."""
    with pytest.raises(TypeError, match="flush must be a FlushPolicy or None"):
        h5s.create(tmp_path / "f.h5", Root, flush=100)  # type: ignore[arg-type]


def test_default_policy_makes_rows_durable_only_on_flush_and_close(tmp_path: Path) -> None:
    """Without a policy nothing appended reaches the file until flush() or close()."""
    path = tmp_path / "f.h5"
    with h5s.create(path, Root) as f:
        assert f.flush_policy == h5s.FlushPolicy()
        other = f.dataset("rec/other")
        for i in range(10):
            other.append_row(i)
        assert on_disk(path) == []
        f.flush()
        assert on_disk(path) == list(range(10))
        other.append([10, 11])
        assert on_disk(path) == list(range(10))
    assert on_disk(path) == list(range(12))


def test_rows_policy_flushes_exactly_every_n_rows(tmp_path: Path) -> None:
    """every_rows=3: the rows become durable at the 3rd, 6th, ... row, not before."""
    path = tmp_path / "f.h5"
    durable = []
    with h5s.create(path, Root, flush=h5s.FlushPolicy(every_rows=3)) as f:
        other = f.dataset("rec/other")
        for i in range(8):
            other.append_row(i)
            durable.append(len(on_disk(path)))
    assert durable == [0, 0, 3, 3, 3, 6, 6, 6]
    assert on_disk(path) == list(range(8))


def test_a_batch_that_crosses_n_is_flushed_whole(tmp_path: Path) -> None:
    """A batch that brings the count to N or more is flushed with all its rows."""
    path = tmp_path / "f.h5"
    with h5s.create(path, Root, flush=h5s.FlushPolicy(every_rows=4)) as f:
        other = f.dataset("rec/other")
        other.append([0, 1, 2])
        assert on_disk(path) == []
        other.append([3, 4, 5, 6, 7, 8])  # 9 rows since the last flush
        assert on_disk(path) == list(range(9))
        other.append([9, 10, 11])  # the count restarted at the flush
        assert on_disk(path) == list(range(9))


def test_an_aligned_group_append_counts_its_rows_once(tmp_path: Path) -> None:
    """Appending k rows to x and tag together counts k rows, not 2k."""
    path = tmp_path / "f.h5"
    with h5s.create(path, Root, flush=h5s.FlushPolicy(every_rows=4)) as f:
        g = f.group("rec")
        g.append(x=np.zeros((2, 3), np.float32), tag=["a", "b"])
        assert on_disk(path, "rec/tag") == []
        g.append_row(x=np.ones(3, np.float32), tag="a")
        assert on_disk(path, "rec/tag") == []
        g.append_row(x=np.ones(3, np.float32), tag="b")
        assert on_disk(path, "rec/tag") == [b"a", b"b", b"a", b"b"]
        assert len(on_disk(path, "rec/x")) == 4


def test_an_explicit_flush_restarts_the_count(tmp_path: Path) -> None:
    """flush(), from the file or from any of its datasets, restarts the row count."""
    path = tmp_path / "f.h5"
    with h5s.create(path, Root, flush=h5s.FlushPolicy(every_rows=3)) as f:
        other = f.dataset("rec/other")
        other.append([0, 1])
        other.flush()  # a dataset's flush makes the whole file durable
        assert on_disk(path) == [0, 1]
        other.append([2, 3])
        assert on_disk(path) == [0, 1]
        other.append_row(4)
        assert on_disk(path) == [0, 1, 2, 3, 4]


def test_seconds_policy_flushes_at_the_first_append_after_t(tmp_path: Path, clock: FakeClock) -> None:
    """every_seconds=1: the first append 1 s or more after the last flush flushes; none before."""
    path = tmp_path / "f.h5"
    with h5s.create(path, Root, flush=h5s.FlushPolicy(every_seconds=1.0)) as f:
        other = f.dataset("rec/other")
        clock.now += 0.5
        other.append_row(0)
        assert on_disk(path) == []
        clock.now += 0.5  # 1.0 s after opening
        other.append_row(1)
        assert on_disk(path) == [0, 1]
        clock.now += 0.9
        other.append_row(2)
        assert on_disk(path) == [0, 1]
        clock.now += 60  # idle: no timer fires ...
        assert on_disk(path) == [0, 1]
        other.append_row(3)  # ... the next append flushes
        assert on_disk(path) == [0, 1, 2, 3]


def test_with_both_settings_whichever_comes_first_flushes(tmp_path: Path, clock: FakeClock) -> None:
    """Rows or seconds, the first one reached flushes and restarts both counts."""
    path = tmp_path / "f.h5"
    with h5s.create(path, Root, flush=h5s.FlushPolicy(every_rows=3, every_seconds=10)) as f:
        other = f.dataset("rec/other")
        other.append([0, 1, 2])  # rows first
        assert on_disk(path) == [0, 1, 2]
        clock.now += 9
        other.append_row(3)
        assert on_disk(path) == [0, 1, 2]  # 9 s: the flush at 3 rows restarted the clock
        clock.now += 1
        other.append_row(4)  # time first (2 rows since the flush)
        assert on_disk(path) == [0, 1, 2, 3, 4]
        other.append([5, 6])
        assert on_disk(path) == [0, 1, 2, 3, 4]  # and the row count restarted with it


def test_swmr_writer_is_read_concurrently(tmp_path: Path) -> None:
    """A SWMR writer's flushed rows are read by a swmr=True reader while it writes."""
    path = tmp_path / "f.h5"
    with h5s.create(path, Stream, swmr=True, flush=h5s.FlushPolicy(every_rows=2)) as f:
        assert f.swmr
        with h5py.File(path, "r", swmr=True) as reader:
            tag = reader["tag"]
            assert tag.shape == (0,)
            f.append_row(x=[0, 0, 0], tag="a")
            tag.refresh()
            assert tag.shape == (0,)  # not flushed yet
            f.append_row(x=[1, 1, 1], tag="b")
            f.append(x=np.full((3, 3), 2, np.float32), tag=["a", "a", "b"])
            tag.refresh()
            reader["x"].refresh()
            assert tag.asstr()[()].tolist() == ["a", "b", "a", "a", "b"]
            assert reader["x"][:, 0].tolist() == [0, 1, 2, 2, 2]
    assert h5s.validate(path, Stream).violations == ()  # closed cleanly: opens as any file


def test_swmr_file_copied_mid_write_opens_with_swmr_and_holds_flushed_rows(tmp_path: Path) -> None:
    """What a killed SWMR writer leaves opens with swmr=True (not plainly) and has its flushed rows."""
    path = tmp_path / "f.h5"
    with h5s.create(path, Root, swmr=True) as f:
        f.dataset("rec/other").append([1, 2, 3])
        f.flush()
        f.dataset("rec/other").append([4])
        assert on_disk(path, swmr=True) == [1, 2, 3]
        with pytest.raises(OSError, match="h5clear"):
            h5py.File(path.with_name(path.name + ".copy"), "r")


def test_swmr_mode_refuses_new_members_and_attributes(tmp_path: Path) -> None:
    """add() and set_attribute() would create objects, which SWMR writing cannot do."""
    path = tmp_path / "f.h5"
    with h5s.create(path, Root, swmr=True) as f:
        with pytest.raises(h5s.WriteError, match=r"/run1: cannot add a member in SWMR mode"):
            f.add("run1", Rec())
        with pytest.raises(h5s.WriteError, match=r"/rec: cannot set attribute 'fs' in SWMR mode"):
            f.group("rec").set_attribute("fs", 8000)
        f.dataset("rec/other").append([7])
    with h5s.open(path, Root) as r:
        assert "run1" not in r and r["rec"].attrs["fs"] == 16000
        assert r["rec/other"].read().tolist() == [7]


def test_swmr_mode_refuses_variable_length_appends(tmp_path: Path) -> None:
    """Variable-length strings live outside SWMR's ordering, so appending them is refused."""
    path = tmp_path / "f.h5"
    with h5s.create(path, Root, swmr=True) as f:
        g = f.group("rec")
        with pytest.raises(h5s.WriteError, match=r"/rec/tag: variable-length data cannot be appended"):
            g.append_row(x=[1, 2, 3], tag="a")
        assert len(g.dataset("x")) == 0  # all or nothing
    with h5s.create(tmp_path / "plain.h5", Root) as f:  # without SWMR they are fine
        f.group("rec").append_row(x=[1, 2, 3], tag="a")


def test_open_writer_in_swmr_mode_needs_a_file_created_for_it(tmp_path: Path) -> None:
    """swmr=True needs the HDF5 1.10 format: materialize(swmr=True) makes it, the default does not."""
    old, new = tmp_path / "old.h5", tmp_path / "new.h5"
    h5s.materialize(old, Root)
    with pytest.raises(h5s.WriteError, match=r"old\.h5: SWMR writing needs the HDF5 1\.10 file format"):
        h5s.open_writer(old, Root, swmr=True)
    with h5s.open_writer(old, Root) as f:  # the file is untouched and opens as before
        f.dataset("rec/other").append([1])
    h5s.materialize(new, Root, swmr=True)
    with h5s.open_writer(new, Root, swmr=True) as f:
        f.dataset("rec/other").append([1, 2])
    assert h5s.validate(new, Root).violations == ()


def test_materialize_builds_in_a_recognizable_hidden_sibling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the file is built, only .<name>.h5schema-<random>.tmp exists; afterwards only the target."""
    seen: list[list[str]] = []
    real = _materialize.write_plan

    def spying(parent: Any, plan: Any) -> None:
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        real(parent, plan)

    monkeypatch.setattr(_materialize, "write_plan", spying)
    h5s.materialize(tmp_path / "data.h5", Root)
    (listing,) = {tuple(names) for names in seen}  # the same at every group written
    assert len(listing) == 1
    assert re.fullmatch(r"\.data\.h5\.h5schema-[a-z0-9_]{8}\.tmp", listing[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.h5"]
