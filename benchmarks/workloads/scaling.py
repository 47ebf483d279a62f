"""Scaling: validation time against the number of objects, and against the amount of data.

Objects: the P3 layout (groups of ten datasets, attributes on each, the same closed schema, no
data checks) at about 1k, 10k and 100k objects (``--quick``: 1k, 10k, 20k); time per object is
printed, and the target is that it does not grow: the per-object time at the largest size is at
most 1.25x the per-object time at 10k (at 1k the fixed costs, such as opening the file, weigh
more).

Data: 100 groups of ten datasets (1100 objects), uncompressed, first with 8 float32 values per
dataset, then with 65,536 (256 KiB each, 262 MB of data in all; ``--quick``: 16,384); the same
schema (any length), no data checks. Done twice: with chunks of 4096 values (16 KiB, a common
automatic chunk size: 1 vs 16 chunks per dataset) and with chunks of 8 values (1 vs 8192 chunks
per dataset, as a dataset grown by many small appends has). Target: the large file takes at most
1.2x the time of the small one.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import h5schema as h5s
from benchmarks.common import Row, Settings, Target, log, measure, remove, seconds, warm_cache
from benchmarks.workloads.p3_walk import P3File, build


def _schema(chunk: int) -> Any:
    """The P3 schema with any dataset length, no compression, and chunks of ``chunk`` values."""
    spec = P3File.to_spec()
    block = spec.root.patterns[0].item
    assert isinstance(block, h5s.GroupSpec)
    members = tuple(
        m.model_copy(
            update={
                "shape": (h5s.dim(),),
                "chunks": (chunk,),
                "compression": "none",
                "compression_opts": None,
            }
        )
        if isinstance(m, h5s.DatasetSpec)
        else m
        for m in block.members
    )
    item = block.model_copy(update={"members": members})
    pattern = spec.root.patterns[0].model_copy(update={"item": item})
    root = spec.root.model_copy(update={"patterns": (pattern,)})
    return h5s.SchemaSpec.from_json(spec.model_copy(update={"root": root}).to_json())


def objects_rows(s: Settings) -> list[Row]:
    groups: list[int] = s.pick([3, 9], [91, 909, 1818], [91, 909, 9091])
    per_object: dict[int, float] = {}
    rows = []
    for g in groups:
        path = Path(s.tmp / f"scale_{g}.h5")
        log(f"scaling: building {g * 11} objects")
        build(path, g)
        if not h5s.validate(path, P3File).valid:
            raise RuntimeError(f"scaling: h5schema rejects the valid {g * 11}-object file")
        warm_cache(path)
        t = measure({"h5schema": partial(h5s.validate, path, P3File)}, s.repeat, warmup=s.warmup)["h5schema"]
        remove(path)
        n = g * 11
        per_object[n] = t / n
        rows.append(
            Row(
                "SCALING",
                f"{n} objects, no data checks",
                "-",
                f"{seconds(t)} ({t / n * 1e6:.0f} us/object)",
                details={"seconds": t, "objects": n},
            )
        )
    sizes = sorted(per_object)
    ref, top = sizes[-2], sizes[-1]
    rows.append(
        Row(
            "SCALING",
            f"time per object at {top} vs {ref} objects",
            f"{per_object[ref] * 1e6:.0f} us/object at {ref}",
            f"{per_object[top] * 1e6:.0f} us/object at {top}",
            per_object[top] / per_object[ref],
            "per-object time ratio",
            Target("<=", 1.25),
        )
    )
    return rows


def data_rows(s: Settings, chunk: int) -> list[Row]:
    """The same objects with 8 and with ``large`` values per dataset, in chunks of ``chunk`` values."""
    groups = s.pick(3, 100, 100)
    small, large = 8, s.pick(4096, 16384, 65536)
    paths = {
        n: build(s.tmp / f"data_{n}.h5", groups, samples=n, compression=None, chunk=chunk)
        for n in (small, large)
    }
    schema = _schema(chunk)
    for path in paths.values():
        report = h5s.validate(path, schema)
        if not report.valid:
            raise RuntimeError(f"scaling: h5schema rejects the valid file\n{report}")
    warm_cache(*paths.values())
    mb = paths[large].stat().st_size / 1e6
    chunks = -(-large // chunk)
    log(f"scaling: {groups * 11} objects, {small} or {large} values in {chunks} chunks each ({mb:.0f} MB)")
    cases = {f"{n}": partial(h5s.validate, paths[n], schema) for n in (small, large)}
    t = {int(k): v for k, v in measure(cases, s.repeat, warmup=s.warmup).items()}
    remove(*paths.values())
    return [
        Row(
            "SCALING",
            f"{groups * 11} objects, {small} vs {large} float32 per dataset in chunks of {chunk} "
            f"(1 vs {chunks} chunks, {mb:.0f} MB)",
            f"small file {seconds(t[small])}",
            f"large file {seconds(t[large])}",
            t[large] / t[small],
            "large/small time",
            Target("<=", 1.2),
            details={"seconds": {str(k): v for k, v in t.items()}},
        )
    ]


def run(s: Settings) -> list[Row]:
    return objects_rows(s) + data_rows(s, chunk=4096) + data_rows(s, chunk=8)
