"""Disclosure control for a released profile (``--release``).

Every count table is protected with ``vrhub.domain.disclosure`` (default: counts 1–7 suppressed, the rest
rounded to the nearest 5, secondary suppression so totals cannot reveal a suppressed cell). Rates, shares and
rate ratios are recomputed from the *published* (rounded) counts; columns that would reveal an exact count
(harm-weighted sums, definite/possible splits, model-fitted values) are left out of released tables. The
headline counts and the counts stated in notes and in the summary are protected the same way, so that no
published number is more exact than the tables (:func:`release_profile`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import pyarrow as pa

from vrhub.analysis.profile import Profile, Section
from vrhub.analysis.profile.build import location_note, summarise
from vrhub.analysis.profile.partner import additive_specs
from vrhub.analysis.profile.trend import rate_ratio
from vrhub.domain.disclosure import NHS_OPENSAFELY, DisclosureRules, protect_long, round_to_base

# table → (dimension columns, count column, columns carried along per dimension value)
ADDITIVE = {
    "what_by_category": (["crime_type", "sv_status"], "records", ["sv_match", "sv_candidates"]),
    "where_by_area": (["area_code"], "records", ["area_name", "population", "lsoas"]),
    "by_imd_decile": (["imd_decile"], "records", ["population", "lsoas"]),
    "when_monthly": (["month"], "records", ["days", "supply_warning"]),
    "who_stop_search_by_age_range": (["age_range"], "searches", []),
    "who_stop_search_by_gender": (["gender"], "searches", []),
    "who_stop_search_by_self_defined_ethnicity": (["self_defined_ethnicity"], "searches", []),
    **additive_specs(),  # the partner feeds' who / when / why tables
}
#: tables that carry no counts of people or records (published as they are)
NO_COUNTS = ("success_measures",)
#: count columns of the non-additive tables, each protected on its own
SINGLE_COUNTS = ("records", "previous_year", "total_records")


def release_profile(profile: Profile, rules: DisclosureRules | None = None) -> tuple[Profile, str]:
    """A copy of ``profile`` fit for release, and the disclosure statement that goes on every file.

    Tables pass :func:`release_tables`; headline counts and the counts in notes are suppressed (1 to the
    threshold) or rounded to the rules' base; the summary is written again from the released numbers.
    """
    rules = rules or NHS_OPENSAFELY
    tables, statement = release_tables(profile.tables(), rules)
    sections = {}
    for name, s in profile.sections.items():
        notes = list(s.notes)
        figures = {k: protect_count(v, rules) for k, v in s.figures.items()}
        if name == "where" and "no_location" in figures:
            notes = [location_note(figures["no_location"], figures["outside_geography"])
                     if n == location_note(s.figures["no_location"], s.figures["outside_geography"]) else n
                     for n in notes]
        sections[name] = Section(s.name, s.available, {t: tables[t] for t in s.tables}, notes, figures)
    headline = dict(profile.headline)
    for key in ("definite", "possible"):
        headline[key] = protect_count(headline[key], rules)
    warnings = [released_warning(w) for w in profile.supply_warnings]
    released = dataclasses.replace(profile, sections=sections, headline=headline, supply_warnings=warnings,
                                   summary=[])
    released.summary = summarise(released)
    return released, statement


def released_warning(w: dict[str, Any]) -> dict[str, Any]:
    """A supply warning without its exact observed and expected counts (the ratio, to whole percent, stays)."""
    kept = {k: v for k, v in w.items() if k not in ("observed", "expected", "message", "ratio")}
    ratio = w.get("ratio")
    kept["ratio"] = None if ratio is None else round(ratio, 2)
    what = "no data (a gap)" if w.get("problem") == "gap" else f"{ratio:.0%} of the count expected from its history"
    kept["message"] = f"{w.get('month')} {w.get('force')}, {w.get('category')}: {what}"
    return kept


def protect_count(value: int | None, rules: DisclosureRules) -> int | None:
    """One count on its own: ``None`` if it is suppressed (1 to the threshold), else rounded to the base."""
    if value is None or pd.isna(value):
        return None
    v = int(value)
    if rules.is_primary([v])[0]:
        return None
    return int(round_to_base([v], rules.rounding_base)[0])


def release_tables(tables: dict[str, pa.Table], rules: DisclosureRules | None = None
                   ) -> tuple[dict[str, pa.Table], str]:
    """Protect every table of a profile; return them and the statement ``released — <rules>``."""
    rules = rules or NHS_OPENSAFELY
    out: dict[str, pa.Table] = {}
    statement = ""
    for name, t in tables.items():
        df = t.to_pandas()
        if name in NO_COUNTS:
            out[name] = t
            continue
        if name in ADDITIVE:
            dims, count, carry = ADDITIVE[name]
            carry = [c for c in carry if c in df]
            frame = df[[*dims, count]].copy()
            for d in dims:
                frame[d] = frame[d].astype(str)
            protected = protect_long(frame, dims, count, rules)
            statement = protected.statement
            view = protected.view(*dims, totals=False)
            merged = view.merge(df[[*dims, *carry]].astype({d: str for d in dims}), on=dims, how="left")
            for d in dims:  # the cube works on labels (strings): give each dimension back its own values
                labels = {str(v): v for v in df[d]}
                merged[d] = merged[d].map(lambda label, labels=labels: labels.get(label, label))
            if "population" in merged:
                merged["rate_per_1000"] = (merged[count].astype("Float64") * 1000 / merged["population"]).round(2)
            if "share" in df:  # shares recomputed from the published counts
                published = merged[count].astype("Float64")
                merged["share"] = (published / published.sum()).round(4)
            merged = (merged.sort_values(count, ascending=False, kind="stable", na_position="last")
                      if name == "where_by_area" else merged.sort_values(dims, kind="stable"))
            merged = merged[[c for c in df.columns if c in merged] + [c for c in merged if c not in df.columns]]
            out[name] = pa.Table.from_pandas(merged.astype(object).where(merged.notna(), None), preserve_index=False)
        else:
            out[name] = _protect_each(df, rules)
    return out, f"released — {statement or rules.statement()}"


def _protect_each(df: pd.DataFrame, rules: DisclosureRules) -> pa.Table:
    """Non-additive tables (concentration, year on year): each count on its own, dependants recomputed."""
    df = df.copy()
    for col in SINGLE_COUNTS:
        if col in df:
            df[col] = pd.array([protect_count(v, rules) for v in df[col]], dtype="Int64")
    if "share_of_records" in df:
        ok = df["records"].notna() & df["total_records"].notna() & (df["total_records"] > 0)
        df["share_of_records"] = [round(r / t, 4) if k else None
                                  for r, t, k in zip(df["records"], df["total_records"], ok, strict=True)]
    if "rate_ratio" in df:
        ratios = []
        for r in df.itertuples():
            rr = None
            if not (pd.isna(r.records) or pd.isna(r.previous_year)):
                rr = rate_ratio(int(r.records), int(r.previous_year), int(r.days), int(r.previous_days))
            ratios.append((round(rr.ratio, 4), round(rr.ci_low, 4), round(rr.ci_high, 4)) if rr else (None,) * 3)
        df["rate_ratio"], df["ci_low"], df["ci_high"] = zip(*ratios, strict=True) if ratios else ([], [], [])
    return pa.Table.from_pandas(df.astype(object).where(df.notna(), None), preserve_index=False)
