"""Fuzzing the command line: mutants of varied valid files through ``h5schema validate``.

A fixed set of mutants (the same every run) goes through the real command line in batches. For
every one a report must come back in the JSON document, the process must exit 0 or 1 without a
traceback, and no batch may outlive its hang guard. The nightly job runs many more with
``python -m tests.fuzz --count 10000`` (see ``tests/fuzz/run.py``); a failure here names the
mutant to replay with ``python -m tests.fuzz --replay N``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.fuzz.run import Limits, run_mutants, summarize

CI_MUTANTS = range(2500)
"""Mutant numbers: each seed mutated 500 ways; about two minutes on two cores."""

CI_LIMITS = Limits(timeout=2.0, memory="1GiB")
"""A short --timeout: a mutant that loops the HDF5 library costs two seconds, not thirty."""


def test_every_mutant_gets_a_report_without_crash_hang_or_traceback(tmp_path: Path) -> None:
    """Every mutant is reported valid, invalid or unreadable; none crashes, hangs or tracebacks."""
    result = run_mutants(CI_MUTANTS, jobs=2, limits=CI_LIMITS, workdir=tmp_path)
    assert sorted(o.number for o in result.outcomes) == list(CI_MUTANTS)
    assert not result.failures, summarize(result)
    kinds = Counter(o.kind for o in result.outcomes)
    # The mutants reach the validator's checks, not just the file's signature.
    assert kinds["valid"] > len(CI_MUTANTS) // 20 and kinds["invalid"] > len(CI_MUTANTS) // 4, kinds
