"""An image classification dataset: ``n`` images with integer labels and named classes.

- root attribute ``class_names``: list of str (at least one), ``description`` optional str;
- ``images``: uint8 ``(n, H, W, C)``, resizable along axis 0, chunked, any H/W, C in 1..4;
- ``labels``: int64 ``(n,)``, resizable along axis 0, values >= 0;
- optional ``split``: variable-length UTF-8 ``(n,)`` with values "train", "val", "test".

``n`` is shared by all three datasets. The root is closed: anything undeclared is an error.
"""

import numpy as np

import h5schema as h5s


class ImageClassification(h5s.File, closed=True):
    """Images with integer class labels."""

    class_names: list[str] = h5s.attribute(min_length=1, description="label i is class_names[i]")
    description: str | None = h5s.attribute(None, description="free text")
    images: h5s.Dataset = h5s.dataset(
        np.uint8,
        shape=("n", "H", "W", h5s.dim("C", min=1, max=4)),
        maxshape=(None, None, None, None),
        chunks=True,
    )
    labels: h5s.Dataset = h5s.dataset(np.int64, shape=("n",), maxshape=(None,), ge=0)
    split: h5s.Dataset | None = h5s.dataset(
        str, shape=("n",), maxshape=(None,), values={"train", "val", "test"}
    )
