"""``vrhub cardiff``: the Cardiff Model view — ED assault attendances beside police-recorded violence.

Calls ``Partnership.cardiff`` and writes its tables with ``vrhub.report.cardiff_files`` as tidy CSVs and a short
``summary.md`` (with the notice that says whether the ED data are synthetic and whether disclosure control was
applied). Method: docs/methods/cardiff-model.md.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from rich.markup import escape

from vrhub.cli.console import out, print_json
from vrhub.cli.period import FROM, PERIOD, TO


def cardiff(
    period: str | None = PERIOD,
    start: str | None = FROM,
    end: str | None = TO,
    out_dir: Path | None = typer.Option(None, "--out", help="Folder for the files (default: <home>/cardiff/...)."),
    release: bool = typer.Option(False, "--release", help="Apply disclosure control to every count table."),
    top: int = typer.Option(20, "--top", min=1, help="How many free-text location descriptions to list."),
    vintage: int | None = typer.Option(None, "--vintage", help="LSOA vintage to count on, e.g. 2021 (default: the "
                                       "newest loaded); other vintages are assigned by the ONS best-fit lookup."),
    as_json: bool = typer.Option(False, "--json", help="Print the files' locations and headline figures as JSON."),
) -> None:
    """Cardiff Model view: ED assaults (ISTV) vs police-recorded violence by district and month, ED arrival times,
    and the assault locations known only to health."""
    from vrhub.cli.context import state, table
    from vrhub.cli.outputs import output_folder
    from vrhub.cli.period import month_options

    partnership = state.partnership()
    result = partnership.cardiff(month_options(start, end, period), top=top, vintage=vintage)
    if release:
        result = result.release()
    view = result.value
    folder = out_dir or output_folder(partnership.home / "cardiff", f"{view.start:%Y-%m}_{view.end:%Y-%m}",
                                      release=release)
    files = result.write(folder)
    if as_json:
        print_json({"folder": str(folder), "notice": view.notice, "synthetic": view.synthetic,
                    "released": view.released, "period": {"from": f"{view.start:%Y-%m}", "to": f"{view.end:%Y-%m}"},
                    "totals": view.totals, "summary": view.summary, "notes": view.notes,
                    "ed_datasets": view.ed_datasets, "police_datasets": view.police_datasets,
                    "disclosure": view.disclosure, "parameters": view.parameters, "citation": view.citation,
                    "tables": {n: str(folder / f"{n}.csv") for n in view.tables},
                    "files": [str(f) for f in files]})
        return
    out.print(escape(view.notice), style="bold yellow" if view.synthetic else None)  # first: synthetic or not
    out.rule(f"[bold]Cardiff Model view {view.start:%b %Y} to {view.end:%b %Y}[/]")
    for line in view.summary[1 if view.synthetic else 0:]:
        out.print(f"• {escape(line)}")
    marker = escape((view.disclosure or {}).get("marker", "[c]")) if view.released else ""
    cols = ["district_name", "ed_assaults", "police_violence"]
    shown = {"ed_assaults": marker, "police_violence": marker if view.police_datasets else ""}
    rows = [[r["district_name"], *(shown[c] if pd.isna(r[c]) else int(r[c]) for c in cols[1:])]
            for r in view.tables["ed_vs_police_by_district"][cols].to_dict("records")]
    out.print(table("By district (ED: patient's home; police: offence location)", cols, rows,
                    right={"ed_assaults", "police_violence"}))
    for n in view.notes:
        out.print(escape(n), style="dim")
    out.print(f"Wrote {len(files)} files to {folder}")
