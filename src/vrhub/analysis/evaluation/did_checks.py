"""The difference-in-differences design's event study and pre-trend test results, and its assumption checks in
words: what :mod:`.difference_in_differences` reports beside its estimate (the method and its citations are in
that module's docstring). Parallel trends: Roth J (2022) AER: Insights 4:305-322; inference with few treated
areas: Conley TG & Taber CR (2011) Rev Econ Stat 93:113-125, MacKinnon JG & Webb MD (2017) J Applied Econometrics
32:233-254; Cameron AC & Miller DL (2015) J Human Resources 50:317-372.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from vrhub.analysis.evaluation.result import AssumptionCheck, Scale, format_p

MIN_CLUSTERS = 20
MIN_COMPARISON = 10  # below this the placebo t has few degrees of freedom and intervals are wide

Model = Literal["poisson", "linear_rate"]


@dataclass(frozen=True)
class PreTrendTest:
    """Joint test that all pre-period leads are zero: an F statistic, its degrees of freedom and p-value.

    By default (``method`` names it) two tests on the placebo covariance, combined by Bonferroni into
    ``p_value``: Hotelling's T² that every lead is zero (``statistic``, F with ``(df_num, df_den)`` degrees of
    freedom, ``joint_p_value``) and a linear slope through the leads (``slope`` per month, ``slope_p_value``).
    With too few comparison areas for placebo fits: the cluster-robust Wald F.
    """

    statistic: float
    df_num: int
    df_den: int
    p_value: float
    leads: tuple[int, ...]
    method: str = "Hotelling T² and linear slope on placebo estimates, Bonferroni"
    joint_p_value: float | None = None
    slope: float | None = None
    slope_p_value: float | None = None


@dataclass(frozen=True)
class EventStudy:
    """Effect by month relative to the start; ``table`` has one row per event time (reference -1 = 0)."""

    table: pd.DataFrame
    pretrend: PreTrendTest | None
    scale: Scale
    confidence_level: float
    reference_period: int = -1
    inference: str = "placebo"  # or "cluster" (too few comparison areas for placebo fits)

    def chart(self, title: str = "Treated minus comparison areas, by month from the start") -> Any:
        """An Altair chart spec of the event study (see :mod:`vrhub.analysis.evaluation.charts`)."""
        from vrhub.analysis.evaluation.charts import event_study_chart

        return event_study_chart(self, title=title)

    def to_svg(self, title: str = "Treated minus comparison areas, by month from the start") -> str:
        """The chart rendered to SVG text offline with vl-convert (the caller decides where to save it)."""
        from vrhub.analysis.evaluation.charts import chart_to_svg

        return chart_to_svg(self.chart(title=title))



def assumption_checks(
    *, n_clusters: int, n_treated: int, n_comparison: int, placebo_areas: int | None,
    event_study: EventStudy | None, dispersion: float | None, model: Model
) -> tuple[AssumptionCheck, ...]:
    """The design's assumption checks, in words (``placebo_areas``: placebo fits used, ``None`` without them;
    ``dispersion`` ``None`` leaves its number out, as a release does)."""
    checks = [_parallel_trends_check(event_study, placebo_areas)]
    if placebo_areas is not None:
        checks.append(
            AssumptionCheck(
                "inference that holds with few treated areas",
                True,
                f"Intervals and tests come from placebo fits, each of {placebo_areas} comparison areas called "
                f"treated in turn, with t on {placebo_areas - 1} degrees of freedom: valid with {n_treated} treated "
                "area(s) when areas vary alike (Conley & Taber 2011); area-clustered errors would be too narrow "
                "(MacKinnon & Webb 2017).",
            )
        )
        checks.append(
            AssumptionCheck(
                "enough comparison areas",
                n_comparison >= MIN_COMPARISON,
                f"{n_comparison} comparison areas."
                if n_comparison >= MIN_COMPARISON
                else f"Only {n_comparison} comparison areas: the placebo spread is estimated from few areas, so the "
                "interval is honest but wide.",
            )
        )
    else:
        checks.append(
            AssumptionCheck(
                "inference that holds with few treated areas",
                n_clusters >= MIN_CLUSTERS and n_treated >= 10,
                f"Only {n_comparison} comparison area(s): too few for placebo inference, so area-clustered errors "
                f"are used ({n_clusters} areas, {n_treated} treated); they can be far too narrow with few treated "
                "areas (MacKinnon & Webb 2017; Cameron & Miller 2015).",
            )
        )
    if model == "poisson":
        how_much = "more than" if dispersion is None else f"{dispersion:.1f} times as much as"
        checks.append(
            AssumptionCheck(
                "overdispersion handled",
                True,
                f"Monthly counts vary {how_much} a Poisson model expects; the placebo inference allows for this.",
            )
        )
    checks.append(
        AssumptionCheck(
            "no spill-over and no anticipation",
            None,
            "Assumed, not testable here: the intervention did not change violence in the comparison areas, and "
            "nothing changed in treated areas before the start.",
        )
    )
    return tuple(checks)


def _pretrend_words(pt: PreTrendTest) -> str:
    if pt.slope is not None and pt.joint_p_value is not None:
        return f"joint test of {len(pt.leads)} leads and of their slope"
    if pt.slope is not None:
        return f"test of a slope through {len(pt.leads)} leads"
    return f"joint test of {len(pt.leads)} leads"


def _parallel_trends_check(event_study: EventStudy | None, placebo_areas: int | None) -> AssumptionCheck:
    """The pre-trend test's verdict in words (or why it was not run)."""
    if event_study is None or event_study.pretrend is None:
        too_few = event_study is not None and placebo_areas is not None
        return AssumptionCheck(
            "parallel trends",
            None,
            ("Parallel trends were not tested: too few comparison areas for a joint test of every lead; "
             if too_few else "Parallel trends were not tested (no event study); ")
            + "the estimate assumes treated and comparison areas would have changed alike without the intervention.",
        )
    pt = event_study.pretrend
    if pt.p_value >= 0.05:
        return AssumptionCheck(
            "parallel trends before the start", True,
            f"Before the start, the treated and comparison areas showed no detectable difference in trend "
            f"({_pretrend_words(pt)}, {format_p(pt.p_value)}); this supports, but cannot prove, that they would have "
            "stayed in step.")
    return AssumptionCheck(
        "parallel trends before the start", False,
        f"The treated and comparison areas were already moving differently before the start "
        f"({_pretrend_words(pt)}, {format_p(pt.p_value)}), so the estimate may be biased; try better-matched "
        "comparison areas.")
