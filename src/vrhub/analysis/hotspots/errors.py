"""Errors and warnings raised by the hotspot methods.

The errors live in the one tree of :mod:`vrhub.domain.errors` and are re-exported here::

    VrhubError
    └── UsageError
        └── HotspotInputError              an input cannot be analysed as given (message says what to do)
            ├── UnprojectedCoordinatesError  longitude/latitude where metres are needed
            └── TimeResolutionError          time bands finer than the data's time resolution
    UserWarning
    ├── MissingCRSWarning              no CRS: coordinates assumed to be British National Grid metres
    └── BandwidthWarning               kernel bandwidth smaller than the grid cell
"""

from __future__ import annotations

from vrhub.domain.errors import HotspotInputError as HotspotInputError
from vrhub.domain.errors import TimeResolutionError as TimeResolutionError
from vrhub.domain.errors import UnprojectedCoordinatesError as UnprojectedCoordinatesError


class MissingCRSWarning(UserWarning):
    """The input has no coordinate reference system; British National Grid metres were assumed."""


class BandwidthWarning(UserWarning):
    """The kernel bandwidth is smaller than the grid cell size, so the surface is mostly empty cells."""
