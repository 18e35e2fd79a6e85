"""``vrhub value SERVICE``: a value-for-money sheet for a commissioned service in the register.

Cost comes from the register's funding lines (rebased to one price year with the HM Treasury GDP deflators);
participants from ``--participants`` or the providers' returns (young people reached or engaged); the effect
from ``--effect-prior`` or the YEF Toolkit approach/band the register links to the service - always labelled
"planning assumption from the YEF Toolkit, not a local evaluation". Offences prevented and the benefit–cost
ratio need the offences expected without the service (``--baseline-offences``); without it the sheet gives the
break-even number instead: how many offences the people served would have to commit without the service for its
benefits to equal its cost (cost / (reduction × unit cost)), with the same Monte Carlo draws.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import typer

from vrhub.cli.console import out, print_json
from vrhub.domain.errors import VrhubError

PARTICIPANT_MEASURES = ("young_people_reached", "young_people_engaged")


def value(
    service: str = typer.Argument(..., help="Service key or name in the register (see 'vrhub services list')."),
    year: str = typer.Option("2024/25", "--year", help="Price year for every amount, e.g. 2024/25."),
    effect_prior: str | None = typer.Option(None, "--effect-prior", help="YEF Toolkit planning prior: high, "
                                            "moderate, low or mentoring (default: the register's evidence)."),
    participants: int | None = typer.Option(None, "--participants", min=1, help="People who took part (default: "
                                            "young people reached/engaged in the providers' returns)."),
    baseline_offences: float | None = typer.Option(None, "--baseline-offences", min=0.0, help="Offences expected "
                                                   "among the people served without the service, over the funded "
                                                   "period."),
    baseline_category: str = typer.Option("violence_with_injury", "--baseline-category", help="Home Office "
                                          "unit-cost category of those offences."),
    seed: int = typer.Option(0, "--seed", help="Seed of the Monte Carlo draws."),
    as_json: bool = typer.Option(False, "--json", help="Print the sheet as JSON."),
) -> None:
    """Cost per participant, offences prevented and benefit–cost ratio (with its Monte Carlo interval)."""
    from vrhub.cli.main import state

    sheet = value_sheet(state.workspace(), service, year=year, effect_prior=effect_prior,
                        participants=participants, baseline_offences=baseline_offences,
                        baseline_category=baseline_category, seed=seed)
    if as_json:
        print_json(sheet)
        return
    out.rule(f"[bold]Value for money: {sheet['name']}[/] ({sheet['price_year']} prices)")
    out.print(sheet["plain_english"])
    out.print("[bold]Assumptions[/]")
    for a in sheet["assumptions"]:
        out.print(f"• {a}")


def value_sheet(
    ws: Any, service: str, *, year: str = "2024/25", effect_prior: str | None = None,
    participants: int | None = None, baseline_offences: float | None = None,
    baseline_category: str = "violence_with_injury", seed: int = 0, n_draws: int = 10_000,
) -> dict[str, Any]:
    """The value-for-money sheet as a JSON-ready dictionary (see the module docstring)."""
    from vrhub.analysis.value import (
        PLANNING_LABEL,
        Money,
        cost_effectiveness,
        financial_year,
        load_unit_costs,
        rebase,
        total,
        yef_prior,
    )
    from vrhub.analysis.value.prices import format_gbp
    from vrhub.governance.commissioning import register_in_force

    price_year = financial_year(year)
    reg = register_in_force(ws)
    s = reg.service(service)
    if s is None:
        raise VrhubError(f"no service {service!r} in the register in force",
                         f"use one of: {', '.join(x.key for x in reg.services)} (see 'vrhub services list')")
    lines = [f for f in s.funding if f.amount is not None]
    if not lines:
        raise VrhubError(
            f"the register does not state the funding of {s.name}, so its value for money cannot be worked out",
            "add the amount to the service's funding in the register YAML (amount: 75000, financial_year: "
            "2024/25), load it with 'vrhub services import FILE', then run 'vrhub value' again",
        )
    assumptions: list[str] = []
    amounts = []
    for f in lines:
        fy = f.financial_year or price_year
        if f.financial_year is None:
            assumptions.append(f"The register does not state the financial year of the {format_gbp(f.amount or 0)} "
                               f"({f.source}); it is taken to be in {price_year} prices.")
        amounts.append(rebase(Money(f.amount or 0.0, fy), price_year) if fy != price_year else Money(f.amount or 0.0,
                                                                                                      fy))
        if f.note:
            assumptions.append(f"Funding note from the register: {f.note}")
    cost = total(amounts)

    key = effect_prior or next((k for e in s.evidence if (k := e.planning_prior_key())), None)
    if key is None:
        raise VrhubError(
            f"no effect size for {s.name}: the register links it to no YEF Toolkit approach with a usable band",
            "give --effect-prior high, moderate, low or mentoring (a planning assumption), or evaluate the service "
            "locally with 'vrhub evaluate'",
        )
    prior = yef_prior(key)
    if effect_prior is None:
        fit = next((e.fit for e in s.evidence if e.planning_prior_key() == key and e.fit), "")
        assumptions.append(f"Effect prior '{key}' taken from the register's evidence" + (f" ({fit})." if fit else "."))

    source = "given with --participants"
    if participants is None:
        from vrhub.governance.returns import returns_in_force

        rets = [r for r in returns_in_force(ws, s.key) if r.measure in PARTICIPANT_MEASURES]
        if rets:
            participants = sum(r.value for r in rets)
            floors = [r for r in rets if r.qualifier]
            source = f"{len(rets)} provider return(s), {min(r.period_start for r in rets)} to " \
                     f"{max(r.period_end for r in rets)}" + (" (some give a floor, e.g. 'more than')" if floors else "")
            assumptions.append(f"Participants: {participants:,} young people from the providers' returns ({source}); "
                               "the returns' periods may not match the funded period.")
        else:
            source = "not known"
    cpp = None if not participants else cost.amount / participants

    table = load_unit_costs()
    table = table if table.price_year == price_year else table.rebased(price_year)
    unit = table.cost(baseline_category)
    rng = np.random.default_rng(seed)
    reductions = 1.0 - prior.sample_ratios(rng, n_draws)
    with np.errstate(divide="ignore"):
        breakeven = cost.amount / (reductions * unit.amount)
    lo, hi = np.percentile(breakeven, [2.5, 97.5])
    central_be = cost.amount / (prior.reduction_central * unit.amount)
    label = f"{prior.label} - {PLANNING_LABEL}"
    sheet: dict[str, Any] = {
        "service": s.key, "name": s.name, "price_year": price_year, "programme_cost": cost.amount,
        "funding_lines": [{"source": f.source, "amount": f.amount, "financial_year": f.financial_year or "not stated"}
                          for f in lines],
        "participants": participants, "participants_source": source, "cost_per_participant": cpp,
        "effect_prior": key, "effect_prior_description": prior.describe(), "evidence_label": label,
        "planning_assumption": True, "baseline_category": baseline_category, "unit_cost": unit.amount,
        "break_even_offences": {"central": central_be, "low": float(lo), "high": float(hi)},
        "seed": seed, "n_draws": n_draws,
    }
    spend = f"{s.name} costs {format_gbp(cost.amount)} ({price_year} prices)"
    spend += f", {format_gbp(cpp)} for each of {participants:,} participants." if cpp else \
        "; cost per participant is not available (no participants given or returned: use --participants N)."
    breakeven_text = (
        f" It pays for itself if, without it, the people it serves would commit at least {central_be:,.0f} "
        f"{table.entries[baseline_category].label.lower()} offences (95% interval {lo:,.0f} to {hi:,.0f}), "
        f"assuming {prior.describe()}."
    )
    if baseline_offences is None:
        sheet |= {"offences_prevented": None, "benefit_cost_ratio": None, "assumptions": [
            *assumptions, f"Effect size: {label}.",
            "Offences prevented and the benefit–cost ratio need the offences expected without the service: "
            "give --baseline-offences N (and --baseline-category).",
        ]}
        sheet["plain_english"] = spend + breakeven_text
        return sheet
    res = cost_effectiveness(
        programme_cost=cost, baseline_offences={baseline_category: baseline_offences}, effect=prior,
        participants=participants, n_draws=n_draws, seed=seed, programme_label=s.name,
        extra_assumptions=assumptions, data_versions=(f"register:{reg.sha256[:12]}",),
    )
    d = res.to_dict()
    sheet |= {k: d[k] for k in ("offences_prevented", "benefit", "benefit_cost_ratio", "cost_per_offence_prevented",
                                "probability_benefit_exceeds_cost", "assumptions", "citation", "data_versions")}
    sheet["plain_english"] = res.plain_english() + breakeven_text
    return sheet
