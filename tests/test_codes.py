"""Every violation code, on layouts other than the tutorial's: right code, path and severity."""

from __future__ import annotations

import enum
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import h5py
import numpy as np
import pytest

import h5schema as h5s
from h5schema._report.report import jsonable
from h5schema._validate import data as _datachecks

Build = Callable[[h5py.File], None]


def check(tmp_path: Path, schema: Any, build: Build, **kw: Any) -> h5s.Report:
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        build(f)
    return h5s.validate(path, schema, **kw)


def found(report: h5s.Report) -> list[tuple[str, str, str]]:
    return [(v.code.value, v.path, v.severity.value) for v in report]


class Meta(h5s.Group):
    title: str = h5s.attribute(min_length=1)
    version: int = h5s.attribute(ge=1)


class Table(h5s.File):
    meta: Meta = h5s.group()
    x: h5s.Dataset = h5s.dataset(np.float64, shape=("n",), maxshape=(None,), chunks=True)
    y: h5s.Dataset = h5s.dataset(np.int16, shape=("n", 3))


def good_table(f: h5py.File, n: int = 4) -> None:
    m = f.create_group("meta")
    m.attrs["title"] = "t"
    m.attrs["version"] = np.int32(2)
    f.create_dataset("x", data=np.arange(n, dtype="f8"), maxshape=(None,), chunks=(2,))
    f.create_dataset("y", data=np.zeros((n, 3), "i2"))


def test_good_table_is_clean(tmp_path: Path) -> None:
    """The reference file of this module has no violation (int32 counts as int)."""
    assert found(check(tmp_path, Table, good_table)) == []


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda f: f.create_group("nothing"), "missing_group"),
    ],
)
def test_missing_group(tmp_path: Path, make: Build, expected: str) -> None:
    """A required group that is absent is missing_group at its path."""

    def build(f: h5py.File) -> None:
        good_table(f)
        del f["meta"]

    assert found(check(tmp_path, Table, build)) == [("missing_group", "/meta", "error")]


def test_missing_dataset_and_optional_members(tmp_path: Path) -> None:
    """Required datasets are reported missing; optional groups/datasets may be absent."""

    class Opt(h5s.File):
        a: h5s.Dataset = h5s.dataset(np.int8)
        b: h5s.Dataset | None = h5s.dataset(np.int8)
        c: h5s.Dataset = h5s.dataset(np.int8, required=False)
        g: Meta | None = None

    report = check(tmp_path, Opt, lambda f: None)
    assert found(report) == [("missing_dataset", "/a", "error")]


def test_missing_attribute_on_root_group_and_dataset(tmp_path: Path) -> None:
    """Attribute paths are /@a for the root, /g@a for a group and /g/d@a for a dataset."""

    class Units(h5s.Dataset):
        units: str

    class G(h5s.Group):
        label: str
        d: Units = h5s.dataset(np.int8)

    class Root(h5s.File):
        created: str
        optional: str | None = None
        defaulted: int = 3
        g: G = h5s.group()

    def build(f: h5py.File) -> None:
        f.create_group("g").create_dataset("d", data=np.int8(1))

    assert sorted(found(check(tmp_path, Root, build))) == [
        ("missing_attribute", "/@created", "error"),
        ("missing_attribute", "/g/d@units", "error"),
        ("missing_attribute", "/g@label", "error"),
    ]


def test_unexpected_members_open_and_closed(tmp_path: Path) -> None:
    """Extras are warnings in an open group and errors in a closed one."""

    class Closed(h5s.Group, closed=True):
        pass

    class Root(h5s.File):
        c: Closed = h5s.group()

    def build(f: h5py.File) -> None:
        f.create_group("c").create_dataset("extra", data=[1], dtype="i4")
        f.create_group("loose")
        f.attrs["note"] = "x"
        f["c"].attrs["note"] = "y"

    assert sorted(found(check(tmp_path, Root, build))) == [
        ("unexpected_attribute", "/@note", "warning"),
        ("unexpected_attribute", "/c@note", "error"),
        ("unexpected_member", "/c/extra", "error"),
        ("unexpected_member", "/loose", "warning"),
    ]


def test_wrong_kind_for_groups_datasets_and_links(tmp_path: Path) -> None:
    """A group where a dataset is declared (and the reverse), or a link, is wrong_kind."""

    def build(f: h5py.File) -> None:
        good_table(f)
        del f["meta"]
        f.create_dataset("meta", data=[1], dtype="i4")
        del f["x"]
        f.create_group("x")
        del f["y"]
        f["y"] = h5py.SoftLink("/x")

    report = check(tmp_path, Table, build)
    assert found(report) == [
        ("wrong_kind", "/meta", "error"),
        ("wrong_kind", "/x", "error"),
        ("wrong_kind", "/y", "error"),
    ]
    assert "soft link to /x" in report.violations[2].message


@pytest.mark.parametrize(
    ("declared", "stored", "ok"),
    [
        (np.float32, np.dtype("f4"), True),
        (np.float32, np.dtype(">f4"), True),
        (np.float32, np.dtype("f8"), False),
        (np.int64, np.dtype("u8"), False),
        (np.longdouble, np.dtype(np.longdouble), True),
        (np.complex64, np.dtype("c8"), True),
        (bool, np.dtype("?"), True),
        (bool, np.dtype("i1"), False),
        (str, h5py.string_dtype(), True),
        (str, h5py.string_dtype("ascii"), False),
        (bytes, h5py.string_dtype("ascii"), True),
        (h5s.string(4), h5py.string_dtype("utf-8", 4), True),
        (h5s.string(4), h5py.string_dtype("utf-8", 5), False),
        (h5s.string(4, encoding="ascii"), np.dtype("S4"), True),
        (h5s.family("float"), np.dtype("f2"), True),
        (h5s.family("float"), np.dtype("i2"), False),
        (h5s.family("text"), np.dtype("S9"), True),
        (h5s.family("integer"), np.dtype("u1"), True),
        (h5s.enum({"a": 0, "b": 1}), h5py.enum_dtype({"a": 0, "b": 1}, basetype="i1"), True),
        (h5s.enum({"a": 0, "b": 1}), h5py.enum_dtype({"a": 0, "b": 2}, basetype="i1"), False),
        (np.dtype([("t", "f8"), ("v", "i4", (2,))]), np.dtype([("t", "f8"), ("v", "i4", (2,))]), True),
        (np.dtype([("t", "f8"), ("v", "i4")]), np.dtype([("v", "i4"), ("t", "f8")]), False),
    ],
)
def test_dtype_matching(tmp_path: Path, declared: Any, stored: np.dtype[Any], ok: bool) -> None:
    """dtype_mismatch follows exact matching by default and families when asked."""

    class One(h5s.File):
        d: h5s.Dataset = h5s.dataset(declared)

    report = check(tmp_path, One, lambda f: f.create_dataset("d", shape=(2,), dtype=stored))
    assert found(report) == ([] if ok else [("dtype_mismatch", "/d", "error")])


@pytest.mark.parametrize(
    ("shape", "stored", "ok"),
    [
        ((3,), (3,), True),
        ((3,), (4,), False),
        ((3,), (3, 1), False),
        ((None, 2), (7, 2), True),
        ((h5s.dim(min=1, max=3),), (0,), False),
        ((h5s.dim(min=1, max=3),), (3,), True),
        ((), (), True),
        ((), (1,), False),
        (None, (5, 6, 7), True),
    ],
)
def test_shape_mismatch(tmp_path: Path, shape: Any, stored: tuple[int, ...], ok: bool) -> None:
    """Fixed sizes, any-size axes, ranges, scalars and rank are all checked."""

    class One(h5s.File):
        d: h5s.Dataset = h5s.dataset(np.int8, shape=shape)

    report = check(tmp_path, One, lambda f: f.create_dataset("d", shape=stored, dtype="i1"))
    assert found(report) == ([] if ok else [("shape_mismatch", "/d", "error")])


def test_dim_scope_is_the_group(tmp_path: Path) -> None:
    """A named dim binds per group: two groups may differ, two datasets in one may not."""

    class Pair(h5s.Group):
        a: h5s.Dataset = h5s.dataset(np.int8, shape=("n",))
        b: h5s.Dataset = h5s.dataset(np.int8, shape=(2, "n"))

    class Root(h5s.File):
        pairs: dict[str, Pair] = h5s.members(r"p\d")

    def build(f: h5py.File) -> None:
        for name, (na, nb) in {"p1": (3, 3), "p2": (5, 5), "p3": (4, 6)}.items():
            f.create_dataset(f"{name}/a", shape=(na,), dtype="i1")
            f.create_dataset(f"{name}/b", shape=(2, nb), dtype="i1")

    report = check(tmp_path, Root, build)
    assert found(report) == [("dim_mismatch", "/p3/b", "error")]
    assert (report.violations[0].expected, report.violations[0].actual) == (4, 6)


def test_layout_codes(tmp_path: Path) -> None:
    """maxshape, chunks, compression (and its options) and fill value are each checked."""

    class L(h5s.File):
        d: h5s.Dataset = h5s.dataset(
            np.float32,
            maxshape=(None, 4),
            chunks=(8, 4),
            compression="gzip",
            compression_opts=4,
            shuffle=True,
            fletcher32=True,
            fillvalue=-1.0,
        )
        c: h5s.Dataset = h5s.dataset(np.int8, chunks=False)
        z: h5s.Dataset = h5s.dataset(np.int8, compression="lzf")

    def good(f: h5py.File) -> None:
        f.create_dataset(
            "d", (0, 4), "f4", maxshape=(None, 4), chunks=(8, 4), compression="gzip",
            compression_opts=4, shuffle=True, fletcher32=True, fillvalue=-1.0,
        )  # fmt: skip
        f.create_dataset("c", (3,), "i1")
        f.create_dataset("z", (3,), "i1", compression="lzf")

    assert found(check(tmp_path, L, good)) == []

    def bad(f: h5py.File) -> None:
        f.create_dataset(
            "d", (0, 4), "f4", maxshape=(10, 4), chunks=(4, 4), compression="gzip", compression_opts=9
        )
        f.create_dataset("c", (3,), "i1", chunks=(1,))
        f.create_dataset("z", (3,), "i1", chunks=(1,))

    assert found(check(tmp_path, L, bad)) == [
        ("maxshape_mismatch", "/d", "error"),
        ("chunks_mismatch", "/d", "error"),
        ("compression_mismatch", "/d", "error"),
        ("compression_mismatch", "/d", "error"),
        ("compression_mismatch", "/d", "error"),
        ("fillvalue_mismatch", "/d", "error"),
        ("chunks_mismatch", "/c", "error"),
        ("compression_mismatch", "/z", "error"),
    ]


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Attrs(h5s.File):
    i: int = h5s.attribute(gt=0)
    f: float = h5s.attribute(le=1.0)
    b: bool
    s: str = h5s.attribute(pattern=r"^v\d+$")
    raw: bytes
    lit: Literal["a", "b"]
    color: Color
    names: list[str] = h5s.attribute(min_length=2)
    levels: list[int]
    vec: np.ndarray = h5s.attribute(dtype=np.float64, shape=(3,), ge=0)


def good_attrs(f: h5py.File) -> None:
    f.attrs["i"] = 3
    f.attrs["f"] = np.float32(0.5)
    f.attrs["b"] = True
    f.attrs["s"] = "v2"
    f.attrs.create("raw", b"\x01\x02", dtype=h5py.string_dtype("ascii"))
    f.attrs["lit"] = "a"
    f.attrs["color"] = "red"
    f.attrs["names"] = ["x", "y"]
    f.attrs["levels"] = np.array([1, 2], dtype="u2")
    f.attrs["vec"] = np.array([0.0, 1.0, 2.0])


def test_attribute_mapping_accepts_the_documented_types(tmp_path: Path) -> None:
    """Every documented Python-to-HDF5 attribute mapping validates clean."""
    assert found(check(tmp_path, Attrs, good_attrs)) == []


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("i", "16000", "attribute_type"),
        ("i", 16000.0, "attribute_type"),
        ("i", True, "attribute_type"),
        ("i", 0, "attribute_value"),
        ("f", 2, "attribute_type"),
        ("f", 1.5, "attribute_value"),
        ("b", 1, "attribute_type"),
        ("s", b"v2", "attribute_type"),
        ("s", "x2", "attribute_value"),
        ("raw", "text", "attribute_type"),
        ("lit", "c", "attribute_value"),
        ("color", "green", "attribute_value"),
        ("names", ["x"], "attribute_value"),
        ("names", "x", "attribute_type"),
        ("levels", [1.5, 2.0], "attribute_type"),
        ("vec", np.array([1.0, 2.0]), "attribute_type"),
        ("vec", np.array([1, 2, 3]), "attribute_type"),
        ("vec", np.array([1.0, -2.0, 3.0]), "attribute_value"),
        ("vec", h5py.Empty("f8"), "attribute_type"),
    ],
)
def test_attribute_type_and_value(tmp_path: Path, name: str, value: Any, code: str) -> None:
    """Attributes are typed strictly ("16000", 16000.0 and True are not ints) and constrained."""

    def build(f: h5py.File) -> None:
        good_attrs(f)
        del f.attrs[name]
        f.attrs[name] = value

    assert found(check(tmp_path, Attrs, build)) == [(code, f"/@{name}", "error")]


class Data(h5s.File):
    label: h5s.Dataset = h5s.dataset(h5s.string(4), values={"cat", "dog"})
    prob: h5s.Dataset = h5s.dataset(np.float32, ge=0, le=1, allow_nan=False)
    count: h5s.Dataset = h5s.dataset(np.int32, gt=0)


def test_value_constraint_reports_count_examples_and_first_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Data checks cover every block and locate the first offender globally."""
    monkeypatch.setattr(_datachecks, "BLOCK_BYTES", 64)  # many blocks for tiny data

    def build(f: h5py.File) -> None:
        utf8 = h5py.string_dtype("utf-8", 4)
        labels = np.array([b"cat"] * 50 + [b"cow"] + [b"dog"] * 10 + [b"emu"], dtype=utf8)
        f.create_dataset("label", data=labels, dtype=utf8, chunks=(5,))
        prob = np.full(100, 0.5, "f4")
        prob[70], prob[80], prob[90] = 1.5, np.nan, -0.1
        f.create_dataset("prob", data=prob, chunks=(10,))
        f.create_dataset("count", data=np.arange(1, 30, dtype="i4").reshape(29)[::-1].copy())

    report = check(tmp_path, Data, build)
    assert found(report) == [
        ("value_constraint", "/label", "error"),
        ("value_constraint", "/prob", "error"),
        ("value_constraint", "/prob", "error"),
    ]
    label, rng, nan = (v.actual for v in report)
    assert label == {"count": 2, "examples": ["cow", "emu"], "first_index": [50]}
    assert (rng["count"], rng["first_index"]) == (2, [70])
    assert (nan["count"], nan["first_index"]) == (1, [80])
    assert found(check(tmp_path, Data, build, check_data=False)) == []


def test_member_count(tmp_path: Path) -> None:
    """Too few and too many pattern members are member_count on the parent group."""

    class Root(h5s.File):
        runs: dict[str, h5s.Dataset] = h5s.members(
            r"run\d+", min_count=1, max_count=2, dataset=h5s.dataset(np.int8)
        )

    assert found(check(tmp_path, Root, lambda f: None)) == [("member_count", "/", "error")]

    def three(f: h5py.File) -> None:
        for i in range(3):
            f.create_dataset(f"run{i}", data=np.int8(i))

    report = check(tmp_path, Root, three)
    assert found(report) == [("member_count", "/", "error")]
    assert report.violations[0].actual == 3


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"not hdf5 at all" * 10, "not an HDF5 file"),
    ],
)
def test_file_unreadable(tmp_path: Path, content: bytes, words: str) -> None:
    """A non-HDF5 or empty file is a file_unreadable violation, never an exception."""
    path = tmp_path / "bad.h5"
    path.write_bytes(content)
    report = h5s.validate(path, Table)
    assert found(report) == [("file_unreadable", "/", "error")]
    assert words in report.violations[0].message


def test_file_unreadable_for_missing_path_and_directory(tmp_path: Path) -> None:
    """A path that does not exist or is a directory is reported, not raised."""
    assert h5s.validate(tmp_path / "nope.h5", Table).codes() == ["file_unreadable"]
    assert "directory" in h5s.validate(tmp_path, Table).violations[0].message


def test_object_unreadable_does_not_end_the_walk(tmp_path: Path) -> None:
    """A corrupt object header is object_unreadable; the rest is still checked."""
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        good_table(f)
        del f["meta"].attrs["title"]
        addr = h5py.h5o.get_info(f["y"].id).addr if hasattr(h5py.h5o.get_info(f["y"].id), "addr") else None
    if addr is None:
        pytest.skip("this h5py does not expose object header addresses")
    data = bytearray(path.read_bytes())
    data[addr : addr + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    report = h5s.validate(path, Table)
    assert ("object_unreadable", "/y", "error") in found(report)
    assert ("missing_attribute", "/meta@title", "error") in found(report)


def test_validate_accepts_an_open_file(tmp_path: Path) -> None:
    """A producer can validate its own open h5py file in-process."""
    with h5py.File(tmp_path / "f.h5", "w") as f:
        good_table(f)
        assert h5s.validate(f, Table).valid
        del f["x"]
        assert h5s.validate(f, Table).codes() == ["missing_dataset"]


def test_validating_an_open_subgroup_reports_absolute_paths(tmp_path: Path) -> None:
    """Paths stay absolute when the validated object is a group inside a file."""
    with h5py.File(tmp_path / "f.h5", "w") as f:
        good_table(f.create_group("sub"))
        del f["sub/x"]
        assert h5s.validate(f["sub"], Table).codes() == ["missing_dataset"]
        assert h5s.validate(f["sub"], Table).violations[0].path == "/sub/x"


def test_long_double_values_reach_the_report_through_the_reader(tmp_path: Path) -> None:
    """numpy's long doubles have no Python type (``tolist`` gives them back): a value outside
    the allowed ones is reported as such from the sandboxed reader, not as a failed validation
    (hypothesis found the endless conversion)."""

    class Long(h5s.File):
        x: h5s.Dataset = h5s.dataset(np.longdouble, values=[0.0])

    with h5py.File(tmp_path / "f.h5", "w") as f:
        f["x"] = np.array([-3.0], np.longdouble)
    report = h5s.validate(tmp_path / "f.h5", Long)
    assert report.codes() == ["value_constraint"]
    assert report.violations[0].to_dict()["actual"] == {"count": 1, "examples": [-3.0], "first_index": [0]}
    assert jsonable(np.clongdouble(1 + 2j)) == "(1+2j)" and jsonable(np.array([np.longdouble(2)])) == [2.0]
