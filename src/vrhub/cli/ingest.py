"""``vrhub ingest police-uk|istv|ambulance|youth-justice|education|force-crime|gazetteer|mapped``: load partner
files, folders or archives."""

from __future__ import annotations

from pathlib import Path

import typer

from vrhub.cli.console import RichProgress, err, out, print_json
from vrhub.ingest.loader import IngestReport
from vrhub.ingest.registry import SHORT_NAMES
from vrhub.ingest.vintage_check import check_lsoa_vintages

app = typer.Typer(help="Load partner data into the workspace.", no_args_is_help=True)

KIND_NAMES = SHORT_NAMES  # the one list of kind names (vrhub.ingest.registry)


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
    from vrhub.cli.context import state

    partnership = state.partnership()
    kind_name = KIND_NAMES.get(kind, kind) if kind else None
    report = partnership.ingest(paths, feed="police_uk", partner=partner, kind=kind_name,
                                options={"force": force} if force else {}, progress=RichProgress(not as_json))
    check_lsoa_vintages(partnership.ws, report)
    finish(report, as_json, geography_loaded=bool(partnership.ws.reader().boundary_vintages("lsoa")))


@app.command("istv")
def istv(
    paths: list[Path] = typer.Argument(..., help="ISTV returns (ED assault attendances): CSV or XLSX files, folders "
                                       "or .zip."),
    partner: str | None = typer.Option(None, "--partner", help="The partner (NHS trust) the returns come from."),
    sheet: str | None = typer.Option(None, "--sheet", help="The worksheet to read (default: the one whose header "
                                     "fits)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document instead of tables."),
) -> None:
    """Load emergency-department assault returns (NHS ISB 1594 ISTV); see docs/sources/ed-istv.md."""
    from vrhub.cli.context import state

    report = state.partnership().ingest(paths, feed="istv", partner=partner, kind="ed_istv",
                                        options={"sheet": sheet} if sheet else {}, progress=RichProgress(not as_json),
                                        check_lsoas=False)
    finish(report, as_json, geography_loaded=True)  # ISTV home LSOAs are checked by pattern, not against boundaries


@app.command("gazetteer")
def gazetteer(
    paths: list[Path] = typer.Argument(None, help="Gazetteer CSV or XLSX files (Name, Aliases, Type, LSOA code, "
                                       "Longitude, Latitude, District)."),
    demo: bool = typer.Option(False, "--demo", help="Load the shipped Kent and Medway demo gazetteer."),
    partner: str | None = typer.Option(None, "--partner", help="Who maintains the gazetteer."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document instead of tables."),
) -> None:
    """Load a place gazetteer (venues, streets, town centres, stations → LSOA) for geocoding free-text locations;
    the newest one loaded is used. See docs/sources/gazetteer.md."""
    from vrhub.cli.context import existing_paths, state
    from vrhub.data import kent

    chosen = list(paths or [])
    if demo:
        chosen.append(kent() / "gazetteer" / "kent-places.csv")
    if not chosen:
        raise typer.BadParameter("give a gazetteer file, or --demo for the shipped Kent one")
    partnership = state.partnership()
    report = partnership.ingest(existing_paths(chosen), feed="gazetteer", partner=partner, kind="gazetteer",
                                progress=RichProgress(not as_json))
    finish(report, as_json, geography_loaded=partnership.ws.reader().known_lsoa_codes() is not None)


@app.command("mapped")
def mapped(
    paths: list[Path] = typer.Argument(None, help="Partner CSV or XLSX files, folders or .zip."),
    mapping: Path | None = typer.Option(None, "--mapping", help="The mapping file (YAML or TOML): target kind, "
                                        "column → field, value → code, date formats, identifier columns."),
    check: bool = typer.Option(False, "--check", help="Only check the files against the mapping; load nothing."),
    fields: str | None = typer.Option(None, "--fields", help="List the fields of a target kind (e.g. ed_istv) "
                                      "and exit."),
    partner: str | None = typer.Option(None, "--partner", help="The partner the files come from (default: the "
                                       "mapping's 'partner')."),
    sheet: str | None = typer.Option(None, "--sheet", help="The worksheet to read (default: the mapping's 'sheet', "
                                     "else the one whose header fits)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document instead of tables."),
) -> None:
    """Load any partner CSV/XLSX through a mapping file, checked against the files before anything is loaded;
    see docs/sources/mapped.md."""
    from vrhub.cli.context import existing_paths, state, table
    from vrhub.ingest.mapped import check_mapping, load_mapping, mapped_sources, targets

    if fields:
        found = targets().get(fields)
        if found is None:
            raise typer.BadParameter(f"no target kind {fields!r}; targets: {', '.join(sorted(targets()))}")
        rows = [[c.name, c.header, "yes" if c.required else "no", "yes" if c.name in found.codes else ""]
                for c in found.columns]
        if as_json:
            print_json([dict(zip(["field", "header", "required", "coded"], r, strict=True)) for r in rows])
        else:
            out.print(table(f"Fields of {fields}", ["field", "header", "required", "coded"], rows))
        return
    if not paths or mapping is None:
        raise typer.BadParameter("give the partner files and --mapping FILE (or --fields KIND)")
    m = load_mapping(mapping)
    if sheet:
        m.sheet = sheet
    problems = check_mapping(m, existing_paths(paths))
    if problems or check:
        if as_json:
            print_json({"mapping": str(mapping), "target": m.target.kind, "problems": problems, "loaded": False})
        else:
            for p in problems:
                err.print(f"[bold red]Problem:[/] {p}")
            out.print(f"{len(problems)} problem(s) found checking {len(paths)} path(s) against {mapping.name}; "
                      + ("nothing was loaded: correct the mapping or the files, then run again" if problems
                         else "the files can be loaded: run again without --check"))
        if problems:
            raise typer.Exit(1)
        return
    report = state.partnership().ingest(existing_paths(paths), feed="mapped", sources=mapped_sources(m),
                                        partner=partner or m.partner, kind=m.target.kind,
                                        options={"sheet": m.sheet} if m.sheet else {},
                                        progress=RichProgress(not as_json), check_lsoas=False)
    finish(report, as_json, geography_loaded=True)


def finish(report: IngestReport, as_json: bool, *, geography_loaded: bool) -> None:
    """Print the report (JSON or tables); exit 1 if any file failed or any archive member was refused."""
    if as_json:
        print_json(report.to_json())
    else:
        print_report(report, geography_loaded=geography_loaded)
    if not report.complete:
        raise typer.Exit(1)


def _partner_feed(module: str, kind: str, paths: list[Path], partner: str | None, as_json: bool,
                  check_lsoas: bool = False) -> None:
    """Load files with the sources of ``vrhub.ingest.<module>`` as ``kind`` and print the report."""
    from vrhub.cli.context import state

    partnership = state.partnership()
    report = partnership.ingest(paths, feed=module, partner=partner, kind=kind, progress=RichProgress(not as_json),
                                check_lsoas=check_lsoas)
    loaded = bool(partnership.ws.reader().boundary_vintages("lsoa")) if check_lsoas else True
    finish(report, as_json, geography_loaded=loaded)


@app.command("ambulance")
def ambulance(
    paths: list[Path] = typer.Argument(..., help="Ambulance call-outs (assaults): CSV or XLSX files, folders or .zip."),
    partner: str | None = typer.Option(None, "--partner", help="The partner (ambulance trust) the data come from."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document instead of tables."),
) -> None:
    """Load ambulance call-outs for assault; see docs/sources/ambulance.md."""
    _partner_feed("ambulance", "ambulance", paths, partner, as_json, check_lsoas=True)


@app.command("youth-justice")
def youth_justice(
    paths: list[Path] = typer.Argument(..., help="Youth justice records (pseudonymised): CSV or XLSX files, "
                                       "folders or .zip."),
    partner: str | None = typer.Option(None, "--partner", help="The partner (youth justice service)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document instead of tables."),
) -> None:
    """Load youth justice offences and outcomes (person ids pseudonymised); see docs/sources/youth-justice.md."""
    _partner_feed("youth_justice", "youth_justice", paths, partner, as_json)


@app.command("education")
def education(
    paths: list[Path] = typer.Argument(..., help="Education records (pseudonymised): CSV or XLSX files, "
                                       "folders or .zip."),
    partner: str | None = typer.Option(None, "--partner", help="The partner (local authority, school, trust)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document instead of tables."),
) -> None:
    """Load suspensions, exclusions and attendance (person ids pseudonymised); see docs/sources/education.md."""
    _partner_feed("education", "education", paths, partner, as_json)


@app.command("force-crime")
def force_crime(
    paths: list[Path] = typer.Argument(..., help="Force crime extracts (victim and suspect ids pseudonymised): CSV or "
                                       "XLSX files, folders or .zip."),
    partner: str | None = typer.Option(None, "--partner", help="The partner (police force) the extract comes from."),
    mapping: str | None = typer.Option(None, "--mapping", help="The extract's layout: 'niche' or 'athena' (shipped), "
                                       "or a mapping file (YAML/TOML) for any other; default: vrhub's own columns."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document instead of tables."),
) -> None:
    """Load a force's crime records (offence codes, times, victims, suspects, flags); see
    docs/sources/force-crime.md."""
    from vrhub.cli.context import existing_paths, state

    partnership = state.partnership()
    report = partnership.ingest_force_crime(existing_paths(paths), partner=partner, mapping=mapping,
                                            progress=RichProgress(not as_json))
    known = partnership.ws.reader().known_lsoa_codes()
    finish(report, as_json, geography_loaded=known is not None)


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
    from vrhub.cli.context import table

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
    for r in report.results:
        for issue in r.coverage_issues:
            out.print(f"[bold yellow]Not read:[/] {issue['message']}")
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
        if s.refused:
            err.print(f"[bold red]Not loaded:[/] {s.error}")
        else:
            out.print(f"Skipped {s.display}: {s.reason}")
    if any(r.rows_quarantined for r in report.results):
        out.print("See quarantined rows and why with: vrhub quarantine DATASET")
