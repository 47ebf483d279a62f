"""Build a small speech-features file with h5schema, in the layout of the HDF5-for-ML tutorial.

    python examples/make_speech_example.py [OUTPUT]   (default: examples/speech_features.h5)

The file holds two feature groups, features_A (6 utterances) and features_B (4), written with
validated, buffered appends. It validates clean against schemas/speech_features.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import h5schema as h5s

ROOT = Path(__file__).resolve().parent.parent
SpeechFeatures = h5s.load_schema(f"{ROOT / 'schemas' / 'speech_features.py'}:SpeechFeatures")


def build(path: Path) -> Path:
    rng = np.random.default_rng(0)
    params = {"@fs": 16000, "@win_dur": 0.025, "@hop_dur": 0.01}
    values = {"features_A": dict(params), "features_B": dict(params)}
    with h5s.create(path, SpeechFeatures, values=values, overwrite=True) as f:
        for name, n in (("features_A", 6), ("features_B", 4)):
            group = f.group(name)
            for i in range(n):  # one utterance at a time; the writer batches the disk writes
                group.append_row(
                    features=rng.random((40, 200), dtype=np.float32),
                    gender="m" if i % 2 else "f",
                )
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "examples" / "speech_features.h5"
    print(f"wrote {build(out)}")
