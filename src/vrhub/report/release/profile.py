"""The release of a problem profile (``--release``).

Every count table is protected with ``vrhub.domain.disclosure`` (default: counts 1–7 suppressed, the rest
rounded to the nearest 5, secondary suppression so totals cannot reveal a suppressed cell). Following the
statistics rules (:data:`vrhub.domain.disclosure.STATISTICS`), everything computed from counts is computed again
from the *published* counts: rates and shares; the year-on-year rate ratios (from the monthly table's released
counts, so that one month is never published twice with two different protections); the trend, refitted to the
released monthly series with suppressed months left out like months with a supply warning; and the supply
warnings' ratios. Columns that would reveal an exact count (harm-weighted sums, definite/possible splits, fitted
values) are left out. The headline counts and the counts stated in notes and in the summary are protected the
same way, so that no published number is more exact than the tables (:func:`release_profile`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import pyarrow as pa

from vrhub.analysis.profile import Profile, Section
from vrhub.analysis.profile.build import location_note, summarise
from vrhub.analysis.profile.partner import additive_specs
from vrhub.analysis.profile.trend import TrendResult, fit_trend, rate_ratio
from vrhub.analysis.scope import vintage_notes
from vrhub.domain.disclosure import NHS_OPENSAFELY, DisclosureRules, protect_long, round_to_base
from vrhub.report.release.core import Released, protect_count
from vrhub.report.release.core import statement as release_statement

TREND_WHAT = "Recorded serious violence (definite and possible)"  # the trend sentence's subject (profile.build)

# table → (dimension columns, count column, columns carried along per dimension value)
ADDITIVE = {
    "what_by_category": (["crime_type", "sv_status"], "records", ["sv_match", "sv_candidates"]),
    "where_by_area": (["area_code"], "records", ["area_name", "population", "population_year", "lsoas"]),
    "by_imd_decile": (["imd_decile"], "records", ["population", "population_year", "index", "lsoas"]),
    "when_monthly": (["month"], "records", ["days", "supply_warning"]),
    "who_stop_search_by_age_range": (["age_range"], "searches", []),
    "who_stop_search_by_gender": (["gender"], "searches", []),
    "who_stop_search_by_self_defined_ethnicity": (["self_defined_ethnicity"], "searches", []),
    **additive_specs(),  # the partner feeds' who / when / why tables
    # force crime records (vrhub.analysis.profile.force); the who tables are views of one cube, released below
    "what_force_by_offence_group": (["offence_group", "offence_subgroup"], "records", ["population"]),
    "what_force_by_offence_code": (["ho_offence_code"], "records", ["offence_description"]),
    "what_force_weapons": (["what"], "records", []),
    "what_force_repeat_locations": (["lsoa_code"], "records", []),
    "measures_force_by_month": (["measure", "month"], "records", []),
    "when_force_hour_weekday": (["weekday", "hour"], "records", []),
    "why_force_flags": (["flag"], "records", []),
    "why_force_flag_pairs": (["flags"], "records", []),
    "why_force_nte_by_hour": (["hour"], "records", []),
    "why_force_nte_by_lsoa": (["lsoa_code"], "records", []),
}
#: the force who cubes (age band × sex × ethnic group): released as protected views (who_views_of), never whole
FORCE_WHO = {f"cube_force_{role}s": role for role in ("victim", "suspect")}
#: tables of people and their crimes (repeat victims, repeat suspects): each count protected on its own
PEOPLE_COUNTS = ("who_force_repeat_victims", "who_force_repeat_suspects")
#: tables that carry no counts of people or records (published as they are)
NO_COUNTS = ("success_measures",)
#: count columns of the non-additive tables, each protected on its own
SINGLE_COUNTS = ("records", "previous_year", "total_records")


def release_profile(profile: Profile, rules: DisclosureRules | None = None) -> tuple[Profile, str]:
    """A copy of ``profile`` fit for release, and the disclosure statement that goes on every file.

    Tables pass :func:`release_tables`; headline counts and the counts in notes are suppressed (1 to the
    threshold) or rounded to the rules' base; the trend is refitted to the released monthly counts and the
    summary is written again from the released numbers.
    """
    rules = rules or NHS_OPENSAFELY
    tables, statement = release_tables(profile.tables(), rules)
    warnings = [released_warning(w, rules) for w in profile.supply_warnings]
    trend = released_trend(tables.get("when_monthly"), profile.trend,
                           {m for m in profile.headline.get("supply_warning_months", [])})
    sections = {}
    for name, s in profile.sections.items():
        notes = list(s.notes)
        figures = {k: protect_count(v, rules) for k, v in s.figures.items()}
        if name == "where" and "no_location" in figures:
            notes = [location_note(figures["no_location"], figures["outside_geography"])
                     if n == location_note(s.figures["no_location"], s.figures["outside_geography"]) else n
                     for n in notes]
        if name == "where" and profile.vintage is not None:
            swap = dict(zip(vintage_notes(profile.vintage), vintage_notes(profile.vintage, figures), strict=True))
            notes = [swap.get(n, n) for n in notes]
        if name == "when":
            notes = _when_notes(notes, profile.trend, trend)
            if "when_monthly" in tables:
                tables["when_monthly"] = _warning_labels(tables["when_monthly"], warnings)
        shown = {t: tables[t] for t in s.tables if t in tables}  # a force who cube is published as its views
        if name == "who":
            shown |= {t: v for t, v in tables.items() if t.startswith("who_force_") and t not in shown}
        sections[name] = Section(s.name, s.available, shown, notes, figures)
    headline = dict(profile.headline)
    for key in ("definite", "possible", "force_definite"):
        if key in headline:
            headline[key] = protect_count(headline[key], rules)
    released = dataclasses.replace(profile, sections=sections, headline=headline, supply_warnings=warnings,
                                   summary=[], trend=trend)
    released.summary = summarise(released)
    return released, statement


def release_profile_result(profile: Profile, rules: DisclosureRules) -> Released[Profile]:
    """:func:`release_profile` for the one release step (:func:`vrhub.report.release.release`)."""
    released, statement = release_profile(profile, rules)
    return Released(released, statement)


def released_trend(when: pa.Table | None, exact: TrendResult, flagged: set[str]) -> TrendResult:
    """The trend refitted to the released monthly counts (statistics rule "trend": recompute).

    Months with a supply warning (``flagged``, ``YYYY-MM``) stay out, as in the analyst's fit; months whose count
    is suppressed are left out too and named in ``months_excluded``. The exact trend is never released: its
    estimate, interval, p-value and dispersion together give the exact monthly counts back.
    """
    if when is None:
        return exact
    rows = when.to_pylist()
    months = [r["month"] for r in rows]
    counts = [0 if r["records"] is None else int(r["records"]) for r in rows]
    hidden = {r["month"] for r in rows if r["records"] is None}
    exclude = {m for m in months if m.strftime("%Y-%m") in flagged} | hidden
    trend = fit_trend(months, counts, exclude=exclude)
    trend.fitted = []  # fitted values are never released (statistics rule "fitted_value")
    if hidden:
        trend.reason = "; ".join(filter(None, [trend.reason, "months with a suppressed count are left out"]))
    return trend


def _when_notes(notes: list[str], exact: TrendResult, released: TrendResult) -> list[str]:
    """The 'when' notes with the exact trend's sentence replaced by the released trend's."""
    old = exact.sentence(TREND_WHAT)
    new = released.sentence(TREND_WHAT)
    out = [new if n == old else n for n in notes]
    hidden = sorted(set(released.months_excluded) - set(exact.months_excluded))
    if hidden:
        out.append("months with a suppressed count are left out of the released trend: " + ", ".join(hidden))
    return out


def released_warning(w: dict[str, Any], rules: DisclosureRules | None = None) -> dict[str, Any]:
    """A supply warning without its exact observed and expected counts; the ratio is recomputed from them as
    released (observed protected as a count, expected rounded to the rules' base), to two decimals."""
    rules = rules or NHS_OPENSAFELY
    kept = {k: v for k, v in w.items() if k not in ("observed", "expected", "message", "ratio")}
    observed = protect_count(w.get("observed"), rules) if w.get("observed") is not None else None
    expected = w.get("expected")
    expected_r = int(round_to_base([round(expected)], rules.rounding_base)[0]) if expected is not None else None
    ratio = None
    if w.get("ratio") is not None and observed is not None and expected_r:
        ratio = round(observed / expected_r, 2)
    kept["ratio"] = ratio
    if w.get("problem") == "gap":
        what = "no data (a gap)"
    elif ratio is None:
        what = "far from the count expected from its history (a small count, suppressed)"
    else:
        what = f"{ratio:.0%} of the count expected from its history"
    kept["message"] = f"{w.get('month')} {w.get('force')}, {w.get('category')}: {what}"
    return kept


#: the label of the cell of records placed in no area (their LSOA is not in the loaded geography)
UNPLACED = "(not placed)"


def release_tables(tables: dict[str, pa.Table], rules: DisclosureRules | None = None
                   ) -> tuple[dict[str, pa.Table], str]:
    """Protect every table of a profile; return them and the statement ``released — <rules>``."""
    rules = rules or NHS_OPENSAFELY
    out: dict[str, pa.Table] = {}
    statement = ""
    done = _release_force_who(tables, rules, out)
    for name, t in tables.items():
        if name in done:
            continue
        df = t.to_pandas()
        if name in PEOPLE_COUNTS:
            out[name] = _protect_each(df, rules, counts=("people", "crimes"))
            continue
        if name in NO_COUNTS:
            out[name] = t
            continue
        if name in ADDITIVE:
            dims, count, carry = ADDITIVE[name]
            carry = [c for c in carry if c in df]
            for d in dims:  # records placed in no area (an LSOA outside the loaded vintage) are a category too
                df[d] = df[d].astype(object).where(df[d].notna(), UNPLACED)
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
    if "year_on_year" in out and "when_monthly" in out:
        out["year_on_year"] = _year_on_year(out["year_on_year"], out["when_monthly"])
    return out, release_statement(rules, statement or None)


def _release_force_who(tables: dict[str, pa.Table], rules: DisclosureRules, out: dict[str, pa.Table]) -> set[str]:
    """Release each force who cube as linked views protected together (age band × sex with its margins, once; ethnic
    group) in place of the analyst's tables, rates recomputed from the published counts: subtracting one published
    view from another gives nothing back (``vrhub.analysis.profile.force.who_views_of``). Returns the names handled."""
    from vrhub.analysis.profile.force import WHO_DIMS, who_views_of

    done: set[str] = set()
    for cube_name, role in FORCE_WHO.items():
        if cube_name not in tables:
            continue
        views = who_views_of(tables[cube_name].to_pandas(), rules)
        for dim in WHO_DIMS:
            name = f"who_force_{role}s_by_{dim}"
            view = views[f"by_{dim}"]
            view = view[view[dim] != "Total"].reset_index(drop=True)
            if name in tables and "population" in tables[name].column_names:
                pop = dict(zip(tables[name].column("age_band").to_pylist(),
                               tables[name].column("population").to_pylist(), strict=True))
                view["population"] = view[dim].map(pop)
                view["rate_per_1000"] = (view["records"].astype("Float64") * 1000
                                         / view["population"].astype("Float64")).round(3)
            out[name] = pa.Table.from_pandas(view.astype(object).where(view.notna(), None), preserve_index=False)
            done.add(name)
        both = views["by_age_band_sex"]
        both = both[(both["age_band"] != "Total") & (both["sex"] != "Total")].reset_index(drop=True)
        out[f"who_force_{role}s_by_age_band_sex"] = pa.Table.from_pandas(
            both.astype(object).where(both.notna(), None), preserve_index=False)
        done.add(cube_name)
    return done


def _protect_each(df: pd.DataFrame, rules: DisclosureRules, counts: tuple[str, ...] = SINGLE_COUNTS) -> pa.Table:
    """Non-additive tables (concentration, year on year): each count on its own, dependants recomputed."""
    df = df.copy()
    for col in counts:
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


def _year_on_year(yoy: pa.Table, when: pa.Table) -> pa.Table:
    """Year-on-year counts taken from the released monthly table (one protection per month, never two) and the
    rate ratios recomputed from them (statistics rule "ratio")."""
    released = {r["month"]: r["records"] for r in when.to_pylist()}
    df = yoy.to_pandas()
    if df.empty:
        return yoy
    previous = [m.replace(year=m.year - 1) for m in df["month"]]
    df["records"] = pd.array([released.get(m) for m in df["month"]], dtype="Int64")
    df["previous_year"] = pd.array([released.get(m) for m in previous], dtype="Int64")
    return _protect_each(df, NHS_OPENSAFELY, counts=())


def _warning_labels(when: pa.Table, warnings: list[dict[str, Any]]) -> pa.Table:
    """The monthly table's ``supply_warning`` labels written again from the released warnings (their ratios are
    recomputed from released counts), in the analyst table's format."""
    if "supply_warning" not in when.column_names:
        return when
    labels: dict[str, list[str]] = {}
    for w in warnings:
        if w.get("problem") == "gap":
            what = "no data (gap)"
        elif w.get("ratio") is None:
            what = "far from expected (small count, suppressed)"
        else:
            what = f"{w['ratio']:.0%} of expected"
        labels.setdefault(w["month"], []).append(f"{w['category']}: {what}")
    months = [m.strftime("%Y-%m") for m in when.column("month").to_pylist()]
    column = pa.array(["; ".join(labels[m]) if m in labels else None for m in months], type=pa.string())
    return when.set_column(when.column_names.index("supply_warning"), "supply_warning", column)
