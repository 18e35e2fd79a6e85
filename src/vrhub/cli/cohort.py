"""``vrhub cohort``: school risk factors and violent youth justice offences in the linked cohort (causes, step 2).

Calls ``Partnership.cohort`` (:func:`vrhub.analysis.cohort.cohort_risk_factors`) and writes its table with
``vrhub.report.cohort_files`` as ``risk_factors.csv`` with a
``summary.md``. Method: docs/methods/cohort-risk-factors.md.
"""

from __future__ import annotations

import math
from pathlib import Path

import typer
from rich.markup import escape

from vrhub.cli.console import out, print_json, steps
from vrhub.cli.period import FROM, PERIOD, TO
from vrhub.report.cohort_files import odds_ratio_text, write_cohort

_or = odds_ratio_text


def cohort(
    period: str | None = PERIOD,
    start: str | None = FROM,
    end: str | None = TO,
    out_dir: Path | None = typer.Option(None, "--out", help="Folder for the files (default: <home>/cohort/...)."),
    release: bool = typer.Option(False, "--release", help="Apply disclosure control to every count."),
    linked: bool = typer.Option(False, "--linked", help="Use the clusters of the last `vrhub link` run (partners "
                                "without a shared identifier) instead of the shared pseudonym."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Odds ratios of a violent youth justice offence by exclusion, suspension, persistent absence and sex, for
    pupils linked on pseudonym between the education and youth justice data. Associations, not causes."""
    from vrhub.cli.context import state, table
    from vrhub.cli.outputs import output_folder
    from vrhub.cli.period import month_options

    lo, hi = month_options(start, end, period)
    partnership = state.partnership()
    with steps("Cohort risk factors", 2, enabled=not as_json) as progress:
        found = partnership.cohort(None if linked else (lo, hi), linked=linked, on_step=progress)
        result = (found.release() if release else found).value
        span = (f"{lo:%Y-%m}_{hi:%Y-%m}" if lo and hi else "all") + ("_linked" if linked else "")
        folder = out_dir or output_folder(partnership.home / "cohort", span, release=release)
        progress("writing the files")
        written = write_cohort(result, folder, label=span)
    notice, csv_path, summary = written.notice, written.table, written.summary
    if as_json:
        print_json({"folder": str(folder), "notice": notice, "synthetic": result.synthetic, "released": release,
                    "population": result.population, "with_outcome": result.with_outcome,
                    "offenders_not_in_education": result.offenders_not_in_education,
                    "risk_factors": result.table.astype(object).where(result.table.notna(), None).to_dict("records"),
                    "notes": result.notes, "datasets": result.datasets, "parameters": result.parameters,
                    "citation": result.citation, "files": [str(csv_path), str(summary)]})
        return
    out.print(escape(notice), style="bold")
    rows = [[r.label, r.exposed, r.exposed_with_outcome, _or(r.crude_or, r.crude_or_low, r.crude_or_high),
             _or(r.adjusted_or, r.adjusted_or_low, r.adjusted_or_high, release)] for r in result.table.itertuples()]
    rows = [[None if v is None or (isinstance(v, float) and math.isnan(v)) else
             int(v) if hasattr(v, "__int__") and not isinstance(v, str | float) else v for v in r] for r in rows]
    out.print(table(f"Violent youth justice offence by school risk factor ({result.population or '[c]'} pupils)",
                    ["risk factor", "pupils", "with offence", "crude OR (95% CI)", "adjusted OR (95% CI)"], rows,
                    right={"pupils", "with offence"}))
    for n in result.notes:
        out.print(f"[dim]{n}[/]")
    out.print(f"Wrote {csv_path} and {summary}")

