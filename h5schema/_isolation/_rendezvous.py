"""Where the reader service listens, and how a client reaches it.

There is one service per user and per installation. Its socket lives in a directory only the
user can enter: ``$H5SCHEMA_RUNTIME_DIR``, else ``$XDG_RUNTIME_DIR/h5schema``, else
``<tmp>/h5schema-<uid>``. A directory that is not the user's own, or that others can enter, is
never used. The socket is named by a fingerprint of the interpreter, the h5schema source files
and the environment variables that change how files are read (``HDF5_*``, ``PYTHONPATH``), so a
client never talks to a service started by other code or in another environment.
"""

from __future__ import annotations

import os
import socket
import stat
import struct
import sys
import time

from h5schema._isolation._protocol import ChildGone, TimedOut, receive, send

try:  # CPython's own BLAKE2: hashlib would load OpenSSL too, 2 ms of every run of the script
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other interpreters
    from hashlib import blake2b

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: this runs on every ``h5schema``
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "UnsafeDirectory",
    "ask",
    "connect",
    "fingerprint",
    "private_dir",
    "served_worker",
    "socket_path",
    "sockets",
    "this_service",
]

# Paths are plain strings here: the ``h5schema`` script imports this module before anything else,
# and pathlib is not worth its import time for a few joins.
_PACKAGE = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
_FINGERPRINT: list[str] = []
DISABLE = "H5SCHEMA_NO_SERVER"  # set (non-empty) to never use a running service


class UnsafeDirectory(Exception):
    """The runtime directory exists but is not private to this user."""


def runtime_dir() -> str:
    explicit = os.environ.get("H5SCHEMA_RUNTIME_DIR")
    if explicit:
        return explicit
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg:
        return os.path.join(xdg, "h5schema")
    # tempfile.gettempdir()'s first choices, without importing tempfile (and random) for them
    tmp = next((os.environ[v] for v in ("TMPDIR", "TEMP", "TMP") if os.environ.get(v)), "/tmp")
    return os.path.join(tmp, f"h5schema-{os.getuid()}")


def private_dir(create: bool = False) -> str | None:
    """The runtime directory, checked private (None when it does not exist and ``create`` is
    false). Raises UnsafeDirectory when it is a symlink, not ours, or open to others."""
    path = runtime_dir()
    if create:
        try:
            os.makedirs(path, mode=0o700)
        except FileExistsError:
            pass  # checked below, whatever it is
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise UnsafeDirectory(
            f"{path} is not a private directory of this user (it must be a directory owned by uid "
            f"{os.getuid()} with mode 700); remove it or set H5SCHEMA_RUNTIME_DIR"
        )
    return path


def fingerprint() -> str:
    """What a service must match to serve this process: interpreter, source, environment."""
    if not _FINGERPRINT:
        digest = blake2b(digest_size=8)
        # the interpreter file, not the name it was called by (python, python3 in one venv)
        where = (os.path.realpath(sys.executable), sys.prefix, sys.version, _PACKAGE)
        digest.update("\0".join(where).encode())
        for source in _sources(_PACKAGE):
            st = os.stat(source)
            digest.update(f"{source}\0{st.st_mtime_ns}\0{st.st_size}\0".encode())
        for name in sorted(os.environ):
            if name.startswith("HDF5_") or name == "PYTHONPATH":
                digest.update(f"{name}={os.environ[name]}\0".encode(errors="surrogateescape"))
        _FINGERPRINT.append(digest.hexdigest())
    return _FINGERPRINT[0]


def _sources(top: str) -> list[str]:
    """The package's Python files, in a fixed order."""
    found: list[str] = []
    for folder, dirs, names in os.walk(top):
        dirs.sort()
        found.extend(os.path.join(folder, n) for n in sorted(names) if n.endswith(".py"))
    return found


def socket_path(directory: str) -> str:
    return os.path.join(directory, f"{fingerprint()}.sock")


def sockets() -> list[str]:
    """Every service socket in the runtime directory, this installation's or not."""
    directory = private_dir()
    if directory is None:
        return []
    return sorted(os.path.join(directory, n) for n in os.listdir(directory) if n.endswith(".sock"))


def _peer_uid(sock: socket.socket) -> int | None:
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:  # not Linux: the private directory is the protection
        return None
    creds = sock.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    return int(struct.unpack("3i", creds)[1])


def connect(path: str) -> socket.socket | None:
    """A connection to the service at ``path``, or None when none answers there."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
        uid = _peer_uid(sock)
    except OSError:
        sock.close()
        return None
    if uid is not None and uid != os.getuid():
        sock.close()
        return None
    return sock


def ask(path: str, message: dict[str, Any], timeout: float = 10.0) -> dict[str, Any] | None:
    """One request to the service at ``path`` and its answer; None when it does not answer."""
    sock = connect(path)
    if sock is None:
        return None
    with sock:
        try:
            send(sock.fileno(), message)
            reply: dict[str, Any] = receive(sock.fileno(), time.monotonic() + timeout)
        except (ChildGone, TimedOut, ValueError):
            return None
    return reply


def this_service() -> str | None:
    """The socket of this installation's service if one may be running; None when there is
    none, or it is turned off (``H5SCHEMA_NO_SERVER``), or the directory is not private."""
    if os.environ.get(DISABLE):
        return None
    try:
        directory = private_dir()
    except UnsafeDirectory:
        return None
    if directory is None:
        return None
    path = socket_path(directory)
    return path if os.path.exists(path) else None


def served_worker(memory: int | None) -> tuple[socket.socket, str] | None:
    """A fresh reader forked by this installation's running service, connected to us; None when
    no service runs (the caller starts its own child instead)."""
    path = this_service()
    if path is None:
        return None
    sock = connect(path)
    if sock is None:
        return None
    try:
        send(sock.fileno(), {"op": "worker", "memory": memory or 0, "cwd": os.getcwd()})
    except (ChildGone, OSError):
        sock.close()
        return None
    return sock, path
