"""``vrhub services list|add|import|returns|report|alerts``: the commissioning register and providers' returns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from vrhub.cli.console import labelled, out, print_json, print_label
from vrhub.cli.period import FROM, PERIOD, TO, day_options

app = typer.Typer(help="Commissioned services: register, providers' returns, statements, contract alerts.",
                  no_args_is_help=True)


def _money(v: float | None) -> str:
    return "not stated in the source" if v is None else f"£{v:,.0f}"


@app.command("list")
def list_services(as_json: bool = typer.Option(False, "--json", help="Print one JSON document.")) -> None:
    """Show the services in the register in force (the shipped Kent and Medway demo until one is imported)."""
    from vrhub.cli.context import state, table

    reg = state.partnership().services()
    if as_json:
        print_json(labelled({"register_sha256": reg.sha256, "origin": reg.origin} | reg.to_json(), demo=reg.demo,
                            what="services register"))
        return
    print_label(demo=reg.demo, what="services register")
    out.print(f"[bold]{reg.name or 'Commissioning register'}[/]")
    out.print(table(None, ["key", "service", "providers", "ages", "funding", "start", "end"],
                    [[s.key, s.name, ", ".join(s.provider_names()), s.ages(), _money(s.total_funding),
                      s.contract_start or "not stated", s.contract_end or "not stated"] for s in reg.services]))


@app.command("import")
def import_register(path: Path = typer.Argument(..., help="A services register YAML (services: [...]).")) -> None:
    """Load (and check) a services register; it becomes the register in force."""
    from vrhub.cli.context import existing_paths, state

    reg, sha, created = state.partnership().import_services(existing_paths([path])[0])
    out.print(f"{'Loaded' if created else 'Already loaded'}: {len(reg.services)} services (sha256 {sha[:12]}…)")


@app.command("add")
def add(
    key: str = typer.Argument(..., help="Short key, e.g. knife-crime-mentoring."),
    name: str = typer.Argument(..., help="The service's name."),
    provider: list[str] = typer.Option(..., "--provider", help="Provider (repeat for several)."),
    start: str | None = typer.Option(None, "--start", help="Contract start (YYYY-MM-DD)."),
    end: str | None = typer.Option(None, "--end", help="Contract end (YYYY-MM-DD)."),
    amount: float | None = typer.Option(None, "--amount", help="Funding in £."),
    source: str = typer.Option("VRU grant", "--source",
                               help="VRU grant, PCC commissioning budget or co-commissioning."),
    financial_year: str | None = typer.Option(None, "--financial-year", help="e.g. 2024/25."),
    strand: str | None = typer.Option(None, "--strand", help="Strategy strand key."),
    delivery: list[str] = typer.Option([], "--delivery", help="prevention and/or protective (repeat)."),
    district: list[str] = typer.Option([], "--district", help="District served (repeat)."),
    extension: str | None = typer.Option(None, "--extension", help="Extension options, e.g. '1+1 years'."),
) -> None:
    """Add one service to the register in force (saved as a new version)."""
    from vrhub.cli.context import state

    item: dict[str, object] = {"key": key, "name": name, "providers": [{"name": p} for p in provider],
                  "delivery_models": delivery, "districts": district, "strand": strand,
                  "contract_start": start, "contract_end": end, "extension_options": extension,
                  "funding": [{"source": source,
                               "amount": "not stated in the source" if amount is None else amount,
                               "financial_year": financial_year}]}
    reg, sha = state.partnership().add_service({k: v for k, v in item.items() if v not in (None, [])})
    out.print(f"Added {name} ({len(reg.services)} services; sha256 {sha[:12]}…)")


@app.command("returns")
def returns(
    path: Path = typer.Argument(..., help="Providers' returns CSV (service, provider, period_start, period_end, "
                                "measure, value[, qualifier, note])."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Load providers' returns: every row accepted or set aside with its reasons; the same file twice is a no-op."""
    from vrhub.cli.context import existing_paths, state

    load, sha, created = state.partnership().load_returns(existing_paths([path])[0])
    if as_json:
        print_json(load.to_json() | {"created": created})
        return
    verb = "Loaded" if created else "Already loaded (nothing changed)"
    out.print(f"{verb}: {path.name}: {load.rows_read} rows read = {len(load.accepted)} accepted + "
              f"{len(load.set_aside)} set aside (sha256 {sha[:12]}…)")
    for s in load.set_aside:
        for reason in s.reasons:
            out.print(f"  [yellow]set aside[/] {reason}", markup=True, highlight=False)


@app.command("report")
def report(
    service: str = typer.Argument(..., help="Service key or name."),
    period: str | None = PERIOD,
    start: str | None = FROM,
    end: str | None = TO,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Plain statements of what a service delivered, each with the returns rows it came from."""
    from vrhub.cli.context import state

    window = day_options(start, end, period)
    svc, rep, label = state.partnership().service_report(service, window)
    if as_json:
        print_json(labelled({"service": svc.key, "name": svc.name,
                    "period": [d.isoformat() for d in window] if window else None,
                    "statements": [{"text": s.text, "provider": s.provider, "period_start": s.period_start,
                                    "period_end": s.period_end,
                                    "sources": [{"file": f, "row": r} for f, r in s.sources]}
                                   for s in rep.statements], "warnings": rep.warnings}, **label))
        return
    print_label(**label)
    out.print(f"[bold]{svc.name}[/]")
    if not rep.statements:
        out.print("No returns loaded for this service (load them with: vrhub services returns FILE.csv)")
    for s in rep.statements:
        rows = ", ".join(f"{Path(f).name} row {r}" for f, r in s.sources)
        out.print(f"  • {s.text}  [dim]({rows})[/]", highlight=False)
    for w in rep.warnings:
        out.print(f"  [yellow]warning[/] {w}", highlight=False)


@app.command("alerts")
def alerts(
    today: str | None = typer.Option(None, "--today", help="Judge dates as of this day (YYYY-MM-DD)."),
    within: int = typer.Option(180, "--within", help="Days ahead to look for contract ends and decisions."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Contracts ending soon (or just ended) and extension decisions due."""
    from vrhub.cli.context import state
    from vrhub.governance.commissioning import alerts as find_alerts

    day = dt.date.fromisoformat(today) if today else dt.date.today()
    reg = state.partnership().services()
    found = find_alerts(reg, day, within)
    if as_json:
        print_json(labelled({"as_of": day.isoformat(), "within_days": within,
                             "alerts": [a.__dict__ for a in found]}, demo=reg.demo, what="services register"))
        return
    print_label(demo=reg.demo, what="services register")
    out.print(f"[bold]Commissioning alerts as of {day:%d %B %Y}[/] (next {within} days)")
    for a in found:
        out.print(f"  • {a.message}", highlight=False)
    if not found:
        out.print("  none")
