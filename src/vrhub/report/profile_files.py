"""Write a profile to files: tidy tables (CSV, Parquet, one Excel workbook), charts, summary and metadata.

Without ``release`` every file says "unsuppressed — analyst use only" (CSV: a first comment line starting
with '#'; Parquet: file metadata; Excel: a first row on every sheet; charts: the subtitle; summary: the
first line; profile.json: ``notice``). With ``release`` the profile passes disclosure control first
(:func:`vrhub.report.release.release_profile`: tables, headline, notes and summary) and every file carries the
disclosure statement instead. Every output file and column: docs/profile-outputs.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from vrhub.analysis.profile import Profile
from vrhub.domain.disclosure import DisclosureRules
from vrhub.domain.labels import notice
from vrhub.report import charts
from vrhub.report.csv_safe import safe_frame
from vrhub.report.profile_charts import profile_charts

ANALYST_MARKER = "unsuppressed — analyst use only"


@dataclass
class ProfileFiles:
    """What :func:`write_profile` wrote: the folder, the files, the notice on each, and the profile as written
    (with ``release``, the released copy: print *its* numbers, never the original's)."""

    folder: Path
    profile: Profile
    files: list[Path] = field(default_factory=list)
    marker: str = ANALYST_MARKER

    def to_json(self) -> dict[str, Any]:
        return {"folder": str(self.folder), "marker": self.marker, "files": [str(f) for f in self.files]}


def write_profile(profile: Profile, folder: Path, *, release: bool = False,
                  rules: DisclosureRules | None = None) -> ProfileFiles:
    """Write the profile's tables, charts, summary and metadata to ``folder``; with ``release``, after
    disclosure control under ``rules`` (default: suppress 1–7, round to 5)."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = ANALYST_MARKER
    if release:
        from vrhub.report.release import release_profile

        profile, marker = release_profile(profile, rules)
    tables = profile.tables()
    if profile.synthetic:  # the first line of every file says so (vrhub.domain.labels)
        marker = f"{notice(synthetic=True)} | {marker}"
    out = ProfileFiles(folder, profile, marker=marker)
    tdir = folder / "tables"
    tdir.mkdir(exist_ok=True)
    for name, t in tables.items():
        csv_path = tdir / f"{name}.csv"
        with open(csv_path, "w", encoding="utf-8", newline="") as f:
            f.write(f"# {marker}\n")
            safe_frame(t.to_pandas(integer_object_nulls=True)).to_csv(f, index=False)
        pq_path = tdir / f"{name}.parquet"
        meta = {**(t.schema.metadata or {}), b"vrhub_notice": marker.encode(),
                b"vrhub_definition": json.dumps(profile.definition).encode()}
        pq.write_table(t.replace_schema_metadata(meta), pq_path)
        out.files += [csv_path, pq_path]
    xlsx = folder / "profile.xlsx"
    with pd.ExcelWriter(xlsx, engine="openpyxl") as xw:
        for name, t in tables.items():
            pd.DataFrame({"notice": [marker]}).to_excel(xw, sheet_name=name[:31], index=False, header=False)
            frame = safe_frame(t.to_pandas(integer_object_nulls=True))
            frame.to_excel(xw, sheet_name=name[:31], index=False, startrow=2)
    out.files.append(xlsx)
    out.files += _charts(profile, tables, folder, marker)
    summary = folder / "summary.md"
    summary.write_text(_summary_text(profile, marker), encoding="utf-8")
    meta_path = folder / "profile.json"
    meta_path.write_text(json.dumps(_metadata(profile, marker, out.files), indent=2, default=str), encoding="utf-8")
    out.files += [summary, meta_path]
    return out


def _charts(profile: Profile, tables: dict[str, pa.Table], folder: Path, marker: str) -> list[Path]:
    cdir = folder / "charts"
    cdir.mkdir(exist_ok=True)
    made = profile_charts(profile, tables, marker)
    files = [f for c in made for f in charts.save_static(c.chart, cdir / c.name)]
    if made:
        title = f"Profile {profile.start:%b %Y}–{profile.end:%b %Y}"
        files.append(charts.save_html([c.chart for c in made], folder / "profile.html", title, marker))
    return files


def _summary_text(p: Profile, marker: str) -> str:
    lines = [f"_{marker}_", "", f"# Serious violence profile, {p.start:%B %Y} to {p.end:%B %Y}", ""]
    lines += [f"- {s}" for s in p.summary]
    lines += ["", "## What the data cannot tell", ""]
    for s in p.sections.values():
        if not s.available:
            lines += [f"- **{s.name}**: " + " ".join(s.notes)]
    lines += ["", "## Notes", ""]
    for s in p.sections.values():
        if s.available:
            lines += [f"- **{s.name}**: {n}" for n in s.notes]
    d = p.definition
    lines += ["", f"Definition: {d['definition_name']} version {d['definition_version']} "
              f"(sha256 {d['definition_sha256'][:12]}…). Data versions: {', '.join(p.datasets)}.", ""]
    return "\n".join(lines)


def _metadata(p: Profile, marker: str, files: list[Path]) -> dict[str, Any]:
    return {
        "notice": marker, "period": {"from": p.start.strftime("%Y-%m"), "to": p.end.strftime("%Y-%m")},
        "level": p.level, "strand": p.strand, "definition": p.definition, "datasets": p.datasets,
        "headline": p.headline, "summary": p.summary,
        "trend": {k: v for k, v in p.trend.__dict__.items() if k != "fitted"},
        "supply_warnings": p.supply_warnings, "capability": p.capability,
        "sections": {n: {"available": s.available, "notes": s.notes, "tables": list(s.tables)}
                     for n, s in p.sections.items()},
        "files": [str(f) for f in files],
    }
