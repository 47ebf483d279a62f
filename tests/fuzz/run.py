"""The fuzz harness: mutants of the seed files through the real ``h5schema validate``, counted.

    python -m tests.fuzz --count 10000 --jobs 2     # the nightly run
    python -m tests.fuzz --replay 1234              # one mutant again, to look at it

Mutant ``N`` is mutant number ``N`` of seed file ``SEEDS[N % len(SEEDS)]``, mutated by
``random.Random(N)``: the same number always gives the same bytes (for a given HDF5 version,
which writes the seeds). Mutants go to the command line in batches, many files per process, all
of one seed (one ``--schema``), with ``--format json``. For every mutant the harness requires:

- the process was not killed by a signal (``crash``), did not outlive its wall-clock guard
  (``hang``), printed no ``Traceback`` on stderr (``traceback``), and exited 0 or 1, 0 exactly
  when every report is valid (``bad_status``); its stdout is one JSON document (``bad_output``);
- the document has a report for the mutant (``missing_report``).

Anything else is a harness failure. A batch that fails as a whole is split in halves and run
again until the failing mutant is alone (a hung process is asked first which mutant file it has
open), so every failure names a mutant number to replay; ``batch_only`` means a batch failed
but none of its parts did. The other outcomes are the reports' verdicts: ``valid``, ``invalid``
(violations other than ``file_unreadable``) and ``unreadable`` (with its reason; a crash, a
timeout or a memory kill contained by the command line shows up here).

When the command line has ``--timeout``/``--memory-limit`` the harness passes them; the guard of
a batch is then generous enough for every file of it to time out.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fuzz.corpus import SEEDS, SeedFile, build
from tests.fuzz.mutate import Hints, Mutant, mutate

__all__ = [
    "FAILURES",
    "Limits",
    "Outcome",
    "Result",
    "cli_options",
    "main",
    "make_mutant",
    "parse_size",
    "run_mutants",
]

FAILURES = ("crash", "hang", "traceback", "bad_status", "bad_output", "missing_report", "batch_only")
"""Outcomes that fail the harness; every other outcome is a report's verdict."""

_CONTAINED = (  # file_unreadable messages of failures the command line caught
    ("crash contained by the command line", re.compile(r"\bcrashed\b")),
    ("timeout contained by the command line", re.compile(r"\btimed out\b")),
    ("memory limit contained by the command line", re.compile(r"\bexceeded\b.*\bmemory\b")),
    ("the reading process died, contained by the command line", re.compile(r"\bended unexpectedly\b")),
    ("an exception of the validator, caught by the command line", re.compile(r"^validation failed:")),
)


def parse_size(text: str) -> int:
    """Bytes in ``512MiB``, ``2GiB``, ``100KiB`` or a plain number.

    >>> parse_size("2GiB"), parse_size("512MiB"), parse_size("4096")
    (2147483648, 536870912, 4096)
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B?)?\s*", text, re.IGNORECASE)
    if match is None:
        raise ValueError(f"not a size: {text!r} (use a number of bytes, or e.g. 512MiB, 2GiB)")
    unit = (match.group(2) or "").upper()[:1]
    return int(float(match.group(1)) * 1024 ** " KMGT".index(unit or " "))


@dataclass(frozen=True)
class Limits:
    """The limits given to the command line (when it has the options) and the harness's guards."""

    timeout: float = 5.0
    """``--timeout`` of the command line, seconds per file."""
    memory: str = "1GiB"
    """``--memory-limit`` of the command line."""
    guard_base: float = 60.0
    """Seconds any batch may take, on top of ``guard_per_file`` for each of its files."""
    guard_per_file: float | None = None
    """How long the command line may keep one mutant file open (and, times the batch size, how
    much longer than ``guard_base`` a batch may take). Default: ``timeout`` + 5 s when the command
    line enforces a timeout, else 10 s."""
    cli_jobs: int = 1
    """``--jobs`` of the command line: files it checks at a time (the harness runs several)."""
    cli_memory_cap: str = "4GiB"
    """Address-space limit the harness puts on the command-line process, to protect the machine."""


@dataclass(frozen=True)
class Outcome:
    """What became of one mutant."""

    number: int
    """The mutant's number (``--replay`` takes it)."""
    origin: str
    """The name of the seed file it is a mutant of."""
    kind: str
    """``valid``, ``invalid``, ``unreadable`` or one of :data:`FAILURES`."""
    detail: str = ""
    codes: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return self.kind in FAILURES


@dataclass
class Result:
    """Every mutant's outcome, with what the run was."""

    outcomes: list[Outcome]
    command: list[str]
    elapsed: float
    runs: int = 0
    """How many times the command line ran (batches, and their parts when one failed)."""
    peak_rss_kib: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.failed]


def cli_command() -> list[str]:
    """The command line under test."""
    return [sys.executable, "-m", "h5schema"]


def cli_options() -> set[str]:
    """Which of ``--timeout``, ``--memory-limit`` and ``--jobs`` ``h5schema validate`` has."""
    proc = subprocess.run(
        [*cli_command(), "validate", "--help"], capture_output=True, text=True, timeout=120, check=False
    )
    return {opt for opt in ("--timeout", "--memory-limit", "--jobs") if opt in proc.stdout}


def make_mutant(seeds: Sequence[SeedFile], number: int) -> tuple[SeedFile, Mutant]:
    """Mutant ``number``: its seed file and its bytes."""
    seed_file = seeds[number % len(seeds)]
    hints = Hints(seed_file.headers, seed_file.chunks)
    return seed_file, mutate(seed_file.data, random.Random(number), hints)


@dataclass
class _Run:
    returncode: int | None  # None: killed by the guard
    stdout: str
    stderr: str
    max_rss_kib: int
    stuck: str | None  # the mutant file open too long when the process was killed


def _session(sid: int) -> list[int]:
    """Processes of session ``sid`` (the command line and whatever it started)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[3]) == sid:  # state ppid pgrp session
                pids.append(int(entry.name))
    return pids


def _open_files(pids: Sequence[int]) -> set[str]:
    found = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    found.add(os.readlink(fd))
    return found


class _Watch:
    """Which mutant file a running command line (or a process it started) has had open, since when."""

    def __init__(self, sid: int, folder: Path) -> None:
        self.sid, self.prefix = sid, str(folder.resolve()) + os.sep
        self.since: dict[str, float] = {}  # open mutant files, by when they were first seen open
        self.members: list[int] = []

    def look(self, now: float) -> tuple[str, float] | None:
        """Of the mutant files each process opened last and still has open, the oldest, and since
        when it has been open (a process that moved on to another file is not stuck on the first)."""
        self.members = _session(self.sid)
        since: dict[str, float] = {}
        oldest: tuple[str, float] | None = None
        for pid in self.members:
            open_now = {f for f in _open_files([pid]) if f.startswith(self.prefix)}
            mine = {f: self.since.get(f, now) for f in open_now}
            since.update(mine)
            last = max(mine.items(), key=lambda item: item[1], default=None)
            if last is not None and (oldest is None or last[1] < oldest[1]):
                oldest = last
        self.since = since
        return oldest


def _run_cli(
    args: list[str], guard: float, per_file: float, folder: Path, cap: int, *, abort_first: bool = False
) -> _Run:
    """Run the command line; kill its whole session when it has had the mutant file it opened last
    open for more than ``per_file`` seconds, or outlives ``guard`` seconds. ``abort_first`` sends
    SIGABRT a second before the kill (with ``-X faulthandler``, Python then prints its stack)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True
        )
        with contextlib.suppress(OSError):  # the process may already be gone
            resource.prlimit(proc.pid, resource.RLIMIT_AS, (cap, cap))
        start = time.monotonic()
        watch = _Watch(proc.pid, folder)
        next_look, stuck = start + 0.5, None
        while True:
            pid, raw, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status: int | None = os.waitstatus_to_exitcode(raw)
                break
            now = time.monotonic()
            if now >= next_look:
                last = watch.look(now)
                next_look = now + 0.5
                if last is not None and now - last[1] > per_file:
                    stuck = last[0]
            if stuck is not None or now - start > guard:
                if abort_first:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGABRT)
                    time.sleep(1.0)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                for member in watch.members:  # children that left the process group
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(member, signal.SIGKILL)
                _, raw, usage = os.wait4(proc.pid, 0)
                status = None
                break
            time.sleep(0.01)
        proc.returncode = -9 if status is None else status  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        return _Run(
            status,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            usage.ru_maxrss,
            stuck,
        )


def _reason(message: str, path: str) -> str:
    """A file_unreadable message without its file name and numbers, for counting."""
    if message.startswith(path):
        message = message[len(path) :].lstrip(": ")
    message = re.sub(r"0x[0-9a-f]+", "0xN", message)
    message = re.sub(r"(?<![\w.-])\d+\b", "N", message)
    return message if len(message) <= 120 else message[:117] + "..."


def _verdict(job: _Job, report: dict[str, Any]) -> Outcome:
    violations = report.get("violations", [])
    codes = tuple(sorted({v["code"] for v in violations}))
    if report.get("valid"):
        return Outcome(job.number, job.origin, "valid", codes=codes)
    unreadable = [v for v in violations if v["code"] == "file_unreadable"]
    if not unreadable:
        return Outcome(job.number, job.origin, "invalid", ", ".join(codes), codes)
    reason = _reason(str(unreadable[0]["message"]), str(job.path))
    return Outcome(job.number, job.origin, "unreadable", reason, codes)


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


@dataclass(frozen=True)
class _Job:
    number: int
    origin: str
    path: Path
    steps: tuple[str, ...]


def _judge(jobs: Sequence[_Job], run: _Run) -> tuple[list[Outcome], tuple[str, str] | None]:
    """The outcomes a batch's run gives, or the batch's failure (kind, detail)."""
    if run.returncode is None and run.stuck is not None:
        return [], ("hang", "had this file open for too long; killed")
    if run.returncode is None:
        return [], ("hang", "outlived the guard of its batch; killed")
    if run.returncode < 0:
        return [], ("crash", f"killed by {_signal_name(run.returncode)}")
    if "Traceback" in run.stderr:
        return [], ("traceback", run.stderr.strip().splitlines()[-1][:200])
    if run.returncode not in (0, 1):
        return [], ("bad_status", f"exit status {run.returncode}: {run.stderr.strip()[:200]}")
    try:
        document = json.loads(run.stdout)
        reports = {str(r["file"]): r for r in document["files"]}
    except (ValueError, KeyError, TypeError) as exc:
        return [], ("bad_output", f"stdout is not the JSON document: {exc}")
    outcomes = [
        _verdict(job, reports[str(job.path)])
        if str(job.path) in reports
        else Outcome(job.number, job.origin, "missing_report", "no report in the JSON document")
        for job in jobs
    ]
    all_valid = all(o.kind == "valid" for o in outcomes)
    if run.returncode != (0 if all_valid else 1) or document.get("valid") != all_valid:
        return [], ("bad_status", f"exit status {run.returncode} but valid={document.get('valid')}")
    return outcomes, None


class _Harness:
    def __init__(self, seeds: Sequence[SeedFile], workdir: Path, limits: Limits, options: set[str]):
        self.seeds = {s.seed.name: s for s in seeds}
        self.workdir = workdir
        self.limits = limits
        self.extra: list[str] = []
        if "--timeout" in options:
            self.extra += ["--timeout", f"{limits.timeout:g}"]
        if "--memory-limit" in options:
            self.extra += ["--memory-limit", limits.memory]
        if "--jobs" in options:
            self.extra += ["--jobs", str(limits.cli_jobs)]
        per_file = limits.guard_per_file
        if per_file is None:
            per_file = limits.timeout + 5 if "--timeout" in options else 10.0
        self.per_file = per_file
        self.memory_cap = parse_size(limits.cli_memory_cap)
        self.peak_rss_kib = 0
        self.runs = 0
        self.lock = threading.Lock()

    def command(self, jobs: Sequence[_Job]) -> list[str]:
        ref = self.seeds[jobs[0].origin].seed.schema_ref
        paths = [str(j.path) for j in jobs]
        return [*cli_command(), "validate", *paths, "--schema", ref, "--format", "json", *self.extra]

    def run(self, jobs: Sequence[_Job]) -> _Run:
        guard = self.limits.guard_base + self.per_file * len(jobs)
        run = _run_cli(self.command(jobs), guard, self.per_file, self.workdir, self.memory_cap)
        with self.lock:
            self.runs += 1
            self.peak_rss_kib = max(self.peak_rss_kib, run.max_rss_kib)
        return run

    def attribute(self, jobs: list[_Job]) -> list[Outcome]:
        """Run a batch; if it fails as a whole, find the mutants that make it fail."""
        run = self.run(jobs)
        outcomes, failure = _judge(jobs, run)
        if failure is None:
            return outcomes
        kind, detail = failure
        if len(jobs) == 1:
            return [Outcome(jobs[0].number, jobs[0].origin, kind, detail)]
        culprit = next((j for j in jobs if str(j.path.resolve()) == run.stuck), None)
        if culprit is not None:
            rest = [j for j in jobs if j is not culprit]
            hang = Outcome(culprit.number, culprit.origin, "hang", detail)
            return [hang, *(self.attribute(rest) if rest else [])]
        half = len(jobs) // 2
        found = self.attribute(jobs[:half]) + self.attribute(jobs[half:])
        if any(o.failed for o in found):
            return found
        numbers = ", ".join(str(j.number) for j in jobs)
        note = f"{kind} ({detail}) of a batch none of whose parts fail: mutants {numbers}"
        return [
            Outcome(o.number, o.origin, "batch_only", note, o.codes) if i == 0 else o
            for i, o in enumerate(found)
        ]

    def batch(self, numbers: Sequence[int]) -> list[Outcome]:
        jobs = []
        seeds = list(self.seeds.values())
        for number in numbers:
            seed_file, mutant = make_mutant(seeds, number)
            path = self.workdir / f"{seed_file.seed.name}-{number:06d}.h5"
            path.write_bytes(mutant.data)
            jobs.append(_Job(number, seed_file.seed.name, path, mutant.steps))
        try:
            return self.attribute(jobs)
        finally:
            for job in jobs:
                job.path.unlink(missing_ok=True)


def _batches(numbers: Sequence[int], n_seeds: int, size: int) -> Iterator[list[int]]:
    by_seed: dict[int, list[int]] = {}
    for number in numbers:
        by_seed.setdefault(number % n_seeds, []).append(number)
    groups = [[ns[i : i + size] for i in range(0, len(ns), size)] for ns in by_seed.values()]
    for round_ in range(max(map(len, groups), default=0)):  # interleave the seeds
        for group in groups:
            if round_ < len(group):
                yield group[round_]


def run_mutants(
    numbers: Sequence[int],
    *,
    jobs: int = 2,
    batch_size: int = 40,
    limits: Limits | None = None,
    workdir: Path | None = None,
    progress: bool = False,
) -> Result:
    """Run mutants ``numbers`` through the command line, ``jobs`` processes at a time."""
    limits = limits or Limits()
    start = time.monotonic()
    options = cli_options()
    with tempfile.TemporaryDirectory(prefix="h5schema-fuzz-") as tmp:
        base = Path(workdir or tmp)
        seeds = build(base / "seeds")
        mutants = base / "mutants"
        mutants.mkdir(exist_ok=True)
        harness = _Harness(seeds, mutants, limits, options)
        batches = list(_batches(numbers, len(seeds), batch_size))
        outcomes: list[Outcome] = []
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            every = max(1, len(batches) // 20)
            for i, found in enumerate(pool.map(harness.batch, batches), 1):
                outcomes.extend(found)
                if progress and (i % every == 0 or i == len(batches)):
                    failed = sum(o.failed for o in outcomes)
                    elapsed = time.monotonic() - start
                    print(
                        f"{len(outcomes)}/{len(numbers)} mutants, {failed} failures, {elapsed:.0f} s",
                        file=sys.stderr, flush=True,
                    )  # fmt: skip
    outcomes.sort(key=lambda o: o.number)
    notes = [] if "--timeout" in options else ["the command line has no --timeout: files validate in-process"]
    example = harness.command([_Job(0, seeds[0].seed.name, Path("FILE..."), ())])
    return Result(outcomes, example, time.monotonic() - start, harness.runs, harness.peak_rss_kib, notes)


def _category(o: Outcome) -> str:
    if o.kind != "unreadable":
        return o.kind
    for name, pattern in _CONTAINED:
        if pattern.search(o.detail):
            return f"unreadable: {name}"
    return "unreadable"


def summarize(result: Result) -> str:
    """Counts by outcome, the file_unreadable reasons and violation codes, and every failure."""
    total = len(result.outcomes)
    lines = [
        f"{total} mutants of {len(SEEDS)} seeds in {result.elapsed:.0f} s, {result.runs} runs of the CLI",
        "command: " + shlex.join(result.command),
        f"largest resident set of a command-line process: {result.peak_rss_kib / 1024:.0f} MiB",
        *(f"note: {n}" for n in result.notes),
        "",
        "outcome counts:",
    ]
    kinds = Counter(_category(o) for o in result.outcomes)
    order = ["valid", "invalid", "unreadable"]
    for kind in sorted(kinds, key=lambda k: (k in FAILURES, order.index(k) if k in order else 3, k)):
        flag = "  <- harness failure" if kind in FAILURES else ""
        lines.append(f"  {kinds[kind]:>7}  {kind}{flag}")
    reasons = Counter(o.detail for o in result.outcomes if o.kind == "unreadable")
    if reasons:
        lines += ["", "file_unreadable reasons:"]
        lines += [f"  {n:>7}  {reason}" for reason, n in reasons.most_common()]
    codes = Counter(c for o in result.outcomes for c in o.codes)
    if codes:
        lines += ["", "mutants showing each violation code:"]
        lines += [f"  {n:>7}  {code}" for code, n in codes.most_common()]
    failures = result.failures
    lines += ["", f"harness failures: {len(failures)}"]
    for o in failures:
        lines.append(f"  mutant {o.number} ({o.origin}): {o.kind}: {o.detail}")
    if failures:
        again = " ".join(f"--replay {o.number}" for o in failures[:5])
        lines.append(f"replay with: python -m tests.fuzz {again}")
    return "\n".join(lines)


def replay(numbers: Sequence[int], out: Path, limits: Limits) -> int:
    """Write mutants ``numbers`` to ``out``, validate each alone and print what happened."""
    seeds = build(out / "seeds")
    harness = _Harness(seeds, out, limits, cli_options())
    worst = 0
    for number in numbers:
        seed_file, mutant = make_mutant(seeds, number)
        path = out / f"{seed_file.seed.name}-{number:06d}.h5"
        path.write_bytes(mutant.data)
        job = _Job(number, seed_file.seed.name, path, mutant.steps)
        command = harness.command([job])
        command[1:1] = ["-X", "faulthandler"]  # a crash prints where it happened
        guard = limits.guard_base + harness.per_file
        run = _run_cli(command, guard, harness.per_file, out, harness.memory_cap, abort_first=True)
        outcomes, failure = _judge([job], run)
        outcome = Outcome(number, job.origin, *failure) if failure else outcomes[0]
        worst = max(worst, int(outcome.failed))
        print(f"mutant {number}: {len(mutant.data)} bytes of seed {seed_file.seed.name} ({seed_file.path})")
        print("  " + "\n  ".join(mutant.steps))
        print(f"file: {path}")
        print("$ " + shlex.join(command))
        print(run.stdout + run.stderr, end="" if (run.stdout + run.stderr).endswith("\n") else "\n")
        status = "killed by the guard" if run.returncode is None else run.returncode
        print(f"exit status: {status}; peak RSS {run.max_rss_kib / 1024:.0f} MiB")
        print(f"outcome: {outcome.kind}{': ' + outcome.detail if outcome.detail else ''}\n")
    return worst


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tests.fuzz``: run mutants and print counts by outcome; exit 1 on any failure."""
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=main.__doc__)
    parser.add_argument("--count", type=int, default=1000, help="how many mutants (default 1000)")
    parser.add_argument("--start", type=int, default=0, help="number of the first mutant (default 0)")
    parser.add_argument("--jobs", type=int, default=2, help="command-line processes at a time (default 2)")
    parser.add_argument("--batch", type=int, default=40, help="files per command line (default 40)")
    parser.add_argument("--timeout", type=float, default=Limits.timeout, help="--timeout of the CLI (s)")
    parser.add_argument("--memory-limit", default=Limits.memory, help="--memory-limit of the CLI")
    parser.add_argument("--cli-jobs", type=int, default=Limits.cli_jobs, help="--jobs of the CLI (default 1)")
    parser.add_argument(
        "--guard", type=float, default=Limits.guard_base, help="base hang guard per batch (s)"
    )
    parser.add_argument(
        "--replay", type=int, action="append", metavar="N", help="run mutant N alone, verbosely"
    )
    parser.add_argument(
        "--out", type=Path, help="where --replay writes the mutants (default: a new temp dir)"
    )
    parser.add_argument("--json", type=Path, help="also write every outcome to this JSON file")
    args = parser.parse_args(argv)
    limits = Limits(args.timeout, args.memory_limit, args.guard, cli_jobs=args.cli_jobs)
    if args.replay:
        out = args.out or Path(tempfile.mkdtemp(prefix="h5schema-fuzz-replay-"))
        out.mkdir(parents=True, exist_ok=True)
        return replay(args.replay, out, limits)
    numbers = range(args.start, args.start + args.count)
    result = run_mutants(numbers, jobs=args.jobs, batch_size=args.batch, limits=limits, progress=True)
    print(summarize(result))
    if args.json:
        records = [vars(o) for o in result.outcomes]
        args.json.write_text(json.dumps({"command": result.command, "outcomes": records}, indent=1))
    return 1 if result.failures else 0
