"""P3: full validation of an 11,000-object file vs a naive h5py ``visititems`` walk.

The file: 1000 groups ``g0000``..``g0999`` at the root, each with two attributes (``index`` int,
``label`` str) and ten datasets ``d0``..``d9`` (float32 ``(8,)``, resizable, chunked, gzip), each
with two attributes (``units`` str, ``scale`` float). The walk reads every attribute (names and
values) and each dataset's shape, dtype, maxshape, chunks and compression, and checks nothing.
h5schema checks all of it against a closed schema: names, attribute types (and the
constraints on ``index`` and ``units``), dtype, shape, maxshape, chunks, compression, level,
shuffle and fletcher32. No data checks (the walk reads no data).

Also used by the scaling workload (the same layout at other sizes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import h5py
import numpy as np

import h5schema as h5s
from benchmarks.common import Row, Settings, Target, log, measure, remove, seconds, warm_cache


class Sensor(h5s.Dataset, closed=True):
    """A small resizable dataset with its two attributes."""

    units: Literal["V", "mV"]
    scale: float


def _sensor() -> Any:
    return h5s.dataset(
        np.float32,
        shape=(8,),
        maxshape=(None,),
        chunks=(8,),
        compression="gzip",
        compression_opts=4,
        shuffle=False,
        fletcher32=False,
    )


class Block(h5s.Group, closed=True):
    """One group of ten datasets."""

    index: int = h5s.attribute(ge=0)
    label: str
    d0: Sensor = _sensor()
    d1: Sensor = _sensor()
    d2: Sensor = _sensor()
    d3: Sensor = _sensor()
    d4: Sensor = _sensor()
    d5: Sensor = _sensor()
    d6: Sensor = _sensor()
    d7: Sensor = _sensor()
    d8: Sensor = _sensor()
    d9: Sensor = _sensor()


class P3File(h5s.File):
    """Groups g0000, g0001, ... of ten datasets each."""

    blocks: dict[str, Block] = h5s.members(r"g\d+")


def build(
    path: Path, groups: int = 1000, samples: int = 8, compression: str | None = "gzip", chunk: int = 8
) -> Path:
    """Write ``groups`` groups of ten datasets (``groups * 11`` objects) of ``samples`` values."""
    data = np.arange(samples, dtype=np.float32)
    with h5py.File(path, "w") as f:
        for i in range(groups):
            g = f.create_group(f"g{i:04d}")
            g.attrs["index"] = i
            g.attrs["label"] = f"block {i}"
            for j in range(10):
                d = g.create_dataset(
                    f"d{j}", data=data, maxshape=(None,), chunks=(chunk,), compression=compression
                )
                d.attrs["units"] = "V"
                d.attrs["scale"] = 0.5
    return path


def naive_walk(path: Path) -> int:
    """Read every attribute and each dataset's metadata, the plain h5py way. Returns the count."""
    seen = 0

    def visit(_name: str, obj: Any) -> None:
        nonlocal seen
        seen += 1
        for _key, _value in obj.attrs.items():
            pass
        if isinstance(obj, h5py.Dataset):
            _ = (obj.shape, obj.dtype, obj.maxshape, obj.chunks, obj.compression)

    with h5py.File(path, "r") as f:
        for _key, _value in f.attrs.items():
            pass
        f.visititems(visit)
    return seen


def run_h5schema(path: Path, schema: Any = P3File) -> bool:
    return h5s.validate(path, schema).valid


def run(s: Settings) -> list[Row]:
    groups = s.pick(3, 1000, 1000)
    path = build(s.tmp / "p3.h5", groups)
    objects = naive_walk(path)
    note = "" if run_h5schema(path) else "h5schema rejects the valid file"
    with h5py.File(path, "a") as f:
        f["g0000/d3"].attrs["units"] = "volts"
        f.create_group("g0001/extra")
    broken = h5s.validate(path, P3File).codes()
    if broken != ["attribute_value", "unexpected_member"]:
        note += f" h5schema reports {broken} on the broken copy"
    build(path, groups)
    log(f"P3: {objects} objects")
    warm_cache(path)
    t = measure(
        {"walk": lambda: naive_walk(path), "h5schema": lambda: run_h5schema(path)}, s.repeat, warmup=s.warmup
    )
    remove(path)
    ours, theirs = t["h5schema"], t["walk"]
    return [
        Row(
            "P3",
            f"full validation, {objects} objects",
            f"h5py visititems walk {seconds(theirs)}",
            seconds(ours),
            ours / theirs,
            "h5schema/walk time",
            Target("<=", 0.6),
            note.strip(),
            {"seconds": t, "objects": objects},
        )
    ]
