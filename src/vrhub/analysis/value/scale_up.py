"""Scale-up projections: the same programme in more districts or for more participants.

Each scenario is appraised with :func:`~vrhub.analysis.value.cost_effectiveness.cost_effectiveness`, using the
same seed for every scenario (common random numbers), so differences between scenarios are not simulation
noise. The assumptions behind the projection are listed with the result, as the Green Book asks of any
appraisal (HM Treasury 2022, §5 and Annex A).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from vrhub.analysis.value.cost_effectiveness import (
    CostEffectivenessResult,
    EffectInput,
    cost_effectiveness,
)
from vrhub.analysis.value.prices import Money, ValueInputError, format_gbp
from vrhub.analysis.value.unit_costs import UnitCostTable


@dataclass(frozen=True)
class ScaleUpScenario:
    """A delivery option: how many districts, how many participants in each, and what it costs."""

    name: str
    districts: int
    participants_per_district: int
    cost_per_participant: Money
    fixed_cost_per_district: Money | None = None

    @property
    def participants(self) -> int:
        return self.districts * self.participants_per_district

    @property
    def total_cost(self) -> Money:
        variable = self.cost_per_participant * self.participants
        if self.fixed_cost_per_district is None:
            return variable
        return variable + self.fixed_cost_per_district * self.districts


@dataclass(frozen=True)
class ScaleUpProjection:
    scenarios: tuple[ScaleUpScenario, ...]
    results: tuple[CostEffectivenessResult, ...]
    assumptions: tuple[str, ...]
    seed: int

    def table(self) -> pd.DataFrame:
        """One row per scenario: participants, cost, offences prevented, benefit and BCR with intervals."""
        rows = []
        for s, r in zip(self.scenarios, self.results, strict=True):
            rows.append(
                {
                    "scenario": s.name,
                    "districts": s.districts,
                    "participants": s.participants,
                    "cost": r.programme_cost.amount,
                    "offences_prevented": r.offences_prevented.central,
                    "offences_prevented_low": r.offences_prevented.low,
                    "offences_prevented_high": r.offences_prevented.high,
                    "benefit": r.benefit.central,
                    "bcr": r.benefit_cost_ratio.central,
                    "bcr_low": r.benefit_cost_ratio.low,
                    "bcr_high": r.benefit_cost_ratio.high,
                    "p_benefit_exceeds_cost": r.probability_benefit_exceeds_cost,
                }
            )
        return pd.DataFrame(rows)

    def plain_english(self) -> str:
        parts = []
        for s, r in zip(self.scenarios, self.results, strict=True):
            o, b = r.offences_prevented, r.benefit_cost_ratio
            parts.append(
                f"{s.name}: {s.participants:,} participants in {s.districts} district(s) for "
                f"{format_gbp(r.programme_cost.amount)}, preventing about {o.central:,.0f} offences "
                f"(interval {o.low:,.0f} to {o.high:,.0f}) and returning £{b.central:.2f} per £1 "
                f"(interval £{b.low:.2f} to £{b.high:.2f})."
            )
        label = self.results[0].evidence_label if self.results else ""
        return " ".join(parts) + f" Effect size: {label}. These projections rest on the listed assumptions."

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenarios": self.table().to_dict(orient="records"),
            "results": [r.to_dict() for r in self.results],
            "assumptions": list(self.assumptions),
            "seed": self.seed,
            "plain_english": self.plain_english(),
        }


def project_scale_up(
    *,
    scenarios: Sequence[ScaleUpScenario],
    baseline_offences_per_participant: Mapping[str, float],
    effect: EffectInput,
    unit_costs: UnitCostTable | None = None,
    effect_retention: float = 1.0,
    n_draws: int = 10_000,
    seed: int = 0,
    interval_level: float = 0.95,
    data_versions: Sequence[str] = (),
    programme_label: str = "the programme",
) -> ScaleUpProjection:
    """Appraise each scenario. ``baseline_offences_per_participant`` is the expected number of offences of each
    category per participant over the appraisal period without the programme."""
    if not scenarios:
        raise ValueInputError("no scenarios given", "pass at least one ScaleUpScenario (e.g. the current service)")
    years = {s.cost_per_participant.price_year for s in scenarios}
    if len(years) != 1:
        raise ValueInputError(
            f"the scenarios' costs are in different price years ({sorted(years)})",
            "rebase every cost to one financial year first",
        )
    per_participant = ", ".join(f"{k}: {v:g}" for k, v in baseline_offences_per_participant.items())
    assumptions = [
        f"New participants would offend as much without the programme as current ones ({per_participant} "
        "per participant over the appraisal period).",
        "The programme works as well at scale as where it was evaluated"
        + (f", keeping {effect_retention:.0%} of its effect." if effect_retention < 1 else "."),
        "Costs are a fixed amount per district plus a fixed amount per participant, with no other economies "
        "or diseconomies of scale.",
        "Enough suitable staff and referrals exist in the new districts to reach the planned participants.",
    ]
    results = []
    for s in scenarios:
        if s.participants <= 0:
            raise ValueInputError(f"scenario {s.name!r} has no participants", "set districts and participants")
        baseline = {k: v * s.participants for k, v in baseline_offences_per_participant.items()}
        results.append(
            cost_effectiveness(
                programme_cost=s.total_cost,
                baseline_offences=baseline,
                effect=effect,
                unit_costs=unit_costs,
                participants=s.participants,
                effect_retention=effect_retention,
                n_draws=n_draws,
                seed=seed,
                interval_level=interval_level,
                data_versions=data_versions,
                programme_label=f"{programme_label} ({s.name})",
            )
        )
    all_assumptions = tuple(dict.fromkeys([*assumptions, *results[0].assumptions[1:]]))
    return ScaleUpProjection(scenarios=tuple(scenarios), results=tuple(results), assumptions=all_assumptions, seed=seed)
