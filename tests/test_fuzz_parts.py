"""The fuzz harness's parts: the seed corpus, the mutators, and how a run of the CLI is judged."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

import h5schema as h5s
from tests.fuzz import corpus, run
from tests.fuzz.mutate import MUTATORS, SIGNATURES, Hints, mutant, mutate, signature_offsets


def _data(size: int = 4096) -> bytes:
    """Bytes with no zero byte, so that every mutator visibly changes them."""
    rng = random.Random(size)
    return bytes(rng.randrange(1, 256) for _ in range(size))


# The corpus


@pytest.mark.parametrize("index", range(len(corpus.SEEDS)), ids=[s.name for s in corpus.SEEDS])
def test_every_seed_validates_clean(seeds: list[corpus.SeedFile], index: int) -> None:
    """Each seed is valid against its schema; its only warnings are the undeclared names it lists."""
    seed_file = seeds[index]
    report = h5s.validate(seed_file.path, seed_file.seed.schema)
    assert report.valid, str(report)
    assert sorted(v.path for v in report.violations) == sorted(seed_file.seed.warnings), str(report)
    assert {v.code for v in report.violations} <= {h5s.Code.UNEXPECTED_MEMBER, h5s.Code.UNEXPECTED_ATTRIBUTE}


def test_seeds_are_small_varied_and_reproducible(seeds: list[corpus.SeedFile], tmp_path: Path) -> None:
    """Seeds are 20-60 KB, list their headers and chunks, and are rebuilt byte for byte."""
    for seed_file in seeds:
        assert 20_000 <= len(seed_file.data) <= 60_000, (seed_file.seed.name, len(seed_file.data))
        assert seed_file.headers and seed_file.chunks
        assert all(o >= 0 and o + n <= len(seed_file.data) for o, n in seed_file.chunks)
        assert corpus.build_one(seed_file.seed, tmp_path).data == seed_file.data
    signatures = {s.seed.name: {sig for sig in SIGNATURES if sig in s.data} for s in seeds}
    assert b"GCOL" in signatures["strings"]  # vlen strings live in the global heap
    assert {b"OHDR", b"FRHP", b"BTHD", b"EAHD", b"FAHD"} <= signatures["latest"]


def test_seed_schemas_load_from_the_command_line_reference() -> None:
    """The --schema reference of each seed names its class in the schemas module."""
    for seed in corpus.SEEDS:
        assert h5s.load_schema(seed.schema_ref) == seed.schema.to_spec()


# The mutators


@pytest.mark.parametrize("name", sorted(MUTATORS))
def test_each_mutator_is_deterministic_and_changes_bytes(name: str) -> None:
    """The same rng seed gives the same mutant; every mutator changes the bytes."""
    data = _data()
    hints = Hints(headers=(100, 2000), chunks=((512, 1024), (3000, 500)))
    for seed in range(30):
        one = mutate(data, random.Random(seed), hints, only=[name])
        assert one == mutate(data, random.Random(seed), hints, only=[name])
        assert one.data != data
        assert all(step.startswith(name) or name == "chunk_data" for step in one.steps)


def test_mutants_differ_between_seeds() -> None:
    """Different rng seeds give (almost always) different mutants."""
    data = _data()
    assert len({mutant(data, random.Random(seed)) for seed in range(50)}) >= 48


def test_truncate_shortens_and_insert_lengthens() -> None:
    """Truncation only removes bytes from the end; an inserted block only adds bytes."""
    data = _data()
    for seed in range(30):
        cut = mutate(data, random.Random(seed), only=["truncate"]).data
        assert len(cut) < len(data) and data.startswith(cut)
        longer = mutate(data, random.Random(seed), only=["insert_block"]).data
        assert len(longer) > len(data)


def test_in_place_mutators_keep_the_size() -> None:
    """Bit flips, overwrites, zeroed ranges and copied blocks keep the file's length."""
    data = _data()
    for name in ("bit_flips", "random_bytes", "zero_range", "copy_block", "header_field", "chunk_data"):
        for seed in range(20):
            assert len(mutate(data, random.Random(seed), only=[name]).data) == len(data)


def test_zero_range_writes_zeros_and_chunk_data_stays_in_a_chunk() -> None:
    """zero_range turns bytes to zero; chunk_data touches only bytes inside a hinted chunk."""
    data = _data()
    for seed in range(20):
        zeroed = mutate(data, random.Random(seed), only=["zero_range"]).data
        assert all(b == 0 for a, b in zip(data, zeroed, strict=True) if a != b)
        hints = Hints(chunks=((1000, 200),))
        new = mutate(data, random.Random(seed), hints, only=["chunk_data"]).data
        changed = [i for i, (a, b) in enumerate(zip(data, new, strict=True)) if a != b]
        assert changed and all(1000 <= i < 1200 for i in changed)


def test_header_field_aims_at_signatures_and_headers() -> None:
    """header_field changes bytes within a short window after a signature or a hinted header."""
    data = bytearray(_data())
    data[1500:1504] = b"GCOL"
    assert signature_offsets(data) == [1500]
    for seed in range(40):
        new = mutate(bytes(data), random.Random(seed), Hints(headers=(3000,)), only=["header_field"]).data
        changed = [i for i, (a, b) in enumerate(zip(data, new, strict=True)) if a != b]
        starts = (0, 1500, 3000)
        assert changed and all(any(s <= i < s + 104 for s in starts) for i in changed), changed


def test_empty_input_is_refused() -> None:
    """There is nothing to mutate in an empty file."""
    with pytest.raises(ValueError, match="empty"):
        mutate(b"", random.Random(0))


def test_mutant_numbers_pick_their_seed_in_turn(seeds: list[corpus.SeedFile]) -> None:
    """Mutant N mutates seed N mod the number of seeds, the same way every time."""
    for number in range(10):
        seed_file, one = run.make_mutant(seeds, number)
        assert seed_file is seeds[number % len(seeds)]
        assert one == run.make_mutant(seeds, number)[1] and one.data != seed_file.data


# Judging a run of the command line


def _job(tmp_path: Path, number: int) -> run._Job:
    return run._Job(number, "strings", tmp_path / f"m{number}.h5", ())


def _report(path: Path, valid: bool, code: str = "object_unreadable", message: str = "") -> dict[str, object]:
    violations = [] if valid else [{"path": "/", "code": code, "message": message or f"{path}: bad"}]
    return {"file": str(path), "valid": valid, "violations": violations}


def _run(
    returncode: int | None, reports: list[dict[str, object]] | None = None, stderr: str = ""
) -> run._Run:
    stdout = (
        "" if reports is None else json.dumps({"valid": all(r["valid"] for r in reports), "files": reports})
    )
    return run._Run(returncode, stdout, stderr, 0, None)


def test_judge_reads_each_report(tmp_path: Path) -> None:
    """Reports become valid, invalid or unreadable outcomes; a file_unreadable reason loses its path."""
    jobs = [_job(tmp_path, i) for i in range(3)]
    reports = [
        _report(jobs[0].path, True),
        _report(jobs[1].path, False, "value_constraint"),
        _report(jobs[2].path, False, "file_unreadable", f"{jobs[2].path}: truncated at 120 bytes"),
    ]
    outcomes, failure = run._judge(jobs, _run(1, reports))
    assert failure is None
    assert [(o.kind, o.detail) for o in outcomes] == [
        ("valid", ""), ("invalid", "value_constraint"), ("unreadable", "truncated at N bytes"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("returncode", "stderr", "stdout_ok", "kind"),
    [
        (None, "", False, "hang"),
        (-11, "", False, "crash"),
        (1, "Traceback (most recent call last):\n  ...\nValueError: x", True, "traceback"),
        (3, "", True, "bad_status"),
        (0, "", True, "bad_status"),  # 0 although a file is invalid
        (1, "", False, "bad_output"),
    ],
)
def test_judge_names_harness_failures(
    tmp_path: Path, returncode: int | None, stderr: str, stdout_ok: bool, kind: str
) -> None:
    """A killed, crashed or hung CLI, a traceback, a wrong status or unreadable output fail the batch."""
    jobs = [_job(tmp_path, 0)]
    reports = [_report(jobs[0].path, False)] if stdout_ok else None
    outcomes, failure = run._judge(jobs, _run(returncode, reports, stderr))
    assert outcomes == [] and failure is not None and failure[0] == kind


def test_judge_notices_a_missing_report(tmp_path: Path) -> None:
    """A file the JSON document leaves out is a missing_report failure of that file alone."""
    jobs = [_job(tmp_path, 0), _job(tmp_path, 1)]
    outcomes, failure = run._judge(jobs, _run(1, [_report(jobs[0].path, False)]))
    assert failure is None
    assert [o.kind for o in outcomes] == ["invalid", "missing_report"] and outcomes[1].failed


def test_contained_failures_are_counted_apart() -> None:
    """Crashes, timeouts and memory kills the CLI caught are their own kinds of unreadable."""
    details = {
        "the file crashed the HDF5 library (SIGSEGV)": "crash contained",
        "validation timed out after 5 s": "timeout contained",
        "exceeded the memory limit of 1GiB": "memory limit contained",
        "validation failed: KeyError: 'x'": "an exception of the validator",
        "not an HDF5 file (no HDF5 signature found)": "",
    }
    for detail, words in details.items():
        category = run._category(run.Outcome(0, "strings", "unreadable", detail))
        assert (words in category) if words else category == "unreadable", (detail, category)


def test_parse_size() -> None:
    """Sizes are given as the CLI's --memory-limit takes them."""
    assert run.parse_size("1GiB") == 2**30 and run.parse_size("100 KiB") == 102400
    with pytest.raises(ValueError, match="not a size"):
        run.parse_size("lots")
