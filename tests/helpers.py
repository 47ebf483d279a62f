"""Helpers shared by the tests: the ready schemas, and the tutorial's hand-written h5py file."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import h5py
import numpy as np

import h5schema as h5s

if TYPE_CHECKING:
    from tests.fuzz.corpus import SeedFile

ROOT = Path(__file__).resolve().parent.parent
SPEECH_REF = f"{ROOT / 'schemas' / 'speech_features.py'}:SpeechFeatures"
IMAGES_REF = f"{ROOT / 'schemas' / 'image_classification.py'}:ImageClassification"


def speech_schema() -> h5s.SchemaSpec:
    return h5s.load_schema(SPEECH_REF)


def write_tutorial(path: Path, mutate: Callable[[h5py.File], None] | None = None) -> Path:
    """The HDF5-for-ML tutorial's layout, written its way (resize by one, write one row), with
    features_A and features_B both filled; ``mutate`` then breaks it."""
    rng = random.Random(0)
    with h5py.File(path, "w") as hdf:
        for name in ("features_A", "features_B"):
            group = hdf.create_group(name)
            dt = h5py.special_dtype(vlen=str)
            # The tutorial omits dtype (h5py's default float32); h5py now warns, so say it.
            feats = group.create_dataset("features", (0, 40, 200), maxshape=(None, 40, 200), dtype="f4")
            labels = group.create_dataset("gender", (0,), maxshape=(None,), dtype=dt)
            group.attrs["fs"] = 16000
            group.attrs["win_dur"] = 0.025
            group.attrs["hop_dur"] = 0.01
            for _ in range(3):
                feats.resize(feats.shape[0] + 1, axis=0)
                labels.resize(labels.shape[0] + 1, axis=0)
                feats[-1] = np.random.default_rng(0).random([1, 40, 200])
                labels[-1] = rng.choice(["m", "f"])
        if mutate is not None:
            mutate(hdf)
    return path


def mutant_file(seeds: list[SeedFile], number: int, tmp_path: Path) -> tuple[Path, type[h5s.File]]:
    """Fuzz mutant ``number`` written to ``tmp_path``, and the schema of its seed."""
    from tests.fuzz.run import make_mutant

    seed_file, mutant = make_mutant(seeds, number)
    path = tmp_path / f"mutant-{number}.h5"
    path.write_bytes(mutant.data)
    return path, seed_file.seed.schema


def recreate(f: h5py.File, name: str, **kwargs: object) -> None:
    """Replace dataset ``name`` by one created with ``kwargs`` (data defaults to the old data)."""
    old = f[name][()]
    del f[name]
    kwargs.setdefault("data", old)
    f.create_dataset(name, **kwargs)  # type: ignore[arg-type]
