"""``vrhub geography load|show``: boundaries (LSOA, MSOA, ward, district) and population / IMD."""

from __future__ import annotations

from pathlib import Path

import typer

from vrhub.cli.console import err, out, print_json
from vrhub.ingest.geography import load_geography
from vrhub.store.geography import Geography

app = typer.Typer(help="Area boundaries and attributes.", no_args_is_help=True)


@app.command("load")
def load(
    paths: list[Path] = typer.Argument(..., help="GeoJSON/TopoJSON/Shapefile/GeoPackage boundaries, IMD or "
                                       "population CSV/XLSX files, or folders of them."),
    level: str | None = typer.Option(None, "--level", help="lsoa | msoa | ward | district (default: from the "
                                     "attribute names, e.g. LSOA11CD)."),
    vintage: int | None = typer.Option(None, "--vintage", help="Boundary year, e.g. 2021 (default: from the "
                                       "attribute names)."),
    code_field: str | None = typer.Option(None, "--code-field", help="Attribute holding the area code."),
    name_field: str | None = typer.Option(None, "--name-field", help="Attribute holding the area name."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Load boundaries and area attributes (population, deprivation) into the workspace."""
    from vrhub.cli.main import existing_paths, state

    ws = state.workspace()
    results = load_geography(ws, existing_paths(paths), level=level, vintage=vintage, code_field=code_field,
                             name_field=name_field)
    if as_json:
        print_json([r.to_json() for r in results])
    else:
        print_geography(ws, results)
    if any(r.error for r in results):
        raise typer.Exit(1)


def print_geography(ws, results) -> None:  # type: ignore[no-untyped-def]
    from vrhub.cli.main import table

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
    from vrhub.cli.main import state, table

    ws = state.workspace()
    geo = Geography(ws.engine())
    layers = geo.layers()
    attrs = [{"dataset_id": d.id, "table": d.attributes.get("table"), "rows": d.rows_accepted,
              "source_file": d.source_file} for d in ws.catalogue.datasets("area_attributes")]
    if as_json:
        print_json({"layers": layers, "attributes": attrs})
        return
    out.print(table("Boundary layers", ["level", "vintage", "areas"], [[e["level"], str(e["vintage"]), e["areas"]]
                                                                       for e in layers], right={"areas"}))
    out.print(table("Area attributes", ["dataset", "table", "rows", "file"],
                    [[a["dataset_id"], a["table"], a["rows"], a["source_file"]] for a in attrs], right={"rows"}))
