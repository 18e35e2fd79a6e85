"""``vrhub demo``: load the shipped real Kent and Medway data and show what came of it."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import typer

from vrhub.cli.console import RichProgress, out, print_json
from vrhub.data import kent

DEMO_SEED = 20181001
DEMO_COHORT = 6_000
DEMO_LINKAGE_PEOPLE = 2_000


def demo(as_json: bool = typer.Option(False, "--json", help="Print one JSON document.")) -> None:
    """Load the real Kent and Medway data (boundaries, IMD, police.uk) and the demo partnership; build the SNA."""
    from vrhub.analysis.crime_by_area import crime_by_area
    from vrhub.cli.context import state, table
    from vrhub.cli.geography import print_geography
    from vrhub.cli.ingest import print_report
    from vrhub.ingest.geography import load_geography
    from vrhub.ingest.loader import ingest
    from vrhub.ingest.police_uk import SOURCES
    from vrhub.store.geography import Geography

    ws = state.workspace()
    data = kent()
    if not as_json:
        out.rule("[bold]vrhub demo: Kent and Medway")
        out.print(f"Workspace: {ws.home}")
    geo_results = load_geography(ws, [data / "boundaries", data / "imd2019"])
    if not as_json:
        print_geography(ws, geo_results)
    known = Geography(ws.engine()).known_lsoa_codes()
    report = ingest(ws, [data / "police-uk" / "kent-street-2018-10_2019-02.zip"], SOURCES, partner="Kent Police",
                    progress=RichProgress(not as_json), known_lsoas=known)
    counts = crime_by_area(ws.engine(), crime_types=["Violence and sexual offences"])
    from vrhub.governance.commissioning import register_in_force
    from vrhub.governance.returns import read_returns, save_returns
    from vrhub.synth.ed import ingest_synthetic_ed

    # Synthetic emergency-department returns (NHS ISB 1594) for the same months, marked synthetic in provenance
    # and in every output: no real ED data is public. Loaded through the same source a hospital's files use.
    ed_made, ed_report = ingest_synthetic_ed(ws, ws.home / "synthetic" / "ed", seed=DEMO_SEED, start="2018-10",
                                             months=5)
    from vrhub.synth.ambulance import ingest_synthetic_ambulance
    from vrhub.synth.cohort import ingest_synthetic_cohort

    # Synthetic ambulance call-outs and a pseudonymised cohort (education, youth justice), through the same sources
    # a partner's files use; the cohort's key sits outside the synthetic data folder.
    amb_made, amb_report = ingest_synthetic_ambulance(ws, ws.home / "synthetic" / "ambulance", seed=DEMO_SEED,
                                                      start="2018-10", months=5)
    cohort, edu_report, yj_report = ingest_synthetic_cohort(
        ws, ws.home / "synthetic" / "cohort", ws.home / "synthetic-key" / "synthetic-partnership.key",
        seed=DEMO_SEED, start="2018-10", months=5, people=DEMO_COHORT)
    from vrhub.analysis.linkage import link_partners
    from vrhub.ingest.linkage_files import read_partner_files, source_files
    from vrhub.report.linkage import write_linkage
    from vrhub.synth.linkage import SOURCES as LINKAGE_SOURCES
    from vrhub.synth.linkage import generate_linkage_partners

    # Synthetic partners without a shared identifier (education, youth justice, ED), encoded at source with
    # `vrhub pseudonymise --linkage`, linked probabilistically ('vrhub link'; 'vrhub cohort --linked').
    linkage_inputs = ws.home / "linkage" / "inputs"
    partners = generate_linkage_partners(linkage_inputs, ws.home / "synthetic-key" / "synthetic-partnership.key",
                                         seed=DEMO_SEED, people=DEMO_LINKAGE_PEOPLE)
    partner_files = read_partner_files(source_files(list(LINKAGE_SOURCES), linkage_inputs))
    linkage = link_partners(partner_files.frames, truth=partners.truth)
    write_linkage(linkage, ws.home / "linkage" / "latest", inputs=partner_files.files)
    from vrhub.synth.force_crime import ingest_synthetic_force_crime

    # A synthetic force crime extract (SYN-Kent Police) on the real police.uk crimes just loaded (whatever months
    # they are): offence codes, times, victims, suspects and flags invented, so the SNA's who / when / why and the
    # Home Office success measures can be shown; marked synthetic everywhere (docs/sources/synthetic-force-crime.md).
    force_made, force_report = ingest_synthetic_force_crime(ws, ws.home / "synthetic" / "force-crime", seed=DEMO_SEED)
    from vrhub.ingest.gazetteer import SOURCES as GAZETTEER_SOURCES

    # The demo place gazetteer (real public places of Kent and Medway → LSOA): ED free-text locations are geocoded
    # against it in the Cardiff Model view; what does not match is counted, never guessed.
    gaz_report = ingest(ws, [data / "gazetteer" / "kent-places.csv"], GAZETTEER_SOURCES, partner="vrhub demo",
                        kind="gazetteer", known_lsoas=known)
    register = register_in_force(ws)
    returns_file = Path(str(files("vrhub.governance") / "data" / "kent_returns_demo.csv"))
    save_returns(ws, read_returns(returns_file, register), register.sha256)
    if as_json:
        from vrhub.cli.sna import build_report

        sna = build_report(ws, ws.home / "sna", pdf=True)
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
                    "gazetteer": [r.to_json() for r in gaz_report.results]})
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
    out.print("[dim]December 2018 is flagged above as a break in supply: read its fall as missing data, "
              "not less violence.[/]")
    from vrhub.cli.sna import build_report

    sna = build_report(ws, ws.home / "sna", pdf=True)
    out.print(f"[bold]Strategic Needs Assessment:[/] {sna.html}" + (f"\n  and {sna.pdf}" if sna.pdf else ""))
    out.print("Next: 'vrhub datasets' lists what is loaded; 'vrhub quarantine DATASET' shows rows set aside; "
              "'vrhub profile' writes the profile tables; 'vrhub strategy status' shows the action plans.")
