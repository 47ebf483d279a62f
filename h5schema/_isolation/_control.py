"""Starting, stopping and listing reader services (``h5schema server ...``)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

from h5schema._isolation._rendezvous import ask, fingerprint, private_dir, socket_path, sockets

__all__ = ["ServiceError", "running", "start", "stop_all"]

_SERVER_MAIN = "from h5schema._isolation._server import main; main()"
_START_SECONDS = 120.0  # importing numpy, h5py and pydantic on a loaded CI machine


class ServiceError(Exception):
    """The service could not be started; ``str()`` says why."""


def running() -> list[dict[str, Any]]:
    """Every service of this user that answers, each as its ping reply plus ``"current"``: whether
    this installation would use it."""
    found = []
    for path in sockets():
        reply = ask(path, {"op": "ping"}, timeout=5.0)
        if reply is not None:
            found.append({**reply, "current": os.path.basename(path) == f"{fingerprint()}.sock"})
    return found


def start(idle: float) -> tuple[dict[str, Any], bool]:
    """Start this installation's service unless it runs; its ping reply, and whether it was
    already running. Raises ServiceError."""
    from h5schema._isolation._pool import _child_env

    try:
        directory = private_dir(create=True)
    except OSError as exc:
        raise ServiceError(str(exc)) from None
    assert directory is not None
    path = socket_path(directory)
    if len(path) > 100:  # sun_path holds 108 bytes
        raise ServiceError(f"the socket path {path} is too long; set H5SCHEMA_RUNTIME_DIR to a shorter one")
    reply = ask(path, {"op": "ping"})
    if reply is not None:
        return reply, True
    env = _child_env()
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = "1"  # the service forks: no thread pools before the fork
    starter = subprocess.Popen(
        [sys.executable, "-P", "-c", _SERVER_MAIN, path, repr(float(idle))],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=None if os.environ.get("H5SCHEMA_DEBUG") else subprocess.DEVNULL,
        env=env, cwd="/", start_new_session=True, close_fds=True,
    )  # fmt: skip
    assert starter.stdout is not None
    with starter.stdout:
        starter.wait()  # the service detaches at once, then imports, binds and says "ready"
        said = _first_line(starter.stdout.fileno(), time.monotonic() + _START_SECONDS)
    reply = ask(path, {"op": "ping"}) if said in ("ready", "running") else None
    if reply is None:
        raise ServiceError(f"the reader service did not start ({path}); run with H5SCHEMA_DEBUG=1 to see why")
    return reply, said == "running"


def _first_line(fd: int, deadline: float) -> str:
    """What the service writes on its stdout before closing it; "" when it died first."""
    import select

    data = b""
    while b"\n" not in data and time.monotonic() < deadline:
        if not select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
            break
        chunk = os.read(fd, 64)
        if not chunk:
            break
        data += chunk
    return data.split(b"\n", 1)[0].decode(errors="replace")


def stop_all() -> list[int]:
    """Stop every service of this user (any installation); the pids that were told to stop."""
    stopped = []
    for path in sockets():
        reply = ask(path, {"op": "stop"}, timeout=5.0)
        if reply is not None:
            stopped.append(int(reply["stopping"]))
    return stopped
