"""The child side of the kill runs: a fork server (``python -m tests.kill.server``).

Importing h5schema, numpy and h5py costs about 0.4 s, so it is paid once: the server imports
everything, runs each code path once, and then forks a fresh process per run. A run arrives as
one JSON line on stdin (a :class:`~tests.kill.checks.Run`), and for each the server forks a
*supervisor*, which

1. forks the *writer*, which creates the file, says ``ready`` and appends (or materializes),
   reporting on a pipe of its own ``flushed <n>`` each time a flush returns (n rows are then
   durable), ``done <n>`` once it has closed the file, or ``error <traceback>``;
2. SIGKILLs the writer ``delay`` seconds after ``ready``, unless it ended first (``delay``
   null: never);
3. forks a *checker* that opens the file and checks it (tests/kill/checks.py), killed if it
   hangs: a damaged file can make HDF5 loop;
4. prints the run with its outcome as one JSON line on stdout.

Only the supervisors print to stdout, one short line each, with one ``os.write`` (atomic on a
pipe), so the lines of parallel runs never interleave.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import asdict

import h5schema as h5s
from h5schema._io import dataset_writer as _dataset_writer
from h5schema._io.writers import FileWriter
from tests.kill import layout
from tests.kill.checks import ARCHIVE_BLOCKS, ARCHIVE_ROWS, Outcome, Run, check

HANG_GUARD = 120.0  # seconds a writer or a check may take before it counts as hung
MAX_TEXT = 1500  # result lines stay well under PIPE_BUF


def say(fd: int, line: str) -> None:
    os.write(fd, (line.replace("\n", " | ") + "\n").encode())


def write_log(r: Run, out: int) -> None:
    """Append rows to a LogFile for ``r.seconds``, flushing as the mode says, then close."""
    rng = random.Random(r.seed)
    p = r.params
    if p.get("buffer_bytes"):
        _dataset_writer._BUFFER_BYTES = p["buffer_bytes"]  # spill to HDF5 between flushes
    real_flush = FileWriter.flush

    def flush_and_report(self: FileWriter) -> None:
        say(out, "flushing")
        real_flush(self)
        say(out, f"flushed {len(self.dataset('log/i'))}")

    FileWriter.flush = flush_and_report  # type: ignore[method-assign]
    policy = h5s.FlushPolicy(every_rows=p.get("every_rows"), every_seconds=p.get("every_seconds"))
    swmr = r.mode == "swmr"
    schema = layout.schema(r.mode)
    if p.get("via") == "open_writer":
        h5s.materialize(r.path, schema, swmr=swmr)
        writer = h5s.open_writer(r.path, schema, flush=policy, swmr=swmr)
    else:
        writer = h5s.create(r.path, schema, flush=policy, swmr=swmr)
    explicit_at = p.get("explicit_flush_at")
    with writer as f:
        log = f.group("log")
        say(out, "ready")
        n, end = 0, time.monotonic() + r.seconds
        while time.monotonic() < end:
            if rng.random() < 0.9:
                log.append_row(**layout.one_row(n))
                n += 1
            else:
                k = rng.randint(2, 300)
                log.append(**layout.batch(n, n + k))
                n += k
            if explicit_at is not None and n >= explicit_at:
                f.flush()
                explicit_at = None
    say(out, f"done {n}")


def writer_process(r: Run, out: int, archive: layout.Archive) -> None:
    try:
        if r.mode == "materialize":
            say(out, "ready")
            h5s.materialize(r.path, archive)
            say(out, "done 0")
        else:
            write_log(r, out)
    except BaseException:
        say(out, f"error {traceback.format_exc()}")
        os._exit(1)
    os._exit(0)


def follow(r: Run, pid: int, out: int) -> None:
    """Read the writer's reports, kill it on time, reap it; fill in what it reported."""
    buf, start, deadline = b"", time.monotonic(), time.monotonic() + HANG_GUARD
    guard, in_flush = True, False
    while True:
        ready, _, _ = select.select([out], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            os.kill(pid, signal.SIGKILL)  # our own child, not yet reaped: the pid is still its
            r.in_flush = in_flush
            deadline = time.monotonic() + HANG_GUARD
            continue
        chunk = os.read(out, 65536)
        if not chunk:
            break  # the writer exited or was killed
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for line in lines:
            what, _, rest = line.decode().partition(" ")
            if what == "ready":
                start = time.monotonic()
                guard = r.delay is None
                deadline = start + (HANG_GUARD if r.delay is None else r.delay)
            elif what == "flushing":
                in_flush = True
            elif what == "flushed":
                in_flush = False
                r.flushed = max(r.flushed, int(rest))
            elif what == "done":
                r.done = int(rest)
            elif what == "error":
                r.error = rest.replace(" | ", "\n")[-MAX_TEXT:]
    status = os.waitpid(pid, 0)[1]
    r.elapsed = round(time.monotonic() - start, 4)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        r.ended = ("hung" if guard else "killed") if sig == signal.SIGKILL else f"signal{sig}"
    else:
        r.ended = f"code{os.WEXITSTATUS(status)}"


def checked(r: Run) -> Outcome:
    """``check(r)`` in a process of its own, killed if it hangs."""
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        try:
            o = check(r)
            payload = {"outcome": o.outcome, "ok": o.ok, "detail": o.detail[-MAX_TEXT:]}
        except BaseException:
            payload = {"outcome": "check raised", "ok": False, "detail": traceback.format_exc()[-MAX_TEXT:]}
        os.write(wr, json.dumps(payload).encode())
        os._exit(0)
    os.close(wr)
    data, deadline = b"", time.monotonic() + HANG_GUARD
    while True:
        ready, _, _ = select.select([rd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return Outcome(r, "check hung", False, f"killed after {HANG_GUARD:.0f} s")
        chunk = os.read(rd, 65536)
        if not chunk:
            break
        data += chunk
    status = os.waitpid(pid, 0)[1]
    if not data:
        return Outcome(r, "check crashed", False, f"wait status {status}")
    result = json.loads(data)
    return Outcome(r, result["outcome"], result["ok"], result["detail"])


def supervise(r: Run, archive: layout.Archive) -> None:
    out_r, out_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(out_r)
        writer_process(r, out_w, archive)
    os.close(out_w)
    follow(r, pid, out_r)
    os.close(out_r)
    o = checked(r)
    say(1, json.dumps({**asdict(r), "outcome": o.outcome, "ok": o.ok, "detail": o.detail}))


def warm_up() -> None:
    """Run every code path once, so that no run pays for a first-time import or cache."""
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("rows", "swmr"):
            path, schema, swmr = os.path.join(tmp, f"{mode}.h5"), layout.schema(mode), mode == "swmr"
            with h5s.create(path, schema, flush=h5s.FlushPolicy(every_rows=2), swmr=swmr) as f:
                f.group("log").append_row(**layout.one_row(0))
                f.group("log").append(**layout.batch(1, 4))
            with h5s.open_writer(path, schema, swmr=swmr):
                pass
            r = Run(0, mode, path, 0, None, 0.0, ended="code0", done=4, flushed=4)
            assert check(r).ok, check(r)
        h5s.materialize(os.path.join(tmp, "archive.h5"), layout.archive(2, 16))


def main() -> None:
    archive = layout.archive(ARCHIVE_BLOCKS, ARCHIVE_ROWS)
    warm_up()
    say(1, "server ready")
    running = 0
    for line in sys.stdin:
        r = Run(**json.loads(line))
        if os.fork() == 0:
            try:
                supervise(r, archive)
            finally:
                os._exit(0)
        running += 1
        while running and os.waitpid(-1, os.WNOHANG)[0]:
            running -= 1
    while running:
        os.wait()
        running -= 1


if __name__ == "__main__":
    main()
