"""The child side: harden the process, then validate one file per request until stdin closes.

Started as ``python -P -c "from h5schema._isolation._child import main; main()" MEMORY``. The
protocol runs on the original stdout, which is moved aside first so that anything the libraries
print goes to stderr instead of into a message. A reader forked by the reader service
(``_server``) runs :func:`serve` on its connection instead.
"""

from __future__ import annotations

import base64
import functools
import math
import os
import pickle
import signal
import sys
from collections.abc import Callable
from typing import Any

from h5schema._isolation._protocol import ChildGone, receive, send

__all__ = ["harden", "main", "serve"]


def harden(memory: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory > 0:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    # No PR_SET_PDEATHSIG: it fires when the spawning *thread* exits, and the pool spawns from
    # worker threads. A parent that dies closes our stdin (we exit at the next read), and the
    # per-request alarm below ends a child stuck inside the library.
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the backstop alarm kills, GIL or not


def main() -> None:
    memory = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    harden(memory)
    out = os.dup(1)
    os.dup2(2, 1)
    serve(0, out)


def serve(rx: int, tx: int) -> None:
    """Answer requests from ``rx`` on ``tx`` until the other end closes or a request fails."""
    import h5schema._validate  # noqa: F401  numpy and h5py load before "ready", not with the first file
    from h5schema._limits import Limits

    send(tx, {"ready": os.getpid()})
    specs: dict[str, Any] = {}
    while True:
        try:
            msg: dict[str, Any] = receive(rx)
        except ChildGone:
            return
        if msg.get("op") in ("infer", "manifest"):
            described = _describe(msg)
            send(tx, described)
            if "failure" in described:
                return
            continue
        key = msg["schema_key"]
        try:
            if "schema" in msg or "schema_ref" in msg:
                if len(specs) >= 32:
                    specs.clear()
                shipped = msg.get("schema")  # pickled by our parent, or a reference to load here
                specs[key] = pickle.loads(base64.b64decode(shipped)) if shipped else _load(msg["schema_ref"])
            elif key not in specs:  # forgotten: the parent sends it again
                send(tx, {"need_schema": key})
                continue
            limits = Limits(**msg.get("limits", {}))
        except _BadReference as exc:
            send(tx, {"schema_error": str(exc)})
            continue
        except Exception as exc:  # a schema document that does not read back: a bug of ours
            send(tx, {"failure": "error", "detail": f"the schema did not reach the reader: {exc}"})
            return
        if msg.get("op") == "load":
            send(tx, {"loaded": specs[key].name})
            continue
        reply = _attempt(limits, functools.partial(_validate, msg, specs[key], limits))
        send(tx, reply)
        if "failure" in reply:
            return


class _BadReference(Exception):
    """The schema reference does not load here; the parent loads it itself to say why."""


def _load(ref: str) -> Any:
    """The schema ``ref`` names, loaded in this reader (the command line sends references, so
    that pydantic and the user's module load here, not in the parent as well)."""
    from h5schema._loader import load_schema

    try:
        return load_schema(ref)
    except Exception as exc:  # any failure: the parent's own load gives the real message
        raise _BadReference(f"{type(exc).__name__}: {exc}") from None


def _validate(msg: dict[str, Any], spec: Any, limits: Any) -> dict[str, Any]:
    from h5schema._validate import walk_path

    report = walk_path(
        msg["path"], spec, check_data=msg["check_data"], limits=limits, label=msg["label"],
        data_workers=msg.get("data_workers", 1),
    )  # fmt: skip
    return {"report": report.to_dict()}


def _attempt(limits: Any, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A request's answer: ``work()`` under the backstop alarm, a failure being an answer too."""
    if limits.timeout is not None:  # a backstop: the parent normally kills first
        signal.alarm(math.ceil(limits.timeout) + 5)
    try:
        return work()
    except MemoryError:
        return {"failure": "memory"}
    except Exception as exc:  # a bug of ours: still an answer, and a fresh reader next time
        return {"failure": "error", "detail": f"{type(exc).__name__}: {exc}"}
    finally:
        signal.alarm(0)


def _describe(msg: dict[str, Any]) -> dict[str, Any]:
    """The file's manifest (``h5schema show``) or its inferred schema, or why it cannot be read."""
    from h5schema import _h5
    from h5schema._limits import Limits

    limits = Limits(**msg["limits"])

    def read() -> dict[str, Any]:
        try:
            f = _h5.open_read(msg["path"])
        except _h5.Unreadable as exc:
            return {"unreadable": str(exc)}
        try:
            root = _h5.root_of(f)
            if msg["op"] == "infer":
                from h5schema._infer import infer

                spec = infer(root, msg["name"], limits.max_members)
                return {"text": _as_text(spec, msg["form"], msg["header"])}
            return {"manifest": _h5.manifest(root, limits.max_members, limits.max_attribute_bytes)}
        finally:
            f.close()

    return _attempt(limits, read)


def _as_text(spec: Any, form: str, header: str) -> str:
    """An inferred schema written out here, where pydantic is loaded anyway (not in the caller)."""
    if form == "python":
        from h5schema._codegen import to_python

        return to_python(spec, header=header)
    return str(spec.to_json() if form == "json" else spec.to_yaml())


def warm_up() -> None:
    """Declare a small schema and validate a small file held in memory against it, once: a
    reader forked ahead by the service (``_spares``) pays here, before it has work, for the
    first touch of the code and data a real file needs. Nothing here touches a file on disk."""
    try:
        import numpy as np

        import h5schema as h5s
        from h5schema import _h5
        from h5schema._limits import Limits
        from h5schema._validate import walk

        fields = {
            "features": h5s.dataset(np.float32, shape=("n", 3), maxshape=(None, 3), ge=0),
            "rate": h5s.attribute(gt=0),
        }
        body = {"__annotations__": {"features": h5s.Dataset, "rate": int}, **fields}
        model: Any = type("Warm", (h5s.File,), body)
        f = _h5.in_memory(f"h5schema-warm-{os.getpid()}.h5")
        try:
            f.create_dataset("features", data=np.ones((4, 3), np.float32), maxshape=(None, 3), chunks=(2, 3))
            f.attrs["rate"] = 16000
            walk(f, model.to_spec(), check_data=True, limits=Limits())
        finally:
            f.close()
    except Exception:  # warming is an optimisation; the reader works without it
        if os.environ.get("H5SCHEMA_DEBUG"):
            raise
