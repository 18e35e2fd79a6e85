"""``vrhub examples PATH``: write small sample inputs for every README and tutorial example."""

from __future__ import annotations

from pathlib import Path

import typer

from vrhub.cli.console import out, print_json


def examples(
    path: Path = typer.Argument(..., help="Folder to write the samples to (created; e.g. examples)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Write the samples again over an existing folder."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Write sample inputs (police.uk archive, boundaries, ISTV returns, a mapped export, partner feeds, a broken
    file) for trying every example in the README; see PATH/README.md."""
    from vrhub.synth.examples import write_examples

    result = write_examples(path, overwrite=overwrite)
    if as_json:
        print_json(result.to_json())
        return
    out.print(f"Wrote sample inputs to {result.folder} (real police.uk and ONS data; synthetic partner files):")
    for name, what in result.files.items():
        out.print(f"  {result.folder / name}: {what}", highlight=False)
    out.print("Try them with the commands of the README's 'Using it' section, in order.")
