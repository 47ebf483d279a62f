"""The nightly kill run: ``python -m tests.kill --runs 500`` from the repository root.

Prints the counts by outcome per mode, then every failure, and exits 1 if there is one. The
files of failed runs are kept (their paths are printed); ``--keep`` keeps every file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from tests.kill.harness import MODES, kill_runs, summary


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.kill", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500, help="killed runs per mode (default 500)")
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}")
    parser.add_argument("--seed", type=int, default=0, help="the batch's seed (default 0)")
    parser.add_argument("--parallel", type=int, default=2, help="runs at a time (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep every run's file, not only the failed")
    parser.add_argument("--dir", type=Path, help="where the runs' files go (default: a new temp dir)")
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    unknown = sorted(set(modes) - set(MODES))
    if unknown:
        parser.error(f"unknown modes {unknown}; choose from {list(MODES)}")
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="h5schema-kills-"))
    workdir.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    outcomes = kill_runs(
        modes, args.runs, seed=args.seed, workdir=workdir, parallel=args.parallel, keep=args.keep
    )
    print(f"{len(outcomes)} runs in {time.monotonic() - start:.0f} s, seed {args.seed}, files in {workdir}")
    print(summary(outcomes))
    return 1 if any(not o.ok for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
