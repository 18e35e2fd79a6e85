"""``vrhub datasets`` and ``vrhub quarantine``: what is loaded, and what was set aside and why."""

from __future__ import annotations

from pathlib import Path

import typer

from vrhub.cli.console import out, print_json
from vrhub.cli.context import state, table
from vrhub.library.catalogue import NO_PARTNER, SUPERSEDED, WITHDRAWN, CatalogueView, DatasetEntry
from vrhub.report.table_export import write_table_file
from vrhub.store.revisions import ALL as ALL_REVISED
from vrhub.store.revisions import Revision


def datasets(
    kind: str | None = typer.Option(None, "--kind", help="Only this dataset kind."),
    warnings: bool = typer.Option(False, "--warnings", help="List every supply warning, per category too."),
    show_all: bool = typer.Option(False, "--all", help="Also list withdrawn versions."),
    show_revisions: bool = typer.Option(False, "--revisions", help="List the force-months sent again with different "
                                        "content, and what changed per category."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """List the dataset versions in the workspace, with provenance and supply warnings."""
    library = state.partnership()
    if show_revisions:
        print_revisions(library.revisions(kind), as_json)
        return
    view = library.catalogue(kind, include_withdrawn=show_all)
    if as_json:
        print_json([e.to_json() for e in view.entries])
        return
    if not view.entries:
        out.print(f"No datasets in {library.home}. Load some with 'vrhub ingest police-uk PATH' or run 'vrhub demo'.")
        return
    out.print(table(f"Datasets in {library.home}", ["dataset", "kind", "partner", "covers", "read", "accepted",
                                                     "quarantined", "received (UTC)", "notes"],
                    [[e.id, e.kind, "" if e.partner == NO_PARTNER else e.partner, e.covers, e.rows_read,
                      e.rows_accepted, e.rows_quarantined, e.received_at.strftime("%Y-%m-%d %H:%M"), _notes(e)]
                     for e in view.entries], right={"read", "accepted", "quarantined"}))
    print_supply(view, warnings)


def _notes(e: DatasetEntry) -> str:
    """A version's notes column: months with a supply warning, superseded, months two suppliers sent, withdrawn."""
    if e.status == WITHDRAWN:
        return f"[bold red]withdrawn[/] ({e.withdrawn_reason})"
    note = ("[bold yellow]supply: " + ", ".join(e.flagged_months) + "[/]") if e.flagged_months else ""
    if e.status == SUPERSEDED:
        note = (note + " superseded").strip()
    if e.conflicts:
        note = (note + " [bold yellow]two suppliers: " + ", ".join(e.conflicts) + "[/]").strip()
    return note


def print_supply(view: CatalogueView, every: bool) -> None:
    """The supply warnings (category-level ones with ``every``, else counted) and the months not read."""
    for w in view.supply:
        out.print(f"[bold yellow]Supply warning:[/] {w.message}")
    if every:
        for w in view.detail:
            out.print(f"  {w.message}")
    elif view.detail:
        out.print(f"  ({len(view.detail)} category-level supply warnings: add --warnings to list them)")
    for message in view.not_read:
        out.print(f"[bold yellow]Not read:[/] {message}")
    if view.supply or view.detail:
        out.print("How supply is judged: each month's count per day is compared with the median of the same series' "
                  "other months within a year; below 60% or above 167%, and beyond Poisson chance (p < 0.001), is "
                  "flagged; files with many exact copies of rows too (docs/methods/supply-check.md).")


def print_revisions(found: list[Revision], as_json: bool) -> None:
    """The revisions, as JSON or one block per revision with a line per changed category."""
    if as_json:
        print_json([r.to_json() for r in found])
        return
    if not found:
        out.print("No revisions: no force-month has been sent again with different content.")
        return
    for r in found:
        out.print(f"[bold]{r.month:%Y-%m} {r.force}[/] ({r.kind}, from {r.supplier}): {r.previous} → {r.current} "
                  f"(received {r.received:%Y-%m-%d %H:%M}; the newer is read)")
        for c in r.changes:
            label = "all categories" if c.category == ALL_REVISED else c.category
            out.print(f"    {label}: {c.before:,} → {c.after:,} ({c.change:+,})")
        if r.unchanged:
            out.print("    (the same counts in every category: the content changed in other fields)")


def quarantine(
    dataset: str = typer.Argument(..., help="Dataset id (see 'vrhub datasets')."),
    out_file: Path | None = typer.Option(None, "--out", help="Write every quarantined row to this file: .csv, or .xlsx "
                                         "for Excel."),
    limit: int = typer.Option(20, "--limit", help="Rows to show on screen."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Show the rows of a dataset that were quarantined, with the reason for each."""
    d, t, not_kept = state.partnership().quarantined(dataset)
    if out_file:
        write_table_file(t, out_file, sheet="quarantine")
    what_to_do = (f"correct these rows in {d.source_file} (or ask the partner for a corrected file) and load it "
                  "again: the corrected file is a new dataset version and replaces this one for the months it covers"
                  ) if t.num_rows else None
    if as_json:
        print_json({"dataset_id": d.id, "source_file": d.source_path, "rows_quarantined": t.num_rows,
                    "written_to": str(out_file) if out_file else None, "what_to_do": what_to_do,
                    "columns_not_kept": not_kept, "rows": t.slice(0, limit).to_pylist()})
        return
    out.print(f"{d.id}: {t.num_rows:,} of {d.rows_read:,} rows of {d.source_path} were quarantined.")
    if not_kept:
        out.print("Columns of the file vrhub does not read, kept by name only (their values are not stored): "
                  + ", ".join(not_kept))
    if t.num_rows:
        rows = [[r["_source_row"], r["_problems"]] for r in t.slice(0, limit).to_pylist()]
        out.print(table(None, ["row (line in file)", "why"], rows))
        if t.num_rows > limit:
            out.print(f"... {t.num_rows - limit:,} more. Write them all with --out FILE.csv (or FILE.xlsx)")
        out.print(f"[bold]What to do:[/] {what_to_do}")
    if out_file:
        out.print(f"Wrote {t.num_rows:,} rows to {out_file}")


def withdraw(
    dataset: str = typer.Argument(..., help="Dataset id (see 'vrhub datasets')."),
    reason: str = typer.Option(..., "--reason", help="Why (recorded with the version)."),
) -> None:
    """Stop using a dataset version (e.g. a wrong or partial re-issue); it is kept and can be restored."""
    d = state.partnership().withdraw(dataset, reason)
    out.print(f"Withdrawn: {d.id} ({d.source_file}). It is no longer read; where it had replaced an earlier version "
              f"of the same force-month, that version is read again. Undo with: vrhub restore {d.id}")


def restore(dataset: str = typer.Argument(..., help="Dataset id (see 'vrhub datasets --all').")) -> None:
    """Use a withdrawn dataset version again."""
    d = state.partnership().restore(dataset)
    out.print(f"Restored: {d.id} ({d.source_file}) is read again.")
