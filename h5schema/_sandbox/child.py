"""The child side: harden the process, then answer one request at a time until stdin closes.

Started as ``python -P -c "from h5schema._sandbox.child import main; main()" MEMORY``. The
protocol runs on the original stdout, which is moved aside first so that anything the libraries
print goes to stderr instead of into a message.
"""

from __future__ import annotations

import base64
import contextlib
import math
import os
import pickle
import resource
import signal
import sys
from collections.abc import Callable

from h5schema import _h5
from h5schema._convert.codegen import to_python
from h5schema._convert.infer import infer
from h5schema._sandbox.forked import forked
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
    SchemaPayload,
    SchemaRefused,
    Validate,
    Validated,
    receive,
    send,
)
from h5schema._schema.loader import load_schema
from h5schema._schema.spec import SchemaSpec
from h5schema._validate.limits import Limits
from h5schema._validate.walk import walk_path

__all__ = ["harden", "main", "serve"]

_CACHED_SCHEMAS = 32


def harden(memory: int) -> None:
    """No core dumps, an address-space limit of ``memory`` bytes (0: none), and signals left
    to the parent: SIGINT ignored, SIGALRM (the backstop alarm) fatal, GIL or not."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory > 0:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    # No PR_SET_PDEATHSIG: it fires when the spawning *thread* exits, and the pool spawns from
    # worker threads. A parent that dies closes our stdin (we exit at the next read), and the
    # per-request alarm below ends a child stuck inside the library.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)


def main() -> None:
    memory = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    harden(memory)
    out = os.dup(1)
    os.dup2(2, 1)
    serve(0, out)


class _Reader:
    """The schemas this reader has been sent, by key, and the answer to each request."""

    def __init__(self) -> None:
        self.specs: dict[str, SchemaSpec] = {}

    def answer(self, request: Validate | Load | Describe) -> Answer:
        if isinstance(request, Describe):
            return _attempt(request.limits, lambda: _describe(request))
        if request.schema is not None:
            try:
                self._store(request.schema_key, request.schema)
            except _BadReference as exc:
                return SchemaRefused(reason=str(exc))
            except Exception as exc:  # a schema document that does not read back: a bug of ours
                return Failed(kind="error", detail=f"the schema did not reach the reader: {exc}")
        spec = self.specs.get(request.schema_key)
        if spec is None:  # forgotten: the parent sends it again
            return NeedSchema(schema_key=request.schema_key)
        if isinstance(request, Load):
            return Loaded(name=spec.name)
        return _attempt(request.limits, lambda: _validate(request, spec))

    def _store(self, key: str, payload: SchemaPayload) -> None:
        if len(self.specs) >= _CACHED_SCHEMAS:
            self.specs.clear()
        if payload.pickled is not None:  # pickled by our parent, or a reference to load here
            self.specs[key] = pickle.loads(base64.b64decode(payload.pickled))
        else:
            self.specs[key] = _load(payload.ref or "", payload.cwd or os.getcwd())


def serve(rx: int, tx: int) -> None:
    """Answer requests from ``rx`` on ``tx`` until the other end closes or a request fails."""
    send(tx, Ready(pid=os.getpid()))
    reader = _Reader()
    while True:
        try:
            request = receive(rx)
        except ChildGone:
            return
        reply = reader.answer(request)
        send(tx, reply)
        if isinstance(reply, Failed):
            return


class _BadReference(Exception):
    """The schema reference does not load here; the parent loads it itself to say why."""


def _load(ref: str, cwd: str) -> SchemaSpec:
    """The schema ``ref`` names, loaded in this reader from the caller's directory ``cwd`` (the
    command line sends references, so that the user's module loads here, where files are read)."""
    try:
        with contextlib.chdir(cwd):
            return load_schema(ref)
    except Exception as exc:  # any failure: the parent's own load gives the real message
        raise _BadReference(f"{type(exc).__name__}: {exc}") from None


def _validate(request: Validate, spec: SchemaSpec) -> Validated:
    report = walk_path(
        request.path, spec, check_data=request.check_data, limits=request.limits, label=request.label,
        spread=forked(request.data_workers),
    )  # fmt: skip
    return Validated(report=report.to_dict())


def _attempt(limits: Limits, work: Callable[[], Answer]) -> Answer:
    """A request's answer: ``work()`` under the backstop alarm, a failure being an answer too."""
    if limits.timeout is not None:  # a backstop: the parent normally kills first
        signal.alarm(math.ceil(limits.timeout) + 5)
    try:
        return work()
    except MemoryError:
        return Failed(kind="memory")
    except Exception as exc:  # a bug of ours: still an answer, and a fresh reader next time
        return Failed(kind="error", detail=f"{type(exc).__name__}: {exc}")
    finally:
        signal.alarm(0)


def _describe(request: Describe) -> Described:
    """The file's manifest (``h5schema show``) or its inferred schema, or why it cannot be read."""
    try:
        f = _h5.open_read(request.path)
    except _h5.Unreadable as exc:
        return Described(unreadable=str(exc))
    try:
        root = _h5.root_of(f)
        limits = request.limits
        if request.what == "infer":
            return Described(text=_inferred_text(root, request))
        return Described(manifest=_h5.manifest(root, limits.max_members, limits.max_attribute_bytes))
    finally:
        f.close()


def _inferred_text(root: _h5.Handle, request: Describe) -> str:
    """The schema inferred from ``root``, written out here as ``request.form``."""
    spec = infer(root, request.name, request.limits.max_members)
    if request.form == "python":
        return to_python(spec, header=request.header)
    return spec.to_json() if request.form == "json" else spec.to_yaml()
