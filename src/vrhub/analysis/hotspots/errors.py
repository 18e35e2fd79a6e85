"""Errors and warnings raised by the hotspot methods.

Exception tree::

    ValueError
    └── HotspotInputError              an input cannot be analysed as given (message says what to do)
        ├── UnprojectedCoordinatesError  longitude/latitude where metres are needed
        └── TimeResolutionError          time bands finer than the data's time resolution

    UserWarning
    ├── MissingCRSWarning              no CRS: coordinates assumed to be British National Grid metres
    └── BandwidthWarning               kernel bandwidth smaller than the grid cell
"""

from __future__ import annotations


class HotspotInputError(ValueError):
    """An input to a hotspot method cannot be analysed as given."""


class UnprojectedCoordinatesError(HotspotInputError):
    """Coordinates are longitude/latitude degrees where distances in metres are needed."""


class TimeResolutionError(HotspotInputError):
    """The requested time bands are finer than the time resolution of the data."""


class MissingCRSWarning(UserWarning):
    """The input has no coordinate reference system; British National Grid metres were assumed."""


class BandwidthWarning(UserWarning):
    """The kernel bandwidth is smaller than the grid cell size, so the surface is mostly empty cells."""
