"""The fuzz seeds: small valid HDF5 files, varied in what they exercise, each with its schema.

- ``strings``: vlen UTF-8 and ASCII strings and fixed-length ones, as attributes and datasets
  (global heaps), a null-dataspace attribute;
- ``table``: a compound dataset with attributes of many kinds, enum and bool datasets, a compact
  and a scalar dataset;
- ``filters``: chunked datasets with gzip+shuffle+fletcher32 and lzf, a dataset grown by appends
  with a fill value, one with two unlimited axes;
- ``tree``: nested groups matched by a pattern, soft links, track-order groups;
- ``latest``: ``libver="latest"``: v2 object headers, dense attribute and link storage (fractal
  heaps, v2 B-trees), every chunk index (fixed and extensible arrays, v2 B-tree, single chunk).

Each file is built deterministically (same bytes every time for a given HDF5 version) and
validates clean against its schema in ``tests/fuzz/schemas.py``: valid, and the only warnings
are the ``unexpected_member``/``unexpected_attribute`` ones listed in ``Seed.warnings``. Besides
the bytes, a ``SeedFile`` carries where its object headers and raw data chunks are, so the
mutators can aim at them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

import h5schema as h5s
from tests.fuzz import schemas
from tests.fuzz.schemas import WORDS

__all__ = ["SCHEMAS_FILE", "SEEDS", "Seed", "SeedFile", "build", "build_one"]

SCHEMAS_FILE = Path(schemas.__file__).resolve()


@dataclass(frozen=True)
class Seed:
    """A kind of seed file: how to write it, and the schema it validates clean against."""

    name: str
    schema: type[h5s.File]
    write: Callable[[Path], None]
    warnings: tuple[str, ...] = ()
    """Paths of the warnings a clean validation reports (links and attributes left undeclared)."""

    @property
    def schema_ref(self) -> str:
        """The ``--schema`` reference of the command line."""
        return f"{SCHEMAS_FILE}:{self.schema.__name__}"


@dataclass(frozen=True)
class SeedFile:
    """A seed written to disk: its bytes, and where its metadata and raw data sit in them."""

    seed: Seed
    path: Path
    data: bytes
    headers: tuple[int, ...]
    """Addresses of the object headers (root group, groups, datasets)."""
    chunks: tuple[tuple[int, int], ...]
    """``(offset, size)`` of every stored data chunk and contiguous data block."""


def _rng(name: str) -> np.random.Generator:
    return np.random.default_rng(sum(name.encode()))


def _words(rng: np.random.Generator, n: int) -> list[str]:
    return [WORDS[i] for i in rng.integers(0, len(WORDS), n)]


def _write_strings(path: Path) -> None:
    rng = _rng("strings")
    with h5py.File(path, "w") as f:
        f.attrs["title"] = "fuzz seed: strings of every flavour"
        f.attrs.create("tag", b"ascii-tag", dtype=h5py.string_dtype("ascii"))
        f.attrs.create("code", "cé-01".encode(), dtype=h5py.string_dtype("utf-8", 8))
        f.attrs.create("raw_code", b"RAW1", dtype=h5py.string_dtype("ascii", 8))
        f.attrs.create("labels", ["x", "\u03bb", "longer label"], dtype=h5py.string_dtype())
        f.attrs["empty"] = h5py.Empty("f4")  # undeclared: a warning, its name is listed
        f.create_dataset("words", data=_words(rng, 500), dtype=h5py.string_dtype())
        blobs = [w.encode() * int(k) for w, k in zip(_words(rng, 400), rng.integers(1, 4, 400), strict=True)]
        f.create_dataset("blobs", data=blobs, dtype=h5py.string_dtype("ascii"))
        names = [w.encode() for w in _words(rng, 200)]
        f.create_dataset("names", data=names, dtype=h5py.string_dtype("utf-8", 12))
        codes = [w[:4].encode() for w in _words(rng, 200)]
        f.create_dataset("codes", data=codes, dtype=h5py.string_dtype("ascii", 4))
        f.create_dataset(
            "notes", data=_words(rng, 300), dtype=h5py.string_dtype(), maxshape=(None,), chunks=(64,),
            compression="gzip",
        )  # fmt: skip


def _write_table(path: Path) -> None:
    rng = _rng("table")
    n = 600
    with h5py.File(path, "w") as f:
        events = np.zeros(n, schemas._EVENT)
        events["t"] = np.cumsum(rng.random(n))
        events["id"] = np.arange(n)
        events["kind"] = [w[:8].encode() for w in _words(rng, n)]
        events["xyz"] = rng.random((n, 3)).astype(np.float32)
        ds = f.create_dataset("events", data=events)
        ds.attrs["units"] = "ms"
        ds.attrs.create("columns", ["t", "id", "kind", "xyz"], dtype=h5py.string_dtype())
        ds.attrs["scale"] = np.array([1.0, 0.5, 0.25])
        ds.attrs["valid"] = np.bool_(True)
        ds.attrs["ratio"] = 0.75
        ds.attrs["sizes"] = np.array([8, 4, 8, 12], np.int64)
        ds.attrs.create("label", b"events", dtype=h5py.string_dtype("ascii"))
        state = h5py.enum_dtype({"off": 0, "on": 1, "err": 2}, basetype="u1")
        f.create_dataset("state", data=rng.integers(0, 3, n).astype(np.uint8), dtype=state)
        f.create_dataset("flags", data=rng.random(n) < 0.3)
        # A compact dataset: its data lives in its object header.
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        dcpl.set_obj_track_times(False)  # as h5py does: no time stamps, so the same bytes every time
        space = h5py.h5s.create_simple((64,))
        dsid = h5py.h5d.create(f.id, b"counts", h5py.h5t.STD_I64LE, space, dcpl=dcpl)
        dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, rng.integers(0, 1001, 64).astype(np.int64))
        dsid.close()
        f.create_dataset("version", data=np.int32(3))


def _write_filters(path: Path) -> None:
    rng = _rng("filters")
    with h5py.File(path, "w") as f:
        f.attrs["rate"] = 250.0
        t = np.arange(128)[:, None] / 40.0 + np.arange(64)[None, :] / 9.0
        signal = np.round(np.sin(t) * 8 + rng.normal(0, 0.2, t.shape), 2).astype(np.float32)
        f.create_dataset(
            "signal", data=signal, maxshape=(None, 64), chunks=(32, 64), compression="gzip",
            compression_opts=4, shuffle=True, fletcher32=True,
        )  # fmt: skip
        f.create_dataset(
            "counts", data=rng.integers(0, 1000, 2000).astype(np.int16), chunks=(250,), compression="lzf"
        )
        mask = (np.sin(np.arange(2000) / 37.0) > 0.2).astype(np.uint8)
        f.create_dataset("mask", data=mask, chunks=(500,), compression="gzip", fletcher32=True)
        grown = f.create_dataset(
            "grown", shape=(0,), maxshape=(None,), chunks=(64,), dtype=np.float64, fillvalue=-1.0
        )
        for _ in range(12):  # the tutorial's habit: grow, then write the new rows
            grown.resize(grown.shape[0] + 50, axis=0)
            grown[-50:] = np.round(rng.uniform(-1, 1, 50), 3)
        grid = rng.integers(0, 50, (40, 40)).astype(np.int32)
        f.create_dataset("grid", data=grid, maxshape=(None, None), chunks=(16, 16), shuffle=True)


def _write_tree(path: Path) -> None:
    rng = _rng("tree")
    with h5py.File(path, "w", track_order=True) as f:
        f.attrs["created"] = "2024-05-17"
        f.attrs["nothing"] = h5py.Empty("i4")  # a null dataspace, left undeclared
        runs = f.create_group("runs", track_order=True)
        for i in range(8):
            run = runs.create_group(f"run_{i:03d}", track_order=bool(i % 2))
            run.attrs["run_id"] = i
            run.attrs["temperature"] = 290.0 + i
            run.attrs["operator"] = ("ann", "bob", "cyd")[i % 3]
            run.attrs["ok"] = np.bool_(i % 4 != 3)
            run.attrs["gains"] = rng.random(3 + i)
            run.attrs["window"] = np.hanning(8).astype(np.float32)
            k = 150 + 10 * i
            run.create_dataset("x", data=rng.integers(-1000, 1001, k).astype(np.int32))
            run.create_dataset("y", data=rng.normal(0, 1, k))
            meta = run.create_group("meta")
            meta.attrs["source"] = f"rig {i}"
            meta.attrs["level"] = i % 10
        runs["run_000"]["alias"] = h5py.SoftLink("/runs/run_000/x")
        f["latest"] = h5py.SoftLink("/runs/run_007")


def _write_latest(path: Path) -> None:
    rng = _rng("latest")
    with h5py.File(path, "w", libver="latest") as f:
        a = f.attrs
        a["a00"], a["a01"], a["a02"] = 7, 2.5, "dense attributes"
        a.create("a03", b"bytes", dtype=h5py.string_dtype("ascii"))
        a["a04"] = np.bool_(False)
        a["a05"] = np.arange(5, dtype=np.int64)
        a["a06"] = np.linspace(0, 1, 7)
        a.create("a07", ["one", "two", "three"], dtype=h5py.string_dtype())
        a["a08"] = np.arange(16, dtype=np.int16).reshape(4, 4)
        a["a09"] = np.linspace(0, 100, 33)
        a["a10"], a["a11"], a["a12"], a["a13"] = 123456, "dense storage", 0.5, 42
        for i in range(8):  # undeclared extras, to go past the compact limit
            a[f"extra_{i}"] = np.arange(i + 1, dtype=np.int8)
        many = f  # the pattern members live in the root group, with dense link storage
        for i in range(40):
            many.create_dataset(f"d{i:03d}", data=rng.integers(0, 100, 16).astype(np.int16))
        fixed = rng.random((64, 32)).astype(np.float32)
        f.create_dataset("fixed", data=fixed, chunks=(16, 32), compression="gzip", fletcher32=True)
        ext = np.cumsum(rng.integers(0, 3, 2000)).astype(np.int32)
        f.create_dataset("extensible", data=ext, maxshape=(None,), chunks=(256,), compression="gzip")
        b2 = rng.integers(0, 60000, (48, 40)).astype(np.uint16)
        f.create_dataset("btree2", data=b2, maxshape=(None, None), chunks=(16, 16), fletcher32=True)
        single = rng.integers(-100, 128, (32, 32)).astype(np.int8)
        f.create_dataset("single", data=single, chunks=(32, 32), compression="lzf")
        f.create_dataset("text", data=_words(rng, 300), dtype=h5py.string_dtype(), maxshape=(None,))


SEEDS: tuple[Seed, ...] = (
    Seed("strings", schemas.Strings, _write_strings, warnings=("/@empty",)),
    Seed("table", schemas.Table, _write_table),
    Seed("filters", schemas.Filters, _write_filters),
    Seed(
        "tree",
        schemas.Tree,
        _write_tree,
        warnings=("/@nothing", "/latest", "/runs/run_000/alias"),
    ),
    Seed("latest", schemas.Latest, _write_latest, warnings=tuple(f"/@extra_{i}" for i in range(8))),
)


def _layout(path: Path) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
    headers: set[int] = set()
    chunks: set[tuple[int, int]] = set()
    with h5py.File(path, "r") as f:
        headers.add(h5py.h5o.get_info(f.id).addr)

        def visit(_: str, obj: h5py.Group | h5py.Dataset) -> None:
            headers.add(h5py.h5o.get_info(obj.id).addr)
            if not isinstance(obj, h5py.Dataset):
                return
            dsid = obj.id
            if obj.chunks is None:
                offset = dsid.get_offset()
                if offset is not None:
                    chunks.add((offset, dsid.get_storage_size()))
                return
            for i in range(dsid.get_num_chunks()):
                info = dsid.get_chunk_info(i)
                chunks.add((info.byte_offset, info.size))

        f.visititems(visit)
    return tuple(sorted(headers)), tuple(sorted(chunks))


def build_one(seed: Seed, directory: Path) -> SeedFile:
    """Write ``seed`` as ``directory/<name>.h5`` and read back its bytes and layout."""
    path = directory / f"{seed.name}.h5"
    path.unlink(missing_ok=True)
    seed.write(path)
    headers, chunks = _layout(path)
    return SeedFile(seed, path, path.read_bytes(), headers, chunks)


def build(directory: Path) -> list[SeedFile]:
    """Write every seed into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    return [build_one(seed, directory) for seed in SEEDS]
