"""Shared fixtures and the hypothesis profiles.

Profiles: ``dev`` (default locally), ``ci`` (derandomized, used when CI is set), ``nightly``
(many more examples). Choose one with HYPOTHESIS_PROFILE.
"""

from __future__ import annotations

import os
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


@pytest.fixture(scope="session")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> list[SeedFile]:
    """The fuzz harness's seed files (tests/fuzz/corpus.py), written once per session."""
    from tests.fuzz.corpus import build

    return build(tmp_path_factory.mktemp("seeds"))


@pytest.fixture
def schemas_dir() -> Path:
    """The repository's ready schemas folder."""
    return ROOT / "schemas"
