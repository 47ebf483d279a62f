"""Whole commands relayed to the reader service (``_relay``): while the service runs, the
``h5schema`` script hands its command to a process forked from it, which runs with the script's
arguments, directory, environment, umask and stdio. Every test compares against the same
command with ``H5SCHEMA_NO_SERVER=1`` (run by the script itself) or checks what a run in the
script would have done."""

from __future__ import annotations

import os
import pty
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from tests.helpers import SPEECH_REF, write_tutorial
from tests.service import forked, h5schema_cmd, runtime, service

__all__ = ["runtime", "service"]  # fixtures, used by name

ALONE = {**os.environ, "H5SCHEMA_NO_SERVER": "1"}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A schema module and a file in ``tmp_path``, both named relative to it."""
    (tmp_path / "tiny.py").write_text(
        "import numpy as np\nimport h5schema as h5s\n\n"
        "class Tiny(h5s.File):\n    x: h5s.Dataset = h5s.dataset(np.int32, shape=(3,))\n"
    )
    with h5py.File(tmp_path / "t.h5", "w") as f:
        f["x"] = np.arange(3, dtype=np.int32)
    with h5py.File(tmp_path / "bad.h5", "w") as f:
        f["x"] = np.arange(4, dtype=np.int64)
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "t.h5", "bad.h5", "-s", "tiny.py:Tiny"),
        ("validate", ".", "-s", "tiny.py:Tiny", "--format", "json"),
        ("validate", "t.h5", "-s", "tiny.py:Nope"),
        ("validate", "missing.h5", "-s", "tiny.py:Tiny"),
        ("show", "bad.h5", "-s", "tiny.py:Tiny"),
        ("infer", "t.h5"),
        ("export", "tiny.py:Tiny", "--format", "yaml"),
        ("check-schema", "tiny.py:Tiny"),
        ("no-such-command",),
        ("--version",),
    ],
)
def test_a_relayed_command_says_and_exits_what_it_would_alone(
    service: Path, tiny: Path, args: tuple[str, ...]
) -> None:
    """Same stdout, stderr and exit status; the command ran in a process the service forked."""
    before = forked()
    relayed = h5schema_cmd(*args, cwd=tiny)
    assert forked() > before
    alone = h5schema_cmd(*args, cwd=tiny, env=ALONE)
    assert (relayed.returncode, relayed.stdout, relayed.stderr) == (
        alone.returncode,
        alone.stdout,
        alone.stderr,
    )


def test_a_traceback_asked_for_is_shown_through_the_relay(service: Path, tmp_path: Path) -> None:
    """--debug lets an internal error through: the traceback on stderr and exit 1, as alone."""
    (tmp_path / "bomb.py").write_text(
        "import numpy as np\nimport h5schema as h5s\nimport h5schema._cli as cli\n\n"
        "def _count(root):\n    raise RuntimeError('boom')\n\n"
        "cli._count = _count\n\n"
        "class S(h5s.File):\n    x: h5s.Dataset = h5s.dataset(np.int32)\n"
    )
    args = ("--debug", "check-schema", "bomb.py:S")
    relayed = h5schema_cmd(*args, cwd=tmp_path)
    alone = h5schema_cmd(*args, cwd=tmp_path, env=ALONE)
    assert relayed.returncode == alone.returncode == 1
    for ran in (relayed, alone):
        assert "Traceback (most recent call last)" in ran.stderr
        assert ran.stderr.strip().endswith("RuntimeError: boom")


def test_no_service_no_relay(runtime: Path, tiny: Path) -> None:
    """Without a service (or with H5SCHEMA_NO_SERVER) the script runs the command itself."""
    ran = h5schema_cmd("validate", "t.h5", "-s", "tiny.py:Tiny", cwd=tiny)
    assert ran.returncode == 0 and "t.h5: valid against Tiny" in ran.stdout


def test_the_command_gets_the_scripts_environment_umask_and_limits(service: Path, tiny: Path) -> None:
    """infer -o writes where the script stands, with the script's umask; the script's own
    variables and its ulimit reach the command (the service was started without them)."""
    script = (
        "import os, resource, sys\nos.umask(0o077)\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (200, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))\n"
        "from h5schema._entry import main\nmain()\n"
    )
    env = {**os.environ, "H5SCHEMA_FROM_TEST": "seen"}
    (tiny / "probe.py").write_text(
        "import os, resource\nimport h5schema as h5s\nimport numpy as np\n\n"
        "assert os.environ['H5SCHEMA_FROM_TEST'] == 'seen', dict(os.environ)\n"
        "assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == 200\n"
        "class P(h5s.File):\n    x: h5s.Dataset = h5s.dataset(np.int32)\n"
    )
    before = forked()
    out = subprocess.run(
        [sys.executable, "-c", script, "infer", "t.h5", "-o", "inferred.py"],
        cwd=tiny, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert stat.S_IMODE((tiny / "inferred.py").stat().st_mode) == 0o600
    checked = subprocess.run(
        [sys.executable, "-c", script, "check-schema", "probe.py:P"],
        cwd=tiny, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert forked() >= before + 2


def _on_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, bytes]:
    """Run the script with a pseudo-terminal as stdout; its exit status and what it printed."""
    main, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "h5schema", *args], cwd=cwd, env=env,
        stdout=secondary, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # EIO: every writer has closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    return proc.wait(timeout=60), b"".join(chunks)


def test_the_command_writes_to_the_scripts_terminal(service: Path, tiny: Path) -> None:
    """Colour on a terminal, as the script alone gives it: the relayed stdout is the terminal."""
    args = ["validate", "bad.h5", "-s", "tiny.py:Tiny"]
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    status, relayed = _on_a_terminal(args, tiny, env)
    alone_status, alone = _on_a_terminal(args, tiny, {**env, "H5SCHEMA_NO_SERVER": "1"})
    assert status == alone_status == 1
    assert b"\x1b[" in relayed and relayed == alone
    _, plain = _on_a_terminal(args, tiny, {**env, "NO_COLOR": "1"})
    assert b"\x1b[" not in plain and b"bad.h5" in plain


def _slow_schema(folder: Path) -> Path:
    """A schema module that records the pid loading it, then sleeps: a command to interrupt."""
    marker = folder / "pid"
    (folder / "slow.py").write_text(
        f"import os, time\nopen({str(marker)!r}, 'w').write(str(os.getpid()))\ntime.sleep(60)\n"
    )
    return marker


def _started(marker: Path) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if marker.exists() and marker.read_text():
            return int(marker.read_text())
        time.sleep(0.02)
    raise AssertionError("the command never started")


def _gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False


def _slow_command(folder: Path) -> tuple[subprocess.Popen[str], int]:
    marker = _slow_schema(folder)
    proc = subprocess.Popen(
        [sys.executable, "-m", "h5schema", "check-schema", "slow.py:S"],
        cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    return proc, _started(marker)


def test_ctrl_c_reaches_the_command(service: Path, tmp_path: Path) -> None:
    """SIGINT to the script interrupts the relayed command: 'interrupted', exit 130."""
    proc, pid = _slow_command(tmp_path)
    assert pid != proc.pid  # the command runs in the service's fork, not in the script
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and err.strip() == "h5schema: interrupted"
    assert _gone(pid)


def test_a_command_killed_by_a_signal_kills_the_script_the_same_way(service: Path, tmp_path: Path) -> None:
    """SIGTERM is forwarded; the command dies of it, and so does the script (as a shell sees)."""
    proc, pid = _slow_command(tmp_path)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGTERM
    assert _gone(pid)


def test_a_script_killed_outright_takes_its_command_along(service: Path, tmp_path: Path) -> None:
    """SIGKILL cannot be forwarded: the command sees its script gone and ends."""
    proc, pid = _slow_command(tmp_path)
    proc.kill()
    proc.communicate(timeout=30)
    assert _gone(pid)


def test_the_tutorial_layout_through_the_relay_with_jobs(service: Path, tmp_path: Path) -> None:
    """-j 2 on a directory through the relay: one command fork plus a reader per job."""
    for i in range(4):
        write_tutorial(tmp_path / f"f{i}.h5")
    before = forked()
    ran = h5schema_cmd("validate", str(tmp_path), "-s", SPEECH_REF, "-j", "2")
    assert ran.returncode == 0 and ran.stdout.strip().endswith("4 files, 0 invalid, 0 errors, 0 warnings")
    assert forked() == before + 3
