"""Impact evaluation: one module per design, each returning a result with ``plain_english()``.

- :func:`difference_in_differences` - area × month panel, Poisson two-way fixed effects, event study
- :func:`match_comparison_areas` - nearest-neighbour comparison areas on pre-period rate and IMD decile
- :func:`interrupted_time_series` - segmented regression with seasonality and Newey–West errors
- :func:`synthetic_control` - one treated area, placebo-in-space inference
- :func:`paired_t_change`, :func:`wilcoxon_change`, :func:`mcnemar_change` - pre/post surveys

Every result carries its estimate, confidence interval, p-value, method, parameters, seed, the data versions
the caller read, a citation and the assumption checks (see :class:`EffectEstimate`).
"""

from vrhub.analysis.evaluation.difference_in_differences import (
    DidResult,
    EventStudy,
    PreTrendTest,
    difference_in_differences,
)
from vrhub.analysis.evaluation.interrupted_time_series import ItsResult, interrupted_time_series
from vrhub.analysis.evaluation.matching import MatchResult, match_comparison_areas, pre_period_rates
from vrhub.analysis.evaluation.result import AssumptionCheck, EffectEstimate, EffectSize, EvaluationInputError
from vrhub.analysis.evaluation.survey_change import mcnemar_change, paired_t_change, wilcoxon_change
from vrhub.analysis.evaluation.synthetic_control import SyntheticControlResult, synthetic_control

__all__ = [
    "AssumptionCheck",
    "DidResult",
    "EffectEstimate",
    "EffectSize",
    "EvaluationInputError",
    "EventStudy",
    "ItsResult",
    "MatchResult",
    "PreTrendTest",
    "SyntheticControlResult",
    "difference_in_differences",
    "interrupted_time_series",
    "match_comparison_areas",
    "mcnemar_change",
    "paired_t_change",
    "pre_period_rates",
    "synthetic_control",
    "wilcoxon_change",
]
