"""The reader service: one warm process that forks sandboxed readers on request.

A command-line run spends most of a small job starting Python and importing numpy, h5py and
pydantic in every reader. The service imports them once and then forks a reader for each
connection. The reader is the same as a spawned child: its own session, the caller's working
directory, the caller's memory limit, no core dumps, the per-request alarm. It answers the
caller directly on the connection. The service itself never opens an HDF5 file (spares warm
up on one that exists only in their memory).

Started detached by ``h5schema server start`` as ``python -P -c "...; main()" SOCKET IDLE``.
Requests, one per connection, as in ``_protocol``:

- ``{"op": "worker", "memory": M, "cwd": DIR}``: fork a reader for this connection;
- ``{"op": "command", ...}`` then the client's stdin, stdout and stderr: fork a process that runs
  a whole ``h5schema`` command for the client (``_relay``);
- ``{"op": "status", "pid": P, "wait": bool}``: a reader's exit status (as ``Popen.returncode``),
  ``None`` while it runs, so the caller can name the signal that ended it;
- ``{"op": "ping"}``: who is serving; ``{"op": "stop"}``: exit (running readers finish).

It stops by itself after IDLE seconds with no command or reader asked for and none left (0:
never). It keeps spare processes forked ahead (``_spares``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

from h5schema._isolation._protocol import ChildGone, TimedOut, receive, send
from h5schema._isolation._spares import Spares, fork_to

__all__ = ["main"]

_KEEP_STATUSES = 4096
# What readers and relayed commands need, imported once before any fork.
_WARM = (
    "h5py",
    "h5schema._validate",
    "h5schema._loader",
    "h5schema._infer",
    "h5schema._h5",
    "h5schema._cli",
    "h5schema._isolation._child",
    "h5schema._isolation._pool",
    "h5schema._isolation._relay",
    "concurrent.futures.thread",
    "resource",
)


class _Service:
    def __init__(self, path: Path, idle: float, lock: int) -> None:
        self.path, self.idle, self.lock = path, idle, lock
        self.started = time.time()
        self.live: set[int] = set()
        self.done: dict[int, int] = {}
        self.served = 0
        self.last = time.monotonic()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.spares = Spares(self.prepare_fork, _serve)
        self.refill_after = 0.0

    def bind(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # stale: the lock (held by the caller) says no service is running
        self.listener.bind(str(self.path))
        self.listener.listen(64)
        self.inode = os.stat(self.path).st_ino

    def reap(self) -> None:
        """Record the exit status of every reader that has ended."""
        while True:
            try:
                found, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if not found:
                return
            if found not in self.live:  # a spare that died before it had work: not again soon
                self.spares.forget(found)
                self.refill_after = time.monotonic() + 30.0
                continue
            self.live.discard(found)
            if len(self.done) >= _KEEP_STATUSES:
                self.done.pop(next(iter(self.done)))
            self.done[found] = os.waitstatus_to_exitcode(status)  # -N: killed by signal N

    def status(self, pid: int, wait: bool) -> int | None:
        """How reader ``pid`` ended; None while it runs (or if it is not one of ours)."""
        self.reap()
        if wait and pid in self.live:
            deadline = time.monotonic() + 5.0  # the caller has just killed it
            while pid in self.live and time.monotonic() < deadline:
                self.reap()
                time.sleep(0.002)
        return self.done.get(pid)

    def run(self) -> None:
        while True:
            self.reap()
            if self.idle and not self.live and time.monotonic() - self.last > self.idle:
                return
            refill = self.spares.missing() and time.monotonic() > self.refill_after
            if refill and not self.live:  # between runs: forking now slows nobody down
                self.fork_spares()
            # While work runs, look often: the spares are forked as soon as it has ended.
            if not select.select([self.listener], [], [], 0.02 if refill else 1.0)[0]:
                continue
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            if not self.answer(conn):
                return

    def answer(self, conn: socket.socket) -> bool:
        """Handle one connection; False to stop serving."""
        with conn:
            try:
                msg: dict[str, Any] = receive(conn.fileno(), time.monotonic() + 5.0)
                op = msg.get("op")
                if op in ("worker", "command"):
                    self.fork(conn, msg)
                    self.last = time.monotonic()  # only work keeps the service up, not questions
                elif op == "status":
                    send(conn.fileno(), {"status": self.status(int(msg["pid"]), bool(msg.get("wait")))})
                elif op == "ping":
                    send(conn.fileno(), self.describe())
                elif op == "stop":
                    send(conn.fileno(), {"stopping": os.getpid()})
                    return False
            except (ChildGone, TimedOut, ValueError, KeyError, TypeError, AttributeError):
                pass  # a confused client: drop the connection, keep serving
            except OSError as exc:  # no fork today (process limit): the caller starts its own
                print(f"h5schema server: {type(exc).__name__}: {exc}", file=sys.stderr)
        return True

    def describe(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "socket": str(self.path),
            "started": self.started,
            "served": self.served,
            "readers": len(self.live),
            "spares": sorted(self.spares.pids()),
            "idle_timeout": self.idle,
            "python": sys.executable,
        }

    def fork_spares(self) -> None:
        try:
            self.spares.refill()
        except OSError as exc:  # no fork now (process limit): requests fork their own; retry later
            print(f"h5schema server: spares: {type(exc).__name__}: {exc}", file=sys.stderr)
            self.refill_after = time.monotonic() + 30.0

    def prepare_fork(self) -> None:
        """First thing in every process forked here: keep nothing of the service's."""
        self.listener.close()
        os.close(self.lock)
        self.spares.close_all()
        os.setsid()
        for sig in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)

    def fork(self, conn: socket.socket, msg: dict[str, Any]) -> None:
        """Run the request in a spare, or in a process forked for it."""
        pid = self.spares.hand_over(conn, msg)
        if pid is None:

            def work() -> int:
                self.prepare_fork()
                return _serve(conn, msg)

            pid = fork_to(work)
        self.live.add(pid)
        self.done.pop(pid, None)  # a reused pid: its old status is not this reader's
        self.served += 1

    def close(self) -> None:
        self.listener.close()  # (waiting spares see their sockets end with this process, and exit)
        with contextlib.suppress(OSError):
            if os.stat(self.path).st_ino == self.inode:  # still ours
                self.path.unlink()


def _serve(conn: socket.socket, msg: dict[str, Any]) -> int:
    """A request's work, in its own process: a reader, or a relayed command. The exit status."""
    if msg["op"] == "command":
        from h5schema._isolation._relay import become_command

        return become_command(conn, msg)
    os.chdir(str(msg["cwd"]))
    from h5schema._isolation._child import harden, serve

    harden(int(msg.get("memory") or 0))
    serve(conn.fileno(), conn.fileno())
    return 0


def main() -> None:
    path, idle = Path(sys.argv[1]), float(sys.argv[2])
    if os.fork():  # detach: the starter waits for this parent only, then asks the socket
        os._exit(0)
    os.setsid()
    lock = os.open(str(path.with_suffix(".lock")), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        _say("running")  # another service for this socket won the race
        os._exit(0)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    # The libraries every reader needs, imported once; nothing here opens a file.
    import gc
    import importlib

    for name in _WARM:
        importlib.import_module(name)
    gc.freeze()  # the imported objects are never collected: forked readers keep sharing their pages
    service = _Service(path, idle, lock)
    service.bind()
    _say("ready")
    try:
        service.run()
    finally:
        service.close()


def _say(word: str) -> None:
    """Tell the starter (our stdout is its pipe), then let go of the pipe."""
    os.write(1, word.encode() + b"\n")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
