"""``vrhub fetch police-uk`` and ``vrhub update``: months from police.uk (the API, or a downloaded archive)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from vrhub.cli.console import Steps, out, print_json, steps

app = typer.Typer(help="Get data from its publisher and load it.", no_args_is_help=True)


def month_steps(steps_: Steps) -> Callable[[str, str, int], None]:
    """The fetch's ``on_month`` callback: one step of the bar per kind × month done."""
    return lambda kind, month, total: steps_.tick(f"{kind} {month}", total)


@app.command("police-uk")
def police_uk(
    force: str = typer.Option(..., "--force", help="police.uk's force id, e.g. kent, metropolitan, west-midlands."),
    start: str = typer.Option(..., "--from", help="First month, YYYY-MM."),
    end: str | None = typer.Option(None, "--to", help="Last month, YYYY-MM (default: the newest published)."),
    kinds: str = typer.Option("street", "--kinds", help="Comma-separated: street, stop-and-search, outcomes."),
    archive: Path | None = typer.Option(None, "--archive", help="A downloaded police.uk monthly archive (.zip) to "
                                        "take the months from instead of the API."),
    base_url: str | None = typer.Option(None, "--base-url", help="The API's address (default: data.police.uk)."),
    rate: float = typer.Option(15, "--rate", help="Requests per second at most (police.uk allows 15)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Fetch months of a force's police.uk data and load them (docs/sources/police-uk-fetch.md)."""
    from vrhub.cli.context import existing_paths, state

    partnership = state.partnership()
    with steps("police.uk", enabled=not as_json) as bar:
        report = partnership.fetch_police_uk(force, start=start, end=end, kinds=[k.strip() for k in kinds.split(",")],
                                             base_url=base_url, rate=rate,
                                             archive=existing_paths([archive])[0] if archive else None,
                                             on_month=month_steps(bar))
    if as_json:
        print_json(report.to_json())
    else:
        print_fetch(report)
    if not report.ok:
        raise typer.Exit(1)


def update(
    base_url: str | None = typer.Option(None, "--base-url", help="The API's address (default: data.police.uk)."),
    recheck: int = typer.Option(3, "--recheck", help="After a new police.uk release, fetch this many of the newest "
                                "loaded months again (police.uk republishes back months)."),
    rate: float = typer.Option(15, "--rate", help="Requests per second at most (police.uk allows 15)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Fetch what police.uk has published since the last fetch, re-run the supply check, list revised months."""
    from vrhub.cli.context import state

    with steps("police.uk update", enabled=not as_json) as bar:
        result = state.partnership().update_police_uk(base_url=base_url, rate=rate, recheck=recheck,
                                                      on_month=month_steps(bar))
    if as_json:
        print_json(result.to_json())
    else:
        for note in result.notes:
            out.print(note)
        for r in result.reports:
            print_fetch(r)
        out.print(f"Supply check over everything loaded: {len(result.supply_warnings)} warning(s)"
                  + (" (see 'vrhub datasets --warnings')" if result.supply_warnings else ""))
        for w in result.supply_warnings:
            if w.get("category") == "(all categories)":
                out.print(f"[bold yellow]Supply warning:[/] {w['message']}")
    if not result.ok:
        raise typer.Exit(1)


def print_fetch(report) -> None:  # type: ignore[no-untyped-def]
    from vrhub.cli.context import table
    from vrhub.cli.ingest import print_report

    rows = [[m.kind, m.month, m.rows, m.status, "; ".join(m.notes)] for m in report.months]
    out.print(table(f"police.uk {report.force} ({report.source}, release {report.police_uk_updated})",
                    ["kind", "month", "rows", "status", "notes"], rows, right={"rows"}))
    if report.requests:
        out.print(f"{report.requests:,} requests to police.uk ({report.retried} retried after 429/5xx).")
    for note in report.notes:
        out.print(note)
    for m in report.revisions:
        out.print(f"[bold]Revised:[/] {m.kind} {m.month} came again with different content: loaded as a new version "
                  f"({m.dataset_id}); the earlier one is kept ('vrhub datasets').")
    if report.ingest is not None:
        print_report(report.ingest, geography_loaded=True)
