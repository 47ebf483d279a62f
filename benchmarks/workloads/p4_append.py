"""P4: appending 2048 rows of float32 ``(40, 200)``, one row at a time, in MB/s.

Every case starts from nothing and ends with the file closed (creating the file and the dataset
is timed, as is the final flush), writing the same 2048 pre-generated rows (65.5 MB):

- tutorial: the HDF5-for-ML tutorial's pattern, ``create_dataset((0, 40, 200),
  maxshape=(None, 40, 200))`` with h5py's automatic chunks, then per row ``resize(n + 1)`` and
  ``ds[-1] = row``;
- batched: hand-written chunk-aligned batches: chunks ``(32, 40, 200)`` (1 MiB, the shape
  h5schema chooses), one ``resize`` and one write per 64 rows;
- h5schema: ``h5s.create(path, schema)`` (atomic, fsynced materialization of the empty file)
  then ``writer.dataset("features").append_row(row)`` 2048 times, then ``close()``.

Also (P4b) the tutorial's full layout, features plus a ``gender`` string label per row: the
tutorial pattern resizing both datasets per row, against ``group.append_row(features=...,
gender=...)`` on ``schemas/speech_features.py`` (the two datasets share the dim ``n``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import h5py
import numpy as np

import h5schema as h5s
from benchmarks.common import MB, ROOT, Row, Settings, Target, log, measure, remove

ROW_SHAPE = (40, 200)


class Features(h5s.File):
    """One growable float32 dataset of (40, 200) rows."""

    features: h5s.Dataset = h5s.dataset(np.float32, shape=(None, *ROW_SHAPE), maxshape=(None, *ROW_SHAPE))


def speech_schema() -> Any:
    return h5s.load_schema(f"{ROOT / 'schemas' / 'speech_features.py'}:SpeechFeatures")


def make_rows(n: int) -> np.ndarray:
    return np.random.default_rng(0).random((n, *ROW_SHAPE), dtype=np.float32)


def tutorial(path: Path, rows: np.ndarray) -> None:
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("features", (0, *ROW_SHAPE), maxshape=(None, *ROW_SHAPE), dtype=np.float32)
        for row in rows:
            ds.resize(ds.shape[0] + 1, axis=0)
            ds[-1] = row


def batched(path: Path, rows: np.ndarray, batch: int = 64, chunk: int = 32) -> None:
    with h5py.File(path, "w") as f:
        ds = f.create_dataset(
            "features",
            (0, *ROW_SHAPE),
            maxshape=(None, *ROW_SHAPE),
            dtype=np.float32,
            chunks=(chunk, *ROW_SHAPE),
        )
        for start in range(0, len(rows), batch):
            block = rows[start : start + batch]
            ds.resize(start + len(block), axis=0)
            ds[start : start + len(block)] = block


def h5schema_rows(path: Path, rows: np.ndarray) -> None:
    with h5s.create(path, Features) as f:
        writer = f.dataset("features")
        for row in rows:
            writer.append_row(row)


def tutorial_speech(path: Path, rows: np.ndarray, labels: list[str]) -> None:
    with h5py.File(path, "w") as f:
        g = f.create_group("features_A")
        g.attrs.update({"fs": 16000, "win_dur": 0.025, "hop_dur": 0.01})
        feats = g.create_dataset("features", (0, *ROW_SHAPE), maxshape=(None, *ROW_SHAPE), dtype=np.float32)
        gender = g.create_dataset("gender", (0,), maxshape=(None,), dtype=h5py.string_dtype())
        for row, label in zip(rows, labels, strict=True):
            feats.resize(feats.shape[0] + 1, axis=0)
            gender.resize(gender.shape[0] + 1, axis=0)
            feats[-1] = row
            gender[-1] = label


def h5schema_speech(path: Path, rows: np.ndarray, labels: list[str], schema: Any) -> None:
    values = {"features_A": {"@fs": 16000, "@win_dur": 0.025, "@hop_dur": 0.01}}
    with h5s.create(path, schema, values=values) as f:
        group = f.group("features_A")
        for row, label in zip(rows, labels, strict=True):
            group.append_row(features=row, gender=label)


def run(s: Settings) -> list[Row]:
    n = s.pick(64, 2048, 2048)
    rows = make_rows(n)
    labels = ["m" if i % 3 else "f" for i in range(n)]
    megabytes = rows.nbytes / MB
    path = s.tmp / "p4.h5"
    log(f"P4: {n} rows of float32 {ROW_SHAPE}, {megabytes:.1f} MB per case")
    speech = speech_schema()
    _check(path, rows, labels, speech)
    t = measure(
        {
            "tutorial": lambda: tutorial(path, rows),
            "batched": lambda: batched(path, rows),
            "h5schema": lambda: h5schema_rows(path, rows),
            "tutorial+gender": lambda: tutorial_speech(path, rows, labels),
            "h5schema+gender": lambda: h5schema_speech(path, rows, labels, speech),
        },
        s.repeat,
        warmup=s.warmup,
        setup=lambda: remove(path),
    )
    remove(path)
    rate = {name: megabytes / secs for name, secs in t.items()}

    def row(what: str, base: str, ours: str, target: float) -> Row:
        return Row(
            "P4" if "gender" not in ours else "P4b",
            what,
            f"{base} {rate[base]:.0f} MB/s",
            f"{rate[ours]:.0f} MB/s",
            rate[ours] / rate[base],
            "h5schema/baseline MB/s",
            Target(">=", target),
            details={"seconds": t, "mb_per_s": rate},
        )

    return [
        row(f"append {n} rows one at a time vs tutorial pattern", "tutorial", "h5schema", 6),
        row(f"append {n} rows one at a time vs 64-row batches", "batched", "h5schema", 0.9),
        row(
            "features+gender rows (speech layout) vs tutorial pattern",
            "tutorial+gender",
            "h5schema+gender",
            6,
        ),
    ]


def _check(path: Path, rows: np.ndarray, labels: list[str], speech: Any) -> None:
    """Every case writes the same rows (checked once, untimed)."""
    for write in (tutorial, batched, h5schema_rows):
        remove(path)
        write(path, rows)
        with h5py.File(path, "r") as f:
            assert np.array_equal(f["features"][...], rows), write.__name__
    remove(path)
    h5schema_speech(path, rows, labels, speech)
    report = h5s.validate(path, speech)
    assert report.valid, report
    with h5py.File(path, "r") as f:
        assert f["features_A/features"].shape == rows.shape
        assert f["features_A/gender"].asstr()[...].tolist() == labels
    remove(path)
