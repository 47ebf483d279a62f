"""Helpers for test suites: assert that a file conforms, with the readable report on failure.

>>> import h5schema.testing
>>> callable(h5schema.testing.assert_valid)
True
"""

from __future__ import annotations

import os
from typing import Any

from h5schema._api import validate
from h5schema._report.report import Report
from h5schema._validate.limits import Limits

__all__ = ["assert_valid"]


def assert_valid(
    source: str | os.PathLike[str] | Any,
    schema: Any,
    *,
    strict: bool = False,
    check_data: bool = True,
    limits: Limits | None = None,
) -> Report:
    """Validate ``source`` (a path, or an open h5py file or group) and fail the test if it has
    an error (with ``strict``, also a warning). The assertion message is the report, grouped by
    path, as ``h5schema validate`` prints it. Returns the report when the file passes.

    In pytest: ``h5schema.testing.assert_valid("out.h5", MySchema)``; the failure shows which
    paths break which rules, with expected and actual values.
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not this one
    report = validate(source, schema, check_data=check_data, limits=limits)
    if not report.valid or (strict and report.warnings):
        raise AssertionError("\n" + str(report))
    return report
