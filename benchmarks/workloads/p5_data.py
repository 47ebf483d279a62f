"""P5: data checks on a dataset larger than 1 GB, and their peak memory at two sizes.

The dataset: float32 ``(rows, 1024)``, chunks ``(256, 1024)`` (1 MiB), uncompressed, values drawn
from eight levels 0, 0.125, ..., 0.875. The schema declares the three data checks: allowed
values (the eight levels), a range (``ge=0, le=1``) and ``allow_nan=False``. The baseline reads the
same dataset chunk by chunk with h5py (``for sel in ds.iter_chunks(): ds[sel]``) and checks
nothing. Throughput is the dataset's size over the time.

Peak memory is measured in a fresh subprocess per run (``ru_maxrss``; for h5schema the largest
of that process and the sandboxed children that read the file), for h5schema and for the
baseline, at two sizes (about 1.1 GB and 2.2 GB; ``--quick``: 64 and 128 MB). Files are built
one at a time and deleted as soon as they are measured (disk use stays under 2.5 GB).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np

import h5schema as h5s
from benchmarks.common import MB, ROOT, Row, Settings, Target, log, measure, remove, size_text, warm_cache

COLUMNS = 1024
CHUNK_ROWS = 256
LEVELS = [i / 8 for i in range(8)]


class Levels(h5s.File):
    """One big float32 dataset with three data checks."""

    x: h5s.Dataset = h5s.dataset(
        np.float32,
        shape=(None, COLUMNS),
        values=LEVELS,
        ge=0,
        le=1,
        allow_nan=False,
        chunks=(CHUNK_ROWS, COLUMNS),
    )


def build(path: Path, nbytes: float) -> Path:
    """Write about ``nbytes`` (rounded up to whole 1 MiB chunks) of checked-clean data."""
    rows = -(-int(nbytes) // (COLUMNS * 4 * CHUNK_ROWS)) * CHUNK_ROWS
    rng = np.random.default_rng(0)
    levels = np.array(LEVELS, dtype=np.float32)
    step = 64 * CHUNK_ROWS  # 64 MiB at a time
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("x", (rows, COLUMNS), dtype=np.float32, chunks=(CHUNK_ROWS, COLUMNS))
        for start in range(0, rows, step):
            n = min(step, rows - start)
            ds[start : start + n] = levels[rng.integers(0, 8, size=(n, COLUMNS), dtype=np.uint8)]
    return path


def chunk_read(path: Path) -> int:
    """The baseline: read every chunk once, check nothing."""
    total = 0
    with h5py.File(path, "r") as f:
        ds = f["x"]
        for sel in ds.iter_chunks():
            total += ds[sel].size
    return total


def run_h5schema(path: Path) -> bool:
    return h5s.validate(path, Levels).valid


_PEAK = """
import json, resource, sys
sys.path.insert(0, sys.argv[3])
from pathlib import Path
from benchmarks.workloads import p5_data
ok = {"h5schema": p5_data.run_h5schema, "baseline": p5_data.chunk_read}[sys.argv[2]](Path(sys.argv[1]))
hwm = [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")]
if "h5schema._sandbox" in sys.modules:  # the file was read in child processes: count them
    sys.modules["h5schema._sandbox"].shutdown()
maxrss = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(json.dumps({"ok": bool(ok), "maxrss_kb": maxrss, "vmhwm_kb": int(hwm[0]) if hwm else None}))
"""


def peak_mb(path: Path, which: str) -> float:
    """Peak resident memory (MB) of a fresh process that runs one check of ``path``.

    The process is started by a shell that forks it (``; exit``), because Linux carries a
    process's ``ru_maxrss`` across ``exec``: a child exec'd straight from this (large) process
    would report at least this process's own peak.
    """
    command = [sys.executable, "-c", _PEAK, str(path), which, str(ROOT)]
    out = subprocess.run(
        ["/bin/sh", "-c", '"$@"; exit $?', "sh", *command], capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if not result["ok"]:
        raise RuntimeError(f"{which} found the P5 file invalid")
    return float(result["maxrss_kb"]) * 1024 / MB


def run(s: Settings) -> list[Row]:
    small, large = s.pick((4e6, 8e6), (64e6, 128e6), (1.1e9, 2.2e9))
    path = s.tmp / "p5.h5"
    rows: list[Row] = []
    peaks: dict[str, list[float]] = {"h5schema": [], "baseline": []}
    actual: list[int] = []
    for size in (small, large):
        log(f"P5: building a {size_text(size)} dataset")
        build(path, size)
        nbytes = path.stat().st_size
        actual.append(nbytes)
        warm_cache(path)
        if size == small:
            t = measure(
                {"chunk read": lambda: chunk_read(path), "h5schema": lambda: run_h5schema(path)},
                s.repeat,
                warmup=s.warmup,
            )
            rate = {k: nbytes / MB / v for k, v in t.items()}
            rows.append(
                Row(
                    "P5",
                    f"range+values+NaN checks on {size_text(nbytes)}",
                    f"h5py chunk-by-chunk read {rate['chunk read']:.0f} MB/s",
                    f"{rate['h5schema']:.0f} MB/s",
                    rate["h5schema"] / rate["chunk read"],
                    "h5schema/baseline MB/s",
                    Target(">=", 0.8),
                    details={"seconds": t, "bytes": nbytes},
                )
            )
        for which in peaks:
            peaks[which].append(statistics.median(peak_mb(path, which) for _ in range(s.repeat)))
        remove(path)
    ours, base = peaks["h5schema"], peaks["baseline"]
    rows.append(
        Row(
            "P5",
            f"peak memory at {size_text(actual[0])} -> {size_text(actual[1])}",
            f"chunk read {base[0]:.0f} -> {base[1]:.0f} MB",
            f"{ours[0]:.0f} -> {ours[1]:.0f} MB",
            ours[1] / ours[0],
            "h5schema peak growth",
            Target("<=", 1.05),
            details={"peak_mb": peaks},
        )
    )
    return rows
