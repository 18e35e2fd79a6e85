"""``vrhub hotspots`` (Gi*, kernel density, emerging hot spots, with offline maps) and ``vrhub near-repeat`` (Knox)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from vrhub.cli.console import err, labelled, out, print_json, print_label, steps
from vrhub.cli.period import FROM, PERIOD, TO, month_options

SOURCE_HELP = ("Records to analyse: police_uk_street (default), ed_istv (ED assault attendances, by home LSOA) or "
               "force_crime (force crime records, dated and located).")


def _numbers(text: str, hint: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError as exc:
        raise typer.BadParameter(f"'{text}' is not a comma-separated list of numbers, e.g. 0,200,400",
                                 param_hint=hint) from exc
    if not values:
        raise typer.BadParameter("give at least two band edges, e.g. 0,200,400", param_hint=hint)
    return values


def _fail(message: str, hint: str) -> None:
    err.print(f"[bold red]Error:[/] {message}")
    err.print(f"[bold]What to do:[/] {hint}")
    raise typer.Exit(1)


def hotspots(
    method: str = typer.Option("gistar", "--method", help="gistar | kde | emerging."),
    level: str = typer.Option("lsoa", "--level", help="lsoa | grid (kde always uses a grid)."),
    cell: float = typer.Option(250.0, "--cell", help="Grid cell size in metres (with --level grid, and for kde)."),
    period: str | None = PERIOD,
    start: str | None = FROM,
    end: str | None = TO,
    permutations: int | None = typer.Option(None, "--permutations", help="Permutations for Gi* inference (default "
                                            "9999; emerging: default 0, the analytic p-values, as ArcGIS)."),
    seed: int | None = typer.Option(None, "--seed", help="Random seed (default: drawn and recorded)."),
    alpha: float = typer.Option(0.05, "--fdr", help="False discovery rate level (Benjamini-Hochberg)."),
    bandwidth: str = typer.Option("arcgis", "--bandwidth", help="KDE bandwidth in metres, or 'arcgis'."),
    kernel: str = typer.Option("quartic", "--kernel", help="KDE kernel: quartic | epanechnikov."),
    per_population: bool = typer.Option(False, "--per-population", help="With kde: dual kernel density, incidents "
                                        "per 1,000 residents (population surface from the loaded LSOAs)."),
    strand: str | None = typer.Option(None, "--strand", help="A strand of the definition (default: all serious "
                                      "violence)."),
    definition: str = typer.Option("kent_and_medway", "--definition", help="Definition name or .toml/.yaml file."),
    source: str = typer.Option("police_uk_street", "--source", help=SOURCE_HELP),
    vintage: int | None = typer.Option(None, "--vintage", help="LSOA vintage to run on, e.g. 2021 (default: the "
                                       "newest loaded); other vintages are assigned by the ONS best-fit lookup."),
    out_dir: Path | None = typer.Option(None, "--out", help="Folder for the files (default: <home>/hotspots/...)."),
    release: bool = typer.Option(False, "--release", help="Apply disclosure control to every output."),
    as_json: bool = typer.Option(False, "--json", help="Print the parameters, data versions and files as JSON."),
) -> None:
    """Find where serious violence concentrates (Gi*, kernel density or emerging hot spots) and map it offline."""
    from vrhub.cli.context import state
    from vrhub.cli.outputs import output_folder
    from vrhub.domain.errors import HotspotInputError

    months = month_options(start, end, period)
    bw: float | str = bandwidth
    if bandwidth != "arcgis":
        try:
            bw = float(bandwidth)
        except ValueError as exc:
            raise typer.BadParameter("give a bandwidth in metres, e.g. 500, or 'arcgis'",
                                     param_hint="--bandwidth") from exc
    partnership = state.partnership()
    with steps(f"Hot spots ({method})", 3, enabled=not as_json) as progress:
        try:
            found = partnership.hotspots(months, method=method, level=level, cell=cell, permutations=permutations,
                                         seed=seed, alpha=alpha, bandwidth=bw, kernel=kernel,
                                         per_population=per_population, strand=strand, definition=definition,
                                         source=source, on_step=progress, vintage=vintage)
        except HotspotInputError as exc:
            if exc.option:  # an option the library refused: a usage error naming it
                raise
            _fail(str(exc), "change the options named above and run the command again")
        result, incidents, level = found.value, found.context["incidents"], found.context["level"]
        where = f"{level}{'_' + format(cell, 'g') + 'm' if level == 'grid' else ''}"
        prefix = "" if source == "police_uk_street" else f"{source}_"
        span = f"{incidents.start:%Y-%m}_{incidents.end:%Y-%m}"
        folder = out_dir or output_folder(partnership.home / "hotspots", f"{prefix}{result.method}_{where}_{span}",
                                          release=release)
        progress("writing the maps and tables")
        synthetic = found.context.get("synthetic", False)
        files = found.write(folder, release=release)
    if as_json:
        print_json({"folder": str(folder), "notice": files.marker, "synthetic": synthetic,
                    **{k: v for k, v in files.metadata.items() if k not in ("notice", "synthetic")}})
        return
    out.rule(f"[bold]{method} by {where}, {incidents.start:%b %Y} to {incidents.end:%b %Y}[/] ({escape(files.marker)})")
    for k, v in files.metadata.get("summary", {}).get("classes", {}).items():
        out.print(f"• {k}: {v:,} areas")
    params = ", ".join(f"{k}={v}" for k, v in result.parameters.items() if not isinstance(v, dict | list))
    out.print(f"Parameters: {params}")
    for note in result.notes:
        out.print(f"[yellow]Note:[/] {note}")
    out.print(f"Wrote {len(files.files)} files to {folder} (hotspots.csv, map.svg/png/html, hotspots.json)")


def near_repeat(
    source: str = typer.Option("police_uk_street", "--source", help="Events to test: police_uk_street (months "
                               "only), ed_istv (dated ED assault attendances at home-LSOA centroids) or force_crime "
                               "(dated force crime records at their recorded places)."),
    space: str = typer.Option("0,200,400", "--space", help="Space band edges in metres, e.g. 0,200,400."),
    time: str = typer.Option("0,7,14", "--time", help="Time band edges in days (or months with --time-unit month)."),
    time_unit: str = typer.Option("day", "--time-unit", help="day | month (month: whole calendar months, coarse)."),
    period: str | None = PERIOD,
    start: str | None = FROM,
    end: str | None = TO,
    permutations: int = typer.Option(999, "--permutations", help="Monte Carlo permutations."),
    seed: int | None = typer.Option(None, "--seed", help="Random seed (default: drawn and recorded)."),
    strand: str | None = typer.Option(None, "--strand", help="A strand of the definition."),
    definition: str = typer.Option("kent_and_medway", "--definition", help="Definition name or .toml/.yaml file."),
    as_json: bool = typer.Option(False, "--json", help="Print the Knox table and parameters as JSON."),
) -> None:
    """Knox near-repeat test: are events close in space also close in time, more than chance would give?"""
    from vrhub.cli.context import state, table
    from vrhub.domain.errors import HotspotInputError, TimeResolutionError

    space_bands, time_bands = _numbers(space, "--space"), _numbers(time, "--time")
    months = month_options(start, end, period)
    try:
        with steps("Knox near-repeat test", 2, enabled=not as_json) as progress:
            found = state.partnership().near_repeat(months, space_bands=space_bands, time_bands=time_bands,
                                                    time_unit=time_unit, permutations=permutations, seed=seed,
                                                    strand=strand, definition=definition, source=source,
                                                    on_step=progress)
    except TimeResolutionError as exc:
        _fail(f"{source} records carry the month only, not the day: day bands cannot be measured. {exc}",
              "run again with --time-unit month and whole-month bands (e.g. --time 0,0,1,2): this is coarse, "
              "events in the same month may be 0-30 days apart; or use a source with offence dates")
    except HotspotInputError as exc:
        if exc.option:
            raise
        _fail(str(exc), "change the options named above and run the command again")
    result, incidents, synthetic = found.value, found.context["incidents"], found.context["synthetic"]
    if time_unit == "month":
        err.print("[yellow]Warning:[/] time bands are whole calendar months (coarsened): events in the same month "
                  "may be 0-30 days apart; do not compare these Knox ratios with day-based near-repeat studies.")
    params = {"source": source, "space_bands_m": list(result.space_edges_m), "time_bands": list(result.time_edges),
              "time_unit": result.time_unit, "permutations": result.permutations, "seed": result.seed,
              "period": {"from": f"{incidents.start:%Y-%m}", "to": f"{incidents.end:%Y-%m}"},
              "scope": incidents.scope, **result.parameters}
    if as_json:
        print_json(labelled({"parameters": params, "definition": incidents.definition,
                    "data_versions": {source: list(incidents.datasets)}, "n_events": result.n_events,
                    "n_close_pairs": result.n_close_pairs, "table": result.to_frame().to_dict(orient="records"),
                    "global_test": {"p_value": result.global_p_value, "statistic": result.global_statistic,
                                    "method": result.parameters["global_test"], "sentence": result.global_sentence()},
                    "notes": [*incidents.notes, *result.notes], "citation": result.citation,
                    "location_note": incidents.location_note}, synthetic=synthetic))
        return
    print_label(synthetic=synthetic)
    ratio = result.table("knox_ratio")
    p = result.table("p_value")
    rows = [[s, *[f"{ratio.loc[s, t]:.2f} (p={p.loc[s, t]:.3f})" for t in ratio.columns]] for s in ratio.index]
    out.print(table(f"Knox ratios, {result.n_events:,} events (analyst use only)", ["space \\ time", *ratio.columns],
                    rows))
    for note in (*incidents.notes, *result.notes):
        out.print(f"[yellow]Note:[/] {note}")
    out.print(result.global_sentence() + " Per-band p-values are not adjusted for the number of bands; the global "
              "test and the adjusted p-values (--json: p_adjusted) are.")
    out.print(f"Permutations {result.permutations}, seed {result.seed}. {incidents.location_note}.")
