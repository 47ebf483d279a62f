"""Running a whole ``h5schema`` command in a process forked from the reader service.

Python's start-up and the command line's imports cost a run more than a small file does. While
the service runs, the ``h5schema`` script hands its command to it instead, as Mercurial's chg
does: it sends its arguments, working directory, environment, umask and ``sys.path``, and passes
its own stdin, stdout and stderr (``SCM_RIGHTS``). The service forks a process that takes all of
these on and runs the command line as the script would have, writing straight to the script's
terminal or pipes; then the script exits with the command's exit status.

- Ctrl-C and ``kill`` reach the command: the script forwards SIGINT, SIGTERM and SIGHUP to it.
- A script that goes away (killed) takes the command with it.
- A command killed by a signal makes the script die of the same signal.
- If the service cannot take the command (not running, another installation, cannot fork),
  the script runs it itself: nothing has happened yet, so nothing runs twice.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import sys
import time

from h5schema._isolation._protocol import ChildGone, TimedOut, receive, send
from h5schema._isolation._rendezvous import ask, connect, this_service

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (see _rendezvous)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["become_command", "relay"]

_FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_STDIO = ("stdin", "stdout", "stderr")
_START_SECONDS = 10.0
_RLIMITS = ("RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_NOFILE")


def _stream_doc(name: str) -> dict[str, Any] | None:
    stream = getattr(sys, name)
    if not isinstance(stream, io.TextIOWrapper):
        return None
    try:
        os.fstat(stream.fileno())  # a closed descriptor cannot be passed on
    except (OSError, ValueError):
        return None
    return {
        "encoding": stream.encoding,
        "errors": stream.errors,
        "line_buffering": stream.line_buffering,
        "write_through": stream.write_through,
    }


def relay(argv: list[str]) -> int | None:
    """Run the command ``argv`` (``sys.argv``) in the service; its exit status, or None when no
    service took it (the caller runs it itself). A command killed by a signal kills us too."""
    if not hasattr(socket, "send_fds"):
        return None
    streams = [_stream_doc(name) for name in _STDIO]
    path = this_service()
    if path is None or None in streams:
        return None
    sock = connect(path)
    if sock is None:
        return None
    with sock:
        umask = os.umask(0o022)
        os.umask(umask)
        request = {
            "op": "command",
            "limits": _limits(),
            "argv": argv,
            "cwd": os.getcwd(),
            "env": dict(os.environ),
            "umask": umask,
            "path": sys.path,
            "streams": streams,
        }
        try:
            send(sock.fileno(), request)
            socket.send_fds(sock, [b"\0"], [0, 1, 2])
            started = receive(sock.fileno(), time.monotonic() + _START_SECONDS)
            pid = int(started["started"])
        except (ChildGone, TimedOut, OSError, ValueError, KeyError, TypeError):
            return None  # nothing ran: the caller runs the command itself
        return _follow(sock, pid, path)


def _limits() -> dict[str, list[int]]:
    """Our resource limits (``ulimit``), for the command to take on."""
    import resource

    return {name: list(resource.getrlimit(getattr(resource, name))) for name in _RLIMITS}


def _follow(sock: socket.socket, pid: int, path: str) -> int:
    """Forward signals to the command until it says how it ended; its exit status."""

    def forward(signum: int, _frame: Any) -> None:
        try:
            send(sock.fileno(), {"signal": signum})
        except (OSError, ChildGone):
            pass  # the command has just ended

    for signum in _FORWARDED:
        signal.signal(signum, forward)
    try:
        ended = receive(sock.fileno())
        return int(ended["exit"])
    except (ChildGone, ValueError, KeyError, TypeError):
        pass
    reply = ask(path, {"op": "status", "pid": pid, "wait": True})  # the service reaped it
    status = None if reply is None else reply.get("status")
    if isinstance(status, int) and status < 0:
        for number in {*_FORWARDED, -status}:
            try:
                signal.signal(number, signal.SIG_DFL)
            except (ValueError, OSError):
                pass  # SIGKILL has no handler to reset
        os.kill(os.getpid(), -status)  # die the way the command died
        return 128 - status
    if isinstance(status, int):
        return status
    print("h5schema: error: the command ended unexpectedly (its reader service stopped)", file=sys.stderr)
    return 2


def become_command(conn: socket.socket, request: dict[str, Any]) -> int:
    """In a process just forked by the service: take on the client's stdio, directory,
    environment and arguments, run the command line, and send the exit status; the status to
    exit with (``os._exit``)."""
    message, fds, _flags, _addr = socket.recv_fds(conn, 1, 3)
    if message != b"\0" or len(fds) != 3:
        for fd in fds:
            os.close(fd)
        return 1
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.umask(int(request["umask"]))
    _take_limits(request["limits"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.path[:] = request["path"]
    sys.argv[:] = request["argv"]
    for fd, (name, doc) in enumerate(zip(_STDIO, request["streams"], strict=True)):
        stream = _text_stream(fd, doc)
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)
    import tempfile
    import threading

    from h5schema._isolation import _rendezvous

    tempfile.tempdir = None  # found again from the client's TMPDIR
    _rendezvous._FINGERPRINT.clear()  # and the service from the client's environment
    signal.signal(signal.SIGINT, signal.default_int_handler)
    finished = threading.Event()
    threading.Thread(target=_listen, args=(conn, finished), daemon=True).start()
    send(conn.fileno(), {"started": os.getpid()})
    status = _run_cli()
    from h5schema._isolation._pool import shutdown

    shutdown()  # what atexit does for the script: our exit is os._exit, as the service's fork
    for out in (sys.stdout, sys.stderr):
        try:
            out.flush()
        except Exception:
            pass  # a closed pipe: what could be said was said
    finished.set()
    try:
        send(conn.fileno(), {"exit": status})
    except (ChildGone, OSError):
        pass  # the client is gone
    return status


def _take_limits(limits: dict[str, list[int]]) -> None:
    """The client's resource limits, as far as the service's hard limits allow."""
    import resource

    def lower(a: int, b: int) -> int:  # RLIM_INFINITY is the largest
        if a == resource.RLIM_INFINITY:
            return b
        return a if b == resource.RLIM_INFINITY else min(a, b)

    for name, (soft, hard) in limits.items():
        if name in _RLIMITS:
            which = getattr(resource, name)
            hard = lower(hard, resource.getrlimit(which)[1])
            try:
                resource.setrlimit(which, (lower(soft, hard), hard))
            except (ValueError, OSError):
                pass


def _text_stream(fd: int, doc: dict[str, Any]) -> io.TextIOWrapper:
    raw = io.FileIO(fd, "r" if fd == 0 else "w", closefd=False)
    buffered = io.BufferedReader(raw) if fd == 0 else io.BufferedWriter(raw)
    return io.TextIOWrapper(
        buffered,
        encoding=doc["encoding"],
        errors=doc["errors"],
        line_buffering=bool(doc["line_buffering"]),
        write_through=bool(doc["write_through"]),
    )


def _listen(conn: socket.socket, finished: Any) -> None:
    """Deliver the signals the client forwards; if the client goes away, end the command."""
    while True:
        try:
            msg = receive(conn.fileno())
        except (ChildGone, ValueError):
            if not finished.is_set():
                os.kill(os.getpid(), signal.SIGHUP)  # nobody is left to read the output
            return
        signum = msg.get("signal") if isinstance(msg, dict) else None
        if signum in _FORWARDED:
            os.kill(os.getpid(), signum)


def _run_cli() -> int:
    from h5schema._cli import main

    try:
        main()
    except SystemExit as exc:
        code = exc.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)
        return 1
    except BaseException:  # --debug lets a bug of ours through: as Python shows it, exit 1
        import traceback

        traceback.print_exc()
        return 1
    return 0
