"""The schemas the fuzz seeds are written to: one class per seed file.

The command line loads them by path (``tests/fuzz/schemas.py:Strings``), so this module imports
nothing but numpy and h5schema. Each schema declares data checks (allowed values, bounds, no NaN)
so that validating a mutant reads, decompresses and checks every dataset's values, and value
constraints on attributes so that their values (vlen strings included) are read too.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

import h5schema as h5s

__all__ = ["WORDS", "Filters", "Latest", "Strings", "Table", "Tree"]

WORDS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa")
"""The allowed values of the string datasets (``bytes`` datasets use them encoded as ASCII)."""

_BLOBS = {w.encode("ascii") * k for w in WORDS for k in (1, 2, 3)}


class Strings(h5s.File):
    """Every string flavour: vlen and fixed, UTF-8 and ASCII, as attributes and datasets."""

    title: str = h5s.attribute(pattern="^fuzz seed")
    tag: bytes = h5s.attribute(min_length=1)
    code: str = h5s.attribute(max_length=8)  # fixed-length UTF-8
    raw_code: bytes = h5s.attribute(max_length=8)  # fixed-length ASCII
    labels: list[str] = h5s.attribute(min_length=1)
    words: h5s.Dataset = h5s.dataset(str, shape=("n",), values=set(WORDS))
    blobs: h5s.Dataset = h5s.dataset(bytes, shape=("b",), values=_BLOBS)
    names: h5s.Dataset = h5s.dataset(h5s.string(12), shape=("m",), values=set(WORDS))
    codes: h5s.Dataset = h5s.dataset(
        h5s.string(4, encoding="ascii"), shape=("m",), values={w[:4].encode() for w in WORDS}
    )
    notes: h5s.Dataset = h5s.dataset(
        str, shape=("k",), maxshape=(None,), chunks=True, compression="gzip", values=set(WORDS)
    )


class Events(h5s.Dataset, closed=True):
    """A compound table with attributes of many kinds."""

    units: Literal["s", "ms"] = "s"
    columns: list[str] = h5s.attribute(min_length=4, max_length=4)
    scale: np.ndarray = h5s.attribute(dtype=np.float64, shape=(3,), ge=0)
    valid: bool = True
    ratio: float = h5s.attribute(ge=0, le=1)
    sizes: list[int] = h5s.attribute(min_length=1)
    label: bytes = h5s.attribute(min_length=2, max_length=16)


_EVENT = np.dtype([("t", np.float64), ("id", np.int32), ("kind", "S8"), ("xyz", np.float32, (3,))])


class Table(h5s.File):
    """Compound, enum and bool datasets, a compact and a scalar dataset, many attribute kinds."""

    events: Events = h5s.dataset(_EVENT, shape=("n",))
    state: h5s.Dataset = h5s.dataset(h5s.enum({"off": 0, "on": 1, "err": 2}, base="uint8"), shape=("n",))
    flags: h5s.Dataset = h5s.dataset(bool, shape=("n",))
    counts: h5s.Dataset = h5s.dataset(np.int64, shape=(64,), ge=0, le=1000)  # compact layout
    version: h5s.Dataset = h5s.dataset(np.int32, shape=(), ge=1, le=9)


class Filters(h5s.File):
    """Chunked datasets through every filter h5py ships: gzip, shuffle, fletcher32, lzf."""

    rate: float = h5s.attribute(gt=0)
    signal: h5s.Dataset = h5s.dataset(
        np.float32, shape=("n", 64), maxshape=(None, 64), chunks=(32, 64), compression="gzip",
        compression_opts=4, shuffle=True, fletcher32=True, ge=-10, le=10, allow_nan=False,
    )  # fmt: skip
    counts: h5s.Dataset = h5s.dataset(np.int16, shape=("c",), chunks=True, compression="lzf", ge=0, lt=1000)
    mask: h5s.Dataset = h5s.dataset(
        np.uint8, shape=("c",), chunks=True, compression="gzip", fletcher32=True, values={0, 1}
    )
    grown: h5s.Dataset = h5s.dataset(
        np.float64, shape=(h5s.dim(min=1),), maxshape=(None,), chunks=True, fillvalue=-1.0, ge=-1, le=1
    )
    grid: h5s.Dataset = h5s.dataset(
        np.int32, shape=(None, None), maxshape=(None, None), chunks=True, shuffle=True, ge=0
    )


class Meta(h5s.Group):
    """A nested group with a couple of attributes."""

    source: str = h5s.attribute(min_length=1)
    level: int = h5s.attribute(ge=0, le=9)


class Run(h5s.Group):
    """One run: attributes of each scalar kind, a list, an array, a dataset and a nested group."""

    run_id: int = h5s.attribute(ge=0)
    temperature: float = h5s.attribute(gt=0, lt=400)
    operator: Literal["ann", "bob", "cyd"]
    ok: bool
    gains: list[float] = h5s.attribute(min_length=2)
    window: np.ndarray = h5s.attribute(dtype=np.float32, shape=(8,), ge=0, le=1)
    x: h5s.Dataset = h5s.dataset(np.int32, shape=("k",), ge=-1000, le=1000)
    y: h5s.Dataset = h5s.dataset(np.float64, shape=("k",), allow_nan=False)
    meta: Meta


class Runs(h5s.Group):
    """The runs, matched by a name pattern."""

    runs: dict[str, Run] = h5s.members(r"run_\d{3}", min_count=8, max_count=8)


class Tree(h5s.File):
    """Nested groups matched by a pattern, soft links (reported as unexpected members)."""

    created: str = h5s.attribute(pattern=r"^\d{4}-\d\d-\d\d$")
    runs: Runs


class Latest(h5s.File):
    """Written with libver="latest": dense attribute and link storage, every chunk index type."""

    a00: int = h5s.attribute(ge=0)
    a01: float = h5s.attribute(ge=0)
    a02: str = h5s.attribute(min_length=1)
    a03: bytes = h5s.attribute(min_length=1)
    a04: bool
    a05: list[int] = h5s.attribute(min_length=1)
    a06: list[float] = h5s.attribute(min_length=1)
    a07: list[str] = h5s.attribute(min_length=1)
    a08: np.ndarray = h5s.attribute(dtype=np.int16, shape=(4, 4), ge=0)
    a09: np.ndarray = h5s.attribute(dtype=np.float64, shape=(None,), le=100)
    a10: int = h5s.attribute(lt=10**6)
    a11: str = h5s.attribute(pattern="^dense")
    a12: float = h5s.attribute(le=1)
    a13: int = h5s.attribute(multiple_of=3)
    many: dict[str, h5s.Dataset] = h5s.members(
        r"d\d{3}", min_count=40, dataset=h5s.dataset(np.int16, shape=(16,), ge=0, lt=100)
    )
    fixed: h5s.Dataset = h5s.dataset(
        np.float32, shape=(64, 32), chunks=(16, 32), compression="gzip", fletcher32=True, ge=0, le=1
    )
    extensible: h5s.Dataset = h5s.dataset(
        np.int32, shape=("n",), maxshape=(None,), chunks=(256,), compression="gzip", ge=0, lt=5000
    )
    btree2: h5s.Dataset = h5s.dataset(
        np.uint16, shape=(None, None), maxshape=(None, None), chunks=(16, 16), fletcher32=True, lt=60000
    )
    single: h5s.Dataset = h5s.dataset(np.int8, shape=(32, 32), chunks=(32, 32), compression="lzf", ge=-100)
    text: h5s.Dataset = h5s.dataset(str, shape=("t",), maxshape=(None,), values=set(WORDS))
