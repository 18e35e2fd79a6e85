"""The files of a Cardiff Model view: each table as a tidy CSV and a short ``summary.md``.

The summary carries the notice that says whether the ED data are synthetic and whether disclosure control was
applied (a released view shows its suppressed counts with the rules' marker). Method: docs/methods/cardiff-model.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from vrhub.report.csv_safe import safe_frame

if TYPE_CHECKING:
    from vrhub.analysis.cardiff import CardiffView

COUNT_COLUMNS = ("ed_assaults", "police_violence", "ed_arrivals")


def write_cardiff(view: CardiffView, folder: Path) -> list[Path]:
    """Write each table as ``<name>.csv`` (its first line ``# <notice>``: synthetic or not, released or not) and
    ``summary.md`` to ``folder``; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = (view.disclosure or {}).get("marker", "[c]") if view.released else ""
    files = []
    for name, table in view.tables.items():
        path = folder / f"{name}.csv"
        table = table.copy()
        for col in (c for c in COUNT_COLUMNS if c in table):
            if col == "police_violence" and not view.police_datasets:
                continue  # not loaded: an empty cell, not a suppression marker
            table[col] = table[col].astype(object).where(table[col].notna(), marker)
        with path.open("w", encoding="utf-8", newline="") as f:
            f.write(f"# {view.notice}\n")  # the first line says whether the ED data are synthetic, and released
            safe_frame(table).to_csv(f, index=False, na_rep="")
        files.append(path)
    lines = [f"# Cardiff Model view, {view.start:%B %Y} to {view.end:%B %Y}", "", f"**{view.notice}**", ""]
    lines += [f"- {s}" for s in view.summary] + ["", "## Read with care", ""] + [f"- {n}" for n in view.notes]
    lines += ["", f"ED datasets: {', '.join(view.ed_datasets)}",
              f"police.uk datasets: {', '.join(view.police_datasets) or 'none'}", "", f"Citation: {view.citation}", ""]
    path = folder / "summary.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return [*files, path]
