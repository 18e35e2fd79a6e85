"""``vrhub sna build``: the Strategic Needs Assessment as one self-contained HTML file (and PDF)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from vrhub.cli.console import out, print_json, steps
from vrhub.cli.period import FROM, PERIOD, TO, month_options

app = typer.Typer(help="The Strategic Needs Assessment.", no_args_is_help=True)


@app.command("build")
def build(
    period: str | None = PERIOD,
    start: str | None = FROM,
    end: str | None = TO,
    out_dir: Path | None = typer.Option(None, "--out", help="Folder to write the report to (default: sna, or "
                                        "sna_released with --release, so a draft never sits beside a release)."),
    pdf: bool = typer.Option(False, "--pdf", help="Also write a PDF (needs WeasyPrint and Pango)."),
    docx: bool = typer.Option(False, "--docx", help="Also write an editable Word document (DOCX) of the same page."),
    release: bool = typer.Option(False, "--release", help="Apply disclosure control throughout."),
    definition: str = typer.Option("kent_and_medway", "--definition", help="Definition name or file."),
    vintage: int | None = typer.Option(None, "--vintage", help="LSOA vintage to run on, e.g. 2021 (default: the "
                                       "newest loaded); other vintages are assigned by the ONS best-fit lookup."),
    imd_domain: str | None = typer.Option(None, "--imd-domain", help="Deprivation domain of the gradient, e.g. "
                                          "crime (default: the IMD itself)."),
    area: str | None = typer.Option(None, "--area", help="Build the SNA of one local area, with the partnership "
                                    "beside it: a district or ward code (E07000114), a district name (Thanet), or "
                                    "an area named in the workspace's areas.csv (a CSP or ward group)."),
    all_areas: bool = typer.Option(False, "--all-areas", help="Build one SNA per district, each in its own file."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Build the SNA from the workspace: findings, definition, data, the problem, strategy, appendix."""
    from vrhub.cli.context import state
    from vrhub.cli.outputs import output_folder

    months = month_options(start, end, period)
    if out_dir is None:
        out_dir = output_folder(Path("."), "sna", release=release)
    if area and all_areas:
        raise typer.BadParameter("give --area or --all-areas, not both", param_hint="--all-areas")
    if all_areas:
        _all_areas(months, out_dir, as_json=as_json, pdf=pdf, release=release, definition=definition, docx=docx,
                   vintage=vintage, imd_domain=imd_domain)
        return
    with steps("Building the SNA", 8 + release + pdf + docx, enabled=not as_json) as step:
        result = state.partnership().sna(months, out=out_dir, pdf=pdf, release=release, definition=definition,
                                         docx=docx, vintage=vintage, imd_domain=imd_domain, on_step=step, area=area)
    if as_json:
        print_json(result.to_json())
        return
    if result.label:
        out.print(escape(result.label), style="bold yellow")
    out.print(f"SNA written to {result.html}" + (f" and {result.pdf}" if result.pdf else "")
              + (f" and {result.docx}" if result.docx else ""))
    out.print("Released: disclosure control applied throughout." if release else
              "Watermarked 'analyst draft — unsuppressed': add --release for a version to share.")



def _all_areas(months: object, out_dir: Path, *, as_json: bool, **options: object) -> None:
    """``--all-areas``: one SNA per district (``Partnership.sna_areas``), a line per area as it is written."""
    from vrhub.cli.context import state

    p = state.partnership()
    with steps("Building the SNA of each district", len(p.districts(vintage=options.get("vintage"))),  # type: ignore[arg-type]
               enabled=not as_json) as step:
        results = p.sna_areas(months, out=out_dir, on_area=lambda a: step(a.name), **options)  # type: ignore[arg-type]
    if as_json:
        print_json({"areas": [r.to_json() for r in results]})
        return
    if results and results[0].label:
        out.print(escape(results[0].label), style="bold yellow")
    for r in results:
        out.print(f"SNA written to {r.html}" + (f" and {r.pdf}" if r.pdf else "")
                  + (f" and {r.docx}" if r.docx else ""))
    out.print(f"{len(results)} area SNAs. " + ("Released: disclosure control applied throughout." if options["release"]
                                              else "Watermarked 'analyst draft — unsuppressed': add --release for a "
                                                   "version to share."))
