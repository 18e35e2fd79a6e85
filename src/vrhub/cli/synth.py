"""``vrhub synth``: write a seeded synthetic partnership and, with ``--load``, load it marked synthetic.

ED assault returns (ISTV, :mod:`vrhub.synth.ed`) in ``--out``; ambulance call-outs
(:mod:`vrhub.synth.ambulance`) in ``--out/ambulance``; a cohort of young people with education and youth
justice records, pseudonymised at source (:mod:`vrhub.synth.cohort`), in ``--out/cohort``, with its key
outside ``--out``; quarterly providers' returns and before/after surveys for the commissioned services in force
(:mod:`vrhub.synth.returns`) in ``--out/returns``. Every record is invented; loaded files go through the
same sources as a partner's files with ``synthetic=True``, so the catalogue, ``vrhub datasets`` and every output
built from them say they are synthetic (returns say so in every row's note and in the file's name).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

from vrhub.cli.console import out, print_json, steps
from vrhub.domain.errors import UsageError
from vrhub.synth.partnership import COHORT_PEOPLE

SYNTHETIC_BANNER = ("SYNTHETIC DATA: these ED assault returns, ambulance call-outs, education and youth justice "
                    "records are invented (no real patient, pupil, child or return is used); codes SYN-… and school "
                    "URNs 99…… are illustrative. Use them to test and to train, never as evidence.")


def default_key_file(out_dir: Path) -> Path:
    """Where the synthetic cohort's key goes by default: a folder beside ``out_dir``, never inside it."""
    return out_dir.absolute().parent / f"{out_dir.name}-key" / "synthetic-partnership.key"


def parse_years(text: str) -> tuple[int, int]:
    """``YYYY`` or ``YYYY-YYYY`` → (first year, last year); anything else is a :class:`UsageError` saying what to
    write."""
    m = re.fullmatch(r"\s*(\d{4})(?:\s*-\s*(\d{4}))?\s*", text)
    if m is None:
        raise UsageError(f"'{text}' is not a year or a range of years: write e.g. 2023 or 2022-2024",
                         option="--years")
    first, last = int(m[1]), int(m[2] or m[1])
    if last < first:
        raise UsageError(f"'{text}' ends before it starts: write the earlier year first, e.g. {last}-{first}",
                         option="--years")
    return first, last


def synth(
    years: str = typer.Option(..., "--years", help="Calendar years to generate, YYYY or YYYY-YYYY (e.g. 2022-2024)."),
    seed: int = typer.Option(20240101, "--seed", help="Random seed: the same seed writes the same files."),
    out_dir: Path = typer.Option(..., "--out", help="Folder for the generated CSV returns (created if missing)."),
    load: bool = typer.Option(False, "--load", help="Also load the returns into the workspace, marked synthetic."),
    scale: float = typer.Option(1.0, "--scale", min=0.001, help="Multiply every volume: ED sites, ambulance, "
                                "cohort size (1 = illustrative real-size volumes)."),
    people: int | None = typer.Option(None, "--people", min=1, help="Young people (0–25) in the synthetic cohort "
                                      f"(default {COHORT_PEOPLE:,} × --scale)."),
    key_file: Path | None = typer.Option(None, "--key-file", help="Where to write the cohort's pseudonymisation key "
                                         "(default: OUT-key/synthetic-partnership.key, beside --out, never in it)."),
    no_signals: bool = typer.Option(False, "--no-signals", help="Plant no hot spot, intervention effect or near "
                                    "repeats in the ED returns (a null run, for checking that nothing is found)."),
    spatially_random: bool = typer.Option(False, "--spatially-random", help="Draw ED patients' home LSOAs with "
                                          "equal probability (no deprivation gradient): a spatial null run."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document instead of text."),
) -> None:
    """Generate a synthetic Kent and Medway partnership (ED returns, ambulance, education, youth justice); --load."""
    from vrhub.library import Partnership

    first, last = parse_years(years)
    key = key_file or default_key_file(out_dir)
    with steps("Synthetic partnership", 5 if load else 4, enabled=not as_json) as progress:
        options = {"first": first, "last": last, "seed": seed, "key": key, "scale": scale, "people": people,
                   "signals": not no_signals, "spatially_random": spatially_random, "on_step": progress}
        if load:
            from vrhub.cli.context import state

            made_all = state.partnership().synth(out_dir, **options)
        else:
            made_all = Partnership.synth_files(out_dir, **options)
    if as_json:
        print_json(_payload(made_all, out_dir, first, last))
    else:
        _print_made(made_all, out_dir, first, last, no_signals)
    reports = (made_all.ed_report, made_all.ambulance_report, made_all.education_report,
               made_all.youth_justice_report, made_all.force_crime_report)
    failed = [r for rep in reports if rep is not None for r in rep.results if r.error]
    for r in failed:
        out.print(f"[red]{r.source_file}: {r.error}[/]")
    if failed:
        raise typer.Exit(1)


def _payload(made_all: Any, out_dir: Path, first: int, last: int) -> dict[str, Any]:
    """The JSON document of ``vrhub synth --json``: what was written and, with ``--load``, what was loaded."""
    made, amb, cohort, made_returns = made_all.ed, made_all.ambulance, made_all.cohort, made_all.returns
    payload = {"synthetic": True, "notice": SYNTHETIC_BANNER, "folder": str(out_dir), "seed": made.seed,
               "years": [first, last], "start": made.start, "months": made.months, "sites": list(made.sites),
               "rows": made.rows, "files": [str(p) for p in made.paths], "parameters": made.parameters,
               "citation": made.citation, "loaded": None}
    payload["ambulance"] = {"files": [str(p) for p in amb.paths], "rows": amb.rows, "parameters": amb.parameters,
                            "citation": amb.citation}
    payload["cohort"] = {"education": [str(p) for p in cohort.education],
                         "youth_justice": [str(p) for p in cohort.youth_justice], "key_file": str(cohort.key_file),
                         "people": cohort.people, "rows": cohort.rows, "parameters": cohort.parameters,
                         "citation": cohort.citation}
    payload["returns"] = {"file": str(made_returns.returns_file), "rows": made_returns.rows,
                          "surveys": {k: str(v) for k, v in made_returns.surveys.items()},
                          "parameters": made_returns.parameters}
    if made_all.ed_report is None:
        return payload
    payload["loaded"] = [r.to_json() for r in made_all.ed_report.results]
    if made_all.returns_load is not None:
        payload["loaded_returns"] = made_all.returns_load.to_json()
    for name, rep in (("ambulance", made_all.ambulance_report), ("education", made_all.education_report),
                      ("youth_justice", made_all.youth_justice_report)):
        if rep is not None:
            payload[f"loaded_{name}"] = [r.to_json() for r in rep.results]
    force, force_report = made_all.force_crime, made_all.force_crime_report
    if force is not None and force_report is not None:
        payload["force_crime"] = {"file": str(force.path), "rows": force.rows, "citation": force.citation,
                                  "parameters": force.parameters}
        payload["loaded_force_crime"] = [r.to_json() for r in force_report.results]
    return payload


def _print_made(made_all: Any, out_dir: Path, first: int, last: int, no_signals: bool) -> None:
    """What ``vrhub synth`` wrote and, with ``--load``, loaded, part by part."""
    made, amb, cohort, made_returns = made_all.ed, made_all.ambulance, made_all.cohort, made_all.returns
    out.print(f"[bold yellow]{SYNTHETIC_BANNER}[/]")
    out.print(f"Wrote {len(made.paths)} synthetic ISTV files ({made.rows:,} attendances, {len(made.sites)} sites, "
              f"{first}–{last}, seed {made.seed}) to {out_dir}")
    p = made.parameters.get("planted") or {}
    if no_signals or not p:
        out.print("No signals planted in the ED returns (a null run).")
    else:
        out.print(f"Planted in the ED returns: a hot spot of {len(p['hotspot_lsoas'])} LSOAs at "
                  f"{p['hotspot_excess']:g}× their expected rate; {p['intervention_reduction']:.0%} fewer "
                  f"attendances of {p['intervention_district']} residents from {p['intervention_start']}; "
                  f"{p['repeat_share']:.0%} near repeats within {p['repeat_max_days']:g} days.")
    out.print(f"Wrote {len(amb.paths)} synthetic ambulance files ({amb.rows:,} call-outs) to {out_dir / 'ambulance'}")
    out.print(f"Wrote {len(cohort.paths)} pseudonymised synthetic cohort files ({cohort.people:,} young people, "
              f"{cohort.rows:,} education and youth justice rows) to {out_dir / 'cohort'}; key: {cohort.key_file}")
    out.print(f"Wrote {made_returns.rows:,} synthetic providers' return rows (quarterly, "
              f"{len(made_returns.surveys)} services) and before/after surveys to {out_dir / 'returns'} "
              "(try 'vrhub evaluate survey --before-after FILE')")
    if made_all.ed_report is None:
        return
    if made_all.force_crime is None:
        out.print("No police.uk street records are loaded, so no synthetic force crime extract was made (it "
                  "is built on them): load them with 'vrhub ingest police-uk PATH' and run again.")
    for what, rep in (("ED", made_all.ed_report), ("ambulance", made_all.ambulance_report),
                      ("education", made_all.education_report), ("youth justice", made_all.youth_justice_report),
                      ("force crime", made_all.force_crime_report)):
        if rep is None:
            continue
        accepted = sum(r.rows_accepted for r in rep.results)
        quarantined = sum(r.rows_quarantined for r in rep.results)
        out.print(f"Loaded {len(rep.results)} {what} files marked synthetic: {accepted:,} rows accepted, "
                  f"{quarantined:,} quarantined.")
    if made_all.returns_load is not None:
        out.print(f"Loaded the providers' returns: {len(made_all.returns_load.accepted):,} rows accepted, "
                  f"{len(made_all.returns_load.set_aside):,} set aside ('vrhub services report SERVICE').")
    out.print("Try 'vrhub cardiff' next.")
