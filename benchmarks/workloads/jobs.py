"""JOBS: ``h5schema validate -j 2`` against ``-j 1`` on 200 small files, whole processes.

The files are copies of P6's small tutorial-layout file (two feature groups, 4 rows each, with
the schema's data checks). Each command is the installed console script run as a subprocess,
validating all 200 files at once; wall clock from spawn to exit, median of 3 after a warm-up.
The target (issue 5) is a speed-up of at least 1.7x on 2 cores.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from benchmarks.common import Row, Settings, Target, log, measure
from benchmarks.workloads.p6_process import SCHEMA_REF, build, cli


def run_jobs(paths: list[Path], jobs: int) -> None:
    proc = subprocess.run(
        [*cli(), "validate", *map(str, paths), "--schema", SCHEMA_REF, "-j", str(jobs)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"h5schema validate -j {jobs} exited {proc.returncode}: {proc.stderr}")


def run(s: Settings) -> list[Row]:
    n = s.pick(20, 200, 200)
    folder = s.tmp / "jobs"
    folder.mkdir(exist_ok=True)
    first = build(folder / "f000.h5")
    paths = [first] + [Path(shutil.copy(first, folder / f"f{i:03d}.h5")) for i in range(1, n)]
    log(f"JOBS: {n} small files, -j 1 against -j 2")
    t = measure(
        {"-j 1": lambda: run_jobs(paths, 1), "-j 2": lambda: run_jobs(paths, 2)}, s.repeat, warmup=s.warmup
    )
    shutil.rmtree(folder)
    return [
        Row(
            "JOBS",
            f"`h5schema validate -j 2` vs `-j 1`, {n} small files, whole process",
            f"-j 1 {t['-j 1']:.2f} s",
            f"-j 2 {t['-j 2']:.2f} s",
            t["-j 1"] / t["-j 2"],
            "speed-up",
            Target(">=", 1.7),
            details={"seconds": t, "files": n},
        )
    ]
