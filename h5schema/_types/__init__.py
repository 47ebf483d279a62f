"""Stage 1, types: what a value is, with no schema and no file.

Element dtypes (``dtypes``), shapes and named dims (``shapes``), string flavours (``strings``),
turning user data into what a dataset stores (``coerce``), constraint checks on plain values
(``constraints``), stored values as JSON (``jsonvalue``) and HDF5 paths as reports spell them
(``paths``). Imports nothing of h5schema but ``_errors``.
"""
