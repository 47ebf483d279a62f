"""The parent side: a pool of reusable child processes, one request at a time each."""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from h5schema._codes import Code, Severity
from h5schema._isolation._protocol import ChildGone, TimedOut, receive, send
from h5schema._isolation._rendezvous import ask, served_worker
from h5schema._isolation._shipment import Shipment, by_reference
from h5schema._limits import Limits, describe_bytes
from h5schema._report import Report, Violation, unreadable_report

if TYPE_CHECKING:  # not imported at run time: the command line never loads pydantic itself
    import socket
    import subprocess

__all__ = [
    "infer_isolated",
    "load_reference",
    "manifest_isolated",
    "prestart",
    "run_isolated",
    "run_many",
    "shutdown",
]

_STARTUP_SECONDS = 120.0  # importing numpy and h5py on a loaded CI machine
_CHILD_MAIN = "from h5schema._isolation._child import main; main()"
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["HDF5_PLUGIN_PRELOAD"] = "::"  # HDF5 loads no filter plugins: unknown filters fail cleanly
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
    env.pop("PYTHONSTARTUP", None)
    return env


class _Worker:
    """One reader process: forked by the running reader service when there is one (see
    ``_server``), else a child spawned here. ``known`` are the schema keys it has cached."""

    def __init__(self, memory: int | None) -> None:
        self.memory = memory
        self.known: set[str] = set()
        self.ready = False
        self.pid: int | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.sock: socket.socket | None = None
        served = served_worker(memory)
        if served is not None:
            self.sock, self.service = served
            self.tx = self.rx = self.sock.fileno()
        else:
            self._spawn()

    def _spawn(self) -> None:
        import subprocess  # only without a service: it is not needed to fork from one

        debug = bool(os.environ.get("H5SCHEMA_DEBUG"))
        self.proc = subprocess.Popen(
            [sys.executable, "-P", "-c", _CHILD_MAIN, str(self.memory or 0)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if debug else subprocess.DEVNULL,
            env=_child_env(),
            start_new_session=True,
            close_fds=True,
        )  # fmt: skip
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.tx, self.rx = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        self.pid = self.proc.pid

    def wait_ready(self) -> None:
        if self.ready:
            return
        try:
            hello = receive(self.rx, time.monotonic() + _STARTUP_SECONDS)
        except ChildGone:
            if self.sock is None:
                raise
            self.sock.close()  # the service could not fork (or is stopping): start our own
            self.sock = None
            self._spawn()
            hello = receive(self.rx, time.monotonic() + _STARTUP_SECONDS)
        self.pid = int(hello["ready"])
        self.ready = True

    def close(self) -> None:
        """Let the reader go: a served one ends when its connection closes."""
        if self.sock is not None:
            self.sock.close()
        else:
            self.kill()

    def kill(self) -> int | None:
        """Stop the reader for good; its exit status (negative: the signal that ended it)."""
        if self.sock is not None:
            return self._kill_served()
        assert self.proc is not None
        with contextlib.suppress(OSError):  # the child leads its own group, with any data-check copies
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.proc.kill()
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(Exception):
                stream.close()  # type: ignore[union-attr,unused-ignore]
        return self.proc.returncode

    def _kill_served(self) -> int | None:
        # Not our child: the service reaps it and tells how it ended. Ask before killing, so
        # that a pid already reaped (and perhaps reused) is never signalled.
        assert self.sock is not None
        status = None
        if self.pid is not None:
            status = self._served_status(wait=False)
            if status is None:
                with contextlib.suppress(OSError):
                    os.killpg(self.pid, signal.SIGKILL)
        self.sock.close()
        if self.pid is not None and status is None:
            status = self._served_status(wait=True)
        return status

    def _served_status(self, wait: bool) -> int | None:
        reply = ask(self.service, {"op": "status", "pid": self.pid, "wait": wait})
        found = None if reply is None else reply.get("status")
        return found if isinstance(found, int) else None


class _Pool:
    """Idle workers by memory limit; a worker serves one request at a time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.idle: dict[int | None, list[_Worker]] = {}
        self.everyone: set[_Worker] = set()

    def forget(self) -> None:
        """In a forked child: the workers belong to the parent process."""
        self.lock = threading.Lock()
        self.idle, self.everyone = {}, set()

    def acquire(self, memory: int | None) -> _Worker:
        with self.lock:
            free = self.idle.get(memory)
            if free:
                return free.pop()
            worker = _Worker(memory)
            self.everyone.add(worker)
            return worker

    def prestart(self, count: int, memory: int | None) -> None:
        """Start children now, so that their start-up overlaps the caller's own work."""
        with self.lock:
            free = self.idle.setdefault(memory, [])
            while len(free) < count:
                worker = _Worker(memory)
                self.everyone.add(worker)
                free.append(worker)

    def take_idle(self, memory: int | None) -> list[_Worker]:
        """Every idle worker for this memory limit, taken out of the pool."""
        with self.lock:
            return self.idle.pop(memory, [])

    def release(self, worker: _Worker) -> None:
        with self.lock:
            self.idle.setdefault(worker.memory, []).append(worker)

    def discard(self, worker: _Worker) -> int | None:
        with self.lock:
            self.everyone.discard(worker)
        return worker.kill()

    def shutdown(self) -> None:
        with self.lock:
            workers, self.everyone, self.idle = list(self.everyone), set(), {}
        for w in workers:
            w.close()


_POOL = _Pool()
atexit.register(_POOL.shutdown)
if hasattr(os, "register_at_fork"):  # POSIX: a command forked by the service starts afresh
    os.register_at_fork(after_in_child=_POOL.forget)


def shutdown() -> None:
    """Stop every child process (they are restarted on demand)."""
    _POOL.shutdown()


def prestart(count: int, memory: int | None) -> None:
    """Start ``count`` children for this memory limit ahead of the first file."""
    _POOL.prestart(count, memory)


def _limits_doc(limits: Limits) -> dict[str, Any]:
    return {name: getattr(limits, name) for name in Limits.__slots__}


class _Failed(Exception):
    """The child could not answer: ``str()`` says why, in words for a ``file_unreadable``."""


@contextlib.contextmanager
def _guarded(worker: _Worker, limits: Limits) -> Iterator[None]:
    """Talk to ``worker``; a reader that times out or dies is discarded and raises _Failed."""
    try:
        yield
    except TimedOut:
        _POOL.discard(worker)
        raise _Failed(
            f"timed out after {limits.timeout:g} s (the HDF5 library was stopped; the file may loop it)"
        ) from None
    except ChildGone:
        raise _Failed(_death(_POOL.discard(worker), limits)) from None
    except BaseException:
        _POOL.discard(worker)  # interrupted mid-request: the reader's state is unknown
        raise


def _ask(worker: _Worker, message: dict[str, Any], limits: Limits, schema: Shipment | None) -> dict[str, Any]:
    """Send one request (with the schema if the reader does not have it); the message sent."""
    with _guarded(worker, limits):
        worker.wait_ready()
        if schema is not None and schema.key not in worker.known:
            message = {**message, **schema.payload}
        send(worker.tx, message)
    return message


def _answer(worker: _Worker, sent: dict[str, Any], limits: Limits, schema: Shipment | None) -> dict[str, Any]:
    """The reader's answer to ``sent``; it goes back to the pool, or raise _Failed with the reason."""
    deadline = None if limits.timeout is None else time.monotonic() + limits.timeout
    with _guarded(worker, limits):
        reply: dict[str, Any] = receive(worker.rx, deadline)
        if "need_schema" in reply and schema is not None:
            send(worker.tx, {**sent, **schema.payload})
            reply = receive(worker.rx, deadline)
    if "failure" not in reply:
        if schema is not None and "schema_error" not in reply:
            worker.known.add(schema.key)
        _POOL.release(worker)
        return reply
    _POOL.discard(worker)
    if reply["failure"] == "memory":
        raise _Failed(_memory_words(limits))
    raise _Failed(f"validation failed: {reply.get('detail', 'unknown error')}")


def _request(message: dict[str, Any], limits: Limits, schema: Shipment | None = None) -> dict[str, Any]:
    """Send one request to a reader and return its answer, or raise _Failed with the reason."""
    worker = _POOL.acquire(limits.memory)
    return _answer(worker, _ask(worker, message, limits, schema), limits, schema)


def load_reference(ref: str, limits: Limits) -> Shipment | None:
    """The schema ``ref`` names, loaded by a reader (its name checked there), ready to send by
    reference; None when it does not load in the reader (the caller loads it to say why). Every
    reader started ahead (``prestart``) loads it at the same time, so all start on files at once."""
    shipment = by_reference(ref)
    message = {"op": "load", "schema_key": shipment.key}
    asked = []
    for worker in _POOL.take_idle(limits.memory) or [_POOL.acquire(limits.memory)]:
        with contextlib.suppress(_Failed):
            asked.append((worker, _ask(worker, message, limits, shipment)))
    name = None
    for worker, sent in asked:
        with contextlib.suppress(_Failed):
            loaded = _answer(worker, sent, limits, shipment).get("loaded")
            name = name or (loaded if isinstance(loaded, str) else None)
    return None if name is None else dataclasses.replace(shipment, name=name)


def run_isolated(
    label: str, schema: Shipment, *, check_data: bool, limits: Limits, data_workers: int | None = None
) -> Report:
    """Validate the file at ``label`` in a reader process; every failure is a report. The data
    checks of a big dataset are spread over ``data_workers`` processes (default: the cores)."""
    message: dict[str, Any] = {
        "path": os.path.abspath(label),  # the reader's working directory may differ
        "label": label,
        "schema_key": schema.key,
        "check_data": check_data,
        "limits": _limits_doc(limits),
        "data_workers": data_workers or os.cpu_count() or 1,
    }
    try:
        reply = _request(message, limits, schema)
    except _Failed as exc:
        return unreadable_report(label, schema.name, str(exc))
    if "schema_error" in reply:
        return unreadable_report(label, schema.name, f"the schema did not load: {reply['schema_error']}")
    return _report(reply["report"], label, schema.name)


def run_many(
    labels: list[str], schema: Shipment, *, jobs: int, check_data: bool, limits: Limits
) -> Iterator[Report]:
    """Validate files on ``jobs`` readers at once, yielding their reports in the order given."""
    if jobs <= 1:
        for label in labels:
            yield run_isolated(label, schema, check_data=check_data, limits=limits)
        return
    share = max(1, (os.cpu_count() or 1) // jobs)  # cores for each file's big data checks

    def one(label: str) -> Report:
        return run_isolated(label, schema, check_data=check_data, limits=limits, data_workers=share)

    with ThreadPoolExecutor(max_workers=jobs) as threads:  # threads only wait on their reader
        yield from threads.map(one, labels)


def infer_isolated(label: str, name: str, limits: Limits, form: str, header: str = "") -> tuple[bool, str]:
    """The schema inferred from the file at ``label`` in a reader, written there as ``form``
    (yaml, json, or python classes under ``header``): (True, text), or (False, why not)."""
    message = {
        "op": "infer", "name": name, "form": form, "header": header,
        "path": os.path.abspath(label), "limits": _limits_doc(limits),
    }  # fmt: skip
    try:
        reply = _request(message, limits)
    except _Failed as exc:
        return False, str(exc)
    if "text" not in reply:
        return False, str(reply.get("unreadable", "cannot be read"))
    return True, str(reply["text"])


def _memory_words(limits: Limits) -> str:
    cap = "its" if limits.memory is None else f"the {describe_bytes(limits.memory)}"
    return f"exceeded {cap} memory limit while reading it (a corrupt or hostile file)"


def _death(status: int | None, limits: Limits) -> str:
    if status is not None and status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = f"signal {-status}"
        if name == "SIGKILL":
            return "the reading process was killed (SIGKILL), most likely for using too much memory"
        if name == "SIGALRM":
            return f"timed out after {limits.timeout:g} s (the HDF5 library was stopped)"
        return f"crashed the HDF5 library ({name}); the file is corrupt or hostile"
    if status is None:  # a served reader whose service was stopped: nobody saw how it ended
        return "the reading process ended unexpectedly (how is unknown)"
    return f"the reading process ended unexpectedly (exit status {status})"


_CODES = {c.value: c for c in Code}
_SEVERITIES = {s.value: s for s in Severity}


def _report(doc: dict[str, Any], label: str, schema: str) -> Report:
    violations = tuple(
        Violation(
            v["path"], _CODES[v["code"]], v["message"], v["expected"], v["actual"], _SEVERITIES[v["severity"]]
        )
        for v in doc["violations"]
    )
    return Report(file=label, schema=schema, violations=violations)


def manifest_isolated(label: str, limits: Limits) -> dict[str, Any] | str:
    """The manifest of the file at ``label`` read in a child process (see ``_h5.manifest``), or
    the reason it cannot be read."""
    message = {"op": "manifest", "path": os.path.abspath(label), "limits": _limits_doc(limits)}
    try:
        reply = _request(message, limits)
    except _Failed as exc:
        return str(exc)
    found: dict[str, Any] | str = reply.get("manifest") or reply.get("unreadable", "cannot be read")
    return found
