"""P2: an NWB file of N TimeSeries in /acquisition, ``pynwb.validate`` vs h5schema.

The file is written by pynwb 4.2 (N TimeSeries of 1000 float32 samples each, with
``starting_time`` and ``rate``). h5schema validates it against ``schemas/nwb_timeseries.py``
(``NWBTimeSeriesFile``), which covers what pynwb checks in such a file: root attributes and
datasets, the required groups, and for each TimeSeries its attributes (including
``neurodata_type``, ``namespace``, ``object_id``), ``data`` with its attributes and
``starting_time`` with ``rate`` and ``unit``. pynwb validates against the namespaces cached in the
file (its default), which also makes it check the date strings' ISO 8601 format; h5schema checks
their string type and shape only.
"""

from __future__ import annotations

import datetime
import importlib.util
from functools import partial
from pathlib import Path
from typing import Any

import h5py
import numpy as np

import h5schema as h5s
from benchmarks.common import ROOT, Row, Settings, Target, log, measure, remove, seconds, warm_cache

SCHEMA_REF = f"{ROOT / 'schemas' / 'nwb_timeseries.py'}:NWBTimeSeriesFile"


def build(path: Path, n: int, samples: int = 1000) -> Path:
    """Write an NWB file with ``n`` TimeSeries in /acquisition, with pynwb."""
    from pynwb import NWBHDF5IO, NWBFile, TimeSeries  # type: ignore[import-untyped]

    nwb = NWBFile(
        session_description="h5schema benchmark",
        identifier="h5schema-bench",
        session_start_time=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
    )
    data = np.arange(samples, dtype=np.float32)
    for i in range(n):
        nwb.add_acquisition(
            TimeSeries(name=f"ts{i:05d}", data=data, unit="V", starting_time=0.0, rate=1000.0)
        )
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwb)
    return path


def break_file(path: Path) -> None:
    """Remove a required attribute (``rate`` of a ``starting_time``)."""
    with h5py.File(path, "a") as f:
        del f["acquisition/ts00000/starting_time"].attrs["rate"]


def schema() -> Any:
    return h5s.load_schema(SCHEMA_REF)


def run_h5schema(path: Path, spec: Any) -> bool:
    return h5s.validate(path, spec).valid


def run_pynwb(path: Path) -> bool:
    import pynwb

    return not pynwb.validate(path=str(path))


def run(s: Settings) -> list[Row]:
    if importlib.util.find_spec("pynwb") is None:
        return [Row("P2", "NWB TimeSeries", "pynwb not installed (pip install -e '.[bench]')", "-")]
    spec = schema()
    sizes: list[int] = s.pick([3], [100, 1000], [100, 1000, 3000])
    target_n = s.pick(3, 1000, 1000)
    rows = []
    broken = build(s.tmp / "p2_broken.nwb", 2)
    break_file(broken)
    notes = [f"{name} accepts the broken file" for name, ok in _agreement(broken, spec).items() if ok]
    remove(broken)
    for n in sizes:
        log(f"P2: building an NWB file with {n} TimeSeries")
        path = build(s.tmp / f"p2_{n}.nwb", n)
        refused = [name for name, ok in _agreement(path, spec).items() if not ok]
        note = "; ".join(notes + [f"{name} rejects the valid file" for name in refused])
        if note:
            log(f"P2 agreement problems: {note}")
        warm_cache(path)
        t = measure(
            {"pynwb": partial(run_pynwb, path), "h5schema": partial(run_h5schema, path, spec)},
            s.repeat,
            warmup=s.warmup,
        )
        remove(path)
        ours, theirs = t["h5schema"], t["pynwb"]
        rows.append(
            Row(
                "P2",
                f"NWB, N={n} TimeSeries" + ("" if n == target_n else " (context)"),
                f"pynwb.validate {seconds(theirs)}",
                f"{seconds(ours)} ({ours / n * 1e3:.3f} ms/series)",
                theirs / ours,
                "speed-up",
                Target(">=", 10) if n == target_n else None,
                note,
                {"seconds": t, "n": n},
            )
        )
    return rows


def _agreement(path: Path, spec: Any) -> dict[str, bool]:
    return {"pynwb": run_pynwb(path), "h5schema": run_h5schema(path, spec)}
