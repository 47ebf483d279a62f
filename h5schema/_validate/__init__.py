"""Stage 4, validation: walk a file alongside its schema and collect every violation.

``walk`` goes through groups and links, ``objects`` checks one object (attributes, dataset
headers, data), ``attributes`` one attribute read, ``data`` the data checks fed block by block,
``limits`` bounds the work. Reads files only through ``_h5``; runs in whatever process calls it.
"""
