"""Valid but hostile files, and files that crash or hang the HDF5 library.

Each case builds its file here. "Nothing outside the file is opened" is proved with FIFOs: a
FIFO opened for reading blocks until a writer appears, so a validator that followed a link into
one would hang until its time limit; these validations must instead come back at once with a
normal report. Where a regular file is the target, its distinctive bytes must not appear in the
report.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zlib
from pathlib import Path

import h5py
import numpy as np
import pytest

import h5schema as h5s
from tests.fuzz.corpus import SeedFile
from tests.helpers import mutant_file

SECRET = b"TOP-SECRET-BYTES"
QUICK = h5s.Limits(timeout=20)


def codes(report: h5s.Report) -> list[str]:
    return report.codes()


def fifo(tmp_path: Path, name: str = "trap.fifo") -> Path:
    path = tmp_path / name
    os.mkfifo(path)
    return path


def zeros_stream(n_bytes: int) -> bytes:
    """A zlib stream of ``n_bytes`` zero bytes, built without holding them all."""
    c, block = zlib.compressobj(), bytes(1 << 20)
    parts = [c.compress(block) for _ in range(n_bytes >> 20)]
    return b"".join([*parts, c.flush()])


class Table(h5s.File):
    x: h5s.Dataset = h5s.dataset(np.int32, shape=(4,), ge=0)


# ---------------------------------------------------------------- links and foreign storage


def test_external_link_is_reported_and_never_followed(tmp_path: Path) -> None:
    """External links to a FIFO and to a readable file: reported with their target, not opened."""
    outside = tmp_path / "outside.h5"
    with h5py.File(outside, "w") as f:
        f["x"] = np.arange(4, dtype=np.int32)
    trap = fifo(tmp_path)
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        f["x"] = h5py.ExternalLink(str(outside), "/x")  # where the schema wants a dataset
        f["y"] = h5py.ExternalLink(str(trap), "/x")  # undeclared
    start = time.monotonic()
    report = h5s.validate(path, Table, limits=QUICK)
    assert time.monotonic() - start < 10
    assert codes(report) == ["external_reference", "external_reference"]
    assert report.at("/x")[0].actual == f"{outside}:/x"
    assert report.at("/y")[0].actual == f"{trap}:/x"
    assert "never followed" in report.at("/y")[0].message


def test_external_raw_storage_is_reported_and_never_read(tmp_path: Path) -> None:
    """A dataset stored in another file (a FIFO, or a file with secret bytes) is not read."""
    secret = tmp_path / "secret.bin"
    secret.write_bytes(SECRET)
    trap = fifo(tmp_path)
    for target in (secret, trap):
        path = tmp_path / f"ext-{target.name}.h5"
        with h5py.File(path, "w") as f:
            f.create_dataset("x", shape=(4,), dtype=np.int32, external=[(str(target), 0, 16)])
        report = h5s.validate(path, Table, limits=QUICK)
        assert codes(report) == ["external_reference"]
        assert str(target) in report.violations[0].message
        assert "data checks were not run" in report.violations[0].message
        assert SECRET.decode() not in report.to_json()


def test_virtual_dataset_sources_are_never_opened(tmp_path: Path) -> None:
    """A virtual dataset mapping a FIFO: reported as external_reference, its data not read."""
    trap = fifo(tmp_path)
    layout = h5py.VirtualLayout(shape=(4,), dtype=np.int32)
    layout[:] = h5py.VirtualSource(str(trap), "x", shape=(4,))
    path = tmp_path / "vds.h5"
    with h5py.File(path, "w") as f:
        f.create_virtual_dataset("x", layout, fillvalue=-1)  # the fill would break ge=0
    report = h5s.validate(path, Table, limits=QUICK)
    assert codes(report) == ["external_reference"]
    assert "virtual dataset" in report.violations[0].message and str(trap) in report.violations[0].message


def test_soft_links_are_resolved_inside_the_file_only(tmp_path: Path) -> None:
    """A soft link through an external link is dangling (not followed); one to nothing too;
    one to a real object is only what the schema says of links."""
    trap = fifo(tmp_path)
    path = tmp_path / "soft.h5"
    with h5py.File(path, "w") as f:
        f["x"] = np.arange(4, dtype=np.int32)
        f["out"] = h5py.ExternalLink(str(trap), "/")
        f["via_out"] = h5py.SoftLink("/out/x")
        f["nowhere"] = h5py.SoftLink("/missing/x")
        f["fine"] = h5py.SoftLink("/x")
        f["loop_a"] = h5py.SoftLink("/loop_b/x")
        f["loop_b"] = h5py.SoftLink("/loop_a")
    report = h5s.validate(path, Table, limits=QUICK)
    dangling = {v.path: v.message for v in report if v.code is h5s.Code.DANGLING_LINK}
    assert set(dangling) == {"/via_out", "/nowhere", "/loop_a", "/loop_b"}
    assert "an external link at /out" in dangling["/via_out"]
    assert "nothing at /missing" in dangling["/nowhere"]
    assert "loop" in dangling["/loop_a"]
    assert [v.code.value for v in report.at("/fine")] == ["unexpected_member"]
    assert [v.code.value for v in report.at("/out")] == ["external_reference"]


def test_a_fifo_as_the_file_is_refused_before_opening(tmp_path: Path) -> None:
    trap = fifo(tmp_path, "data.h5")
    report = h5s.validate(trap, Table, limits=QUICK)
    assert codes(report) == ["file_unreadable"]
    assert "not a regular file" in report.violations[0].message


# ---------------------------------------------------------------- bounded work


def test_gzip_bomb_chunk_over_the_limit_is_not_decompressed(tmp_path: Path) -> None:
    """A 512 MiB chunk stored as a ~0.5 MB gzip stream: the data check refuses to inflate it."""

    class Image(h5s.File):
        pixels: h5s.Dataset = h5s.dataset(np.float32, shape=(None, None), ge=0)

    path = tmp_path / "bomb.h5"
    with h5py.File(path, "w") as f:
        ds = f.create_dataset(
            "pixels", shape=(16384, 8192), dtype=np.float32, chunks=(16384, 8192), compression="gzip"
        )
        ds.id.write_direct_chunk((0, 0), zeros_stream(512 << 20))
    assert path.stat().st_size < 2 << 20
    report = h5s.validate(path, Image, limits=h5s.Limits(timeout=20, memory=1 << 30))
    assert codes(report) == ["limit_exceeded"]
    assert "512 MiB decompressed" in report.violations[0].message
    assert h5s.validate(path, Image, check_data=False).valid  # metadata alone is fine


def test_stream_inflating_past_its_chunk_size_stays_within_the_memory_limit(tmp_path: Path) -> None:
    """A 1 MiB chunk whose stored stream inflates to 768 MiB: the read fails inside the memory
    limit, and the report says the object could not be read."""

    class Signal(h5s.File):
        x: h5s.Dataset = h5s.dataset(np.float32, shape=(None,), ge=0)
        y: h5s.Dataset = h5s.dataset(np.float32, shape=(None,), ge=0)

    path = tmp_path / "inflate.h5"
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("x", shape=(1 << 18,), dtype=np.float32, chunks=(1 << 18,), compression="gzip")
        ds.id.write_direct_chunk((0,), zeros_stream(768 << 20))
        f.create_dataset("y", data=-np.ones(8, np.float32))
    report = h5s.validate(path, Signal, limits=h5s.Limits(timeout=30, memory=512 << 20))
    assert report.at("/x")[0].code in (h5s.Code.OBJECT_UNREADABLE, h5s.Code.FILE_UNREADABLE)
    if report.at("/x")[0].code is h5s.Code.OBJECT_UNREADABLE:  # the walk went on to /y
        assert [v.code.value for v in report.at("/y")] == ["value_constraint"]


def test_huge_declared_shape_reads_only_what_is_stored(tmp_path: Path) -> None:
    """10^12 declared elements in a small file: stored chunks are read, the rest is the fill
    value, checked once and counted for every unwritten element."""

    class Big(h5s.File):
        x: h5s.Dataset = h5s.dataset(np.float32, shape=(None,), ge=0)
        y: h5s.Dataset = h5s.dataset(np.float32, shape=(None,), gt=0)
        z: h5s.Dataset = h5s.dataset(np.int8, shape=(None,), values={0, 1})

    n = 10**12
    path = tmp_path / "big.h5"
    with h5py.File(path, "w") as f:
        x = f.create_dataset("x", shape=(n,), dtype=np.float32, chunks=(1024,))
        x[:1024] = np.where(np.arange(1024) == 7, -1.0, 5.0)
        x[4096:5120] = 2.0
        y = f.create_dataset("y", shape=(n,), dtype=np.float32, chunks=(1024,))
        y[:1024] = 1.0
        f.create_dataset("z", shape=(n,), dtype=np.int8, fillvalue=3)  # contiguous, never written
    assert path.stat().st_size < 1 << 20
    report = h5s.validate(path, Big, limits=QUICK)
    x, y, z = report.at("/x"), report.at("/y"), report.at("/z")
    assert [v.actual["count"] for v in x] == [1] and x[0].actual["first_index"] == [7]
    assert [v.actual["count"] for v in y] == [n - 1024]  # the fill value 0 breaks gt=0
    assert y[0].actual["first_index"] == [1024]
    assert [v.actual["count"] for v in z] == [n] and z[0].actual["examples"] == [3]


def test_deep_nesting_is_walked_without_recursion(tmp_path: Path) -> None:
    """10^4 nested groups give a report at once; a schema deeper than max_depth is cut there."""
    path = tmp_path / "deep.h5"
    with h5py.File(path, "w") as f:
        g = f
        for _ in range(10_000):
            g = g.create_group("a")
    report = h5s.validate(path, h5s.SchemaSpec(name="Empty", root=h5s.GroupSpec()), limits=QUICK)
    assert codes(report) == ["unexpected_member"]

    spec = h5s.GroupSpec()
    for _ in range(60):
        spec = h5s.GroupSpec(members=(spec.model_copy(update={"name": "a"}),))
    deep = h5s.SchemaSpec(name="Deep", root=spec)
    report = h5s.validate(path, deep, limits=h5s.Limits(max_depth=50))
    assert codes(report) == ["limit_exceeded"]
    assert report.violations[0].path == "/" + "/".join(["a"] * 51)
    assert not h5s.validate(path, deep, isolate=False, limits=h5s.Limits(max_depth=50)).valid
    assert h5s.validate(path, deep, isolate=False, limits=h5s.Limits(max_depth=100)).valid


def test_a_hundred_thousand_members(tmp_path: Path) -> None:
    """100k members are all checked; with max_members below that the group is reported."""

    class Many(h5s.Group):
        m: dict[str, h5s.Dataset] = h5s.members(r"m\d+", dataset=h5s.dataset(np.int64, shape=(4,), ge=0))

    class Wide(h5s.File):
        g: Many
        d: h5s.Dataset = h5s.dataset(np.int64, shape=(4,))

    path = tmp_path / "wide.h5"
    with h5py.File(path, "w", libver="latest") as f:
        f["d"] = np.arange(4) - 1  # one bad value, seen once through all its names
        g = f.create_group("g")
        for i in range(100_000):
            g.id.links.create_hard(b"m%d" % i, f.id, b"d")
    report = h5s.validate(path, Wide, limits=h5s.Limits(timeout=120))
    assert codes(report) == ["value_constraint"]
    capped = h5s.validate(path, Wide, limits=h5s.Limits(max_members=1000))
    assert codes(capped) == ["limit_exceeded"] and capped.violations[0].path == "/g"


def test_cycles_and_aliases_are_walked_once(tmp_path: Path) -> None:
    """A hard link back to the root and two names for one group: the walk ends, each object
    is checked once against each declaration that reaches it."""

    class Leaf(h5s.Group):
        rate: int

    class Node(h5s.Group):
        kids: dict[str, Leaf] = h5s.members(r"k\d")

    class Root(h5s.File):
        nodes: dict[str, Node] = h5s.members(r"n\d")

    path = tmp_path / "cycle.h5"
    with h5py.File(path, "w") as f:
        n0 = f.create_group("n0")
        n0.create_group("k0")  # missing its rate
        f["n1"] = n0  # an alias of n0
        n0["k1"] = f["/"]  # a cycle: /n0/k1 is the root
        n0["k2"] = n0  # a cycle onto itself
    report = h5s.validate(path, Root, limits=QUICK)
    missing = sorted(v.path for v in report if v.code is h5s.Code.MISSING_ATTRIBUTE)
    assert missing == ["/n0/k0@rate", "/n0/k1@rate", "/n0/k2@rate"]


# ---------------------------------------------------------------- crashes, hangs, memory


def test_a_file_that_crashes_the_library_gives_a_report(seeds: list[SeedFile], tmp_path: Path) -> None:
    """Fuzz mutant 1477 makes libhdf5 segfault: the parent reports it and goes on."""
    path, schema = mutant_file(seeds, 1477, tmp_path)
    report = h5s.validate(path, schema, limits=QUICK)
    assert codes(report) == ["file_unreadable"]
    assert "crashed the HDF5 library (SIGSEGV)" in report.violations[0].message
    (tmp_path / "seed.h5").write_bytes(seeds[1477 % len(seeds)].data)
    assert h5s.validate(tmp_path / "seed.h5", schema, limits=QUICK).valid  # a fresh child


def test_a_file_that_hangs_the_library_times_out(seeds: list[SeedFile], tmp_path: Path) -> None:
    """Fuzz mutant 110 loops forever inside libhdf5: stopped at the time limit, reported."""
    path, schema = mutant_file(seeds, 110, tmp_path)
    start = time.monotonic()
    report = h5s.validate(path, schema, limits=h5s.Limits(timeout=2))
    assert time.monotonic() - start < 15
    assert codes(report) == ["file_unreadable"]
    assert "timed out after 2 s" in report.violations[0].message


def test_memory_over_the_limit_is_reported(tmp_path: Path) -> None:
    """A 200 MiB chunk read under a 300 MiB limit: the object is reported, the walk goes on."""

    class Two(h5s.File):
        x: h5s.Dataset = h5s.dataset(np.float32, shape=(None, None), ge=0)
        y: h5s.Dataset = h5s.dataset(np.float32, shape=(None,), ge=0)

    path = tmp_path / "mem.h5"
    with h5py.File(path, "w") as f:
        ds = f.create_dataset(
            "x", shape=(8192, 6400), dtype=np.float32, chunks=(8192, 6400), compression="gzip"
        )
        ds.id.write_direct_chunk((0, 0), zeros_stream(200 << 20))
        f.create_dataset("y", data=-np.ones(8, np.float32))
    report = h5s.validate(path, Two, limits=h5s.Limits(timeout=30, memory=300 << 20))
    assert report.at("/x")[0].code is h5s.Code.OBJECT_UNREADABLE
    assert [v.code.value for v in report.at("/y")] == ["value_constraint"]
    assert h5s.validate(path, Two, limits=h5s.Limits(timeout=30, memory=2 << 30)).codes() == [
        "value_constraint"
    ]


def test_a_killed_reader_is_reported_and_replaced(tmp_path: Path) -> None:
    """A child killed from outside mid-file (as an out-of-memory killer would) is reported."""
    from h5schema._sandbox import pool as _pool

    assert "SIGKILL" in _pool._death(-9, h5s.Limits())
    assert "SIGSEGV" in _pool._death(-11, h5s.Limits())
    assert "exit status 3" in _pool._death(3, h5s.Limits())
    assert "2 GiB memory limit" in _pool._memory_words(h5s.Limits())
    with h5py.File(tmp_path / "ok.h5", "w") as f:
        f["x"] = np.arange(4, dtype=np.int32)
    assert h5s.validate(tmp_path / "ok.h5", Table).valid
    _pool.shutdown()  # every child gone: the next validation starts a new one
    assert h5s.validate(tmp_path / "ok.h5", Table).valid


def test_limits_are_checked_when_made() -> None:
    with pytest.raises(ValueError, match=r"Limits.timeout must be a positive number"):
        h5s.Limits(timeout=0)
    with pytest.raises(ValueError, match=r"Limits.max_members must be a positive integer"):
        h5s.Limits(max_members=0)
    assert h5s.Limits(timeout=None, memory=None).timeout is None


# ---------------------------------------------------------------- open failures explained


def test_a_file_held_by_a_writer_is_reported_locked(tmp_path: Path) -> None:
    """This process holds the file open for writing; the validating child cannot lock it."""
    path = tmp_path / "held.h5"
    with h5py.File(path, "w") as f:
        f["x"] = np.arange(4, dtype=np.int32)
        f.flush()
        report = h5s.validate(path, Table, limits=QUICK)
    assert codes(report) == ["file_unreadable"]
    assert "locked by another process" in report.violations[0].message
    assert h5s.validate(path, Table, limits=QUICK).valid  # once closed


def test_a_file_left_open_by_a_killed_writer_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "crashed.h5"
    script = (
        "import h5py, numpy as np, os, sys; f = h5py.File(sys.argv[1], 'w', libver='latest'); "
        "f['x'] = np.arange(4, dtype=np.int32); f.flush(); os.kill(os.getpid(), 9)"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=False)
    report = h5s.validate(path, Table, limits=QUICK)
    assert codes(report) == ["file_unreadable"]
    message = report.violations[0].message
    assert "not closed cleanly" in message and "swmr=True" in message and "h5clear" in message


def test_declared_external_members_are_allowed_and_still_never_opened(tmp_path: Path) -> None:
    """external=True: an external link, external storage or a virtual dataset is fine there,
    and still never followed or read."""

    class Part(h5s.Group):
        pass

    class Linked(h5s.File):
        raw: h5s.Dataset = h5s.dataset(np.int32, shape=(4,), external=True)
        view: h5s.Dataset = h5s.dataset(np.int32, external=True)
        part: Part = h5s.group(external=True)
        other: h5s.Dataset = h5s.dataset(np.int32)

    trap = fifo(tmp_path)
    layout = h5py.VirtualLayout(shape=(4,), dtype=np.int32)
    layout[:] = h5py.VirtualSource(str(trap), "x", shape=(4,))
    path = tmp_path / "linked.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("raw", shape=(4,), dtype=np.int32, external=[(str(trap), 0, 16)])
        f["view"] = h5py.ExternalLink(str(trap), "/x")
        f["part"] = h5py.ExternalLink(str(trap), "/g")
        f.create_virtual_dataset("other", layout)
    report = h5s.validate(path, Linked, limits=QUICK)
    assert [(v.path, v.code.value) for v in report] == [("/other", "external_reference")]
