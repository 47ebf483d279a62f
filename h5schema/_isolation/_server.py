"""The reader service: one warm process that forks sandboxed readers on request.

A command-line run spends most of a small job starting Python and importing numpy, h5py and
pydantic in every reader. The service imports them once and then forks a reader for each
connection. The reader is the same as a spawned child: its own session, the caller's working
directory, the caller's memory limit, no core dumps, the per-request alarm. It answers the
caller directly on the connection. The service itself never opens an HDF5 file.

Started detached by ``h5schema server start`` as ``python -P -c "...; main()" SOCKET IDLE``.
Requests, one per connection, as in ``_protocol``:

- ``{"op": "worker", "memory": M, "cwd": DIR}``: fork a reader for this connection;
- ``{"op": "status", "pid": P, "wait": bool}``: a reader's exit status (as ``Popen.returncode``),
  ``None`` while it runs, so the caller can name the signal that ended it;
- ``{"op": "ping"}``: who is serving; ``{"op": "stop"}``: exit (running readers finish).

It stops by itself after IDLE seconds with no reader asked for and none left (0: never).
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

__all__ = ["main"]

_KEEP_STATUSES = 4096


class _Service:
    def __init__(self, path: Path, idle: float) -> None:
        self.path, self.idle = path, idle
        self.started = time.time()
        self.live: set[int] = set()
        self.done: dict[int, int] = {}
        self.served = 0
        self.last = time.monotonic()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)

    def bind(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # stale: the lock (held by the caller) says no service is running
        self.listener.bind(str(self.path))
        self.listener.listen(64)
        self.inode = os.stat(self.path).st_ino

    def reap(self) -> None:
        """Record the exit status of every reader that has ended."""
        while self.live:
            try:
                found, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if not found:
                return
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
            if not select.select([self.listener], [], [], 1.0)[0]:
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
                if op == "worker":
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
            "idle_timeout": self.idle,
            "python": sys.executable,
        }

    def fork(self, conn: socket.socket, msg: dict[str, Any]) -> None:
        memory, cwd = int(msg.get("memory") or 0), str(msg["cwd"])
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                self.listener.close()
                os.setsid()
                for sig in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
                    signal.signal(sig, signal.SIG_DFL)
                os.chdir(cwd)
                from h5schema._isolation._child import harden, serve

                harden(memory)
                serve(conn.fileno(), conn.fileno())
                status = 0
            finally:
                os._exit(status)  # never the service's cleanup
        self.live.add(pid)
        self.done.pop(pid, None)  # a reused pid: its old status is not this reader's
        self.served += 1

    def close(self) -> None:
        self.listener.close()
        with contextlib.suppress(OSError):
            if os.stat(self.path).st_ino == self.inode:  # still ours
                self.path.unlink()


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

    for name in ("h5py", "h5schema._validate", "h5schema._loader", "h5schema._infer", "h5schema._h5"):
        importlib.import_module(name)
    gc.freeze()  # the imported objects are never collected: forked readers keep sharing their pages
    service = _Service(path, idle)
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
