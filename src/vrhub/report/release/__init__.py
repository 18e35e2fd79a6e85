"""The release step: every output that leaves for someone without access to unreleased data passes through here.

:func:`release` takes an exact result (a profile, a cohort, a Cardiff view, a hot-spot run, a Knox test, an
evaluation) and returns :class:`Released` — the result as it may leave, and the statement for every page. Counts
follow the count rules and every statistic the statistics rules of :mod:`vrhub.domain.disclosure`
(docs/methods/disclosure-control.md). One module per kind of result.
"""

from vrhub.report.release.core import HANDLERS, Released, protect_count, protect_text, release, statement
from vrhub.report.release.profile import (
    ADDITIVE,
    NO_COUNTS,
    SINGLE_COUNTS,
    release_profile,
    release_tables,
    released_trend,
    released_warning,
)

__all__ = [
    "ADDITIVE",
    "HANDLERS",
    "NO_COUNTS",
    "SINGLE_COUNTS",
    "Released",
    "protect_count",
    "protect_text",
    "release",
    "release_profile",
    "release_tables",
    "released_trend",
    "released_warning",
    "statement",
]
