"""The materializer: conforming files, values checked before writing, atomic creation."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

import h5schema as h5s
from tests.helpers import IMAGES_REF, speech_schema


class Units(h5s.Dataset):
    units: str = "s"


class Meta(h5s.Group):
    title: str
    version: int = h5s.attribute(1, ge=1)


class Layout(h5s.File):
    meta: Meta = h5s.group()
    notes: Meta | None = None
    t: Units = h5s.dataset(
        np.float64,
        shape=("n",),
        maxshape=(None,),
        chunks=(16,),
        compression="gzip",
        compression_opts=3,
        shuffle=True,
        fletcher32=True,
        fillvalue=-1.0,
    )
    flags: h5s.Dataset = h5s.dataset(np.uint8, shape=("n", 2), maxshape=(None, 2))
    grid: h5s.Dataset = h5s.dataset(np.int16, shape=(3, 4), fillvalue=7)
    scalar: h5s.Dataset = h5s.dataset(np.float32, shape=())
    label: h5s.Dataset = h5s.dataset(h5s.string(8, encoding="ascii"), shape=(2,), fillvalue=b"none")


def test_materialize_creates_exactly_the_declared_layout(tmp_path: Path) -> None:
    """dtype, shape, maxshape, chunks, filters, fill value and attributes are as declared."""
    path = h5s.materialize(tmp_path / "f.h5", Layout(meta=Meta(title="x")))
    assert h5s.validate(path, Layout).violations == ()
    with h5py.File(path) as f:
        t = f["t"]
        assert (t.dtype, t.shape, t.maxshape, t.chunks) == (np.dtype("f8"), (0,), (None,), (16,))
        assert (t.compression, t.compression_opts, t.shuffle, t.fletcher32, t.fillvalue) == (
            "gzip",
            3,
            True,
            True,
            -1.0,
        )
        assert dict(t.attrs) == {"units": "s"}
        assert f["flags"].maxshape == (None, 2)
        assert f["flags"].chunks is not None and f["flags"].chunks[1] == 2
        assert (f["grid"][()] == 7).all() and f["grid"].chunks is None
        assert f["scalar"].shape == ()
        assert list(f["label"][()]) == [b"none", b"none"]
        assert dict(f["meta"].attrs) == {"title": "x", "version": 1}
        assert "notes" not in f


def test_materialize_fills_from_data_and_binds_dims(tmp_path: Path) -> None:
    """Given data fills datasets; empty datasets sharing a dim get that dim's length."""
    value = Layout(
        meta=Meta(title="x"), t=Units(data=np.arange(5.0), units="ms"), grid=np.ones((3, 4), np.int16)
    )
    path = h5s.materialize(tmp_path / "f.h5", value)
    with h5py.File(path) as f:
        assert f["t"][()].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
        assert f["t"].attrs["units"] == "ms"
        assert f["flags"].shape == (5, 2)


@pytest.mark.parametrize(
    ("values", "words"),
    [
        (
            {
                "meta": {"@title": "x"},
                "t": {"data": [1.5, 2.5]},
                "flags": {"data": np.zeros((3, 2), np.uint8)},
            },
            "dim 'n' is 2",
        ),
        ({"meta": {"@title": "x"}, "grid": {"data": np.zeros((3, 5), np.int16)}}, "does not fit (3, 4)"),
        ({"meta": {"@title": "x"}, "grid": {"data": np.full((3, 4), 0.5)}}, "without loss"),
        ({"meta": {"@title": "x", "@version": 0}}, "/meta@version: expected >= 1, got 0"),
        ({"meta": {"@title": 3}}, "/meta@title: expected str, got int 3"),
        ({"meta": {}}, "/meta@title: required attribute has no value"),
        ({"meta": {"@title": "x"}, "bogus": {}}, "members ['bogus'] are not declared"),
        ({"meta": {"@title": "x", "@bogus": 1}}, "attributes ['bogus'] are not declared"),
        ({"meta": {"@title": "x"}, "label": {"data": [b"a" * 9, b""]}}, "longer than the fixed length 8"),
    ],
)
def test_bad_values_raise_before_anything_is_written(
    tmp_path: Path, values: dict[str, Any], words: str
) -> None:
    """Values that do not fit raise MaterializeError and leave nothing behind."""
    with pytest.raises(h5s.MaterializeError, match=None) as info:
        h5s.materialize(tmp_path / "f.h5", Layout.to_spec(), values=values)
    assert words in str(info.value)
    assert os.listdir(tmp_path) == []


def test_missing_required_attribute_from_class_defaults(tmp_path: Path) -> None:
    """A class whose required attributes have no value cannot be materialized from defaults."""
    with pytest.raises(h5s.MaterializeError, match=r"/meta@title: required attribute has no value"):
        h5s.materialize(tmp_path / "f.h5", Layout)
    assert os.listdir(tmp_path) == []


def test_refuses_to_overwrite_unless_asked(tmp_path: Path) -> None:
    """An existing target is kept unless overwrite=True; then it is replaced whole."""
    target = tmp_path / "f.h5"
    target.write_bytes(b"precious")
    with pytest.raises(h5s.TargetExistsError):
        h5s.materialize(target, Layout(meta=Meta(title="x")))
    assert target.read_bytes() == b"precious"
    h5s.materialize(target, Layout(meta=Meta(title="x")), overwrite=True)
    assert h5s.validate(target, Layout).valid
    assert sorted(os.listdir(tmp_path)) == ["f.h5"]


def test_failure_while_writing_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If HDF5 fails mid-build, neither the target nor the temporary file remains."""
    from h5schema import _h5

    def boom(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(_h5, "write_attribute", boom)
    with pytest.raises(OSError, match="disk full"):
        h5s.materialize(tmp_path / "f.h5", Layout(meta=Meta(title="x")))
    assert os.listdir(tmp_path) == []


def test_file_mode_follows_umask(tmp_path: Path) -> None:
    """The created file has the permissions a plain h5py file would have, not 0600."""
    path = h5s.materialize(tmp_path / "f.h5", Layout(meta=Meta(title="x")))
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_document_form_with_mapping_values(tmp_path: Path) -> None:
    """A schema document materializes from a mapping keyed by HDF5 names."""
    spec = speech_schema()
    feats = np.zeros((2, 40, 200), np.float32)
    values = {
        "features_X": {
            "@fs": 8000,
            "@win_dur": 0.02,
            "@hop_dur": 0.01,
            "features": feats,
            "gender": ["m", "f"],
        }
    }
    path = h5s.materialize(tmp_path / "s.h5", spec, values=values)
    assert h5s.validate(path, spec).violations == ()
    with h5s.open(path, spec) as r:
        assert list(r["features_X/gender"][:]) == ["m", "f"]


def test_family_dtype_needs_data_or_exact_dtype(tmp_path: Path) -> None:
    """A dataset declared by family is created from data of that family, or refused."""

    class F(h5s.File):
        x: h5s.Dataset = h5s.dataset(h5s.family("float"))

    with pytest.raises(h5s.MaterializeError, match="declare an exact dtype"):
        h5s.materialize(tmp_path / "a.h5", F.to_spec())
    with pytest.raises(h5s.MaterializeError, match="does not match any float"):
        h5s.materialize(tmp_path / "a.h5", F(x=np.arange(3)))
    path = h5s.materialize(tmp_path / "a.h5", F(x=np.arange(3, dtype=np.float16)))
    with h5py.File(path) as f:
        assert f["x"].dtype == np.float16


def test_image_classification_schema_round_trip(tmp_path: Path) -> None:
    """The second ready schema materializes, takes appends and validates clean."""
    schema = h5s.load_schema(IMAGES_REF)
    values = {"@class_names": ["cat", "dog"], "images": np.zeros((0, 8, 8, 3), np.uint8), "split": []}
    with h5s.create(tmp_path / "img.h5", schema, values=values) as f:
        for i in range(5):
            f.append_row(images=np.full((8, 8, 3), i, np.uint8), labels=i % 2, split="train")
    report = h5s.validate(tmp_path / "img.h5", schema)
    assert report.violations == ()
    with h5s.open(tmp_path / "img.h5", schema) as r:
        assert r.attrs["class_names"].tolist() == ["cat", "dog"]
        assert r["images"].shape == (5, 8, 8, 3)
        assert list(r["split"][:]) == ["train"] * 5


def test_optional_dataset_absent_is_not_an_aligned_partner(tmp_path: Path) -> None:
    """Appends need only the aligned datasets that exist; an absent optional one is skipped."""
    schema = h5s.load_schema(IMAGES_REF)
    values = {"@class_names": ["a"], "images": np.zeros((0, 4, 4, 1), np.uint8)}
    with h5s.create(tmp_path / "img.h5", schema, values=values) as f:
        f.append_row(images=np.zeros((4, 4, 1), np.uint8), labels=0)
        with pytest.raises(h5s.WriteError, match="must be appended together"):
            f.append_row(images=np.zeros((4, 4, 1), np.uint8))
    assert h5s.validate(tmp_path / "img.h5", schema).violations == ()


def test_choose_chunks_never_splits_fixed_axes() -> None:
    """Automatic chunks keep fixed axes whole and land near 1 MiB."""
    from h5schema._io.plan import choose_chunks

    assert choose_chunks((0, 40, 200), (None, 40, 200), 4) == (32, 40, 200)
    assert choose_chunks((0,), (None,), 8) == (131072,)
    big = choose_chunks((0, 1000, 1000), (None, 1000, 1000), 8)
    assert big[0] == 1 and big[1:] == (1000, 1000)


def test_fill_value_that_breaks_data_checks_needs_data(tmp_path: Path) -> None:
    """A dataset sized by a sibling's dim but given no data is refused if its fill breaks checks."""

    class S(h5s.File):
        f: h5s.Dataset = h5s.dataset(np.float32, shape=("n", 4), maxshape=(None, 4))
        g: h5s.Dataset = h5s.dataset(str, shape=("n",), maxshape=(None,), values={"m", "f"})
        h: h5s.Dataset = h5s.dataset(str, shape=("n",), maxshape=(None,), values={"m", "?"}, fillvalue="?")

    with pytest.raises(
        h5s.MaterializeError, match=r"/g: no data given .* fill value '' breaks its data checks"
    ):
        h5s.materialize(tmp_path / "a.h5", S(f=np.zeros((2, 4), np.float32)))
    assert os.listdir(tmp_path) == []
    path = h5s.materialize(tmp_path / "a.h5", S(f=np.zeros((2, 4), np.float32), g=["m", "f"]))
    assert h5s.validate(path, S).violations == ()


@pytest.mark.parametrize(("dtype", "fill"), [(str, "x"), (bytes, b"y"), (h5s.string(3), "abc")])
def test_string_fill_values_round_trip(tmp_path: Path, dtype: Any, fill: Any) -> None:
    """A declared fill value on any string flavour is written and validates."""

    class S(h5s.File):
        d: h5s.Dataset = h5s.dataset(dtype, shape=(2,), fillvalue=fill)

    path = h5s.materialize(tmp_path / "a.h5", S)
    assert h5s.validate(path, S).violations == ()
    with h5s.open(path) as r:
        assert r["d"][:].tolist() == [fill, fill]


def test_instances_accept_numpy_scalars(tmp_path: Path) -> None:
    """np.int64 and np.float32 values from numpy code are accepted for int and float fields."""
    value = Meta(title="x", version=np.int64(3))
    assert value.version == 3 and type(value.version) is int
