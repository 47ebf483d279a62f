"""Stage 5, files written and read: plan, materialize, writers, readers.

``plan`` checks values against a schema and plans a file before any I/O, ``materialize`` writes
it atomically, ``writers`` and ``dataset_writer`` append validated rows, ``flush`` says when
they become durable, ``readers`` give typed access back. Writes only through ``_h5``.
"""
