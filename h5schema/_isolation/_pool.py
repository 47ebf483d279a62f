"""The parent side: a pool of reusable child processes, one request at a time each."""

from __future__ import annotations

import atexit
import base64
import contextlib
import hashlib
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from h5schema._codes import Code, Severity
from h5schema._isolation._protocol import ChildGone, TimedOut, receive, send
from h5schema._limits import Limits, describe_bytes
from h5schema._report import Report, Violation, unreadable_report

if TYPE_CHECKING:  # not imported at run time: the command line starts children before pydantic loads
    from h5schema._spec import SchemaSpec

__all__ = ["infer_isolated", "manifest_isolated", "prestart", "run_isolated", "shutdown"]

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
    """One child process; ``known`` are the schema keys it has cached."""

    def __init__(self, memory: int | None) -> None:
        self.memory = memory
        self.known: set[str] = set()
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
        self.ready = False

    def wait_ready(self) -> None:
        if not self.ready:
            receive(self.rx, time.monotonic() + _STARTUP_SECONDS)
            self.ready = True

    def kill(self) -> int | None:
        """Stop the child for good; its exit status (negative: the signal that ended it)."""
        with contextlib.suppress(OSError):  # the child leads its own group, with any data-check copies
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.proc.kill()
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(Exception):
                stream.close()  # type: ignore[union-attr]
        return self.proc.returncode


class _Pool:
    """Idle workers by memory limit; a worker serves one request at a time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.idle: dict[int | None, list[_Worker]] = {}
        self.everyone: set[_Worker] = set()
        self.pid = os.getpid()

    def acquire(self, memory: int | None) -> _Worker:
        with self.lock:
            if self.pid != os.getpid():  # forked: the children belong to the parent process
                self.idle, self.everyone, self.pid = {}, set(), os.getpid()
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


_DOCS: dict[int, tuple[SchemaSpec, str, str]] = {}


def _schema_doc(spec: SchemaSpec) -> tuple[str, str]:
    """The schema as the child receives it, and a key for the child's cache. Pickled, not the
    JSON document: the child must get exactly this object (the parent is trusted by the child;
    nothing flows back but plain JSON)."""
    hit = _DOCS.get(id(spec))
    if hit is None or hit[0] is not spec:
        text = base64.b64encode(pickle.dumps(spec)).decode("ascii")
        if len(_DOCS) >= 64:
            _DOCS.clear()
        hit = _DOCS[id(spec)] = (spec, text, hashlib.sha256(text.encode()).hexdigest())
    return hit[1], hit[2]


def _limits_doc(limits: Limits) -> dict[str, Any]:
    return {name: getattr(limits, name) for name in Limits.__slots__}


class _Failed(Exception):
    """The child could not answer: ``str()`` says why, in words for a ``file_unreadable``."""


def _request(
    message: dict[str, Any], limits: Limits, schema: tuple[str, str] | None = None
) -> dict[str, Any]:
    """Send one request to a child and return its answer, or raise _Failed with the reason."""
    worker = _POOL.acquire(limits.memory)
    try:
        worker.wait_ready()
        if schema is not None and schema[1] not in worker.known:
            message = {**message, "schema": schema[0]}
        deadline = None if limits.timeout is None else time.monotonic() + limits.timeout
        send(worker.tx, message)
        reply: dict[str, Any] = receive(worker.rx, deadline)
        if "need_schema" in reply and schema is not None:
            send(worker.tx, {**message, "schema": schema[0]})
            reply = receive(worker.rx, deadline)
    except TimedOut:
        _POOL.discard(worker)
        raise _Failed(
            f"timed out after {limits.timeout:g} s (the HDF5 library was stopped; the file may loop it)"
        ) from None
    except ChildGone:
        raise _Failed(_death(_POOL.discard(worker), limits)) from None
    except BaseException:
        _POOL.discard(worker)  # interrupted mid-request: the child's state is unknown
        raise
    if schema is not None:
        worker.known.add(schema[1])
    if "failure" not in reply:
        _POOL.release(worker)
        return reply
    _POOL.discard(worker)
    if reply["failure"] == "memory":
        raise _Failed(_memory_words(limits))
    raise _Failed(f"validation failed: {reply.get('detail', 'unknown error')}")


def run_isolated(
    label: str, spec: SchemaSpec, *, check_data: bool, limits: Limits, data_workers: int | None = None
) -> Report:
    """Validate the file at ``label`` in a child process; every failure is a report. The data
    checks of a big dataset are spread over ``data_workers`` processes (default: the cores)."""
    text, key = _schema_doc(spec)
    message: dict[str, Any] = {
        "path": os.path.abspath(label),  # the child's working directory may differ
        "label": label,
        "schema_key": key,
        "check_data": check_data,
        "limits": _limits_doc(limits),
        "data_workers": data_workers or os.cpu_count() or 1,
    }
    try:
        reply = _request(message, limits, (text, key))
    except _Failed as exc:
        return unreadable_report(label, spec.name, str(exc))
    return _report(reply["report"], label, spec.name)


def infer_isolated(label: str, name: str, limits: Limits) -> SchemaSpec | str:
    """The schema inferred from the file at ``label`` in a child process, or why it cannot be read."""
    from h5schema._spec import SchemaSpec

    message = {"op": "infer", "name": name, "path": os.path.abspath(label), "limits": _limits_doc(limits)}
    try:
        reply = _request(message, limits)
    except _Failed as exc:
        return str(exc)
    if "schema" not in reply:
        return str(reply.get("unreadable", "cannot be read"))
    return SchemaSpec.from_json(reply["schema"])


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
