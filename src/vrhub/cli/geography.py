"""``vrhub geography load|show``: boundaries (LSOA, MSOA, ward, district) and population / IMD."""

from __future__ import annotations

from pathlib import Path

import typer

from vrhub.cli.console import err, out, print_json
from vrhub.store.area_attributes import describe
from vrhub.store.geography import Geography

app = typer.Typer(help="Area boundaries and attributes.", no_args_is_help=True)


@app.command("load")
def load(
    paths: list[Path] = typer.Argument(..., help="GeoJSON/TopoJSON/Shapefile/GeoPackage boundaries, IoD, Census or "
                                       "population CSV/XLSX files, ONS lookups, or folders or zip archives of them."),
    level: str | None = typer.Option(None, "--level", help="lsoa | msoa | ward | district (default: from the "
                                     "attribute names, e.g. LSOA11CD)."),
    vintage: int | None = typer.Option(None, "--vintage", help="Boundary year, e.g. 2021, or the LSOA vintage of an "
                                       "attribute file (default: from the attribute names or headers)."),
    year: int | None = typer.Option(None, "--year", help="The year a population file describes (default: from its "
                                    "sheet names, headers, title lines or file name)."),
    code_field: str | None = typer.Option(None, "--code-field", help="Attribute holding the area code."),
    name_field: str | None = typer.Option(None, "--name-field", help="Attribute holding the area name."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Load boundaries and area attributes (population, deprivation) into the workspace."""
    from vrhub.cli.context import existing_paths, state

    partnership = state.partnership()
    results = partnership.load_geography(existing_paths(paths), level=level, vintage=vintage, code_field=code_field,
                                         name_field=name_field, year=year)
    if as_json:
        print_json([r.to_json() for r in results])
    else:
        print_geography(partnership.ws, results)
    if any(r.error for r in results):
        raise typer.Exit(1)


def print_geography(ws, results) -> None:  # type: ignore[no-untyped-def]
    from vrhub.cli.context import table

    new = sum(1 for r in results if r.ok and not r.duplicate_of)
    dup = sum(1 for r in results if r.duplicate_of)
    out.print(f"Geography: {new} file(s) loaded, {dup} already loaded, "
              f"{sum(1 for r in results if r.error)} failed.")
    for r in results:
        if r.error:
            err.print(f"[bold red]Error:[/] {r.error}")
        elif r.rows_quarantined:
            out.print(f"[yellow]{r.source_file}: {r.rows_quarantined} rows quarantined (vrhub quarantine "
                      f"{r.dataset_id})")
    geo = Geography(ws.engine())
    rows = [[e["level"], str(e["vintage"]), e["areas"], len(e["datasets"])] for e in geo.layers()]
    out.print(table("Boundary layers", ["level", "vintage", "areas", "files"], rows, right={"areas", "files"}))


@app.command("show")
def show(as_json: bool = typer.Option(False, "--json", help="Print one JSON document.")) -> None:
    """List the boundary layers and area-attribute tables loaded."""
    from vrhub.cli.context import state, table

    ws = state.workspace()
    geo = Geography(ws.engine())
    layers = geo.layers()
    attrs = []
    for d in ws.catalogue.datasets("area_attributes"):
        a = describe(d)
        attrs.append({"dataset_id": d.id, "table": ", ".join(a.tables), "lsoa_vintage": a.lsoa_vintage,
                      "edition": a.edition, "years": list(a.years), "source": a.source, "rows": d.rows_accepted,
                      "source_file": d.source_file})
    lookups = [{"dataset_id": d.id, "from": f"{d.attributes['level']} {d.attributes['from_vintage']}",
                "to": f"{d.attributes['level']} {d.attributes['to_vintage']}", "method": d.attributes.get("method"),
                "rows": d.rows_accepted, "source_file": d.source_file} for d in ws.catalogue.datasets("area_lookup")]
    if as_json:
        print_json({"layers": layers, "attributes": attrs, "lookups": lookups,
                    "newest_lsoa_vintage": geo.newest_vintage()})
        return
    out.print(table("Boundary layers", ["level", "vintage", "areas"], [[e["level"], str(e["vintage"]), e["areas"]]
                                                                       for e in layers], right={"areas"}))
    out.print(table("Area attributes", ["dataset", "table", "LSOAs", "edition/year", "rows", "source"],
                    [[a["dataset_id"], a["table"], str(a["lsoa_vintage"] or ""),
                      ", ".join([f"IoD {a['edition']}"] * bool(a["edition"]) + [str(y) for y in a["years"]]),
                      a["rows"], a["source"]]
                     for a in attrs], right={"rows"}))
    if lookups:
        out.print(table("Lookups between vintages", ["dataset", "from", "to", "method", "rows"],
                        [[x["dataset_id"], x["from"], x["to"], x["method"], x["rows"]] for x in lookups],
                        right={"rows"}))
