"""Validation in a sandboxed child process.

HDF5 can crash (SIGSEGV), loop forever or allocate gigabytes on a corrupt file, and no in-process
timeout can stop it: h5py holds the GIL inside the C library. So the walk of a file named by path
runs in a child process with a wall-clock and an address-space limit, no core dumps and no HDF5
filter plugins. Children are reused from file to file and restarted after any failure; the parent
turns a signal, a timeout or a memory kill into a ``file_unreadable`` report.
"""

from __future__ import annotations

from h5schema._sandbox.pool import (
    infer_isolated,
    load_reference,
    manifest_isolated,
    prestart,
    run_isolated,
    run_many,
    shutdown,
)
from h5schema._sandbox.shipment import Shipment, by_value

__all__ = [
    "Shipment",
    "by_value",
    "infer_isolated",
    "load_reference",
    "manifest_isolated",
    "prestart",
    "run_isolated",
    "run_many",
    "shutdown",
]
