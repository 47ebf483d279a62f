"""Type aliases used in signatures across the package (httpx keeps its own in ``_types.py``).

``StrPath`` is a file-system path; the aliases that name schema or h5py types live with them
(``SchemaLike`` in :mod:`h5schema._schema.model`, ``H5Group`` in :mod:`h5schema._h5`).
"""

from __future__ import annotations

import os
from typing import TypeAlias

__all__ = ["StrPath"]

StrPath: TypeAlias = str | os.PathLike[str]
