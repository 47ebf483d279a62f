"""Stage 2, the schema: declarations, the class form, the document and loading.

Field declarations (``declare``) and attribute annotations (``annotations``) are compiled by the
class form (``model``: ``h5s.File``, ``h5s.Group``, ``h5s.Dataset``) into the schema document
(``spec``, ``attribute``, ``base``), a tree of frozen pydantic models; ``loader`` resolves a
reference (``file.py:Class``, a document). Builds on ``_types`` only.
"""
