"""The value-for-money sheet of a commissioned service: what can be said from the register, returns and evidence.

Cost comes from the register's funding lines (rebased to one price year with the HM Treasury GDP deflators);
participants from the caller or the providers' returns (young people reached or engaged); the effect from the
caller's ``effect_prior`` or the YEF Toolkit approach/band the register links to the service - always labelled
"planning assumption from the YEF Toolkit, not a local evaluation". Offences prevented and the benefit–cost
ratio need the offences expected without the service (``baseline_offences``); without it the sheet gives the
break-even number instead: how many offences the people served would have to commit without the service for its
benefits to equal its cost (cost / (reduction × unit cost)), with the same Monte Carlo draws.

A sheet is produced for every service in the register, saying what is missing rather than stopping:

- funding not stated → no cost, cost per participant or break-even count; the sheet gives the value of the
  violence the service would prevent per offence its participants would otherwise commit (reduction × unit cost),
  the most it could cost per such offence and still pay for itself;
- no usable YEF band (e.g. "insufficient evidence", or a Crime Reduction Toolkit entry only) → the break-even
  figures under each YEF band (low, moderate, high) as labelled planning scenarios, never as the service's effect.

No local impact evaluation is stored against a service yet, so ``local_evaluation`` is always ``None`` and the
sheet says the effect is a planning assumption. Method and sources: docs/methods/value-for-money.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from vrhub.analysis.value.cost_effectiveness import cost_effectiveness
from vrhub.analysis.value.deflators import rebase
from vrhub.analysis.value.prices import Money, financial_year, format_gbp, total
from vrhub.analysis.value.unit_costs import load_unit_costs
from vrhub.analysis.value.yef_toolkit import PLANNING_LABEL, PlanningPrior, yef_prior
from vrhub.domain.errors import VrhubError
from vrhub.domain.labels import notice

if TYPE_CHECKING:
    from vrhub.store.workspace import Workspace

PARTICIPANT_MEASURES = ("young_people_reached", "young_people_engaged")
SCENARIO_BANDS = ("low", "moderate", "high")
NO_LOCAL_EVALUATION = ("No local impact evaluation is recorded for this service, so its effect is a planning "
                       "assumption from the YEF Toolkit, not a measured result.")
NO_EVIDENCE = ("No local impact evaluation is recorded for this service and the register gives it no YEF Toolkit "
               "band, so no effect size is assumed: the scenarios show what each band would mean.")


def value_sheet(
    ws: Workspace, service: str, *, year: str = "2024/25", effect_prior: str | None = None,
    participants: int | None = None, baseline_offences: float | None = None,
    baseline_category: str = "violence_with_injury", seed: int = 0, n_draws: int = 10_000,
) -> dict[str, Any]:
    """The value-for-money sheet as a JSON-ready dictionary (see the module docstring).

    Raises :class:`VrhubError` only for a service not in the register (or an unknown prior or category).
    """
    from vrhub.governance.commissioning import register_in_force

    price_year = financial_year(year)
    reg = register_in_force(ws)
    s = reg.service(service)
    if s is None:
        raise VrhubError(f"no service {service!r} in the register in force",
                         f"use one of: {', '.join(x.key for x in reg.services)} (see 'vrhub services list')")
    assumptions: list[str] = []
    missing: list[str] = []
    lines = [f for f in s.funding if f.amount is not None]
    cost: Money | None = None
    if lines:
        amounts = []
        for f in lines:
            fy = f.financial_year or price_year
            if f.financial_year is None:
                assumptions.append(f"The register does not state the financial year of the "
                                   f"{format_gbp(f.amount or 0)} ({f.source}); it is taken to be in {price_year} "
                                   "prices.")
            amounts.append(rebase(Money(f.amount or 0.0, fy), price_year) if fy != price_year
                           else Money(f.amount or 0.0, fy))
            if f.note:
                assumptions.append(f"Funding note from the register: {f.note}")
        cost = total(amounts)
    else:
        missing.append(f"The register does not state the funding of {s.name}: cost, cost per participant and the "
                       "break-even number need it (add 'amount' and 'financial_year' to the service's funding in the "
                       "register YAML and load it with 'vrhub services import FILE').")

    key = effect_prior or next((k for e in s.evidence if (k := e.planning_prior_key())), None)
    prior = yef_prior(key) if key else None
    if prior is not None and effect_prior is None:
        fit = next((e.fit for e in s.evidence if e.planning_prior_key() == key and e.fit), "")
        assumptions.append(f"Effect prior '{key}' taken from the register's evidence" + (f" ({fit})." if fit else "."))
    evidence = [_evidence_text(e) for e in s.evidence]
    if prior is None:
        missing.append(f"The register links {s.name} to no YEF Toolkit approach with a usable band ("
                       + ("; ".join(evidence) or "no evidence recorded")
                       + "): the sheet gives scenarios for each YEF band, not the service's effect; give "
                       "--effect-prior to plan with one, or evaluate the service locally with 'vrhub evaluate'.")

    source = "given with --participants"
    synthetic = False
    if participants is None:
        from vrhub.governance.returns import returns_in_force

        rets = [r for r in returns_in_force(ws, s.key) if r.measure in PARTICIPANT_MEASURES]
        if rets:
            participants = sum(r.value for r in rets)
            synthetic = any(r.synthetic for r in rets)
            floors = [r for r in rets if r.qualifier]
            source = f"{len(rets)} provider return(s), {min(r.period_start for r in rets)} to " \
                     f"{max(r.period_end for r in rets)}" + (" (some give a floor, e.g. 'more than')" if floors else "")
            assumptions.append(f"Participants: {participants:,} young people from the providers' returns ({source}); "
                               "the returns' periods may not match the funded period.")
        else:
            source = "not known"
            missing.append("No participants: no providers' returns give young people reached or engaged (load them "
                           "with 'vrhub services returns FILE', or give --participants N).")
    cpp = None if not participants or cost is None else cost.amount / participants

    table = load_unit_costs()
    table = table if table.price_year == price_year else table.rebased(price_year)
    unit = table.cost(baseline_category)
    offence_label = table.entries[baseline_category].label.lower()
    sheet: dict[str, Any] = {
        "notice": notice(demo=reg.demo, synthetic=synthetic, what="services register"), "demo": reg.demo,
        "synthetic": synthetic, "service": s.key, "name": s.name, "price_year": price_year,
        "programme_cost": None if cost is None else cost.amount,
        "funding_lines": [{"source": f.source, "amount": f.amount, "financial_year": f.financial_year or "not stated"}
                          for f in s.funding],
        "participants": participants, "participants_source": source, "cost_per_participant": cpp,
        "evidence": evidence, "local_evaluation": None, "planning_assumption": True,
        "baseline_category": baseline_category, "unit_cost": unit.amount, "seed": seed, "n_draws": n_draws,
        "effect_prior": key, "effect_prior_description": None if prior is None else prior.describe(),
        "evidence_label": PLANNING_LABEL if prior is None else f"{prior.label} - {PLANNING_LABEL}",
        "break_even_offences": None, "value_per_expected_offence": None, "scenarios": None,
        "offences_prevented": None, "benefit_cost_ratio": None, "missing": missing,
    }
    spend = f"{s.name} costs {format_gbp(cost.amount)} ({price_year} prices)" if cost is not None else \
        f"The register does not state what {s.name} costs"
    if cost is not None:
        counted = " (counted from SYNTHETIC providers' returns)" if synthetic else ""
        spend += f", {format_gbp(cpp)} for each of {participants:,} participants{counted}." if cpp else \
            "; cost per participant is not available (no participants given or returned: use --participants N)."
    else:
        spend += "."
    rng = np.random.default_rng(seed)

    if prior is None:  # scenarios under each band, clearly not the service's effect
        sheet["scenarios"] = [_scenario(yef_prior(b), cost, unit, np.random.default_rng(seed), n_draws)
                              for b in SCENARIO_BANDS]
        parts = []
        for sc in sheet["scenarios"]:
            if sc["break_even_offences"] is not None:
                parts.append(f"{sc['label']}: {sc['break_even_offences']['central']:,.0f} {offence_label} offences")
            else:
                parts.append(f"{sc['label']}: {format_gbp(sc['value_per_expected_offence'])}")
        sheet["plain_english"] = (
            f"{spend} No YEF Toolkit band fits it in the register, so vrhub does not assume an effect. "
            + ("To pay for itself, the people it serves would have to commit, without it, at least: "
               if cost is not None else f"Preventing violence is worth, for each {offence_label} offence the people "
               "it serves would otherwise commit: ")
            + "; ".join(parts) + f" (planning scenarios, {PLANNING_LABEL}). {NO_EVIDENCE}")
        sheet["assumptions"] = [*assumptions, NO_EVIDENCE,
                                "Scenario effects: the YEF Toolkit bands (low 2-9%, moderate 10-30%, high 30% or "
                                "more less violence), not evidence about this service."]
        return sheet

    reductions = 1.0 - prior.sample_ratios(rng, n_draws)
    value_per = _interval(reductions * unit.amount, prior.reduction_central * unit.amount)
    sheet["value_per_expected_offence"] = value_per
    label = sheet["evidence_label"]
    if cost is None:
        spread = "" if value_per["low"] == value_per["high"] else \
            f" (95% interval {format_gbp(value_per['low'])} to {format_gbp(value_per['high'])})"
        sheet["plain_english"] = (
            f"{spend} Assuming {prior.describe()}, preventing violence among the people it serves is worth "
            f"{format_gbp(value_per['central'])}{spread} for each {offence_label} offence they would otherwise "
            f"commit: the most it could cost per such offence and still pay for itself. {NO_LOCAL_EVALUATION}")
        sheet["assumptions"] = [*assumptions, f"Effect size: {label}.", NO_LOCAL_EVALUATION]
        return sheet

    with np.errstate(divide="ignore"):
        breakeven = cost.amount / (reductions * unit.amount)
    central_be = cost.amount / (prior.reduction_central * unit.amount)
    sheet["break_even_offences"] = _interval(breakeven, central_be)
    lo, hi = sheet["break_even_offences"]["low"], sheet["break_even_offences"]["high"]
    breakeven_text = (
        f" It pays for itself if, without it, the people it serves would commit at least {central_be:,.0f} "
        f"{offence_label} offences (95% interval {lo:,.0f} to {hi:,.0f}), assuming {prior.describe()}."
    )
    if baseline_offences is None:
        sheet["assumptions"] = [
            *assumptions, f"Effect size: {label}.",
            "Offences prevented and the benefit–cost ratio need the offences expected without the service: "
            "give --baseline-offences N (and --baseline-category).", NO_LOCAL_EVALUATION,
        ]
        sheet["plain_english"] = spend + breakeven_text + " " + NO_LOCAL_EVALUATION
        return sheet
    res = cost_effectiveness(
        programme_cost=cost, baseline_offences={baseline_category: baseline_offences}, effect=prior,
        participants=participants, n_draws=n_draws, seed=seed, programme_label=s.name,
        extra_assumptions=assumptions, data_versions=(f"register:{reg.sha256[:12]}",),
    )
    d = res.to_dict()
    sheet |= {k: d[k] for k in ("offences_prevented", "benefit", "benefit_cost_ratio", "cost_per_offence_prevented",
                                "probability_benefit_exceeds_cost", "assumptions", "citation", "data_versions")}
    sheet["assumptions"] = [*sheet["assumptions"], NO_LOCAL_EVALUATION]
    sheet["plain_english"] = res.plain_english() + breakeven_text + " " + NO_LOCAL_EVALUATION
    return sheet


def _interval(draws: np.ndarray, central: float) -> dict[str, float]:
    lo, hi = np.percentile(draws, [2.5, 97.5])
    return {"central": float(central), "low": float(lo), "high": float(hi)}


def _scenario(prior: PlanningPrior, cost: Money | None, unit: Money, rng: np.random.Generator,
              n_draws: int) -> dict[str, Any]:
    """Break-even offences (with a cost) or value per expected offence (without) under one YEF band."""
    reductions = 1.0 - prior.sample_ratios(rng, n_draws)
    out: dict[str, Any] = {"band": prior.key, "label": prior.label, "description": prior.describe(),
                           "value_per_expected_offence": prior.reduction_central * unit.amount,
                           "break_even_offences": None}
    if cost is not None:
        out["break_even_offences"] = _interval(cost.amount / (reductions * unit.amount),
                                               cost.amount / (prior.reduction_central * unit.amount))
    return out


def _evidence_text(e: Any) -> str:
    parts = []
    if e.yef_approach:
        parts.append(f"YEF Toolkit: {e.yef_approach}" + (f" ({e.yef_band})" if e.yef_band else " (band not recorded)"))
    if e.crime_reduction_toolkit:
        parts.append(f"College of Policing Crime Reduction Toolkit: {e.crime_reduction_toolkit}")
    return ", ".join(parts) or "not recorded"
