"""``python -m h5schema`` runs the command line."""

from h5schema._cli import main

main()
