"""Kill tests: writers and the materializer killed with SIGKILL at random moments.

Each run is its own process, killed at a random moment (seeded) while it writes; the file it
leaves is then opened the way docs/reliability.md says and checked row by row.

- ``layout``: the files written, with rows that encode their index, and the checks;
- ``server``: the child side, a fork server that starts each run as a fresh process in a few
  milliseconds (the imports are paid once) and kills it on time;
- ``harness``: the parent side: sends runs, collects what each reported, checks the files;
- ``python -m tests.kill --runs 500``: the nightly run, printing counts by outcome per mode.

tests/test_crash_safety.py runs a smaller batch in CI.
"""
