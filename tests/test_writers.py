"""Writers: validated, buffered, aligned appends; nothing written when a batch is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

import h5schema as h5s
from h5schema._io import dataset_writer as _dataset_writer


class Rec(h5s.Group):
    fs: int = h5s.attribute(16000, gt=0)
    x: h5s.Dataset = h5s.dataset(np.float32, shape=("n", 3), maxshape=(None, 3), chunks=(4, 3))
    tag: h5s.Dataset = h5s.dataset(str, shape=("n",), maxshape=(None,), values={"a", "b"})
    other: h5s.Dataset = h5s.dataset(np.int64, shape=("m",), maxshape=(None,))


class Root(h5s.File):
    rec: Rec = h5s.group()
    runs: dict[str, Rec] = h5s.members(r"run\d+")
    fixed: h5s.Dataset = h5s.dataset(np.int8, shape=(2,))


def snapshot(path: Path) -> dict[str, Any]:
    with h5py.File(path) as f:
        out: dict[str, Any] = {}
        f.visititems(lambda n, o: out.__setitem__(n, o[()].tolist()) if isinstance(o, h5py.Dataset) else None)
        return out


def test_row_appends_are_buffered_and_written_on_close(tmp_path: Path) -> None:
    """Rows appended one at a time all land, in order, once the writer closes."""
    path = tmp_path / "f.h5"
    with h5s.create(path, Root) as f:
        g = f.group("rec")
        for i in range(10):
            g.append_row(x=[i, i, i], tag="a" if i % 2 else "b")
        assert len(g.dataset("x")) == 10
    data = snapshot(path)
    assert [row[0] for row in data["rec/x"]] == list(range(10))
    assert data["rec/tag"] == [b"b", b"a"] * 5
    assert h5s.validate(path, Root).violations == ()


def test_leaving_the_block_with_an_exception_still_writes_buffered_rows(tmp_path: Path) -> None:
    """The with block flushes on the way out, even when user code raised."""
    path = tmp_path / "f.h5"

    def produce() -> None:
        with h5s.create(path, Root) as f:
            f.dataset("rec/other").append([1, 2, 3])
            raise RuntimeError("producer crashed")

    with pytest.raises(RuntimeError):
        produce()
    assert snapshot(path)["rec/other"] == [1, 2, 3]


@pytest.mark.parametrize(
    ("batch", "words"),
    [
        (
            {"x": np.zeros((2, 4), np.float32), "tag": ["a", "b"]},
            "expected a batch of shape (k, 3), got (2, 4)",
        ),
        ({"x": np.zeros((2, 3), np.float32), "tag": ["a", "c"]}, "outside them: 'c'"),
        ({"x": np.full((2, 3), 0.1), "tag": ["a", "b"]}, "cannot store float64 data as float32 without loss"),
        (
            {"x": np.zeros((2, 3), np.float32), "tag": [b"a", b"b"]},
            "expected str for str (variable-length UTF-8), got bytes",
        ),
        ({"x": np.zeros((2, 3), np.float32), "tag": ["a"]}, "aligned batches differ in length"),
        ({"x": np.zeros((2, 3), np.float32)}, "datasets ['tag'] share a dim"),
        ({"x": np.zeros((2, 3), np.float32), "tag": ["a\x00", "b"]}, "NUL"),
        ({"x": [["1", "2", "3"]], "tag": ["a"]}, "expected numbers"),
    ],
)
def test_refused_group_append_writes_nothing(tmp_path: Path, batch: dict[str, Any], words: str) -> None:
    """An aligned append with any bad part raises WriteError and changes nothing."""
    path = tmp_path / "f.h5"
    with h5s.create(path, Root) as f:
        g = f.group("rec")
        g.append(x=np.ones((3, 3), np.float32), tag=["a", "b", "a"])
        f.flush()
        before = snapshot(path)
        with pytest.raises(h5s.WriteError) as info:
            g.append(batch)
        assert words in str(info.value)
        assert len(g.dataset("x")) == 3 and len(g.dataset("tag")) == 3
    assert snapshot(path) == before


def test_casting_options(tmp_path: Path) -> None:
    """lossless accepts exact values, same_kind and unsafe follow numpy."""
    with h5s.create(tmp_path / "f.h5", Root) as f:
        g = f.group("rec")
        x = g.dataset("x")
        g.append(x=np.array([[1.0, 2.0, 0.5]]), tag=["a"])  # float64 values exact in float32
        g.append(x=np.array([[1, 2, 3]], dtype=np.int64), tag=["a"])  # ints exact in float32
        with pytest.raises(h5s.WriteError, match="without loss"):
            g.append(x=np.array([[16777217, 0, 0]]), tag=["a"])
        with pytest.raises(h5s.WriteError, match="round it first or pass casting='same_kind'"):
            g.append(x=np.array([[0.1, 0.2, 0.3]]), tag=["a"])
        g.append(x=np.array([[0.1, 0.2, 0.3]]), tag=["a"], casting="same_kind")
        other = f.dataset("rec/other")
        with pytest.raises(h5s.WriteError, match="convert it first"):
            other.append(np.array([1.5]))
        with pytest.raises(h5s.WriteError, match="casting='same_kind'"):
            other.append(np.array([1.5]), casting="same_kind")
        other.append(np.array([1.9]), casting="unsafe")
        assert x.read()[:, 0].tolist() == pytest.approx([1.0, 1.0, 0.1])
        assert other.read().tolist() == [1]


def test_append_to_non_resizable_dataset_is_refused(tmp_path: Path) -> None:
    """A dataset without unlimited axes cannot be appended to."""
    with h5s.create(tmp_path / "f.h5", Root) as f, pytest.raises(h5s.WriteError, match="no axis can grow"):
        f.dataset("fixed").append([1])


def test_dataset_sharing_a_row_dim_is_appended_through_its_group(tmp_path: Path) -> None:
    """A direct append to one of several aligned datasets is refused: the dim would drift."""
    with h5s.create(tmp_path / "f.h5", Root) as f:
        with pytest.raises(h5s.WriteError, match=r"shares its row dim with \['tag'\]"):
            f.dataset("rec/x").append(np.zeros((1, 3), np.float32))
        assert len(f.dataset("rec/x")) == 0
    assert h5s.validate(tmp_path / "f.h5", Root).valid


def test_bounded_resizable_axis_grows_up_to_its_maximum(tmp_path: Path) -> None:
    """maxshape=(4,) lets appends grow the axis to 4 and refuses a fifth row."""

    class B(h5s.File):
        d: h5s.Dataset = h5s.dataset(np.int32, shape=(h5s.dim(max=4),), maxshape=(4,), chunks=(2,))

    with h5s.create(tmp_path / "b.h5", B) as f:
        f.dataset("d").append([1, 2, 3])
        with pytest.raises(h5s.WriteError, match="would exceed maxshape 4"):
            f.dataset("d").append([4, 5])
        f.dataset("d").append([4])
        assert f.dataset("d").read().tolist() == [1, 2, 3, 4]


def test_add_pattern_members_later(tmp_path: Path) -> None:
    """New members matching a pattern are created through the writer; undeclared names are refused."""
    path = tmp_path / "f.h5"
    with h5s.create(path, Root) as f:
        run = f.add("run1", Rec(fs=8000))
        assert isinstance(run, h5s.GroupWriter)
        run.append(x=np.zeros((1, 3), np.float32), tag=["a"])
        with pytest.raises(KeyError, match="not declared"):
            f.add("walk1")
        with pytest.raises(h5s.MaterializeError, match="exists already"):
            f.add("run1")
        with pytest.raises(h5s.MaterializeError, match="expected > 0"):
            f.add("run2", {"@fs": -1})
    with h5s.open(path, Root) as r:
        assert r["run1"].attrs["fs"] == 8000
    assert h5s.validate(path, Root).violations == ()


def test_set_attribute_checks_the_value(tmp_path: Path) -> None:
    """Attributes can be replaced after creation, through the same checks."""
    path = tmp_path / "f.h5"
    with h5s.create(path, Root) as f:
        f.group("rec").set_attribute("fs", 44100)
        with pytest.raises(h5s.WriteError, match="expected > 0"):
            f.group("rec").set_attribute("fs", 0)
        with pytest.raises(h5s.WriteError, match="not declared"):
            f.group("rec").set_attribute("nope", 1)
    with h5s.open(path) as r:
        assert r["rec"].attrs["fs"] == 44100


def test_open_writer_appends_to_an_existing_file_and_refuses_invalid_ones(tmp_path: Path) -> None:
    """open_writer validates first; a broken file raises InvalidFileError carrying the report."""
    path = tmp_path / "f.h5"
    h5s.materialize(path, Root)
    with h5s.open_writer(path, Root) as f:
        f.dataset("rec/other").append([5, 6])
    assert snapshot(path)["rec/other"] == [5, 6]
    with h5py.File(path, "a") as raw:
        del raw["rec/tag"]
    with pytest.raises(h5s.InvalidFileError) as info:
        h5s.open_writer(path, Root)
    assert info.value.report.codes() == ["missing_dataset"]


def test_large_batches_are_written_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch beyond the buffer size is written at once, and reads back whole."""
    monkeypatch.setattr(_dataset_writer, "_BUFFER_BYTES", 64)
    with h5s.create(tmp_path / "f.h5", Root) as f:
        other = f.dataset("rec/other")
        other.append(np.arange(100))
        other.append([])
        other.append(np.arange(100, 103))
        assert other.read().tolist() == list(range(103))


def test_a_reused_row_array_is_copied_when_appended(tmp_path: Path) -> None:
    """A producer that refills one array per row gets every row, not the last one repeated."""
    with h5s.create(tmp_path / "f.h5", Root) as f:
        other = f.dataset("rec/other")
        row = np.zeros(1, dtype=np.int64)
        for i in range(5):
            row[0] = i
            other.append(row)
    assert snapshot(tmp_path / "f.h5")["rec/other"] == [0, 1, 2, 3, 4]
