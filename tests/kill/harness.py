"""The parent side of the kill runs: plan them (seeded), feed the fork server, collect outcomes.

The modes and what each must show are in tests/kill/checks.py. A run's settings and its kill
delay come from ``random.Random(f"{seed}/{mode}")``, so a batch is the same batch every time;
where in its work a writer is when the kill lands depends on the machine's speed.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tests.kill.checks import Outcome, Run, validated

ROOT = Path(__file__).resolve().parents[2]
WRITER_MODES = ("rows", "seconds", "close", "swmr")
MODES = (*WRITER_MODES, "materialize")
WRITE_SECONDS = 0.2  # how long a writer appends before it closes, unless killed first


def plan(mode: str, count: int, seed: int, workdir: Path, first: int, span: float) -> list[Run]:
    """``count`` runs of ``mode``; each kill delay is drawn from 0 to ``span`` seconds."""
    rng = random.Random(f"{seed}/{mode}")
    runs = []
    for k in range(first, first + count):
        params: dict[str, Any] = {}
        if mode != "materialize":
            params["via"] = rng.choice(["create", "open_writer"])
            params["buffer_bytes"] = rng.choice([None, 2048])  # small: rows spill between flushes
        if mode == "rows":
            params["every_rows"] = rng.choice([1, 3, 64, 100, 500])
        elif mode == "seconds":
            params["every_seconds"] = rng.choice([0.002, 0.01, 0.05])
        elif mode == "close":
            params["explicit_flush_at"] = rng.choice([None, rng.randint(1, 3000)])
        elif mode == "swmr":
            if rng.random() < 0.75:
                params["every_rows"] = rng.choice([1, 10, 100, 1000])
            else:
                params["every_seconds"] = rng.choice([0.005, 0.02])
        path = workdir / f"{k}" / ("archive.h5" if mode == "materialize" else "log.h5")
        path.parent.mkdir(parents=True)
        delay = round(rng.uniform(0, span), 4)
        runs.append(Run(k, mode, str(path), rng.randrange(2**32), delay, WRITE_SECONDS, params))
    return runs


class Server:
    """The fork server (tests/kill/server.py), started once for a batch of runs."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.kill.server"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        if self.stdout.readline().strip() != "server ready":
            raise RuntimeError("the kill server did not start")

    def run(self, runs: Iterable[Run], parallel: int) -> list[Outcome]:
        """Run ``runs``, ``parallel`` at a time; their outcomes, in the order they ended."""
        pending, active, outcomes = list(runs)[::-1], 0, []
        while pending or active:
            while pending and active < parallel:
                self.stdin.write(json.dumps(vars(pending.pop())) + "\n")
                self.stdin.flush()
                active += 1
            line = self.stdout.readline()
            if not line:
                raise RuntimeError(f"the kill server died (status {self.proc.poll()})")
            result = json.loads(line)
            outcome = (result.pop("outcome"), result.pop("ok"), result.pop("detail"))
            outcomes.append(Outcome(Run(**result), *outcome))
            active -= 1
        return outcomes

    def close(self) -> None:
        self.stdin.close()
        self.proc.wait(timeout=60)
        self.stdout.close()


def kill_runs(
    modes: Iterable[str], runs: int, *, seed: int, workdir: Path, parallel: int = 2, keep: bool = False
) -> list[Outcome]:
    """``runs`` killed runs of each mode, ``parallel`` at a time; every run's outcome, by run
    number. The files of good runs are deleted once checked, unless ``keep``."""
    outcomes: list[Outcome] = []
    server = Server()
    try:
        first, batch = 0, []
        for mode in modes:
            span = WRITE_SECONDS * 1.15  # most runs are killed while writing, a few finish
            if mode == "materialize":  # kills spread over 1.5 times what creating it takes here
                calibration = plan(mode, parallel, seed, workdir, first, 0)
                for r in calibration:
                    r.delay = None
                outcomes += server.run(calibration, parallel)
                span = max(o.run.elapsed for o in outcomes[-parallel:]) * 1.5
                first += parallel
            batch += plan(mode, runs, seed, workdir, first, span)
            first += runs
        random.Random(seed).shuffle(batch)  # modes interleaved: parallel runs differ in kind
        outcomes += server.run(batch, parallel)
    finally:
        server.close()
    outcomes = [validated(o) for o in outcomes]
    if not keep:
        for o in outcomes:
            if o.ok:
                for p in Path(o.run.path).parent.iterdir():
                    p.unlink()
    return sorted(outcomes, key=lambda o: o.run.run)


def summary(outcomes: Iterable[Outcome]) -> str:
    """Counts by outcome per mode (with how many kills landed during a flush), then every failure."""
    outcomes = list(outcomes)
    counts = Counter((o.run.mode, o.ok, o.outcome) for o in outcomes)
    lines = [f"{'mode':<12} {'runs':>5} {'killed':>6} {'in flush':>8}  outcomes"]
    for mode in dict.fromkeys(o.run.mode for o in outcomes):
        mine = [o for o in outcomes if o.run.mode == mode]
        killed = sum(o.run.killed for o in mine)
        in_flush = sum(bool(o.run.killed and o.run.in_flush) for o in mine)
        parts = [
            f"{label} {n}" + ("" if ok else " (FAILED)")
            for (m, ok, label), n in sorted(counts.items(), key=lambda kv: (not kv[0][1], kv[0][2]))
            if m == mode
        ]
        lines.append(f"{mode:<12} {len(mine):>5} {killed:>6} {in_flush:>8}  " + ", ".join(parts))
    failures = [o for o in outcomes if not o.ok]
    lines += ["", f"{len(failures)} failure(s)"] + [str(o) for o in failures]
    return "\n".join(lines)
