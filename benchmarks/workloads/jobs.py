"""JOBS: ``h5schema validate DIR -j 2`` against ``-j 1``, whole processes (issue 5).

The measured case: a directory of 200 files, each holding 4 MiB of gzip-compressed data under
value checks (``jobs_schema.Recording``: a float32 signal in ``[-1, 1]`` without NaN, uint8
labels among four allowed values), so that each file costs its reader real work: inflating every
chunk and checking every value, about 20 ms. Three of the files break one check each. The
command is the installed console script run as a subprocess on the directory, ``--format
json``; wall clock from spawn to exit, the two commands interleaved, median of the timed runs
after a warm-up. The target is a speed-up of at least 1.8x on 2 cores.

Every dataset stays far below the size from which a reader splits one dataset's checks over
forked copies of itself (``PARALLEL_BYTES``), so ``-j 1`` uses one core for the files and the
comparison is about files checked in parallel. Every run's output must be the same, and must
report exactly the three broken files.

For context, without target: the same with ``validate_many(jobs=1)`` against ``jobs=2`` in this
process (readers already running: no start-up in the timing), and the command on 200 copies of
P6's small file, where the readers' start-up weighs as much as the files.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np

import h5schema as h5s
from benchmarks.common import ROOT, Row, Settings, Target, log, measure, size_text, warm_cache
from benchmarks.workloads import p6_process
from benchmarks.workloads.jobs_schema import CHANNELS, CHUNK_ROWS, LABEL_CHUNK, Recording
from h5schema._validate.data import PARALLEL_BYTES

DATA_REF = f"{ROOT / 'benchmarks' / 'workloads' / 'jobs_schema.py'}:Recording"
TARGET = Target(">=", 1.8)
DISTINCT = 8  # distinct files built; the others are copies of them
BROKEN = {7: "nan", 70: "label", 170: "range"}  # index -> the check that file breaks


def build_recording(path: Path, rows: int, seed: int) -> Path:
    """A clean recording of ``rows`` samples: a noisy sine per channel, quantized to 1/512."""
    rng = np.random.default_rng(seed)
    t = np.arange(rows, dtype=np.float64)[:, None] / 1000.0
    phase = rng.uniform(0, 2 * np.pi, CHANNELS)
    signal = 0.6 * np.sin(2 * np.pi * 7.0 * t + phase) + 0.1 * rng.standard_normal((rows, CHANNELS))
    signal = np.clip(np.round(signal * 512) / 512, -1, 1).astype(np.float32)
    labels = rng.integers(0, 4, rows, dtype=np.uint8)
    with h5py.File(path, "w") as f:
        f.attrs["rate"] = 1000.0
        opts = {"compression": "gzip", "compression_opts": 4}
        f.create_dataset("signal", data=signal, chunks=(CHUNK_ROWS, CHANNELS), shuffle=True, **opts)
        f.create_dataset("labels", data=labels, chunks=(LABEL_CHUNK,), **opts)
    return path


def break_recording(path: Path, how: str) -> None:
    """One wrong value in an otherwise clean file."""
    with h5py.File(path, "r+") as f:
        if how == "nan":
            f["signal"][3, 5] = np.nan
        elif how == "range":
            f["signal"][-1, 0] = 1.5
        else:
            f["labels"][10] = 9


def build_data(folder: Path, n: int, rows: int) -> list[Path]:
    """``n`` recordings (``DISTINCT`` built, the rest copies), the ``BROKEN`` ones broken."""
    if rows * CHANNELS * 4 >= PARALLEL_BYTES:
        raise ValueError("a dataset this big is checked on several cores even with -j 1")
    folder.mkdir()
    built = [build_recording(folder / f"r{i:03d}.h5", rows, seed=i) for i in range(min(n, DISTINCT))]
    paths = built + [
        Path(shutil.copy(built[i % DISTINCT], folder / f"r{i:03d}.h5")) for i in range(DISTINCT, n)
    ]
    for i, how in BROKEN.items():
        if i < n:
            break_recording(paths[i], how)
    return paths


def build_small(folder: Path, n: int) -> list[Path]:
    """``n`` copies of P6's small tutorial-layout file."""
    folder.mkdir()
    first = p6_process.build(folder / "s000.h5")
    return [first] + [Path(shutil.copy(first, folder / f"s{i:03d}.h5")) for i in range(1, n)]


def run_cli(folder: Path, ref: str, jobs: int) -> str:
    """``h5schema validate FOLDER -j JOBS --format json``; its output (exit 0 or 1: reports)."""
    command = [
        *p6_process.cli(),
        "validate",
        str(folder),
        "--schema",
        ref,
        "-j",
        str(jobs),
        "--format",
        "json",
    ]
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"h5schema validate -j {jobs} exited {proc.returncode}: {proc.stderr}")
    return proc.stdout


def run_library(paths: list[Path], jobs: int) -> str:
    """``validate_many(paths, Recording, jobs=JOBS)``, its reports as JSON text."""
    reports = h5s.validate_many(paths, Recording, jobs=jobs)
    return json.dumps([r.to_dict() for r in reports])


def timed(
    runner: Callable[[int], str], s: Settings, expected: set[str] | None
) -> tuple[dict[str, float], str]:
    """Median seconds of ``-j 1`` and ``-j 2`` interleaved, and what disagreed ("" if nothing):
    every run must print the same reports, and, when ``expected`` is given, find exactly those
    files invalid."""
    outputs: list[str] = []

    def case(jobs: int) -> Callable[[], None]:
        return lambda: outputs.append(runner(jobs))

    t = measure({"-j 1": case(1), "-j 2": case(2)}, s.repeat, warmup=s.warmup)
    problems = []
    if len(set(outputs)) != 1:
        problems.append(f"the runs gave {len(set(outputs))} different outputs")
    if expected is not None:
        doc = json.loads(outputs[0])
        files = doc["files"] if isinstance(doc, dict) else doc
        invalid = {Path(f["file"]).name for f in files if not f["valid"]}
        if invalid != expected:
            problems.append(f"invalid files {sorted(invalid)}, expected {sorted(expected)}")
    return t, "; ".join(problems)


def _row(what: str, t: dict[str, float], note: str, target: Target | None, **details: object) -> Row:
    return Row(
        "JOBS",
        what,
        f"-j 1 {t['-j 1']:.2f} s",
        f"-j 2 {t['-j 2']:.2f} s",
        t["-j 1"] / t["-j 2"],
        "speed-up",
        target,
        note=note,
        details={"seconds": t, **details},
    )


def run(s: Settings) -> list[Row]:
    n = s.pick(20, 200, 200)
    rows_per_file = s.pick(4096, 16384, 16384)  # float32 (rows, 64): 4 MiB at full size
    data_dir, small_dir = s.tmp / "jobs-data", s.tmp / "jobs-small"
    command = "`h5schema validate DIR -j 2` vs `-j 1`"
    out: list[Row] = []
    try:
        log(f"JOBS: building {n} recordings of {rows_per_file} x {CHANNELS} float32")
        paths = build_data(data_dir, n, rows_per_file)
        raw = rows_per_file * (CHANNELS * 4 + 1)
        stored = sum(p.stat().st_size for p in paths)
        warm_cache(*paths)
        expected = {paths[i].name for i in BROKEN if i < n}
        files = f"{n} files of {size_text(raw)} data under value checks ({size_text(stored)} stored, gzip)"
        info = {"files": n, "raw_bytes_per_file": raw, "stored_bytes": stored}

        log(f"JOBS: {command}, data files")
        t, note = timed(lambda j: run_cli(data_dir, DATA_REF, j), s, expected)
        out.append(_row(f"{command}, {files}, whole process", t, note, TARGET, **info))

        log("JOBS: validate_many(jobs=2) vs jobs=1, data files, readers running")
        t, note = timed(lambda j: run_library(paths, j), s, expected)
        what = "`validate_many(jobs=2)` vs `jobs=1`, the same files, readers already running"
        out.append(_row(what, t, note, None, **info))
        shutil.rmtree(data_dir)

        log(f"JOBS: {command}, {n} small files")
        small = build_small(small_dir, n)
        warm_cache(*small)
        t, note = timed(lambda j: run_cli(small_dir, p6_process.SCHEMA_REF, j), s, set())
        out.append(_row(f"{command}, {n} small files, whole process", t, note, None, files=n))
    finally:
        for folder in (data_dir, small_dir):
            shutil.rmtree(folder, ignore_errors=True)
    return out
