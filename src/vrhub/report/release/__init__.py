"""The release step: every output that leaves for someone without access to unreleased data passes through here.

:func:`release` takes an exact result (a profile, a cohort, a Cardiff view, a hot-spot run, a Knox test, an
evaluation) and returns :class:`Released` — the result as it may leave, and the statement for every page. Counts
follow the count rules and every statistic the statistics rules of :mod:`vrhub.domain.disclosure`
(docs/methods/disclosure-control.md). One module per kind of result.
"""

from typing import Any

from vrhub.report.release.core import HANDLERS, Released, protect_count, protect_text, release, statement

#: the profile's release names, imported on first use: the profile module brings statsmodels and scipy.stats
#: (about a second), which a command releasing hot spots or a cohort does not need (PEP 562)
_PROFILE_NAMES = frozenset({"ADDITIVE", "NO_COUNTS", "SINGLE_COUNTS", "release_profile", "release_tables",
                            "released_trend", "released_warning"})


def __getattr__(name: str) -> Any:
    if name in _PROFILE_NAMES:
        from vrhub.report.release import profile

        return getattr(profile, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
