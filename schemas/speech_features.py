"""The HDF5-for-ML tutorial layout: speech features of one or more kinds, with aligned labels.

One or more groups named ``features_<name>``, each holding ``n`` utterances:

- attributes ``fs`` (sample rate, int > 0), ``win_dur`` and ``hop_dur`` (seconds, float > 0);
- ``features``: float32 ``(n, 40, 200)``, resizable along axis 0;
- ``gender``: variable-length UTF-8 ``str`` ``(n,)``, resizable along axis 0, "m" or "f".

``n`` is shared within each group. Groups are open: extra members are warnings.
"""

import numpy as np

import h5schema as h5s


class FeatureSet(h5s.Group):
    """Features of one kind, one row per utterance, with aligned labels."""

    fs: int = h5s.attribute(gt=0, description="sample rate in Hz")
    win_dur: float = h5s.attribute(gt=0, description="analysis window length in seconds")
    hop_dur: float = h5s.attribute(gt=0, description="hop between windows in seconds")
    features: h5s.Dataset = h5s.dataset(np.float32, shape=("n", 40, 200), maxshape=(None, 40, 200))
    gender: h5s.Dataset = h5s.dataset(str, shape=("n",), maxshape=(None,), values={"m", "f"})


class SpeechFeatures(h5s.File):
    """Speech features for ML: one group per feature kind."""

    sets: dict[str, FeatureSet] = h5s.members(pattern=r"features_\w+", min_count=1)
