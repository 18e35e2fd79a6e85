"""The one release step: an exact result in, what may leave out.

Analyses return exact results (counts and the statistics computed from them), with the cells a release must
protect kept on the result. :func:`release` passes any of them through the disclosure rules — the count rules
(:mod:`vrhub.domain.disclosure`) and the statistics rules (:data:`vrhub.domain.disclosure.STATISTICS`: recompute
from the released counts, coarsen, or withhold) — and returns the released result of the same type with the
statement that goes on every page. One handler per kind of result, each in its own module here; the library object
of issue 14 is meant to call :func:`release` for every output that leaves for someone without access to the
unreleased data.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pandas as pd

from vrhub.domain.disclosure import NHS_OPENSAFELY, DisclosureRules, round_to_base, statistics_statement
from vrhub.domain.disclosure.statistics import CountedText

T = TypeVar("T")

#: result type (module.qualname) → (release module, function); imported only when such a result is released
HANDLERS: dict[str, tuple[str, str]] = {
    "vrhub.analysis.profile.build.Profile": ("vrhub.report.release.profile", "release_profile_result"),
    "vrhub.analysis.cohort.CohortRiskFactors": ("vrhub.report.release.cohort", "release_cohort"),
    "vrhub.analysis.cardiff.CardiffView": ("vrhub.report.release.cardiff", "release_cardiff"),
    "vrhub.analysis.hotspots.run.HotspotRun": ("vrhub.report.release.hotspots", "release_hotspots"),
    "vrhub.analysis.hotspots.knox.KnoxResult": ("vrhub.report.release.near_repeat", "release_knox"),
    "vrhub.analysis.evaluation.workspace.WorkspaceEvaluation": ("vrhub.report.release.evaluation",
                                                                "release_workspace_evaluation"),
    "vrhub.analysis.evaluation.difference_in_differences.DidResult": ("vrhub.report.release.evaluation",
                                                                      "release_did"),
}


@dataclass(frozen=True)
class Released(Generic[T]):
    """A released result and the disclosure statement to print on every page or file that shows it."""

    result: T
    statement: str


def release(result: Any, rules: DisclosureRules | None = None) -> Released[Any]:
    """Release ``result`` under ``rules`` (default: suppress 1–7, round to 5, secondary suppression).

    Raises ``TypeError`` for a result no handler knows: nothing leaves without a rule.
    """
    for cls in type(result).__mro__:
        key = f"{cls.__module__}.{cls.__qualname__}"
        if key in HANDLERS:
            module, name = HANDLERS[key]
            return getattr(importlib.import_module(module), name)(result, rules or NHS_OPENSAFELY)
    raise TypeError(f"no release rule for a {type(result).__name__}: add a handler to vrhub.report.release.HANDLERS")


def statement(rules: DisclosureRules, table_statement: str | None = None) -> str:
    """``released — <count rules> <statistics rules>``: the line on every released page and file."""
    return f"released — {table_statement or rules.statement()} {statistics_statement()}"


def protect_count(value: int | None, rules: DisclosureRules) -> int | None:
    """One count on its own: ``None`` if it is suppressed (1 to the threshold), else rounded to the base."""
    if value is None or pd.isna(value):
        return None
    v = int(value)
    if rules.is_primary([v])[0]:
        return None
    return int(round_to_base([v], rules.rounding_base)[0])


def protect_text(text: str, rules: DisclosureRules) -> str:
    """A note or sentence as released: one that states counts (:class:`CountedText`) is written again with each
    count protected; any other text is returned as it is."""
    if isinstance(text, CountedText):
        return text.released(lambda v: protect_count(v, rules))
    return str(text)
