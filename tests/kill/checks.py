"""What a killed run's file must show, mode by mode (docs/reliability.md says the same to users).

- ``rows``, ``seconds``, ``close``: a writer with ``FlushPolicy(every_rows=N)``, with
  ``FlushPolicy(every_seconds=T)``, or with no policy (and at most one explicit ``flush()``).
  Killed between flushes, it leaves a file that opens as any file, validates clean, and holds
  exactly the rows of its last flush. Killed *during* a flush it is not protected (HDF5 writes
  a flush in no crash-safe order): such runs are counted apart, labelled ``UNPROTECTED``.
- ``swmr``: a writer with ``swmr=True`` and a rows or seconds policy. Killed at any moment, it
  leaves a file that opens with ``h5py.File(path, "r", swmr=True)`` and holds at least every
  flushed row, exactly (datasets may hold more, some more than others).
- ``materialize``: ``h5s.materialize`` of a big-ish layout. Nothing is at the target path, or a
  complete file that validates clean and holds all its data.

A run that finished before its kill must hold every row it wrote. A check reads a file that may
be damaged, so it runs in a process of its own (tests/kill/server.py), which is killed if it hangs.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np

import h5schema as h5s
from tests.kill import layout

ARCHIVE_BLOCKS = 60
UNPROTECTED = "killed during a flush, unprotected: "
ARCHIVE_ROWS = 4000


@dataclass
class Run:
    """One run: what was asked, and what the writer reported before it ended."""

    run: int
    mode: str
    path: str
    seed: int
    delay: float | None  # seconds from the writer's ready signal to its kill; None: never
    seconds: float  # how long the writer appends before it closes the file
    params: dict[str, Any] = field(default_factory=dict)
    flushed: int = 0  # the last count of durable rows the writer reported
    done: int | None = None  # rows written when it finished and closed the file
    error: str | None = None
    ended: str = ""  # "killed", "code0", ...
    elapsed: float = 0.0  # seconds from ready to the writer's end
    in_flush: bool | None = None  # killed while a flush was under way

    @property
    def killed(self) -> bool:
        return self.ended == "killed"

    def to_json(self) -> str:
        return json.dumps(asdict(self))


@dataclass(frozen=True)
class Outcome:
    run: Run
    outcome: str
    ok: bool
    detail: str = ""

    def __str__(self) -> str:
        r = self.run
        params = json.dumps(r.params, sort_keys=True)
        head = f"run {r.run} ({r.mode}, seed {r.seed}, delay {r.delay}, {params}, {r.path})"
        return f"{head}: {self.outcome}: {self.detail}"


def check(r: Run) -> Outcome:
    """Open what the run left, the documented way for its mode, and check every row.

    Reads only: :func:`validated` then runs the validator on files that pass.
    """
    if r.error is not None:
        return Outcome(r, "writer error", False, r.error)
    if not r.killed and r.ended != "code0":
        return Outcome(r, f"writer ended {r.ended}", False)
    if r.mode == "materialize":
        return check_archive(r)
    outcome = check_log(r)
    if not outcome.ok and r.in_flush and r.mode != "swmr":
        # Without SWMR, HDF5 writes a flush's metadata in no crash-safe order: a kill during a
        # flush is outside what these modes protect (docs/reliability.md). Counted, not failed.
        return Outcome(r, f"{UNPROTECTED}{outcome.outcome}", True, outcome.detail)
    return outcome


def check_log(r: Run) -> Outcome:
    path, swmr = Path(r.path), r.mode == "swmr"
    if not path.exists():
        return Outcome(r, "no file", False, "the writer had created it before it said ready")
    lengths: dict[str, int] = {}
    try:
        with h5py.File(path, "r", swmr=swmr) as f:
            for name in ("i", "x", "s"):
                ds = f[f"log/{name}"]
                lengths[name] = len(ds)
                problem = rows_problem(name, ds, r.flushed)
                if problem is not None:
                    return Outcome(r, problem[0], False, f"{name}: {problem[1]}")
    except Exception as exc:
        return Outcome(r, "unreadable", False, f"{type(exc).__name__}: {exc}; read so far: {lengths}")
    detail = f"{lengths} rows, {r.flushed} flushed"
    if len(set(lengths.values())) > 1 and not swmr:
        return Outcome(r, "lengths differ", False, detail)
    if r.done is not None:
        ok = set(lengths.values()) == {r.done}
        return Outcome(r, "completed" if ok else "rows lost after close", ok, detail)
    if set(lengths.values()) == {r.flushed}:
        return Outcome(r, "flushed rows kept", True, detail)
    return Outcome(r, "more than the flushed rows", True, detail)


def rows_problem(name: str, ds: h5py.Dataset, flushed: int) -> tuple[str, str] | None:
    """What is wrong with one dataset's rows, if anything: (outcome, detail)."""
    n = len(ds)
    if n < flushed:
        return "flushed rows lost", f"{n} rows, {flushed} flushed"
    values = ds.asstr()[()].tolist() if name == "s" else ds[()]
    bad = layout.bad_rows(name, values)
    if not bad:
        return None
    label = "corrupt flushed rows" if bad[0] < flushed else "garbage after the flushed rows"
    return label, f"{len(bad)} of {n} rows differ, first {bad[:5]}; {flushed} flushed"


def check_archive(r: Run) -> Outcome:
    path = Path(r.path)
    names = {p.name for p in path.parent.iterdir()} - {path.name}
    temps = {n for n in names if re.fullmatch(rf"\.{re.escape(path.name)}\.h5schema-[a-z0-9_]{{8}}\.tmp", n)}
    if names - temps:
        return Outcome(r, "unexpected files next to the target", False, str(sorted(names - temps)))
    left = f"{len(temps)} temporary sibling(s) left"
    if not path.exists():
        if r.done is not None:
            return Outcome(r, "created but absent", False)
        return Outcome(r, "nothing at the target", True, left)
    try:
        with h5py.File(path, "r") as f:
            members = sorted(f)
            wrong = [
                name
                for name in members
                if not np.array_equal(f[f"{name}/data"][()], layout.block_data(int(name[-3:]), ARCHIVE_ROWS))
            ]
    except Exception as exc:
        return Outcome(r, "unreadable file at the target", False, f"{type(exc).__name__}: {exc}")
    if len(members) != ARCHIVE_BLOCKS or wrong:
        return Outcome(
            r, "partial file at the target", False, f"{len(members)} blocks, wrong data in {wrong}"
        )
    return Outcome(r, "complete file at the target", True, left)


def validated(o: Outcome) -> Outcome:
    """A good outcome, once ``h5s.validate`` agrees the file is complete and valid.

    Files a killed SWMR writer left are not validated: they open only with ``swmr=True``."""
    path = Path(o.run.path)
    unprotected = o.outcome.startswith(UNPROTECTED)
    if not o.ok or unprotected or (o.run.mode == "swmr" and o.run.done is None) or not path.exists():
        return o
    schema = layout.Archive if o.run.mode == "materialize" else layout.schema(o.run.mode)
    report = h5s.validate(path, schema)
    return o if report.valid else Outcome(o.run, "invalid file", False, str(report))
