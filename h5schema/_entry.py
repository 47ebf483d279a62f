"""The ``h5schema`` script: hand the command to the reader service when it runs, else run it here.

Kept to the standard library and ``_relay``'s few imports, so that a relayed run pays only for
starting Python: the command line (click and the rest) is already imported in the service.
"""

from __future__ import annotations

import os
import sys

__all__ = ["main"]


def main() -> None:
    """Entry point of the ``h5schema`` script and of ``python -m h5schema``."""
    if os.name == "posix":  # the service forks and passes descriptors: POSIX only
        from h5schema._isolation._relay import relay

        status = relay(sys.argv)
        if status is not None:
            sys.exit(status)
    from h5schema._cli import main as run_here

    run_here()
