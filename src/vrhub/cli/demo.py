"""``vrhub demo``: load the shipped real Kent and Medway data and show what came of it."""

from __future__ import annotations

from typing import Any

import typer

from vrhub.cli.console import RichProgress, out, print_json, steps
from vrhub.library.demo import DEMO_ACCOUNTS, DEMO_SEED


def demo(as_json: bool = typer.Option(False, "--json", help="Print one JSON document.")) -> None:
    """Load real Kent and Medway data for 2025 (2021 LSOAs, IMD 2025, Census 2021, police.uk) and the demo
    partnership's synthetic feeds for the same year; build the SNA for January to December 2025."""
    from vrhub.cli.context import state, table
    from vrhub.cli.geography import print_geography
    from vrhub.cli.ingest import print_report

    partnership = state.partnership()
    ws = partnership.ws
    if not as_json:
        out.rule("[bold]vrhub demo: Kent and Medway")
        out.print(f"Workspace: {ws.home}")
    built = partnership.demo(progress=RichProgress(not as_json))
    geo_results, report, known, counts = built.geography, built.police, built.known_lsoas, built.counts
    (ed_made, ed_report), (amb_made, amb_report) = built.ed, built.ambulance
    cohort, edu_report, yj_report = built.cohort, built.education, built.youth_justice
    partners, linkage, (force_made, force_report) = built.partners, built.linkage, built.force_crime
    _print_survey(built, as_json)
    gaz_report, register = built.gazetteer, built.register
    if not as_json:
        print_geography(ws, geo_results)
    if as_json:
        sna = partnership.sna(out=ws.home / "sna", pdf=True)
        print_json({"workspace": str(ws.home), "geography": [r.to_json() for r in geo_results],
                    "ingest": [r.to_json() for r in report.results],
                    "violence_by_district": counts.table.to_pylist(), "sna": sna.to_json(),
                    "synthetic_ed": [r.to_json() for r in ed_report.results],
                    "synthetic_ambulance": [r.to_json() for r in amb_report.results],
                    "synthetic_education": [r.to_json() for r in edu_report.results],
                    "synthetic_youth_justice": [r.to_json() for r in yj_report.results],
                    "synthetic_force_crime": [r.to_json() for r in force_report.results],
                    "linkage": {k: linkage.report[k] for k in ("records", "clusters", "estimated_error", "accuracy",
                                                                "seconds")},
                    "gazetteer": [r.to_json() for r in gaz_report.results], **_survey_json(built),
                    "demo_accounts": [{"username": u, "role": r, "password": p} for u, r, p in DEMO_ACCOUNTS]})
        return
    print_report(report, geography_loaded=known is not None)
    out.print(f"Commissioned services: {len(register.services)} in the demo register; providers' returns loaded "
              "from the annual report's stated outputs (see 'vrhub services list').")
    ed_rows = sum(r.rows_read for r in ed_report.results)
    out.print(f"[bold]Synthetic[/] ED assault returns (ISTV): {len(ed_made.paths)} files from the 7 Kent acute sites, "
              f"{ed_rows:,} invented attendances (seed {DEMO_SEED}), loaded through the ISTV source and marked "
              "synthetic: for trying the Cardiff Model view ('vrhub cardiff'), never as evidence.")
    out.print(f"[bold]Synthetic[/] ambulance call-outs: {len(amb_made.paths)} files, "
              f"{sum(r.rows_read for r in amb_report.results):,} invented assault call-outs placed where police.uk "
              "violence is, loaded through the ambulance source and marked synthetic.")
    out.print(f"[bold]Synthetic[/] cohort: {cohort.people:,} invented young people, "
              f"{sum(r.rows_read for r in edu_report.results):,} education and "
              f"{sum(r.rows_read for r in yj_report.results):,} youth justice rows, pseudonymised at source and "
              "loaded through the education and youth justice sources, marked synthetic.")
    out.print(f"[bold]Synthetic[/] force crime extract (SYN-Kent Police): {force_made.rows:,} crimes, the real "
              "police.uk violence, robbery and weapons records with invented offence codes, times, victims, suspects "
              "and flags, loaded through the force crime source and marked synthetic (who / when / why in the SNA).")
    out.print(f"[bold]Synthetic[/] partners without a shared identifier: {sum(partners.records.values()):,} "
              f"education, youth justice and ED records of {partners.people:,} invented young people, encoded at "
              f"source and linked in {linkage.report['seconds']} s into {linkage.report['clusters']:,} people "
              f"({ws.home / 'linkage' / 'latest'}; try 'vrhub cohort --linked').")
    out.print(f"Place gazetteer: {sum(r.rows_accepted for r in gaz_report.results):,} Kent and Medway places "
              "(town centres, stations, high streets) for geocoding ED free-text locations ('vrhub cardiff').")
    rows = [[r["area_name"], r["area_code"] if r["area_code"] != r["area_name"] else "", r["crimes"],
             None if r["population"] is None else int(r["population"]),
             "" if r["rate_per_1000"] is None else f"{r['rate_per_1000']:.2f}"]
            for r in counts.table.to_pylist()]
    lo, hi = counts.months
    out.print(table(f"Violence and sexual offences by district, {lo:%b %Y} to {hi:%b %Y} (police.uk; analyst use)",
                    ["district", "code", "crimes", "residents", "per 1,000"], rows,
                    right={"crimes", "residents", "per 1,000"}))
    out.print(f"Total {counts.total:,}. " + " ".join(counts.notes) + ".")
    from vrhub.ingest.supply_check import supply_warnings

    flagged: dict[str, set[str]] = {}
    for w in supply_warnings(ws.engine(), "police_uk_street"):
        flagged.setdefault(f"{w.month:%Y-%m}", set()).add(w.category)
    if flagged:
        out.print("[dim]Supply warnings in the real 2025 data: " + "; ".join(
            f"{m} {', '.join(sorted(c))}" for m, c in sorted(flagged.items())) + ". Read a fall there as possibly "
            "missing data, not less crime ('vrhub datasets --warnings').[/]")
    with steps("Building the SNA", 10) as step:
        sna = partnership.sna(out=ws.home / "sna", pdf=True, on_step=step)
    out.print(f"[bold]Strategic Needs Assessment:[/] {sna.html}" + (f"\n  and {sna.pdf}" if sna.pdf else ""))
    print_demo_accounts(DEMO_ACCOUNTS)
    out.print("Next: 'vrhub datasets' lists what is loaded; 'vrhub quarantine DATASET' shows rows set aside; "
              "'vrhub profile' writes the profile tables; 'vrhub strategy status' shows the action plans.")


def print_demo_accounts(found: tuple[tuple[str, str, str], ...] | list[tuple[str, str, str]],
                        where: str = "'vrhub serve', then open http://127.0.0.1:8000/") -> None:
    """The demo's hub accounts, with the warning that they are demo credentials (also printed by 'vrhub serve')."""
    if not found:
        return
    out.print(f"[bold]Web application[/] ({where}): demo accounts, one per role")
    for username, role, password in found:
        out.print(f"  {role:<17} user name {username:<13} password {password}")
    out.print("[bold yellow]These are DEMO credentials for synthetic data: never use them on a hub with real data "
              "(disable them with 'vrhub hub user disable NAME').[/]")


def _survey_json(built: Any) -> dict[str, Any]:
    return {"synthetic_survey": [r.to_json() for r in built.survey[1].results] if built.survey else []}


def _print_survey(built: Any, as_json: bool) -> None:
    """The demo's synthetic engagement survey, in one line."""
    if built.survey and not as_json:
        out.print(f"[bold]Synthetic[/] engagement survey: {built.survey[0].rows:,} invented responses in two waves "
                  "(perceived safety by place, places named as unsafe, comments), loaded through the engagement-survey "
                  "source and marked synthetic (the SNA's voice of young people and communities).")
