"""Shared fixtures and the hypothesis profiles.

Profiles: ``dev`` (default locally), ``ci`` (derandomized, used when CI is set), ``nightly``
(many more examples). Choose one with HYPOTHESIS_PROFILE.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from tests.fuzz.corpus import SeedFile

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("dev", max_examples=40, **_COMMON)
settings.register_profile("ci", max_examples=40, derandomize=True, print_blob=True, **_COMMON)
settings.register_profile("nightly", max_examples=1000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

ROOT = Path(__file__).resolve().parent.parent

# The suite never uses a reader service the developer runs: services live in a private directory
# of this session. H5SCHEMA_TEST_SERVICE=1 starts one there, so that the whole suite (subprocess
# command lines included) reads its files through readers forked by the service.
_RUNTIME = tempfile.mkdtemp(prefix="h5s-rt-")
os.environ["H5SCHEMA_RUNTIME_DIR"] = _RUNTIME
os.environ.pop("H5SCHEMA_NO_SERVER", None)


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("H5SCHEMA_TEST_SERVICE"):
        from h5schema._isolation._control import start

        start(idle=0)


@pytest.fixture(autouse=True)
def _session_service() -> None:
    """With H5SCHEMA_TEST_SERVICE=1, a test that stopped the service (docs/cli.md shows
    ``server stop``) does not leave the next ones without: it is started again, and readers
    forked by the old one are let go."""
    if not os.environ.get("H5SCHEMA_TEST_SERVICE"):
        return
    from h5schema._isolation import shutdown
    from h5schema._isolation._control import running, start

    if not any(info["current"] for info in running()):
        shutdown()
        start(idle=0)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from h5schema._isolation._control import stop_all

    stop_all()
    shutil.rmtree(_RUNTIME, ignore_errors=True)


@pytest.fixture(scope="session")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> list[SeedFile]:
    """The fuzz harness's seed files (tests/fuzz/corpus.py), written once per session."""
    from tests.fuzz.corpus import build

    return build(tmp_path_factory.mktemp("seeds"))


@pytest.fixture
def schemas_dir() -> Path:
    """The repository's ready schemas folder."""
    return ROOT / "schemas"
