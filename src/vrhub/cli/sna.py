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
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Build the SNA from the workspace: findings, definition, data, the problem, strategy, appendix."""
    from vrhub.cli.context import state
    from vrhub.cli.outputs import output_folder

    months = month_options(start, end, period)
    if out_dir is None:
        out_dir = output_folder(Path("."), "sna", release=release)
    with steps("Building the SNA", 8 + release + pdf + docx, enabled=not as_json) as step:
        result = state.partnership().sna(months, out=out_dir, pdf=pdf, release=release, definition=definition,
                                         docx=docx, vintage=vintage, imd_domain=imd_domain, on_step=step)
    if as_json:
        print_json(result.to_json())
        return
    if result.label:
        out.print(escape(result.label), style="bold yellow")
    out.print(f"SNA written to {result.html}" + (f" and {result.pdf}" if result.pdf else "")
              + (f" and {result.docx}" if result.docx else ""))
    out.print("Released: disclosure control applied throughout." if release else
              "Watermarked 'analyst draft — unsuppressed': add --release for a version to share.")

