"""The files of a linked-cohort result: ``risk_factors.csv`` (its first line the notice) and ``summary.md``.

Method: docs/methods/cohort-risk-factors.md. A released result's adjusted odds ratios are shown at the two
significant figures the release step keeps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vrhub.analysis.cohort import CohortResult


def odds_ratio_text(value: float, low: float, high: float, significant: bool = False) -> str:
    """An odds ratio and interval; released model estimates (2 significant figures) are shown as such."""
    if math.isnan(value):
        return ""
    return f"{value:.2g} ({low:.2g}–{high:.2g})" if significant else f"{value:.2f} ({low:.2f}–{high:.2f})"


def cohort_notice(result: CohortResult) -> str:
    """The notice on every file: synthetic or not, released or analyst-only."""
    return ("SYNTHETIC data (invented for testing and training): not evidence | " if result.synthetic else "") + (
        f"released — {result.disclosure}" if result.released else "unsuppressed — analyst use only")


@dataclass
class CohortFiles:
    notice: str
    table: Path
    summary: Path

    @property
    def files(self) -> list[Path]:
        return [self.table, self.summary]


def write_cohort(result: CohortResult, folder: Path, *, label: str = "all") -> CohortFiles:
    """Write ``risk_factors.csv`` and ``summary.md`` to ``folder``; ``label`` names the period in the title."""
    folder.mkdir(parents=True, exist_ok=True)
    notice = cohort_notice(result)
    csv_path = folder / "risk_factors.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        f.write(f"# {notice}\n")
        result.table.to_csv(f, index=False)
    lines = [f"# Linked cohort: school risk factors and violent offending ({label})", "", f"**{notice}**", "",
             f"Pupils: {result.population if result.population is not None else '[c]'}; with a violent youth justice "
             f"offence: {result.with_outcome if result.with_outcome is not None else '[c]'}.", ""]
    lines += [f"- {r.label}: adjusted odds ratio "
              f"{odds_ratio_text(r.adjusted_or, r.adjusted_or_low, r.adjusted_or_high, result.released) or 'n/a'}"
              for r in result.table.itertuples()]
    lines += ["", *[f"- {n}" for n in result.notes], "", f"Citation: {result.citation}", ""]
    summary = folder / "summary.md"
    summary.write_text("\n".join(lines), encoding="utf-8")
    return CohortFiles(notice, csv_path, summary)
