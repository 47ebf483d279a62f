"""Violation codes: one enum that carries everything known about a code."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Code", "Severity"]


class Severity(StrEnum):
    """How bad a violation is. Only errors make a file invalid."""

    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value


class Code(StrEnum):
    """Stable slugs for every kind of violation. The slug never changes between versions.

    Each member carries a one-line ``summary`` (documented in ``docs/codes.md``).

    >>> Code.DTYPE_MISMATCH.value
    'dtype_mismatch'
    >>> Code("missing_group") is Code.MISSING_GROUP
    True
    """

    summary: str

    def __new__(cls, slug: str, summary: str) -> Code:
        member = str.__new__(cls, slug)
        member._value_ = slug
        member.summary = summary
        return member

    def __str__(self) -> str:
        return str(self.value)

    FILE_UNREADABLE = ("file_unreadable", "the file cannot be opened as HDF5")
    OBJECT_UNREADABLE = ("object_unreadable", "an object inside the file cannot be read")
    MISSING_GROUP = ("missing_group", "a required group is absent")
    MISSING_DATASET = ("missing_dataset", "a required dataset is absent")
    MISSING_ATTRIBUTE = ("missing_attribute", "a required attribute is absent")
    UNEXPECTED_MEMBER = ("unexpected_member", "a group holds a member the schema does not declare")
    UNEXPECTED_ATTRIBUTE = (
        "unexpected_attribute",
        "an object holds an attribute the schema does not declare",
    )
    WRONG_KIND = ("wrong_kind", "a member is a group where a dataset is declared, or a link")
    DTYPE_MISMATCH = ("dtype_mismatch", "a dataset's element type differs from the declared one")
    SHAPE_MISMATCH = ("shape_mismatch", "a dataset's rank or a dimension length is not allowed")
    DIM_MISMATCH = ("dim_mismatch", "a named dimension has different lengths within its scope")
    MAXSHAPE_MISMATCH = ("maxshape_mismatch", "a dataset's maximum shape differs")
    CHUNKS_MISMATCH = ("chunks_mismatch", "a dataset's chunking differs")
    COMPRESSION_MISMATCH = ("compression_mismatch", "a dataset's filters differ")
    FILLVALUE_MISMATCH = ("fillvalue_mismatch", "a dataset's fill value differs")
    ATTRIBUTE_TYPE = ("attribute_type", "an attribute is stored with the wrong type or shape")
    ATTRIBUTE_VALUE = ("attribute_value", "an attribute's value breaks a constraint")
    VALUE_CONSTRAINT = ("value_constraint", "dataset values break a data check")
    MEMBER_COUNT = ("member_count", "too few or too many members match a name pattern")
    DANGLING_LINK = ("dangling_link", "a soft link points at nothing in the file")
    EXTERNAL_REFERENCE = (
        "external_reference",
        "an external link, virtual dataset or external storage points outside the file",
    )
    LIMIT_EXCEEDED = (
        "limit_exceeded",
        "a part of the file is too big or too deep to check within the limits",
    )
