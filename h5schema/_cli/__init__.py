"""Stage 8, the ``h5schema`` command line (click).

``app`` holds the commands, ``tree`` draws ``h5schema show``'s annotated tree.
"""

from h5schema._cli.app import cli, main

__all__ = ["cli", "main"]
