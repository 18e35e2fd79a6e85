"""Cost per participant, cost per offence prevented and benefit–cost ratio, with Monte Carlo intervals.

Benefits are offences prevented valued at the Home Office unit costs of crime (Heeks et al. 2018), in the
same price year as the programme's cost (HM Treasury Green Book 2022: compare in real terms). Uncertainty
in the effect is carried through by simulation (Briggs, Claxton & Sculpher 2006, *Decision Modelling for
Health Economic Evaluation*, ch. 4): the rate ratio is drawn from a log-normal matching a local
evaluation's confidence interval, or from a YEF Toolkit band (labelled as a planning assumption). Draws use
``numpy.random.default_rng(seed)``, so a result is reproducible from its seed.

For the draws: reduction = retention × (1 − ratio); offences prevented = reduction × Σ baseline offences;
benefit = reduction × Σ (baseline offences × unit cost); BCR = benefit / programme cost.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from vrhub.analysis.evaluation.result import EffectEstimate
from vrhub.analysis.value.deflators import load_gdp_deflators
from vrhub.analysis.value.prices import Money, PriceYearMismatchError, ValueInputError, format_gbp
from vrhub.analysis.value.unit_costs import UnitCostTable, load_unit_costs
from vrhub.analysis.value.yef_toolkit import PLANNING_LABEL, PlanningPrior

CITATION = (
    "Unit costs: Heeks M et al. (2018) The economic and social costs of crime, 2nd ed., Home Office Research "
    "Report 99. Real terms: HM Treasury (2022) The Green Book; GDP deflators (HM Treasury). Probabilistic "
    "analysis: Briggs A, Claxton K & Sculpher M (2006) Decision Modelling for Health Economic Evaluation."
)

EffectInput = EffectEstimate | PlanningPrior


@dataclass(frozen=True)
class Interval:
    """A central value and a simulation interval (percentiles of the draws)."""

    central: float
    low: float
    high: float


@dataclass(frozen=True)
class EffectDraws:
    ratios: np.ndarray
    central_ratio: float
    evidence_label: str
    planning_assumption: bool
    locally_detected: bool | None


def effect_draws(effect: EffectInput, n: int, rng: np.random.Generator) -> EffectDraws:
    """Draws of the rate ratio (1 = no effect, 0.8 = 20% less violence) from an evaluation or a YEF prior."""
    if isinstance(effect, PlanningPrior):
        return EffectDraws(
            ratios=effect.sample_ratios(rng, n),
            central_ratio=effect.central_ratio,
            evidence_label=f"{effect.label} - {PLANNING_LABEL}",
            planning_assumption=True,
            locally_detected=None,
        )
    if not isinstance(effect, EffectEstimate):
        raise ValueInputError(
            f"effect must be an evaluation result or a YEF prior, not {type(effect).__name__}",
            "pass result.effect from an evaluation, or yef_prior('mentoring')",
        )
    if effect.scale != "ratio":
        raise ValueInputError(
            f"the evaluation's effect is on the {effect.scale} scale; offences prevented need a rate ratio",
            "use a count model (difference_in_differences(model='poisson'), interrupted_time_series or "
            "synthetic_control)",
        )
    lo, hi = effect.ci_low, effect.ci_high
    if not (0 < lo < hi < math.inf) or effect.estimate <= 0:
        raise ValueInputError(
            "the evaluation's confidence interval is unbounded, so its uncertainty cannot be simulated",
            "use an evaluation with more comparison areas, or a YEF Toolkit planning prior",
        )
    z = stats.norm.ppf(0.5 + effect.confidence_level / 2.0)
    sd = (math.log(hi) - math.log(lo)) / (2.0 * z)
    return EffectDraws(
        ratios=np.exp(rng.normal(math.log(effect.estimate), sd, size=n)),
        central_ratio=effect.estimate,
        evidence_label=f"local evaluation: {effect.method}",
        planning_assumption=False,
        locally_detected=effect.detected,
    )


@dataclass(frozen=True)
class CostEffectivenessResult:
    """Costs, offences prevented and benefits of one programme, with simulation intervals."""

    programme_label: str
    price_year: str
    programme_cost: Money
    participants: int | None
    cost_per_participant: Money | None
    offences_prevented: Interval
    benefit: Interval
    benefit_cost_ratio: Interval
    cost_per_offence_prevented: Interval
    probability_benefit_exceeds_cost: float
    probability_no_reduction: float
    evidence_label: str
    planning_assumption: bool
    locally_detected: bool | None
    assumptions: tuple[str, ...]
    parameters: dict[str, Any]
    seed: int
    n_draws: int
    interval_level: float
    data_versions: tuple[str, ...] = ()
    citation: str = CITATION
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def plain_english(self) -> str:
        level = f"{round(self.interval_level * 100)}%"
        o, b, r = self.offences_prevented, self.benefit, self.benefit_cost_ratio
        spend = (
            f"Spending {format_gbp(self.programme_cost.amount)} ({self.price_year} prices) on {self.programme_label}"
        )
        if self.participants and self.cost_per_participant is not None:
            spend += f" for {self.participants:,} people ({format_gbp(self.cost_per_participant.amount)} each)"
        if self.locally_detected is False:
            text = (
                f"{spend}: the local evaluation found no detectable effect, so the number of offences prevented "
                f"may be zero (central figure {_count(o.central)}, {level} interval {_count(o.low, o.central)} to "
                f"{_count(o.high, o.central)})."
            )
        else:
            text = (
                f"{spend} is expected to prevent about {_count(o.central)} offences ({level} interval "
                f"{_count(o.low, o.central)} to {_count(o.high, o.central)})"
            )
            text += f", worth about {format_gbp(b.central)} to society."
        text += (
            f" That is £{r.central:.2f} of benefit for every £1 spent ({level} interval £{r.low:.2f} to "
            f"£{r.high:.2f}); the chance that the benefits exceed the cost is "
            f"{self.probability_benefit_exceeds_cost:.0%}."
        )
        text += f" Effect size: {self.evidence_label}."
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "programme_label": self.programme_label,
            "price_year": self.price_year,
            "programme_cost": self.programme_cost.amount,
            "participants": self.participants,
            "cost_per_participant": None if self.cost_per_participant is None else self.cost_per_participant.amount,
            "offences_prevented": vars(self.offences_prevented),
            "benefit": vars(self.benefit),
            "benefit_cost_ratio": vars(self.benefit_cost_ratio),
            "cost_per_offence_prevented": vars(self.cost_per_offence_prevented),
            "probability_benefit_exceeds_cost": self.probability_benefit_exceeds_cost,
            "probability_no_reduction": self.probability_no_reduction,
            "evidence_label": self.evidence_label,
            "planning_assumption": self.planning_assumption,
            "assumptions": list(self.assumptions),
            "parameters": self.parameters,
            "seed": self.seed,
            "n_draws": self.n_draws,
            "interval_level": self.interval_level,
            "data_versions": list(self.data_versions),
            "citation": self.citation,
            "plain_english": self.plain_english(),
        }


def _count(x: float, like: float | None = None) -> str:
    """Offence counts: one decimal when the (central) figure is below 10, whole numbers otherwise."""
    if math.isinf(x):
        return "unbounded"
    ref = x if like is None else like
    return f"{x:,.1f}" if abs(ref) < 10 else f"{x:,.0f}"


def cost_per_participant(total_cost: Money, participants: int) -> Money:
    """Programme cost divided by the number of people who took part."""
    if participants <= 0:
        raise ValueInputError("participants must be at least 1", "give the number of people who took part")
    return total_cost / participants  # type: ignore[return-value]


def resolve_unit_costs(unit_costs: UnitCostTable | None, price_year: str) -> tuple[UnitCostTable, str | None]:
    """The unit costs in ``price_year``: the shipped table is rebased; a table given in another year is refused."""
    if unit_costs is None:
        base = load_unit_costs()
        if base.price_year == price_year:
            return base, None
        deflators = load_gdp_deflators()
        note = (
            f"Home Office unit costs of crime rebased from {base.price_year} to {price_year} prices with "
            f"{deflators.edition}" + (" (an OBR forecast year)" if deflators.is_forecast(price_year) else "") + "."
        )
        return base.rebased(price_year, deflators), note
    if unit_costs.price_year != price_year:
        raise PriceYearMismatchError(
            f"the programme cost is in {price_year} prices but the unit costs are in {unit_costs.price_year} prices",
            f"rebase one of them first: unit_costs.rebased('{price_year}') or rebase(cost, '{unit_costs.price_year}')",
        )
    return unit_costs, None


def cost_effectiveness(
    *,
    programme_cost: Money,
    baseline_offences: Mapping[str, float],
    effect: EffectInput,
    unit_costs: UnitCostTable | None = None,
    participants: int | None = None,
    effect_retention: float = 1.0,
    n_draws: int = 10_000,
    seed: int = 0,
    interval_level: float = 0.95,
    data_versions: Sequence[str] = (),
    programme_label: str = "the programme",
    extra_assumptions: Sequence[str] = (),
) -> CostEffectivenessResult:
    """Value for money of a programme.

    ``baseline_offences`` maps unit-cost categories (e.g. ``"violence_with_injury"``) to the number of those
    offences expected over the appraisal period *without* the programme (among participants, or in the
    area). ``effect`` is an evaluation's ratio-scale :class:`EffectEstimate` or a YEF :class:`PlanningPrior`.
    ``effect_retention`` scales the reduction (1 = as evaluated; 0.5 = half as effective).
    """
    if not baseline_offences:
        raise ValueInputError("no baseline offences given", "pass e.g. {'violence_with_injury': 40}")
    bad = {k: v for k, v in baseline_offences.items() if not (v >= 0 and math.isfinite(v))}
    if bad:
        raise ValueInputError(f"baseline offence counts must be 0 or more: {bad}", "check the counts")
    if programme_cost.amount <= 0:
        raise ValueInputError("the programme cost must be more than £0", "give the full cost of the programme")
    if not 0.0 <= effect_retention <= 1.0:
        raise ValueInputError("effect_retention must be between 0 and 1", "use 1 for 'as evaluated'")
    if n_draws < 100:
        raise ValueInputError("n_draws must be at least 100", "use the default, 10,000")
    table, rebase_note = resolve_unit_costs(unit_costs, programme_cost.price_year)
    value_of_baseline = sum(
        (table.cost(cat) * count for cat, count in baseline_offences.items()), Money(0.0, table.price_year)
    )
    total_baseline = float(sum(baseline_offences.values()))

    rng = np.random.default_rng(seed)
    draws = effect_draws(effect, n_draws, rng)
    reduction = effect_retention * (1.0 - draws.ratios)
    central_reduction = effect_retention * (1.0 - draws.central_ratio)
    cost = programme_cost.amount

    prevented = reduction * total_baseline
    benefit = reduction * value_of_baseline.amount
    bcr = benefit / cost
    with np.errstate(divide="ignore"):
        cpo = np.where(prevented > 0, cost / np.where(prevented > 0, prevented, 1.0), np.inf)
    lo_q, hi_q = 50 * (1 - interval_level), 50 * (1 + interval_level)

    def interval(values: np.ndarray, central: float) -> Interval:
        # no interpolation when some draws are infinite (no offences prevented), to avoid inf - inf
        method = "linear" if np.isfinite(values).all() else "inverted_cdf"
        low, high = np.percentile(values, [lo_q, hi_q], method=method)
        return Interval(central=float(central), low=float(low), high=float(high))

    central_prevented = central_reduction * total_baseline
    assumptions = [
        f"Without {programme_label}, {total_baseline:,.1f} offences would be expected over the appraisal period "
        f"({', '.join(f'{k}: {v:,.1f}' for k, v in baseline_offences.items())}).",
        f"Each offence prevented is valued at the Home Office average unit cost for its category "
        f"({table.price_year} prices); the value includes costs to victims, services and the public.",
        "No displacement of violence to other places or people, and no diffusion of benefits beyond them.",
        "Costs and benefits fall in the same year; over several years, discount at the Green Book rate "
        "(3.5% a year) before comparing.",
    ]
    if effect_retention < 1.0:
        assumptions.append(f"The programme keeps {effect_retention:.0%} of its evaluated effect.")
    if rebase_note:
        assumptions.append(rebase_note)
    assumptions.append(f"Effect size: {draws.evidence_label}.")
    assumptions.extend(extra_assumptions)
    return CostEffectivenessResult(
        programme_label=programme_label,
        price_year=programme_cost.price_year,
        programme_cost=programme_cost,
        participants=participants,
        cost_per_participant=cost_per_participant(programme_cost, participants) if participants else None,
        offences_prevented=interval(prevented, central_prevented),
        benefit=interval(benefit, central_reduction * value_of_baseline.amount),
        benefit_cost_ratio=interval(bcr, central_reduction * value_of_baseline.amount / cost),
        cost_per_offence_prevented=interval(cpo, cost / central_prevented if central_prevented > 0 else math.inf),
        probability_benefit_exceeds_cost=float((bcr > 1.0).mean()),
        probability_no_reduction=float((reduction <= 0).mean()),
        evidence_label=draws.evidence_label,
        planning_assumption=draws.planning_assumption,
        locally_detected=draws.locally_detected,
        assumptions=tuple(assumptions),
        parameters={
            "baseline_offences": dict(baseline_offences),
            "value_of_baseline_offences": value_of_baseline.amount,
            "central_rate_ratio": draws.central_ratio,
            "effect_retention": effect_retention,
            "unit_costs": table.citation + (f" {table.rebased_with}" if table.rebased_with else ""),
        },
        seed=seed,
        n_draws=n_draws,
        interval_level=interval_level,
        data_versions=tuple(data_versions),
    )
