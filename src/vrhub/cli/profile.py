"""``vrhub profile``: the problem profile (who, what, where, when, why) as tables, charts and a summary."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from vrhub.cli.console import out, print_json
from vrhub.cli.period import FROM, PERIOD, TO


def profile(
    period: str | None = PERIOD,
    start: str | None = FROM,
    end: str | None = TO,
    level: str = typer.Option("district", "--level", help="lsoa | msoa | ward | district | area."),
    strand: str | None = typer.Option(None, "--strand", help="A strand of the definition (default: all serious "
                                      "violence)."),
    definition: str = typer.Option("kent_and_medway", "--definition", help="A shipped definition name or a "
                                   ".toml/.yaml file."),
    out_dir: Path | None = typer.Option(None, "--out", help="Folder for the files (default: <home>/profiles/...)."),
    release: bool = typer.Option(False, "--release", help="Apply disclosure control to every output."),
    vintage: int | None = typer.Option(None, "--vintage", help="LSOA vintage to run on, e.g. 2021 (default: the "
                                       "newest loaded); other vintages are assigned by the ONS best-fit lookup."),
    imd_domain: str | None = typer.Option(None, "--imd-domain", help="Deprivation domain of the gradient, e.g. "
                                          "crime (default: the IMD itself)."),
    as_json: bool = typer.Option(False, "--json", help="Print the files' locations and headline figures as JSON."),
) -> None:
    """Profile serious violence for a period, area level and strand, and write the outputs."""
    from vrhub.cli.context import state, table
    from vrhub.cli.outputs import output_folder
    from vrhub.cli.period import month_options

    months = month_options(start, end, period)
    partnership = state.partnership()
    result = partnership.profile(months, level=level, strand=strand, definition=definition, vintage=vintage,
                                 imd_domain=imd_domain)
    p = result.value
    folder = out_dir or output_folder(partnership.home / "profiles",
                                      f"{p.start:%Y-%m}_{p.end:%Y-%m}_{level}{'_' + strand if strand else ''}",
                                      release=release)
    files = result.write(folder, release=release)
    p = files.profile  # with --release, the released copy: never print the unprotected numbers
    if as_json:
        print_json({"folder": str(folder), "notice": files.marker,
                    "period": {"from": f"{p.start:%Y-%m}", "to": f"{p.end:%Y-%m}"}, "level": level, "strand": strand,
                    "headline": p.headline, "summary": p.summary,
                    "vintage": p.vintage.vintage if p.vintage else None,
                    "vintage_notes": p.sections["where"].notes[:len(p.vintage.notes)] if p.vintage else [],
                    "population": p.population, "deprivation": p.deprivation,
                    "trend": {k: v for k, v in p.trend.__dict__.items() if k != "fitted"},
                    "definition": p.definition, "datasets": p.datasets,
                    "tables": {n: str(folder / "tables" / f"{n}.csv") for n in p.tables()},
                    "files": [str(f) for f in files.files]})
        return
    out.rule(f"[bold]Profile {p.start:%b %Y} to {p.end:%b %Y}[/] ({escape(files.marker)})")
    for line in p.summary:
        out.print(f"• {escape(line)}")
    where = p.sections["where"].tables.get("where_by_area")
    if where is not None:
        cols = ["area_name", "records", "population", "population_year", "rate_per_1000"] \
            if "rate_per_1000" in where.column_names else ["area_name", "records"]
        rows = [[r[c] for c in cols] for r in where.select(cols).to_pylist()[:15]]
        out.print(table(f"By {level}", cols, rows, right={"records", "population", "rate_per_1000"}))
    for s in p.sections.values():
        if not s.available:
            out.print(f"[yellow]Not available — {s.name}:[/] " + escape(" ".join(s.notes)))
    out.print(f"Definition: {p.definition['definition_name']} v{p.definition['definition_version']} "
              f"(sha256 {p.definition['definition_sha256'][:12]}…)")
    out.print(f"Wrote {len(files.files)} files to {folder} (tables as CSV, Parquet and profile.xlsx; charts; "
              "profile.html; summary.md)")
