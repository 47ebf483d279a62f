"""JOBS: ``h5schema validate -j 2`` against ``-j 1`` on 200 small files, whole processes.

The files are copies of P6's small tutorial-layout file (two feature groups, 4 rows each, with
the schema's data checks). Each command is the installed console script run as a subprocess,
validating all 200 files at once; wall clock from spawn to exit, median of 3 after a warm-up.
The target (issue 5) is a speed-up of at least 1.7x on 2 cores.

Measured twice: with readers started by each run (no service), and with the reader service
(``h5schema server start``) running, started once before the timed runs in a private runtime
directory of the benchmark and stopped after them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from benchmarks.common import Row, Settings, Target, log, measure
from benchmarks.workloads.p6_process import SCHEMA_REF, build, cli


def run_jobs(paths: list[Path], jobs: int, env: dict[str, str]) -> None:
    proc = subprocess.run(
        [*cli(), "validate", *map(str, paths), "--schema", SCHEMA_REF, "-j", str(jobs)],
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"h5schema validate -j {jobs} exited {proc.returncode}: {proc.stderr}")


def _row(label: str, n: int, t: dict[str, float]) -> Row:
    return Row(
        "JOBS",
        f"`h5schema validate -j 2` vs `-j 1`, {n} small files, whole process, {label}",
        f"-j 1 {t['-j 1']:.2f} s",
        f"-j 2 {t['-j 2']:.2f} s",
        t["-j 1"] / t["-j 2"],
        "speed-up",
        Target(">=", 1.7),
        details={"seconds": t, "files": n},
    )


def run(s: Settings) -> list[Row]:
    n = s.pick(20, 200, 200)
    folder = s.tmp / "jobs"
    folder.mkdir(exist_ok=True)
    first = build(folder / "f000.h5")
    paths = [first] + [Path(shutil.copy(first, folder / f"f{i:03d}.h5")) for i in range(1, n)]
    runtime = Path(tempfile.mkdtemp(prefix="h5s-bench-"))  # the benchmark's own services only
    cold = {**os.environ, "H5SCHEMA_RUNTIME_DIR": str(runtime), "H5SCHEMA_NO_SERVER": "1"}
    warm = {k: v for k, v in cold.items() if k != "H5SCHEMA_NO_SERVER"}
    rows = []
    try:
        log(f"JOBS: {n} small files, -j 1 against -j 2, readers started by each run")
        cases = {"-j 1": lambda: run_jobs(paths, 1, cold), "-j 2": lambda: run_jobs(paths, 2, cold)}
        rows.append(_row("readers started by each run", n, measure(cases, s.repeat, warmup=s.warmup)))
        log(f"JOBS: {n} small files, -j 1 against -j 2, with the reader service running")
        start = [*cli(), "server", "start", "--idle-timeout", "0"]
        subprocess.run(start, check=True, env=warm, capture_output=True)
        cases = {"-j 1": lambda: run_jobs(paths, 1, warm), "-j 2": lambda: run_jobs(paths, 2, warm)}
        rows.append(_row("reader service running", n, measure(cases, s.repeat, warmup=s.warmup)))
    finally:
        subprocess.run([*cli(), "server", "stop"], env=warm, capture_output=True)
        shutil.rmtree(runtime, ignore_errors=True)
        shutil.rmtree(folder)
    return rows
