"""The parent side: a pool of reusable child processes, one request at a time each."""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from h5schema._report.report import Report, unreadable_report
from h5schema._sandbox.protocol import (
    Answer,
    ChildGone,
    Describe,
    Described,
    Failed,
    Load,
    Loaded,
    NeedSchema,
    Ready,
    Request,
    SchemaRefused,
    TimedOut,
    Validate,
    Validated,
    receive,
    send,
)
from h5schema._sandbox.shipment import Shipment, by_reference
from h5schema._validate.limits import Limits, describe_bytes

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
_CHILD_MAIN = "from h5schema._sandbox.child import main; main()"
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
    """One reader process, a child spawned here; ``known`` are the schema keys it has cached."""

    def __init__(self, memory: int | None) -> None:
        self.memory = memory
        self.known: set[str] = set()
        self.ready = False
        debug = bool(os.environ.get("H5SCHEMA_DEBUG"))
        self.proc = subprocess.Popen(
            [sys.executable, "-P", "-c", _CHILD_MAIN, str(memory or 0)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if debug else subprocess.DEVNULL,
            env=_child_env(),
            start_new_session=True,
            close_fds=True,
        )  # fmt: skip
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.tx, self.rx = self.proc.stdin.fileno(), self.proc.stdout.fileno()

    def wait_ready(self) -> None:
        if not self.ready:
            hello = receive(self.rx, time.monotonic() + _STARTUP_SECONDS)
            self.ready = isinstance(hello, Ready)
            if not self.ready:
                raise ChildGone(f"the reader said {type(hello).__name__} before it was ready")

    def kill(self) -> int | None:
        """Stop the reader for good; its exit status (negative: the signal that ended it)."""
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


class _Pool:
    """Idle workers by memory limit; a worker serves one request at a time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.idle: dict[int | None, list[_Worker]] = {}
        self.everyone: set[_Worker] = set()

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
            w.kill()


_POOL = _Pool()
atexit.register(_POOL.shutdown)


def shutdown() -> None:
    """Stop every child process (they are restarted on demand)."""
    _POOL.shutdown()


def prestart(count: int, memory: int | None) -> None:
    """Start ``count`` children for this memory limit ahead of the first file."""
    _POOL.prestart(count, memory)


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


def _with_schema(request: Request, schema: Shipment) -> Request:
    """``request`` carrying the schema, for a reader that does not have it yet."""
    if isinstance(request, Describe):  # reads a file without a schema
        return request
    return dataclasses.replace(request, schema=schema.payload)


def _ask(worker: _Worker, request: Request, limits: Limits, schema: Shipment | None) -> Request:
    """Send one request (with the schema if the reader does not have it); the request sent."""
    with _guarded(worker, limits):
        worker.wait_ready()
        if schema is not None and schema.key not in worker.known:
            request = _with_schema(request, schema)
        send(worker.tx, request)
    return request


def _answer(worker: _Worker, sent: Request, limits: Limits, schema: Shipment | None) -> Answer:
    """The reader's answer to ``sent``; it goes back to the pool, or raise _Failed with the reason."""
    deadline = None if limits.timeout is None else time.monotonic() + limits.timeout
    with _guarded(worker, limits):
        reply: Answer = receive(worker.rx, deadline)
        if isinstance(reply, NeedSchema) and schema is not None:
            send(worker.tx, _with_schema(sent, schema))
            reply = receive(worker.rx, deadline)
    if not isinstance(reply, Failed):
        if schema is not None and not isinstance(reply, SchemaRefused):
            worker.known.add(schema.key)
        _POOL.release(worker)
        return reply
    _POOL.discard(worker)
    if reply.kind == "memory":
        raise _Failed(_memory_words(limits))
    raise _Failed(f"validation failed: {reply.detail or 'unknown error'}")


def _request(request: Request, limits: Limits, schema: Shipment | None = None) -> Answer:
    """Send one request to a reader and return its answer, or raise _Failed with the reason."""
    worker = _POOL.acquire(limits.memory)
    return _answer(worker, _ask(worker, request, limits, schema), limits, schema)


def load_reference(ref: str, limits: Limits) -> Shipment | None:
    """The schema ``ref`` names, loaded by a reader (its name checked there), ready to send by
    reference; None when it does not load in the reader (the caller loads it to say why). Every
    reader started ahead (``prestart``) loads it at the same time, so all start on files at once."""
    shipment = by_reference(ref)
    request = Load(schema_key=shipment.key)
    asked = []
    for worker in _POOL.take_idle(limits.memory) or [_POOL.acquire(limits.memory)]:
        with contextlib.suppress(_Failed):
            asked.append((worker, _ask(worker, request, limits, shipment)))
    name = None
    for worker, sent in asked:
        with contextlib.suppress(_Failed):
            loaded = _answer(worker, sent, limits, shipment)
            name = name or (loaded.name if isinstance(loaded, Loaded) else None)
    return None if name is None else dataclasses.replace(shipment, name=name)


def run_isolated(
    label: str, schema: Shipment, *, check_data: bool, limits: Limits, data_workers: int | None = None
) -> Report:
    """Validate the file at ``label`` in a reader process; every failure is a report. The data
    checks of a big dataset are spread over ``data_workers`` processes (default: the cores)."""
    request = Validate(
        path=os.path.abspath(label),  # the reader's working directory may differ
        label=label,
        schema_key=schema.key,
        check_data=check_data,
        limits=limits,
        data_workers=data_workers or os.cpu_count() or 1,
    )
    try:
        reply = _request(request, limits, schema)
    except _Failed as exc:
        return unreadable_report(label, schema.name, str(exc))
    if isinstance(reply, SchemaRefused):
        return unreadable_report(label, schema.name, f"the schema did not load: {reply.reason}")
    if not isinstance(reply, Validated):
        return unreadable_report(label, schema.name, f"the reader answered {type(reply).__name__}")
    return dataclasses.replace(Report.from_dict(reply.report), file=label, schema=schema.name)


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


def _describe(request: Describe, limits: Limits) -> Described:
    """The reader's description of a file, or raise _Failed with the reason."""
    reply = _request(request, limits)
    if not isinstance(reply, Described):
        raise _Failed(f"the reader answered {type(reply).__name__}")
    return reply


def infer_isolated(label: str, name: str, limits: Limits, form: str, header: str = "") -> tuple[bool, str]:
    """The schema inferred from the file at ``label`` in a reader, written there as ``form``
    (yaml, json, or python classes under ``header``): (True, text), or (False, why not)."""
    request = Describe(
        what="infer", path=os.path.abspath(label), limits=limits, name=name, form=form, header=header
    )
    try:
        reply = _describe(request, limits)
    except _Failed as exc:
        return False, str(exc)
    if reply.text is None:
        return False, reply.unreadable or "cannot be read"
    return True, reply.text


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
    return f"the reading process ended unexpectedly (exit status {status})"


def manifest_isolated(label: str, limits: Limits) -> dict[str, Any] | str:
    """The manifest of the file at ``label`` read in a child process (see ``_h5.manifest``), or
    the reason it cannot be read."""
    try:
        reply = _describe(Describe(what="manifest", path=os.path.abspath(label), limits=limits), limits)
    except _Failed as exc:
        return str(exc)
    return reply.manifest or reply.unreadable or "cannot be read"
