"""Stage 2, reports: violation codes, the report records and their output formats.

``codes`` holds the one enum that carries everything about a code; ``report`` the
:class:`Violation` and :class:`Report` records; ``formats`` renders reports as text, JSON,
JUnit XML and GitHub workflow commands. Builds on ``_types`` only.
"""
