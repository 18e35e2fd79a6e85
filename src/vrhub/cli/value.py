"""``vrhub value SERVICE``: a value-for-money sheet for a commissioned service in the register.

The sheet is built by :func:`vrhub.analysis.value.sheet.value_sheet` (cost from the register's funding, participants
from the providers' returns, the effect a YEF Toolkit planning prior, always labelled as such; what is missing is
listed rather than stopping the sheet).
"""

from __future__ import annotations

import typer
from rich.markup import escape

from vrhub.analysis.value.sheet import PARTICIPANT_MEASURES, value_sheet
from vrhub.cli.console import out, print_json

__all__ = ["PARTICIPANT_MEASURES", "value", "value_sheet"]


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
    from vrhub.cli.context import state

    sheet = state.partnership().value(service, year=year, effect_prior=effect_prior, participants=participants,
                                      baseline_offences=baseline_offences, baseline_category=baseline_category,
                                      seed=seed).value
    if as_json:
        print_json(sheet)
        return
    if sheet.get("notice"):
        out.print(escape(sheet["notice"]), style="bold yellow")
    out.rule(f"[bold]Value for money: {escape(sheet['name'])}[/] ({sheet['price_year']} prices)")
    out.print(sheet["plain_english"])
    if sheet["missing"]:
        out.print("[bold]Missing[/]")
        for m in sheet["missing"]:
            out.print(f"[yellow]•[/] {m}")
    out.print("[bold]Assumptions[/]")
    for a in sheet["assumptions"]:
        out.print(f"• {a}")
