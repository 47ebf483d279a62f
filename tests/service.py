"""Fixtures for tests of the reader service: a private runtime directory, a running service,
the ``h5schema`` command as a subprocess, and the service's count of processes forked."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from h5schema._isolation import _control, _pool

__all__ = ["forked", "h5schema_cmd", "runtime", "service"]


def h5schema_cmd(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "h5schema", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=180,
    )


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh private runtime directory for this test (short: socket paths hold 108 bytes)."""
    directory = Path(tempfile.mkdtemp(prefix="h5s-srv-"))
    monkeypatch.setenv("H5SCHEMA_RUNTIME_DIR", str(directory))
    _pool.shutdown()  # readers started before belong to no service
    yield directory
    _pool.shutdown()
    _control.stop_all()
    for _ in range(100):  # the service removes its socket on the way out
        if not list(directory.glob("*.sock")):
            break
        time.sleep(0.05)
    for leftover in directory.iterdir():
        leftover.unlink()
    directory.rmdir()


def forked() -> int:
    """Processes (readers and relayed commands) forked so far by this installation's service
    (it must be running)."""
    (info,) = [i for i in _control.running() if i["current"]]
    return int(info["served"])


@pytest.fixture
def service(runtime: Path) -> Path:
    info, already = _control.start(idle=0)
    assert not already and info["pid"] > 0
    return runtime
