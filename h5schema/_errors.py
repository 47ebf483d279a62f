"""Exceptions raised by h5schema.

A file that breaks its schema is *data*, not an exception: :func:`h5schema.validate`
returns a :class:`~h5schema.Report`. Exceptions are for misuse and for refused writes::

    H5SchemaError
    ├── SchemaDefinitionError (TypeError)   a schema class or document is malformed
    ├── SchemaLoadError (ValueError)        a schema reference cannot be resolved
    ├── InvalidFileError (ValueError)       raised by Report.raise_if_invalid(); carries .report
    ├── MaterializeError (ValueError)       values given to the materializer do not fit the schema
    ├── TargetExistsError (FileExistsError) the target file exists and overwrite was not asked
    └── WriteError (ValueError)             an append or write was refused; nothing was written
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from h5schema._report.report import Report

__all__ = [
    "H5SchemaError",
    "InvalidFileError",
    "MaterializeError",
    "SchemaDefinitionError",
    "SchemaLoadError",
    "TargetExistsError",
    "WriteError",
]


class H5SchemaError(Exception):
    """Base class of every exception h5schema raises on purpose."""


class SchemaDefinitionError(H5SchemaError, TypeError):
    """A schema is malformed. Raised when the class (or document) is defined.

    ``location`` names the schema field, e.g. ``FeatureSet.features``.
    """

    def __init__(self, location: str, problem: str) -> None:
        self.location = location
        self.problem = problem
        super().__init__(f"{location}: {problem}" if location else problem)


def first_error(exc: Exception) -> tuple[str, str]:
    """The location (dotted, "" for none) and the message of the first error of a pydantic
    ValidationError, without pydantic's "Value error, " prefix; ``("", str(exc))`` otherwise."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return "", str(exc)
    first = errors()[0]
    return ".".join(str(x) for x in first["loc"]), str(first["msg"]).removeprefix("Value error, ")


def definition_error(where: str, exc: Exception) -> SchemaDefinitionError:
    """Turn a pydantic ValidationError (or ValueError) met while defining a schema into ours."""
    loc, problem = first_error(exc)
    return SchemaDefinitionError(where, f"{loc}: {problem}" if loc else problem)


class SchemaLoadError(H5SchemaError, ValueError):
    """A schema reference (``module:Class``, ``file.py:Class``, ``spec.yaml``) cannot be loaded."""


class InvalidFileError(H5SchemaError, ValueError):
    """A file does not conform to its schema. ``report`` holds every violation."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__(str(report))


class MaterializeError(H5SchemaError, ValueError):
    """Values given to the materializer do not fit the schema. Nothing was written."""


def materialize_error(path: str, problem: str) -> MaterializeError:
    """The refusal of values at ``path`` (an object or ``object@attribute``)."""
    return MaterializeError(f"{path}: {problem}")


class TargetExistsError(H5SchemaError, FileExistsError):
    """The target path exists and ``overwrite=True`` was not given."""


class WriteError(H5SchemaError, ValueError):
    """An append or write was refused because the data does not fit. Nothing was written."""
