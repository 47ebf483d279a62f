"""An NWB 2.x file whose acquisition holds TimeSeries, as pynwb 4.2 writes it.

The layout was read from a file written by pynwb 4.2 (NWB schema 2.11) with h5py. It covers what
``pynwb.validate`` checks in such a file:

- root attributes ``namespace`` ("core"), ``neurodata_type`` ("NWBFile"), ``nwb_version`` (2.x),
  ``object_id`` (a UUID) and the optional ``.specloc`` (a reference to /specifications);
- root datasets ``file_create_date`` (ASCII strings, one per write), ``identifier`` and
  ``session_description`` (UTF-8 scalars), ``session_start_time`` and
  ``timestamps_reference_time`` (ASCII scalars);
- the required groups ``acquisition``, ``analysis``, ``general``, ``processing`` and ``stimulus``
  (with ``presentation`` and ``templates``), and the optional cached ``specifications``;
- every member of ``/acquisition`` is a TimeSeries group: attributes ``comments``,
  ``description``, ``namespace``, ``neurodata_type`` ("TimeSeries") and ``object_id``; a numeric
  ``data`` dataset (any shape, time first) with its ``conversion``, ``offset``, ``resolution`` and
  ``unit`` attributes; and a scalar float64 ``starting_time`` with its ``rate`` (> 0) and
  ``unit`` ("seconds") attributes, or a float64 ``timestamps`` vector.

Not covered: the ISO 8601 format of the date strings (h5schema checks their string type and
shape), the rule "starting_time or timestamps, exactly one", the rank limit of ``data`` (1 to 4
axes), neurodata types other than TimeSeries in /acquisition, and the contents of /general.
"""

from typing import Literal

import numpy as np

import h5schema as h5s

_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
_ASCII = h5s.string(encoding="ascii")


class TimeSeriesData(h5s.Dataset):
    """The samples of a TimeSeries, first axis time."""

    conversion: float = 1.0
    offset: float = 0.0
    resolution: float = -1.0
    unit: str
    continuity: Literal["continuous", "instantaneous", "step"] | None = None


class StartingTime(h5s.Dataset):
    """Time of the first sample, in seconds, with the sampling rate."""

    rate: float = h5s.attribute(gt=0, description="sampling rate in Hz")
    unit: Literal["seconds"] = "seconds"


class Timestamps(h5s.Dataset):
    """One time per sample, in seconds."""

    interval: int = 1
    unit: Literal["seconds"] = "seconds"


class TimeSeries(h5s.Group):
    """pynwb's TimeSeries (core namespace)."""

    comments: str = "no comments"
    description: str = "no description"
    namespace: Literal["core"] = "core"
    neurodata_type: Literal["TimeSeries"] = "TimeSeries"
    object_id: str = h5s.attribute(pattern=_UUID)
    data: TimeSeriesData = h5s.dataset(h5s.family("number"))
    starting_time: StartingTime | None = h5s.dataset(np.float64, shape=())
    timestamps: Timestamps | None = h5s.dataset(np.float64, shape=(None,))


class Acquisition(h5s.Group):
    """Acquired data: TimeSeries only, under any name."""

    series: dict[str, TimeSeries] = h5s.members(r".+")


class Empty(h5s.Group):
    """A group whose contents this schema leaves open."""


class SpecVersion(h5s.Group):
    """One cached version of a namespace: its documents, as JSON strings."""

    documents: dict[str, h5s.Dataset] = h5s.members(r".+", dataset=h5s.dataset(str, shape=()))


class SpecNamespace(h5s.Group):
    """A cached namespace, one group per version."""

    versions: dict[str, SpecVersion] = h5s.members(r"\d+\.\d+\.\d+.*")


class Specifications(h5s.Group):
    """The namespaces pynwb caches in the file (core, hdmf-common, ...)."""

    namespaces: dict[str, SpecNamespace] = h5s.members(r".+")


class Stimulus(h5s.Group):
    """Stimuli presented and their templates."""

    presentation: Empty
    templates: Empty


class NWBTimeSeriesFile(h5s.File):
    """An NWB file (written by pynwb) with TimeSeries in /acquisition."""

    namespace: Literal["core"] = "core"
    neurodata_type: Literal["NWBFile"] = "NWBFile"
    nwb_version: str = h5s.attribute(pattern=r"^2\.\d+\.\d+")
    object_id: str = h5s.attribute(pattern=_UUID)
    specloc: np.ndarray | None = h5s.attribute(None, name=".specloc", dtype=h5s.family("any"), shape=())
    file_create_date: h5s.Dataset = h5s.dataset(_ASCII, shape=(None,))
    identifier: h5s.Dataset = h5s.dataset(str, shape=())
    session_description: h5s.Dataset = h5s.dataset(str, shape=())
    session_start_time: h5s.Dataset = h5s.dataset(_ASCII, shape=())
    timestamps_reference_time: h5s.Dataset = h5s.dataset(_ASCII, shape=())
    acquisition: Acquisition
    analysis: Empty
    general: Empty
    processing: Empty
    stimulus: Stimulus
    specifications: Specifications | None = None
