"""The result object every impact-evaluation design returns, and its plain-English sentence.

An :class:`EffectEstimate` carries the estimate, its confidence interval, the p-value, the method, the
parameters, the seed, the data versions the caller says it read, a citation, and the assumption checks
that were run. ``plain_english()`` turns it into one sentence a board member can read. The sentence says
"no detectable effect" whenever the confidence interval includes no effect: a null is never called a
reduction (Altman & Bland 1995, "Absence of evidence is not evidence of absence", BMJ 311:485).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from vrhub.domain.errors import (
    EvaluationInputError as EvaluationInputError,  # re-exported: the tree is in domain.errors
)

Scale = Literal["ratio", "difference", "odds_ratio"]
"""``ratio``: rate ratio (1 = no effect, shown as % change); ``difference``: absolute difference
(0 = no effect); ``odds_ratio``: odds ratio (1 = no effect)."""


@dataclass(frozen=True)
class AssumptionCheck:
    """One assumption of a design, checked on the data where that is possible.

    ``passed`` is ``None`` when the assumption cannot be tested from the data (it is then stated, not checked).
    """

    name: str
    passed: bool | None
    detail: str


@dataclass(frozen=True)
class EffectSize:
    """A standardised effect size (Cohen's d_z, rank-biserial r, ...) with its confidence interval."""

    name: str
    value: float
    ci_low: float
    ci_high: float
    method: str = ""


@dataclass(frozen=True)
class EffectEstimate:
    """An estimated effect of an intervention, with everything needed to reproduce and explain it."""

    method: str
    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    scale: Scale
    citation: str
    outcome_label: str = "violent crimes"
    intervention_label: str = "the intervention"
    comparison_label: str = "what would have been expected without it"
    unit_label: str = ""
    confidence_level: float = 0.95
    parameters: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    data_versions: tuple[str, ...] = ()
    assumptions: tuple[AssumptionCheck, ...] = ()
    effect_size: EffectSize | None = None
    notes: tuple[str, ...] = ()

    # -- derived -----------------------------------------------------------------------------------------
    @property
    def null_value(self) -> float:
        """The value that means "no effect" on this scale."""
        return 0.0 if self.scale == "difference" else 1.0

    @property
    def percent_change(self) -> float | None:
        """The estimate as a percentage change (ratio scales only): 0.8 → -20.0."""
        return (self.estimate - 1.0) * 100.0 if self.scale == "ratio" else None

    @property
    def percent_ci(self) -> tuple[float, float] | None:
        if self.scale != "ratio":
            return None
        return ((self.ci_low - 1.0) * 100.0, (self.ci_high - 1.0) * 100.0)

    @property
    def detected(self) -> bool:
        """True when the confidence interval excludes "no effect"."""
        lo, hi = self.ci_low, self.ci_high
        if math.isnan(lo) or math.isnan(hi):
            return False
        return not (lo <= self.null_value <= hi)

    @property
    def failed_assumptions(self) -> tuple[AssumptionCheck, ...]:
        return tuple(a for a in self.assumptions if a.passed is False)

    # -- outputs -----------------------------------------------------------------------------------------
    def plain_english(self) -> str:
        """One or two sentences for a board member, with the caveats of any failed assumption check."""
        level = f"{round(self.confidence_level * 100)}%"
        p = format_p(self.p_value)
        if self.scale == "ratio":
            point = ratio_phrase(self.estimate)
            interval = f"from {ratio_phrase(self.ci_low)} to {ratio_phrase(self.ci_high)}"
        elif self.scale == "odds_ratio":
            point = (
                "an unbounded odds ratio (nobody moved the other way)"
                if math.isinf(self.estimate)
                else f"an odds ratio of {format_number(self.estimate)}"
            )
            interval = f"from {format_number(self.ci_low)} to {format_number(self.ci_high)}"
        else:
            point = difference_phrase(self.estimate, self.unit_label)
            interval = (
                f"from {difference_phrase(self.ci_low, self.unit_label)} "
                f"to {difference_phrase(self.ci_high, self.unit_label)}"
            )
        if self.detected:
            if self.scale == "ratio":
                text = (
                    f"After {self.intervention_label} there were an estimated {point} {self.outcome_label} "
                    f"than {self.comparison_label} ({level} confidence interval {interval}; {p}), "
                    "so the change is unlikely to be chance alone."
                )
            elif self.scale == "odds_ratio":
                likelier = "more" if self.estimate > 1 else "less"
                text = (
                    f"After {self.intervention_label}, people were {likelier} likely to move towards "
                    f"{self.outcome_label} than away from it ({point}; {level} confidence interval {interval}; "
                    f"{p}), so the change is unlikely to be chance alone."
                )
            else:
                text = (
                    f"After {self.intervention_label}, {self.outcome_label} showed {point} "
                    f"compared with {self.comparison_label} ({level} confidence interval {interval}; {p}), "
                    "so the change is unlikely to be chance alone."
                )
        elif math.isnan(self.ci_low) or math.isnan(self.ci_high):
            # an empty confidence set (e.g. a placebo test that rejects every constant effect size)
            text = (
                f"No effect of {self.intervention_label} on {self.outcome_label} can be stated: the best "
                f"estimate is {point}, but no effect size of the form this method tests fits the data at "
                f"{level} confidence ({p}), so no interval can be given; look at the chart of the series."
            )
        else:
            text = (
                f"No detectable effect of {self.intervention_label} on {self.outcome_label}: "
                f"the best estimate is {point}, but the {level} confidence interval runs {interval}, "
                f"which includes no change ({p})."
            )
        cautions = [a.detail for a in self.failed_assumptions]
        if cautions:
            text += " Caution: " + " ".join(cautions)
        return text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (the report and the API serialise this)."""
        out = asdict(self)
        out["percent_change"] = self.percent_change
        out["percent_ci"] = self.percent_ci
        out["detected"] = self.detected
        out["plain_english"] = self.plain_english()
        return out


# -- wording helpers (shared with the value-for-money results) ----------------------------------------------
def format_p(p: float) -> str:
    if math.isnan(p):
        return "p not available"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"


def format_number(x: float) -> str:
    if math.isinf(x):
        return "unbounded"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.2f}"


def ratio_phrase(ratio: float, more: str = "more", fewer: str = "fewer") -> str:
    """0.8 → "20% fewer"; 1.05 → "5% more"; inf → "an unbounded increase"."""
    if math.isinf(ratio):
        return "an unbounded increase"
    if ratio <= 0:
        return f"100% {fewer}"
    pct = (ratio - 1.0) * 100.0
    if abs(pct) < 0.5:
        return "no change"
    shown = f"{abs(pct):.0f}%"
    return f"{shown} {more}" if pct > 0 else f"{shown} {fewer}"


def difference_phrase(diff: float, unit: str = "") -> str:
    if math.isinf(diff):
        return "unbounded"
    unit = f" {unit}" if unit else ""
    if abs(diff) < 0.005:
        return "no change"
    direction = "a rise" if diff > 0 else "a fall"
    return f"{direction} of {abs(diff):.2f}{unit}"
