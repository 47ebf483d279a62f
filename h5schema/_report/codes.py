"""Violation codes: one enum that carries everything known about a code.

Adding a code takes a member of :class:`Code` here, the check that reports it, its row and
section in ``docs/codes.md``, its slug in ``report.schema.json`` and, when it is marked
``defect``, the function making it, registered with ``@makes`` in ``h5schema.strategies``;
``tests/test_code_facts.py`` fails until they agree. Other lists of codes are derived from the
members' fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Category", "Code", "Severity"]


class Severity(StrEnum):
    """How bad a violation is. Only errors make a file invalid."""

    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value


class Category(StrEnum):
    """What part of a file a violation code is about (the grouping of ``docs/codes.md``).

    ``reading``: the file or an object in it cannot be read; ``member``: which members a group
    holds and of what kind; ``attribute``: attributes, present, absent, their types and values;
    ``layout``: a dataset's header (dtype, shape, named dims, maxshape, chunks, filters, fill
    value); ``data``: the values stored in a dataset; ``reference``: links and storage that lead
    nowhere or out of the file; ``limit``: parts too big or too deep to check.
    """

    READING = "reading"
    MEMBER = "member"
    ATTRIBUTE = "attribute"
    LAYOUT = "layout"
    DATA = "data"
    REFERENCE = "reference"
    LIMIT = "limit"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class _Facts:
    """What a :class:`Code` member is made of: its slug and the fields :class:`Code` documents."""

    slug: str
    summary: str
    category: Category
    json_schema: bool
    defect: bool
    severity: Severity = Severity.ERROR


class Code(StrEnum):
    """Stable slugs for every kind of violation. The slug never changes between versions.

    Each member carries what is known about its code, and everything else (the table of
    ``docs/codes.md``, the code lists of the defect strategies and of the tests) is derived from
    these fields:

    - ``summary``: one line saying what the violation means;
    - ``severity``: the :class:`Severity` it has by default. Only ``unexpected_member`` and
      ``unexpected_attribute`` are warnings, and they are errors on an object the schema closes
      (:meth:`severity_for`);
    - ``category``: the :class:`Category`, the part of the file it is about;
    - ``json_schema``: whether the JSON Schema of a schema (``h5schema export --format
      jsonschema``) expresses the check, so that the manifest of a file with this violation
      fails it when the violation is an error (for ``object_unreadable``, an object whose header
      cannot be read: a manifest holds no data);
    - ``defect``: whether :func:`h5schema.strategies.defects` can make a one-change defect that
      causes exactly this violation (each such code has one registered defect maker).

    >>> Code.DTYPE_MISMATCH.value
    'dtype_mismatch'
    >>> Code("missing_group") is Code.MISSING_GROUP
    True
    >>> c = Code.UNEXPECTED_MEMBER
    >>> c.summary, c.severity.value, c.category.value, c.json_schema, c.defect
    ('a group holds a member the schema does not declare', 'warning', 'member', True, True)
    >>> [c.value for c in Code if c.category is Category.DATA]
    ['value_constraint']
    """

    summary: str
    severity: Severity
    category: Category
    json_schema: bool
    defect: bool

    def __new__(cls, facts: _Facts) -> Code:
        member = str.__new__(cls, facts.slug)
        member._value_ = facts.slug
        member.summary = facts.summary
        member.severity = facts.severity
        member.category = facts.category
        member.json_schema = facts.json_schema
        member.defect = facts.defect
        return member

    def __str__(self) -> str:
        return str(self.value)

    def severity_for(self, *, closed: bool) -> Severity:
        """The severity of this code on an object the schema closes (an error) or leaves open
        (the default :attr:`severity`).

        >>> Code.UNEXPECTED_ATTRIBUTE.severity_for(closed=False).value
        'warning'
        >>> Code.UNEXPECTED_ATTRIBUTE.severity_for(closed=True).value
        'error'
        """
        return Severity.ERROR if closed else self.severity

    FILE_UNREADABLE = _Facts(
        "file_unreadable",
        "the file cannot be opened as HDF5",
        Category.READING,
        json_schema=False,
        defect=False,
    )
    OBJECT_UNREADABLE = _Facts(
        "object_unreadable",
        "an object inside the file cannot be read",
        Category.READING,
        json_schema=True,
        defect=False,
    )
    MISSING_GROUP = _Facts(
        "missing_group", "a required group is absent", Category.MEMBER, json_schema=True, defect=True
    )
    MISSING_DATASET = _Facts(
        "missing_dataset", "a required dataset is absent", Category.MEMBER, json_schema=True, defect=True
    )
    MISSING_ATTRIBUTE = _Facts(
        "missing_attribute",
        "a required attribute is absent",
        Category.ATTRIBUTE,
        json_schema=True,
        defect=True,
    )
    UNEXPECTED_MEMBER = _Facts(
        "unexpected_member",
        "a group holds a member the schema does not declare",
        Category.MEMBER,
        json_schema=True,
        defect=True,
        severity=Severity.WARNING,
    )
    UNEXPECTED_ATTRIBUTE = _Facts(
        "unexpected_attribute",
        "an object holds an attribute the schema does not declare",
        Category.ATTRIBUTE,
        json_schema=True,
        defect=True,
        severity=Severity.WARNING,
    )
    WRONG_KIND = _Facts(
        "wrong_kind",
        "a member is a group where a dataset is declared, or a link",
        Category.MEMBER,
        json_schema=True,
        defect=True,
    )
    DTYPE_MISMATCH = _Facts(
        "dtype_mismatch",
        "a dataset's element type differs from the declared one",
        Category.LAYOUT,
        json_schema=True,
        defect=True,
    )
    SHAPE_MISMATCH = _Facts(
        "shape_mismatch",
        "a dataset's rank or a dimension length is not allowed",
        Category.LAYOUT,
        json_schema=True,
        defect=True,
    )
    DIM_MISMATCH = _Facts(
        "dim_mismatch",
        "a named dimension has different lengths within its scope",
        Category.LAYOUT,
        json_schema=False,
        defect=True,
    )
    MAXSHAPE_MISMATCH = _Facts(
        "maxshape_mismatch",
        "a dataset's maximum shape differs",
        Category.LAYOUT,
        json_schema=True,
        defect=True,
    )
    CHUNKS_MISMATCH = _Facts(
        "chunks_mismatch", "a dataset's chunking differs", Category.LAYOUT, json_schema=True, defect=True
    )
    COMPRESSION_MISMATCH = _Facts(
        "compression_mismatch", "a dataset's filters differ", Category.LAYOUT, json_schema=True, defect=True
    )
    FILLVALUE_MISMATCH = _Facts(
        "fillvalue_mismatch", "a dataset's fill value differs", Category.LAYOUT, json_schema=True, defect=True
    )
    ATTRIBUTE_TYPE = _Facts(
        "attribute_type",
        "an attribute is stored with the wrong type or shape",
        Category.ATTRIBUTE,
        json_schema=True,
        defect=True,
    )
    ATTRIBUTE_VALUE = _Facts(
        "attribute_value",
        "an attribute's value breaks a constraint",
        Category.ATTRIBUTE,
        json_schema=True,
        defect=True,
    )
    VALUE_CONSTRAINT = _Facts(
        "value_constraint", "dataset values break a data check", Category.DATA, json_schema=False, defect=True
    )
    MEMBER_COUNT = _Facts(
        "member_count",
        "too few or too many members match a name pattern",
        Category.MEMBER,
        json_schema=False,
        defect=True,
    )
    DANGLING_LINK = _Facts(
        "dangling_link",
        "a soft link points at nothing in the file",
        Category.REFERENCE,
        json_schema=False,
        defect=False,
    )
    EXTERNAL_REFERENCE = _Facts(
        "external_reference",
        "an external link, virtual dataset or external storage points outside the file",
        Category.REFERENCE,
        json_schema=True,
        defect=False,
    )
    LIMIT_EXCEEDED = _Facts(
        "limit_exceeded",
        "a part of the file is too big or too deep to check within the limits",
        Category.LIMIT,
        json_schema=False,
        defect=False,
    )
