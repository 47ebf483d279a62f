"""Hypothesis strategies for h5schema: dtypes, string values, schemas, values, files and defects.

This module is for tests: it imports `hypothesis <https://hypothesis.readthedocs.io>`_, which
``import h5schema`` never does (install the ``test`` extra). It follows hypothesis' conventions:
strategy functions are plural nouns, required arguments are positional and options keyword-only,
defaults keep examples small (a few members, axes of at most three elements), and bad arguments
raise :class:`hypothesis.errors.InvalidArgument` when the strategy function is called.

What is here, from the smallest piece to a whole file:

- :func:`dtypes`, :func:`string_dtypes`: exact dtypes that can be created and read back as
  themselves (numbers including float16, long double and complex; bool; enums; the four string
  flavours; optionally compounds and ragged sequences, :func:`ragged_dtypes`).
- :func:`string_values` (alias :func:`text_for`) and :func:`invalid_string_values`: what a string
  flavour can hold (``str`` for UTF-8, ``bytes`` for ASCII) and what it must refuse.
- :func:`attribute_specs`, :func:`dataset_specs`, :func:`group_specs`, :func:`schemas`: valid
  schema trees, and :func:`attribute_values`, :func:`data_for`, :func:`values_for`: values that
  satisfy them, in the mapping form :func:`h5schema.materialize` takes.
- :func:`conforming_files`: materializes a file in a fresh sub-directory and gives its path.
- :func:`defects` and :func:`mutants`: one defect at a time, applied with raw h5py, with the one
  violation code and path the validator must report.

Typical use, one fresh file per example under pytest's ``tmp_path``::

    from hypothesis import given, strategies as st
    import h5schema as h5s
    import h5schema.strategies as h5st

    @given(data=st.data(), schema=h5st.schemas())
    def test_one_defect_one_violation(tmp_path, data, schema):
        path = data.draw(h5st.conforming_files(schema, tmp_path))
        code, where = data.draw(h5st.mutants(schema, path))
        report = h5s.validate(path, schema)
        assert report.codes() == [code] and report.violations[0].path == where

>>> from hypothesis import given, settings
>>> @settings(max_examples=5, database=None)
... @given(dtypes())
... def check(dt):
...     assert dt.describe()
>>> check()
"""

from __future__ import annotations

from h5schema.strategies._attributes import attribute_specs, attribute_values
from h5schema.strategies._datasets import data_for, dataset_specs
from h5schema.strategies._defects import Defect
from h5schema.strategies._dtypes import (
    dtypes,
    invalid_string_values,
    ragged_dtypes,
    string_dtypes,
    string_values,
    text_for,
)
from h5schema.strategies._mutants import defects, mutants
from h5schema.strategies._schemas import group_specs, schemas
from h5schema.strategies._values import conforming_files, values_for

__all__ = [
    "Defect",
    "attribute_specs",
    "attribute_values",
    "conforming_files",
    "data_for",
    "dataset_specs",
    "defects",
    "dtypes",
    "group_specs",
    "invalid_string_values",
    "mutants",
    "ragged_dtypes",
    "schemas",
    "string_dtypes",
    "string_values",
    "text_for",
    "values_for",
]
