"""Turning user data into exactly what a dataset stores, or refusing with the reason.

Shared by the materializer and the writers, so "what may be written" has one definition: the
dtype's own ``coerce`` (each kind's module says how its values are stored; numbers follow
:mod:`h5schema._types.dtypes.cast`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from h5schema._types.dtypes.cast import Casting

if TYPE_CHECKING:
    from h5schema._types.dtypes import DTypeSpec

__all__ = ["Casting", "coerce"]


def coerce(dtype: DTypeSpec, data: Any, *, casting: Casting = "lossless") -> np.ndarray:
    """Return ``data`` as an array of ``dtype`` (strings encoded per flavour); ValueError if not."""
    return dtype.coerce(data, casting)
