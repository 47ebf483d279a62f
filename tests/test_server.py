"""The reader service (``h5schema server``): readers forked warm from one process.

Every test runs its own service in its own private runtime directory, and stops it (fixtures in
``tests/service.py``). That a reader came from the service (and not from a spawned child) is
read from the service's own count of processes forked.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

import h5schema as h5s
from h5schema._isolation import _control, _pool, _rendezvous
from tests.fuzz.corpus import SeedFile
from tests.helpers import SPEECH_REF, mutant_file, write_tutorial
from tests.service import forked, h5schema_cmd, runtime, service

__all__ = ["runtime", "service"]  # fixtures, used by name


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    def drop_rate(f: h5py.File) -> None:
        del f["features_A"].attrs["fs"]

    good = write_tutorial(tmp_path / "good.h5")
    bad = write_tutorial(tmp_path / "bad.h5", drop_rate)
    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"not an HDF5 file" * 64)
    return [good, bad, junk]


def test_start_status_stop_from_the_command_line(runtime: Path) -> None:
    """status exits 1 with no service, start starts one (once), status lists it, stop stops it."""
    none = h5schema_cmd("server", "status")
    assert none.returncode == 1 and "no reader service is running" in none.stdout
    started = h5schema_cmd("server", "start")
    assert started.returncode == 0, started.stderr
    assert "reader service started (pid" in started.stdout and "stops after 900 s idle" in started.stdout
    again = h5schema_cmd("server", "start")
    assert again.returncode == 0 and "already running" in again.stdout
    mode = os.lstat(runtime).st_mode
    assert stat.S_IMODE(mode) == 0o700
    status = h5schema_cmd("server", "status")
    assert status.returncode == 0 and "(used by this installation)" in status.stdout
    stopped = h5schema_cmd("server", "stop")
    assert stopped.returncode == 0 and "stopped the reader service" in stopped.stdout
    assert h5schema_cmd("server", "status").returncode == 1
    assert h5schema_cmd("server", "stop").stdout.strip() == "h5schema: no reader service is running"


def test_reports_through_the_service_equal_reports_without(service: Path, files: list[Path]) -> None:
    """The same JSON document, valid, invalid and unreadable files alike; readers were forked."""
    args = ["validate", *map(str, files), "-s", SPEECH_REF, "--format", "json", "-j", "2"]
    before = forked()
    served = h5schema_cmd(*args)
    assert forked() >= before + 2
    alone = h5schema_cmd(*args, env={**os.environ, "H5SCHEMA_NO_SERVER": "1"})
    assert forked() >= before + 2 and served.returncode == alone.returncode == 1
    assert json.loads(served.stdout) == json.loads(alone.stdout)
    codes = [[v["code"] for v in f["violations"]] for f in json.loads(served.stdout)["files"]]
    assert codes == [[], ["missing_attribute"], ["file_unreadable"]]


def test_library_calls_use_the_service(service: Path, files: list[Path]) -> None:
    """h5s.validate and validate_many fork their readers from a running service too."""
    before = forked()
    schema = h5s.load_schema(SPEECH_REF)
    assert h5s.validate(files[0], schema).valid
    assert [r.codes() for r in h5s.validate_many(files, schema, jobs=2)] == [
        [],
        ["missing_attribute"],
        ["file_unreadable"],
    ]
    assert forked() >= before + 1


def test_a_served_reader_that_crashes_is_reported_with_its_signal(
    service: Path, seeds: list[SeedFile], tmp_path: Path
) -> None:
    """Fuzz mutant 1477 segfaults libhdf5: the service reaps the reader and names the signal."""
    path, schema = mutant_file(seeds, 1477, tmp_path)
    before = forked()
    report = h5s.validate(path, schema, limits=h5s.Limits(timeout=20))
    assert report.codes() == ["file_unreadable"]
    assert "crashed the HDF5 library (SIGSEGV)" in report.violations[0].message
    assert forked() == before + 1
    (tmp_path / "seed.h5").write_bytes(seeds[1477 % len(seeds)].data)
    assert h5s.validate(tmp_path / "seed.h5", schema).valid  # a fresh reader
    assert forked() == before + 2


def test_a_served_reader_is_stopped_at_the_time_limit(
    service: Path, seeds: list[SeedFile], tmp_path: Path
) -> None:
    """Fuzz mutant 110 loops inside libhdf5: the caller kills the served reader at its limit."""
    path, schema = mutant_file(seeds, 110, tmp_path)
    start = time.monotonic()
    report = h5s.validate(path, schema, limits=h5s.Limits(timeout=2))
    assert time.monotonic() - start < 15
    assert report.codes() == ["file_unreadable"]
    assert "timed out after 2 s" in report.violations[0].message
    (info,) = _control.running()
    assert info["readers"] == 0  # killed and reaped, nothing left running


def test_served_readers_get_the_callers_memory_limit(service: Path, tmp_path: Path) -> None:
    """A 200 MiB chunk under a 300 MiB limit fails in the served reader as it does in a child."""

    class Big(h5s.File):
        x: h5s.Dataset = h5s.dataset(np.float32, shape=(None, None), ge=0)

    path = tmp_path / "big.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset(
            "x", data=np.zeros((8192, 6400), np.float32), chunks=(8192, 6400), compression="gzip"
        )
    before = forked()
    report = h5s.validate(path, Big, limits=h5s.Limits(timeout=30, memory=300 << 20))
    assert report.at("/x")[0].code is h5s.Code.OBJECT_UNREADABLE
    assert h5s.validate(path, Big, limits=h5s.Limits(timeout=30, memory=2 << 30)).valid
    assert forked() >= before + 2


def test_schema_references_resolve_from_the_callers_directory(service: Path, tmp_path: Path) -> None:
    """The service runs in /; a served reader loads package.module:Class from the caller's cwd,
    and a bad reference still exits 2 with the loader's own message."""
    (tmp_path / "myschemas.py").write_text(
        "import numpy as np\nimport h5schema as h5s\n\n"
        "class Tiny(h5s.File):\n    x: h5s.Dataset = h5s.dataset(np.int32, shape=(3,))\n"
    )
    with h5py.File(tmp_path / "t.h5", "w") as f:
        f["x"] = np.arange(3, dtype=np.int32)
    before = forked()
    ok = h5schema_cmd("validate", "t.h5", "-s", "myschemas:Tiny", cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "t.h5: valid against Tiny" in ok.stdout
    assert forked() > before
    bad = h5schema_cmd("validate", "t.h5", "-s", "myschemas:Nope", cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.strip() == "h5schema: error: myschemas has no attribute 'Nope'"


def test_an_edited_schema_is_read_afresh(service: Path, tmp_path: Path) -> None:
    """Readers are forked before any user module loads: an edit shows in the next run."""
    module = tmp_path / "s.py"
    body = "import numpy as np\nimport h5schema as h5s\n\n"
    body += "class S(h5s.File):\n    x: h5s.Dataset = h5s.dataset({})\n"
    with h5py.File(tmp_path / "t.h5", "w") as f:
        f["x"] = np.arange(3, dtype=np.int32)
    module.write_text(body.format("np.int32"))
    assert h5schema_cmd("validate", "t.h5", "-s", "s.py:S", cwd=tmp_path).returncode == 0
    module.write_text(body.format("np.float64"))
    changed = h5schema_cmd("validate", "t.h5", "-s", "s.py:S", "--format", "json", cwd=tmp_path)
    assert changed.returncode == 1
    assert [v["code"] for v in json.loads(changed.stdout)["files"][0]["violations"]] == ["dtype_mismatch"]


def test_a_service_of_another_environment_is_never_used(runtime: Path, files: list[Path]) -> None:
    """HDF5_* variables change how files are read: a service started under others is not used,
    status says so (exit 1), and stop stops it anyway."""
    other = {**os.environ, "HDF5_USE_FILE_LOCKING": "FALSE"}
    assert h5schema_cmd("server", "start", env=other).returncode == 0
    (info,) = _control.running()
    assert not info["current"]
    assert h5s.validate(files[0], h5s.load_schema(SPEECH_REF)).valid
    (info,) = _control.running()
    assert info["served"] == 0
    status = h5schema_cmd("server", "status")
    assert status.returncode == 1 and "another installation or environment" in status.stdout
    assert "stopped" in h5schema_cmd("server", "stop").stdout
    assert _control.running() == []


def test_a_runtime_directory_others_can_enter_is_refused(runtime: Path, files: list[Path]) -> None:
    """Mode 755: start exits 2 naming the directory; validation goes on without a service."""
    runtime.chmod(0o755)
    started = h5schema_cmd("server", "start")
    assert started.returncode == 2
    assert f"{runtime} is not a private directory of this user" in started.stderr
    assert h5schema_cmd("validate", str(files[0]), "-s", SPEECH_REF).returncode == 0
    runtime.chmod(0o700)


def test_the_service_stops_when_idle(runtime: Path) -> None:
    """--idle-timeout 1: gone within a few seconds, its socket removed."""
    assert h5schema_cmd("server", "start", "--idle-timeout", "1").returncode == 0
    assert list(runtime.glob("*.sock"))
    deadline = time.monotonic() + 30
    while _control.running() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _control.running() == []
    assert not list(runtime.glob("*.sock"))


def test_a_stale_socket_is_replaced_and_never_trusted(runtime: Path) -> None:
    """A socket file nobody listens on (a service killed with SIGKILL): not used, and start
    replaces it."""
    path = _rendezvous.socket_path(str(runtime))
    import socket

    with socket.socket(socket.AF_UNIX) as dead:
        dead.bind(path)  # bound, never listening: connections are refused
    assert _rendezvous.served_worker(None) is None
    info, already = _control.start(idle=0)
    assert not already and info["socket"] == str(path)


def _ping() -> dict[str, object]:
    (info,) = [i for i in _control.running() if i["current"]]
    return info


def _spares(count: int) -> list[int]:
    """The service's waiting spares, once ``count`` of them wait (it forks them when idle)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        spares = _ping()["spares"]
        assert isinstance(spares, list)
        if len(spares) >= count:
            return spares
        time.sleep(0.05)
    raise AssertionError(f"fewer than {count} spares: {_ping()}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_requests_go_to_spares_forked_ahead_and_spares_end_with_the_service(
    service: Path, files: list[Path]
) -> None:
    """Readers wait forked (and warmed up) before anyone asks; a request is handed to one of
    them; stopping the service ends every spare."""
    waiting = _spares(3)  # two readers on two cores, one relayed command (at least)
    assert h5s.validate(files[0], h5s.load_schema(SPEECH_REF)).valid
    used = {w.pid for w in _pool._POOL.everyone}
    assert used and used <= set(waiting)
    _pool.shutdown()
    _control.stop_all()
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in waiting) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(p) for p in waiting)


def test_a_spare_killed_while_waiting_is_passed_over(service: Path, files: list[Path]) -> None:
    """Spares that died waiting are skipped: the request gets a process forked for it."""
    for pid in _spares(3):
        os.kill(pid, signal.SIGKILL)
    before = forked()
    assert h5s.validate(files[1], h5s.load_schema(SPEECH_REF)).codes() == ["missing_attribute"]
    assert forked() == before + 1
    assert {w.pid for w in _pool._POOL.everyone}.isdisjoint(_ping()["spares"])  # type: ignore[arg-type]


def test_the_warm_up_of_a_spare_validates_in_memory_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It declares a schema and walks a file held in memory (errors shown with H5SCHEMA_DEBUG)."""
    from h5schema._isolation._child import warm_up

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("H5SCHEMA_DEBUG", "1")
    warm_up()
    assert list(tmp_path.iterdir()) == []
