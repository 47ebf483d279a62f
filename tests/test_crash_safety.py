"""Kill tests: writers in every mode, and the materializer, SIGKILLed at random moments.

One batch of 30 runs per mode (seeded, so the same batch every time) runs through the fork
server of tests/kill, two at a time, and each file is checked the way docs/reliability.md says
to open it. ``python -m tests.kill --runs 500`` is the nightly version, with counts by outcome.
"""

from __future__ import annotations

import pytest

from tests.kill.checks import UNPROTECTED, Outcome
from tests.kill.harness import MODES, WRITER_MODES, kill_runs, summary

RUNS = 30
SEED = 20261121


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Outcome]]:
    """Every run's outcome, by mode."""
    found = kill_runs(MODES, RUNS, seed=SEED, workdir=tmp_path_factory.mktemp("kills"), parallel=2)
    print(summary(found))
    return {mode: [o for o in found if o.run.mode == mode] for mode in MODES}


@pytest.mark.parametrize("mode", WRITER_MODES)
def test_a_killed_writer_leaves_every_flushed_row(outcomes: dict[str, list[Outcome]], mode: str) -> None:
    """A killed writer's file opens the documented way and holds its flushed rows, exact (a plain
    writer killed during a flush excepted, as docs/reliability.md says)."""
    runs = outcomes[mode]
    assert len(runs) == RUNS
    failed = [str(o) for o in runs if not o.ok]
    assert failed == []
    assert sum(o.run.killed for o in runs) >= RUNS // 2  # most runs were killed mid-way
    if mode != "close":
        assert any(o.run.flushed > 0 and o.run.killed for o in runs)  # the policy flushed


def test_swmr_is_protected_even_during_a_flush(outcomes: dict[str, list[Outcome]]) -> None:
    """SWMR runs killed in the middle of a flush need no allowance: their files are intact too."""
    runs = outcomes["swmr"]
    assert any(o.run.killed and o.run.in_flush for o in runs)
    assert [str(o) for o in runs if not o.ok or o.outcome.startswith(UNPROTECTED)] == []


def test_a_plain_writer_killed_between_flushes_leaves_exactly_its_last_flush(
    outcomes: dict[str, list[Outcome]],
) -> None:
    """Without SWMR, a kill outside a flush leaves the file as the last flush wrote it. A kill
    that lands after the writer closed its file (on a loaded machine) finds it complete: the
    close was its last flush."""
    plain = [o for mode in ("rows", "seconds", "close") for o in outcomes[mode]]
    between = [o for o in plain if o.run.killed and not o.run.in_flush]
    assert len(between) >= RUNS
    assert [str(o) for o in between if o.outcome not in ("flushed rows kept", "completed")] == []


def test_a_killed_materialize_leaves_nothing_or_a_complete_file(outcomes: dict[str, list[Outcome]]) -> None:
    """Nothing at the target path (at most the temporary sibling), or a complete, valid file."""
    runs = outcomes["materialize"]
    assert [str(o) for o in runs if not o.ok] == []
    assert {o.outcome for o in runs} <= {"nothing at the target", "complete file at the target"}
    assert any(o.run.killed for o in runs)
