"""``vrhub ingest police-uk`` and ``vrhub ingest istv``: load partner files, folders or archives."""

from __future__ import annotations

from pathlib import Path

import typer

from vrhub.cli.console import RichProgress, err, out, print_json
from vrhub.ingest.loader import IngestReport, ingest
from vrhub.ingest.police_uk import SOURCES
from vrhub.store.geography import Geography

app = typer.Typer(help="Load partner data into the workspace.", no_args_is_help=True)

KIND_NAMES = {"street": "police_uk_street", "outcomes": "police_uk_outcomes", "stop-search": "police_uk_stop_search"}


@app.command("police-uk")
def police_uk(
    paths: list[Path] = typer.Argument(..., help="CSV files, folders, or police.uk download archives (.zip)."),
    partner: str = typer.Option("police.uk", "--partner", help="The partner the data comes from."),
    kind: str | None = typer.Option(None, "--kind", help="street | outcomes | stop-search (default: from the header)."),
    force: str | None = typer.Option(None, "--force", help="Force name for stop-and-search files (default: from "
                                     "the file name)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document instead of tables."),
) -> None:
    """Load police.uk street-level crime, outcomes and stop-and-search CSVs."""
    from vrhub.cli.main import existing_paths, state

    ws = state.workspace()
    kind_name = KIND_NAMES.get(kind, kind) if kind else None
    known = Geography(ws.engine()).known_lsoa_codes()
    report = ingest(ws, existing_paths(paths), SOURCES, partner=partner, kind=kind_name,
                    options={"force": force} if force else {}, progress=RichProgress(not as_json), known_lsoas=known)
    if as_json:
        print_json([r.to_json() for r in report.results])
    else:
        print_report(report, geography_loaded=known is not None)
    if not report.ok:
        raise typer.Exit(1)


@app.command("istv")
def istv(
    paths: list[Path] = typer.Argument(..., help="ISTV CSV returns (ED assault attendances), folders or .zip."),
    partner: str | None = typer.Option(None, "--partner", help="The partner (NHS trust) the returns come from."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document instead of tables."),
) -> None:
    """Load emergency-department assault returns (NHS ISB 1594 ISTV); see docs/sources/ed-istv.md."""
    from vrhub.cli.main import existing_paths, state
    from vrhub.ingest.istv import SOURCES as ISTV_SOURCES

    ws = state.workspace()
    report = ingest(ws, existing_paths(paths), ISTV_SOURCES, partner=partner, kind="ed_istv",
                    progress=RichProgress(not as_json))
    if as_json:
        print_json([r.to_json() for r in report.results])
    else:
        print_report(report, geography_loaded=True)  # ISTV home LSOAs are checked by pattern, not against boundaries
    if not report.ok:
        raise typer.Exit(1)


@app.command("returns")
def returns(
    path: Path = typer.Argument(..., help="Providers' returns CSV (service, provider, period_start, period_end, "
                                "measure, value[, qualifier, note])."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Load commissioned services' returns (the same as 'vrhub services returns PATH'); see docs/commissioning.md."""
    from vrhub.cli.services import returns as load_returns

    load_returns(path, as_json)


def print_report(report: IngestReport, *, geography_loaded: bool) -> None:
    from vrhub.cli.main import table

    rows = []
    for r in report.results:
        status = "[red]failed" if r.error else "already loaded" if r.duplicate_of else "[green]loaded"
        kind = (r.kind or "").replace("police_uk_", "")
        rows.append([Path(r.source_file.split("!")[-1]).name, kind, r.dataset_id or "", r.rows_read,
                     r.rows_accepted, r.rows_quarantined, status])
    total = [sum(getattr(r, k) for r in report.results) for k in ("rows_read", "rows_accepted", "rows_quarantined")]
    rows.append(["[bold]total", "", "", *total, ""])
    out.print(table("Load summary", ["file", "kind", "dataset", "read", "accepted", "quarantined", "status"], rows,
                    right={"read", "accepted", "quarantined"}))
    out.print(f"read = accepted + quarantined: {total[0]:,} = {total[1]:,} + {total[2]:,}")
    flags: dict[str, int] = {}
    for r in report.results:
        for k, v in r.flags.items():
            flags[k] = flags.get(k, 0) + v
    if flags.get("no_location"):
        out.print(f"Kept and flagged: {flags['no_location']:,} accepted rows have no location.")
    if flags.get("lsoa_outside_geography"):
        out.print(f"Kept and flagged: {flags['lsoa_outside_geography']:,} accepted rows are in LSOAs outside the "
                  "loaded geography.")
    if not geography_loaded:
        out.print("No LSOA boundaries are loaded, so LSOAs were not checked: run 'vrhub geography load PATH'.")
    seen = set()
    for r in report.results:
        for w in r.supply_warnings:
            if w["message"] not in seen and w["category"] == "(all categories)":
                seen.add(w["message"])
                out.print(f"[bold yellow]Supply warning:[/] {w['message']}")
    n_cat = sum(1 for r in report.results for w in r.supply_warnings if w["category"] != "(all categories)")
    if n_cat:
        out.print(f"  ({n_cat} category-level supply warnings: see 'vrhub datasets --warnings')")
    for r in report.results:
        for w in r.warnings:
            if not r.duplicate_of:
                out.print(f"[yellow]Note[/] {Path(r.source_file.split('!')[-1]).name}: {w}")
        if r.error:
            err.print(f"[bold red]Error:[/] {r.error}")
    for s in report.skipped:
        out.print(f"Skipped {s.display}: {s.reason}")
    if any(r.rows_quarantined for r in report.results):
        out.print("See quarantined rows and why with: vrhub quarantine DATASET")
