"""Benchmarks of issue 3: h5schema side by side with the baselines, as one table.

    python benchmarks/run.py [--quick] [--only P1,P4,...] [--json results.json]

Builds its own files in a temporary directory (deleted afterwards), installs nothing (the
comparison tools come from the ``bench`` extra: ``pip install -e '.[test,bench]'``), runs each
case 3 times side by side after a warm-up and keeps the median. Progress goes to stderr, the
table (markdown) to stdout. Workloads whose tools are missing are reported as such.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `benchmarks` and `h5schema` importable
    sys.path.insert(0, str(ROOT))

import h5py  # noqa: E402

import h5schema  # noqa: E402
from benchmarks.common import Row, Settings, log, markdown_table  # noqa: E402
from benchmarks.workloads import (  # noqa: E402
    jobs,
    p1_metadata,
    p2_nwb,
    p3_walk,
    p4_append,
    p5_data,
    p6_process,
    scaling,
)

WORKLOADS: dict[str, Callable[[Settings], list[Row]]] = {
    "P1": p1_metadata.run,
    "P2": p2_nwb.run,
    "P3": p3_walk.run,
    "P4": p4_append.run,
    "P5": p5_data.run,
    "P6": p6_process.run,
    "SCALING": scaling.run,
    "JOBS": jobs.run,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller files (P5 shrinks to ~100 MB, fewer N)")
    parser.add_argument("--only", default="", help="comma-separated workloads: " + ",".join(WORKLOADS))
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per case (the median is kept)")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows as JSON here")
    parser.add_argument("--tmpdir", type=Path, default=None, help="where to build the files")
    return parser.parse_args(argv)


def selected(only: str) -> list[str]:
    if not only:
        return list(WORKLOADS)
    names = [n.strip().upper() for n in only.split(",") if n.strip()]
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        raise SystemExit(f"unknown workload(s) {unknown}; choose from {list(WORKLOADS)}")
    return names


def machine() -> str:
    import os

    cores = os.cpu_count()
    return (
        f"{platform.system()} {platform.machine()}, {cores} cores, Python {platform.python_version()}, "
        f"h5py {h5py.version.version}, HDF5 {h5py.version.hdf5_version}, h5schema {h5schema.__version__}"
    )


def run_all(names: list[str], settings: Settings) -> list[Row]:
    rows: list[Row] = []
    for name in names:
        log(f"== {name}")
        start = time.perf_counter()
        try:
            rows.extend(WORKLOADS[name](settings))
        except Exception as exc:  # one broken workload must not hide the others
            log(f"{name} failed: {type(exc).__name__}: {exc}")
            rows.append(Row(name, "FAILED", f"{type(exc).__name__}: {exc}", "-"))
        log(f"   {name} took {time.perf_counter() - start:.1f} s")
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = selected(args.only)
    with tempfile.TemporaryDirectory(prefix="h5schema-bench-", dir=args.tmpdir) as tmp:
        settings = Settings(Path(tmp), "quick" if args.quick else "full", args.repeat)
        rows = run_all(names, settings)
    stamp = time.strftime("%Y-%m-%d %H:%M")
    print(f"h5schema benchmarks, {stamp}, {'quick' if args.quick else 'full'} run, median of {args.repeat}")
    print(f"machine: {machine()}\n")
    print(markdown_table(rows))
    for r in rows:
        if r.note:
            print(f"\n- {r.workload} ({r.what}): {r.note}")
    if args.json:
        payload = [{**r.__dict__, "target": str(r.target or ""), "met": r.met} for r in rows]
        args.json.write_text(json.dumps({"date": stamp, "machine": machine(), "rows": payload}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
