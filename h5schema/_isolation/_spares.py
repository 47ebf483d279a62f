"""Processes the reader service forks ahead of the requests that will need them.

A process just forked from the service is slower than the service itself at first: each page
it writes to (reference counts included) is copied on first touch, and the libraries' lazy
paths run once. A spare takes that cost between runs: it is forked while the service has no
work, warms itself up (a reader validates a small file held in memory), then waits on a private
socket pair. A request is handed to it with the client's connection (``SCM_RIGHTS``); from then
on it is exactly the process ``_server`` would have forked for the request.
"""

from __future__ import annotations

import functools
import os
import socket
from collections.abc import Callable

from h5schema._isolation._protocol import ChildGone, receive, send

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (see _rendezvous)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Spares", "fork_to"]

# How many of each kind wait: a reader per core (-j up to the cores starts at once) and one
# relayed command.
_TARGET = {"worker": min(os.cpu_count() or 1, 4), "command": 1}

Serve = Callable[[socket.socket, "dict[str, Any]"], int]  # a request's work; the exit status


def fork_to(work: Callable[[], int]) -> int:
    """Fork; the new process runs ``work`` and exits with its status, never running the
    service's own cleanup. The pid, in the service."""
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            status = work()
        finally:
            os._exit(status)
    return pid


class _Spare:
    def __init__(self, pid: int, ctl: socket.socket) -> None:
        self.pid, self.ctl = pid, ctl


class Spares:
    """The waiting processes of each kind. ``prepare`` runs in a new fork before anything else
    (it closes what the service holds); ``serve`` runs a handed-over request there."""

    def __init__(self, prepare: Callable[[], None], serve: Serve) -> None:
        self.prepare, self.serve = prepare, serve
        self.waiting: dict[str, list[_Spare]] = {kind: [] for kind in _TARGET}

    def pids(self) -> set[int]:
        return {s.pid for kind in self.waiting.values() for s in kind}

    def forget(self, pid: int) -> None:
        """A spare that ended before it got work (reaped by the service)."""
        for kind in self.waiting.values():
            for spare in [s for s in kind if s.pid == pid]:
                kind.remove(spare)
                spare.ctl.close()

    def close_all(self) -> None:
        """In a new fork: let go of the service's ends of every spare's socket."""
        for kind in self.waiting.values():
            for spare in kind:
                spare.ctl.close()

    def missing(self) -> bool:
        return any(len(self.waiting[kind]) < n for kind, n in _TARGET.items())

    def refill(self) -> None:
        """Fork the spares that are missing (when the service has nothing else to do)."""
        for kind, target in _TARGET.items():
            while len(self.waiting[kind]) < target:
                ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
                pid = fork_to(functools.partial(self._start, kind, ours, theirs))
                theirs.close()
                self.waiting[kind].append(_Spare(pid, ours))

    def hand_over(self, conn: socket.socket, request: dict[str, Any]) -> int | None:
        """Give the request and its connection to a waiting spare; its pid, or None when none
        of this kind is waiting (the service forks one for the request itself)."""
        waiting = self.waiting.get(str(request.get("op")), [])
        while waiting:
            spare = waiting.pop(0)  # the oldest: the most likely to be warm
            try:
                send(spare.ctl.fileno(), request)
                socket.send_fds(spare.ctl, [b"\0"], [conn.fileno()])
            except (ChildGone, OSError):
                continue  # it died waiting (the service reaps it): try the next
            finally:
                spare.ctl.close()
            return spare.pid
        return None

    def _start(self, kind: str, ours: socket.socket, theirs: socket.socket) -> int:
        ours.close()
        self.prepare()
        return self._wait(kind, theirs)

    def _wait(self, kind: str, ctl: socket.socket) -> int:
        if kind == "worker":
            from h5schema._isolation._child import warm_up

            warm_up()
        try:
            request: dict[str, Any] = receive(ctl.fileno())
            _data, fds, _flags, _addr = socket.recv_fds(ctl, 1, 1)
        except (ChildGone, OSError, ValueError):
            return 0  # the service has stopped
        ctl.close()
        if len(fds) != 1:
            return 1
        return self.serve(socket.socket(fileno=fds[0]), request)
