"""The layout of JOBS's data files: one recording, its data under value checks.

Kept apart from ``jobs.py`` so that the readers load only this (by reference, as the command
line is given it) and not the harness.

- attribute ``rate`` (sample rate in Hz, float > 0);
- ``signal``: float32 ``(n, 64)``, chunks ``(1024, 64)`` (256 KiB), gzip with shuffle; every value
  in ``[-1, 1]``, no NaN;
- ``labels``: uint8 ``(n,)``, chunks ``(4096,)``, gzip; each one of 0, 1, 2, 3.

``n`` is shared by the two datasets. The file is closed: anything else is reported.
"""

import numpy as np

import h5schema as h5s

CHANNELS = 64
CHUNK_ROWS = 1024
LABEL_CHUNK = 4096
LABELS = (0, 1, 2, 3)


class Recording(h5s.File, closed=True):
    """A multichannel recording with per-sample labels, both checked value by value."""

    rate: float = h5s.attribute(gt=0)
    signal: h5s.Dataset = h5s.dataset(
        np.float32,
        shape=("n", CHANNELS),
        chunks=(CHUNK_ROWS, CHANNELS),
        compression="gzip",
        shuffle=True,
        ge=-1,
        le=1,
        allow_nan=False,
    )
    labels: h5s.Dataset = h5s.dataset(
        np.uint8, shape=("n",), chunks=(LABEL_CHUNK,), compression="gzip", values=list(LABELS)
    )
