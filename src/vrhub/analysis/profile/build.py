"""The problem profile: what, where, when, who and why of serious violence, for a period, level and strand.

Records are classified by the partnership's definition (``vrhub.analysis.classify``). A record counts as
serious violence when the definition says so (``definite``), and as ``possible`` when its source cannot tell
(police.uk "Violence and sexual offences" mixes homicide with harassment): every table shows both, and
never presents a possible count as a definite one. Each part of the profile that the loaded data cannot
answer says so and why, instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from vrhub.analysis.areas import Area
from vrhub.analysis.profile.partner import PartnerProfile, partner_profile
from vrhub.analysis.profile.trend import TrendResult, days_in, fit_trend, rate_ratio
from vrhub.analysis.profile.who import measures_table, stop_search_who
from vrhub.analysis.scope import (
    SOURCE,
    VintageScope,
    clip_period,
    on_vintage,
    scoped_records,
    strand_ages,
    vintage_notes,
)
from vrhub.domain.definitions import Definition, assess_capability
from vrhub.domain.errors import NoDataError, UsageError
from vrhub.domain.kinds import KINDS
from vrhub.domain.periods import parse_month as parse_month  # the one period grammar
from vrhub.ingest.supply_check import ALL, supply_warnings
from vrhub.store.engine import Engine, month_range
from vrhub.store.geography import Geography

LEVELS = ("lsoa", "msoa", "ward", "district", "area")
#: the beginnings of notes that say no loaded source can answer a section (dropped when a partner feed can)
NO_SOURCE_NOTES = ("no loaded source with victim", "hour × weekday tables need")


@dataclass
class Section:
    """One part of the profile: its tables, or why it is not available."""

    name: str
    available: bool
    tables: dict[str, pa.Table] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: record counts stated in the notes (so that a released profile can restate them rounded)
    figures: dict[str, int] = field(default_factory=dict)


@dataclass
class Profile:
    start: dt.date
    end: dt.date
    level: str
    strand: str | None
    definition: dict[str, str]
    datasets: list[str]
    sections: dict[str, Section]
    headline: dict[str, Any]
    trend: TrendResult
    supply_warnings: list[dict[str, Any]]
    capability: list[dict[str, str]]
    summary: list[str]
    #: the LSOA vintage the profile runs on and the records brought onto it (see ``vrhub.analysis.scope``)
    vintage: VintageScope | None = None
    #: what the rates are per 1,000 of ("residents aged 0–25, Census 2021 usual residents (2021)"), or None
    population: str | None = None
    #: the deprivation index of the gradient ("IMD 2025", "IoD 2025 Crime domain"), or None
    deprivation: str | None = None
    #: whether any dataset read is marked synthetic (every output of the profile then says so first)
    synthetic: bool = False
    #: the local area profiled ({code, name, kind, lsoas}), or None for the whole partnership
    area: dict[str, Any] | None = None

    def tables(self) -> dict[str, pa.Table]:
        return {name: t for s in self.sections.values() for name, t in s.tables.items()}


def build_profile(
    engine: Engine, definition: Definition, *, start: dt.date | None = None, end: dt.date | None = None,
    level: str = "district", strand: str | None = None, vintage: int | None = None, imd_domain: str | None = None,
    area: Area | None = None,
) -> Profile:
    """Profile the police.uk street records in scope of ``definition`` (or one of its strands).

    ``start`` and ``end`` are months (any day in the month); the default is every loaded month. A period
    reaching beyond the loaded months is cut to them, with a note: a month with no data is not a month with
    no violence. Raises :class:`UsageError` for an unknown level, :class:`PeriodError` for a period that ends
    before it starts, and :class:`NoDataError` for an unknown strand or a period with no loaded data.

    ``vintage`` is the LSOA vintage to run on (default: the newest loaded); records coded to an older vintage are
    brought onto it by the ONS best-fit lookup and counted in the notes. Rates are per 1,000 residents of the
    newest population loaded for that vintage (of the strand's ages, e.g. 0–25 for the youth strand), with the
    population and its year beside each rate. ``imd_domain`` names the deprivation domain of the gradient
    (default: the IMD itself; e.g. ``crime``).

    ``area`` (:mod:`vrhub.analysis.areas`) keeps only the records placed in its LSOAs (after the vintage bridge), so
    that 'what', 'where' and 'when' describe that area; records with no location cannot be placed in any area and
    are left out. Partner feeds, stop and search and force crime records are not split by area yet: an area profile
    says so in 'who', 'when' and 'why' instead of showing the whole partnership's figures as the area's.
    """
    if level not in LEVELS:
        raise UsageError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}", option="--level")
    base = scoped_records(engine, definition, strand)
    period = clip_period(base, start, end)
    start, end, asked, period_notes = period.start, period.end, period.asked, list(period.notes)
    t = base.filter((base.month >= start) & (base.month <= end))
    in_scope = t.filter(t.sv_status != "not")
    in_scope, vscope = on_vintage(engine, in_scope, vintage)
    if area is not None:
        members = list(area.lsoas)
        in_scope = in_scope.filter(in_scope.lsoa_code.isin(members))
        placed, _ = on_vintage(engine, t, vintage)
        t = placed.filter(placed.lsoa_code.isin(members))
    datasets = sorted(set(t.select("dataset_id").distinct().to_pyarrow().column(0).to_pylist()))
    geo = Geography(engine)
    scope_types = set(in_scope.select("crime_type").distinct().to_pyarrow().column(0).to_pylist())
    # Only warnings that bear on these records: the whole feed, or a crime type in scope.
    warnings = [w for w in supply_warnings(engine, SOURCE)
                if start <= w.month <= end and (w.category == ALL or w.category in scope_types)]

    partners = partner_profile(engine, definition, start, end, strand) if area is None else \
        PartnerProfile({}, [], False)
    sections = {
        "what": _what(t),
        "where": _where(in_scope, geo, level, vscope, strand_ages(definition, strand), imd_domain, area),
        "when": _when(in_scope, start, end, warnings),
        "who": _who(engine, start, end) if area is None else Section("who", False, notes=[AREA_NOT_SPLIT]),
        "why": _why(definition),
    }
    if area is not None:
        sections["when"].notes.append(AREA_NOT_SPLIT)
        sections["why"].notes.append(AREA_NOT_SPLIT)
    for name, part in partners.parts.items():
        s = sections[name]
        if part.tables:  # a partner feed answers: the notes saying no source can are no longer true
            s.available = True
            s.notes = [n for n in s.notes if not n.startswith(NO_SOURCE_NOTES)]
        s.tables.update(part.tables)
        s.notes.extend(part.notes)
    force_ids, force_records, force_synthetic = _force_parts(engine, definition, sections, start, end, strand) \
        if area is None else ([], None, False)
    datasets = sorted({*datasets, *partners.datasets, *force_ids})
    trend = sections["when"].__dict__.pop("trend")
    sections["when"].notes[:0] = period_notes
    cap = assess_capability(definition, _available_fields(engine))
    sections["measures"] = Section("measures", True, {"success_measures": measures_table(cap.rows())}, [
        "Home Office VRU success measures: 'no' means the loaded data cannot compute the measure (the reason says "
        "which source and fields it needs); it is never estimated from other data"])
    counts = in_scope.group_by("sv_status").agg(n=in_scope.count()).to_pyarrow().to_pylist()
    definite = sum(r["n"] for r in counts if r["sv_status"] == "definite")
    possible = sum(r["n"] for r in counts if r["sv_status"] == "possible")
    headline = {"definite": definite, "possible": possible, "months": len(month_range(start, end)),
                "supply_warning_months": sorted({w.month.strftime("%Y-%m") for w in warnings})}
    if force_records is not None:  # force crime records: serious violence by offence code and flag, definite
        headline["force_definite"] = force_records
        headline["force_synthetic"] = force_synthetic
    if (start, end) != asked:
        headline["period_asked"] = {"from": f"{asked[0]:%Y-%m}", "to": f"{asked[1]:%Y-%m}"}
    where = sections["where"]
    profile = Profile(start, end, level, strand, definition.provenance(), datasets, sections, headline, trend,
                      [w.to_json() for w in warnings], cap.rows(), [], vscope, where.__dict__.pop("population", None),
                      where.__dict__.pop("deprivation", None),
                      engine.synthetic(datasets),
                      None if area is None else {"code": area.code, "name": area.name, "kind": area.kind,
                                                 "lsoas": len(area.lsoas)})
    profile.summary = summarise(profile)
    return profile


def _force_parts(engine: Engine, definition: Definition, sections: dict[str, Section], start: dt.date, end: dt.date,
                 strand: str | None) -> tuple[list[str], int | None, bool]:
    """Add the force crime records' what / who / when / why tables (``vrhub.analysis.profile.force``) to the
    sections, when they are loaded and the definition reads them; return the datasets they came from and how many
    crimes are (definitely) in scope and whether they are synthetic, or ([], None, False) when none are loaded."""
    from vrhub.analysis.profile.force import KIND, WHO_DIMS, force_profile

    if not engine.has(KIND) or KIND not in definition.sources:
        return [], None, False
    fp = force_profile(engine, definition, start=start, end=end, strand=strand)
    if not fp.tables:
        sections["what"].notes += fp.notes
        return fp.datasets, 0, fp.synthetic
    for name, table in fp.tables.items():  # the success measures by month go with 'what'
        part = name.split("_", 1)[0]
        sections[part if part in ("who", "when", "why") else "what"].tables[name] = table
    for role, cube in fp.who.items():
        sections["who"].tables[f"cube_force_{role}s"] = pa.Table.from_pandas(cube[[*WHO_DIMS, "records"]],
                                                                             preserve_index=False)
    for name in ("who", "when", "why"):
        s = sections[name]
        s.available = True
        s.notes = [n for n in s.notes if not n.startswith(NO_SOURCE_NOTES) and not n.startswith(POLICE_UK_WHY)]
    hour = [n for n in fp.notes if n.startswith("hour × weekday")]
    rates = [n for n in fp.notes if n.startswith(("rates per 1,000 by age", "rates per 1,000 residents of the same",
                                                  "ages "))]
    sections["what"].notes += [n for n in fp.notes if n.startswith("rates per 1,000 residents of the loaded")]
    lead = [n for n in fp.notes if n.startswith("force crime records")]
    sections["what"].notes += lead
    sections["who"].notes += lead + rates + [
        f"repeat {r.role}s (the same pseudonym again within {r.window_days} days): {r.repeat_people:,} of "
        f"{r.people:,} {r.role}s; {r.crimes_against_repeat:,} of {r.crimes:,} crimes" for r in fp.repeats.values()]
    sections["when"].notes += hour
    sections["why"].notes += lead
    return fp.datasets, fp.crimes, fp.synthetic


def _available_fields(engine: Engine) -> dict[str, tuple[str, ...]]:
    out = {}
    for name, info in KINDS.items():
        if info.schema is not None and engine.has(name):
            out[name] = tuple(info.schema.names)
    return out


def _what(t: ir.Table) -> Section:
    g = t.group_by(["crime_type", "sv_status", "sv_match", "sv_candidates"]).agg(
        records=t.count(), harm_css=t.harm_css.sum(), harm_cchi_days=t.harm_cchi_days.sum())
    table = g.order_by([g.sv_status, ibis.desc(g.records)]).to_pyarrow()
    notes = []
    weighted = t.filter(t.harm_css.notnull() | t.harm_cchi_days.notnull())
    if weighted.count().to_pyarrow().as_py() == 0:
        notes.append("harm-weighted counts are not available for these records: no verified harm weight exists "
                     "for their police.uk categories (see docs/methods/harm-weights.md)")
    return Section("what", True, {"what_by_category": table}, notes)


def _where(t: ir.Table, geo: Geography, level: str, vscope: VintageScope | None = None,
           ages: tuple[int, int] | None = None, imd_domain: str | None = None, area: Area | None = None) -> Section:
    vintage = vscope.vintage if vscope else None
    try:
        lookup = geo.lsoa_lookup(vintage)
    except NoDataError as exc:
        return Section("where", False, notes=[f"no geography: {exc.message}"])
    located = t.filter(t.lsoa_code.notnull())
    per_lsoa = located.group_by("lsoa_code").agg(
        records=located.count(), definite=(located.sv_status == "definite").sum(),
        possible=(located.sv_status == "possible").sum())
    lk = lookup if area is None else lookup.filter(lookup.lsoa_code.isin(list(area.lsoas)))
    notes: list[str] = list(vscope.notes) if vscope else []
    figures: dict[str, int] = dict(vscope.figures) if vscope else {}
    pop, label = None, None
    try:
        popn = geo.population(ages, level="lsoa", vintage=vintage)
    except NoDataError:
        popn = None
    if popn is not None:
        pop = ibis.memtable(popn.table.select(["area_code", "population"]).rename_columns(
            ["lsoa_code", "population_total"]))
        label = popn.label if str(popn.year) in popn.label else f"{popn.label} ({popn.year})"
    imd, deprivation = _deprivation(geo, vintage, imd_domain)
    base = lk.left_join(per_lsoa, lk.lsoa_code == per_lsoa.lsoa_code).drop("lsoa_code_right")
    if pop is not None:
        base = base.left_join(pop, base.lsoa_code == pop.lsoa_code).drop("lsoa_code_right")
    if imd is not None:
        base = base.left_join(imd, base.lsoa_code == imd.lsoa_code).drop("lsoa_code_right")
    base = base.mutate(records=base.records.fill_null(0), definite=base.definite.fill_null(0),
                       possible=base.possible.fill_null(0))
    lsoa = base.to_pyarrow()
    tables: dict[str, pa.Table] = {}
    if level == "area":
        code, name = ibis.literal("area"), ibis.literal("whole area")
    else:
        code, name = base[f"{level}_code"], base[f"{level}_name"]
    aggs = {"records": base.records.sum(), "definite": base.definite.sum(), "possible": base.possible.sum(),
            "lsoas": base.count()}
    if pop is not None:
        aggs["population"] = base.population_total.sum()
    by_area = base.group_by([code.name("area_code"), name.name("area_name")]).agg(**aggs)
    if pop is not None:
        by_area = by_area.mutate(population=_population(by_area.population, popn),
                                 rate_per_1000=(by_area.records * 1000.0 / by_area.population).round(2),
                                 population_year=ibis.literal(popn.year))
    by_area = by_area.order_by(ibis.desc("records"))
    by_area = by_area.mutate(rank=ibis.row_number().over(order_by=ibis.desc(by_area.records)) + 1)
    tables["where_by_area"] = by_area.to_pyarrow()
    outside = located.anti_join(lk, located.lsoa_code == lk.lsoa_code).count().to_pyarrow().as_py()
    no_loc = t.filter(t.lsoa_code.isnull()).count().to_pyarrow().as_py()
    figures |= {"no_location": no_loc, "outside_geography": outside}
    notes.append(location_note(no_loc, outside))
    if area is not None:
        notes.append(f"only records placed in the {len(area.lsoas):,} LSOAs of {area.name} are counted; records "
                     "with no location cannot be placed in any area")
    if popn is not None:
        notes.append(f"rates are per 1,000 {label}; the population and its year are beside each rate")
        notes.extend(popn.notes)
        if ages is not None:
            notes.append(f"the strand is about ages {ages[0]}–{ages[1]}: its rates are per 1,000 residents of those "
                         "ages" + (f" (ages {ages[0]}–24 from the five-year bands, plus one fifth of the 25–29 band)"
                                   if ages[1] == 25 else ""))
    tables["concentration"] = concentration(lsoa.column("records").to_pylist())
    if imd is not None and pop is not None:
        ranked = base.filter(base.imd_decile.notnull())
        dec = ranked.group_by("imd_decile").agg(
            lsoas=ranked.count(), records=ranked.records.sum(), population=ranked.population_total.sum())
        dec = dec.mutate(population=_population(dec.population, popn),
                         rate_per_1000=(dec.records * 1000.0 / dec.population).round(2),
                         population_year=ibis.literal(popn.year), index=ibis.literal(deprivation))
        tables["by_imd_decile"] = dec.order_by("imd_decile").to_pyarrow()
        notes.append(f"deciles of the {deprivation} (1 = most deprived tenth of LSOAs in England)")
    section = Section("where", True, tables, notes, figures)
    section.__dict__["population"], section.__dict__["deprivation"] = label, deprivation
    return section


def _population(column: ir.NumericColumn, popn: Any) -> ir.NumericColumn:
    """Whole residents as integers; an apportioned age range (fractional) to one decimal."""
    if pa.types.is_floating(popn.table.schema.field("population").type):
        return column.round(1)
    return column.cast("int64")


#: what users may call a deprivation domain → its short column name (``ingest.geography.attribute_layouts``)
DOMAIN_ALIASES = {"housing_and_services": "barriers", "barriers_to_housing_and_services": "barriers",
                  "environment": "living_environment", "index_of_multiple_deprivation": "imd"}


def _deprivation(geo: Geography, vintage: int | None, domain: str | None) -> tuple[ir.Table | None, str | None]:
    """The LSOA deciles of the IMD (or of ``domain``) as ``imd_decile``, and what they are ("IMD 2025")."""
    key = (domain or "imd").strip().lower().replace("-", " ").replace(" ", "_").removesuffix("_domain")
    key = DOMAIN_ALIASES.get(key, key)
    try:
        attrs = geo.attributes("deprivation", vintage=vintage)
        chosen = geo.choose_attributes("deprivation", vintage=vintage)
    except NoDataError:
        if domain:
            raise
        return None, None
    edition = next((a.edition for a in chosen if a.edition), None)
    column = f"{key}_decile"
    if column not in attrs.columns:
        have = sorted(c.removesuffix("_decile") for c in attrs.columns if c.endswith("_decile"))
        raise NoDataError(f"the loaded deprivation files have no deciles of {domain or 'the IMD'!r}",
                          "choose --imd-domain from: " + ", ".join(have) if have
                          else "load a file with IMD deciles (IoD File 1 or the domains file)")
    name = "IMD" if key == "imd" else f"IoD {key.replace('_', ' ').capitalize()} domain"
    if key == "imd" and edition:
        name = f"IMD {edition}"
    elif edition:
        name = name.replace("IoD ", f"IoD {edition} ")
    return attrs.select("lsoa_code", imd_decile=attrs[column]), name


def _n(v: int | None) -> str:
    """A count as text; ``None`` is a count that disclosure control suppressed."""
    return "a few (suppressed)" if v is None else f"{v:,}"


def location_note(no_location: int | None, outside: int | None) -> str:
    """The note on records that cannot be placed (``None``: a count suppressed by disclosure control)."""
    return (f"{_n(no_location)} records have no location and {_n(outside)} are in LSOAs outside the loaded "
            "geography; they are counted in 'what' and 'when' but cannot be placed")


def concentration(counts: list[int], shares: tuple[float, ...] = (0.01, 0.05, 0.10)) -> pa.Table:
    """Share of all records in the top 1%, 5% and 10% of areas (ranked by count; ⌈share × areas⌉ areas).

    ``counts`` holds one count per area, *including areas with none*: leaving out the zeros would shrink the
    number of areas and overstate concentration. The top-k sum does not depend on how ties are broken. The
    measure follows the "law of crime concentration" literature (Weisburd, *Criminology* 53:133, 2015), which
    reports the share of crime in the top x% of places.
    """
    ordered = sorted(counts, reverse=True)
    total = sum(ordered)
    rows = []
    for s in shares:
        k = max(1, math.ceil(s * len(ordered))) if ordered else 0
        top = sum(ordered[:k])
        rows.append({"top_share_of_areas": s, "areas": k, "all_areas": len(ordered), "records": top,
                     "total_records": total,
                     "share_of_records": round(top / total, 4) if total else None})
    return pa.Table.from_pylist(rows)


def _when(t: ir.Table, start: dt.date, end: dt.date, warnings: list) -> Section:
    monthly = t.group_by("month").agg(records=t.count(), definite=(t.sv_status == "definite").sum(),
                                      possible=(t.sv_status == "possible").sum()).to_pyarrow().to_pylist()
    by_month = {r["month"]: r for r in monthly}
    flagged: dict[dt.date, list[str]] = {}
    for w in warnings:
        what = "no data (gap)" if w.problem == "gap" else f"{w.ratio:.0%} of expected"
        flagged.setdefault(w.month, []).append(f"{w.category}: {what}")
    months = month_range(start, end)
    rows = [{"month": m, "records": by_month.get(m, {}).get("records", 0),
             "definite": by_month.get(m, {}).get("definite", 0), "possible": by_month.get(m, {}).get("possible", 0),
             "days": days_in(m), "supply_warning": "; ".join(flagged.get(m, [])) or None} for m in months]
    trend = fit_trend(months, [r["records"] for r in rows], exclude=set(flagged))
    if trend.available:
        for r, f in zip([r for r in rows if r["month"] not in flagged], trend.fitted, strict=True):
            r["trend_fitted"] = round(f, 1)
    notes = [trend.sentence("Recorded serious violence (definite and possible)")]
    if flagged:
        notes.append("months with a supply warning are marked and left out of the trend: "
                     + ", ".join(sorted(m.strftime("%Y-%m") for m in flagged)))
    tables = {"when_monthly": pa.Table.from_pylist(rows)}
    yoy = _year_on_year(rows)
    if yoy is not None:
        tables["year_on_year"] = yoy
    else:
        notes.append("year-on-year change needs the same months a year earlier: not available for this period")
    notes.append("hour × weekday tables need a source with times (ED or ambulance data): none is loaded for violence")
    section = Section("when", True, tables, notes)
    section.__dict__["trend"] = trend
    return section


def _year_on_year(rows: list[dict]) -> pa.Table | None:
    by = {r["month"]: r for r in rows}
    out = []
    for m, r in by.items():
        prev = by.get(dt.date(m.year - 1, m.month, 1))
        if prev is None or r["supply_warning"] or prev["supply_warning"]:
            continue
        rr = rate_ratio(r["records"], prev["records"], r["days"], prev["days"])
        if rr:
            out.append({"month": m, "records": r["records"], "previous_year": prev["records"],
                        "days": r["days"], "previous_days": prev["days"],
                        "rate_ratio": round(rr.ratio, 4), "ci_low": round(rr.ci_low, 4),
                        "ci_high": round(rr.ci_high, 4)})
    return pa.Table.from_pylist(out) if out else None


def _who(engine: Engine, start: dt.date, end: dt.date) -> Section:
    none = ("no loaded source with victim or suspect age, sex or ethnicity for violence: police.uk street data "
            "carries none; load ED (ISTV), youth justice or stop-and-search data for this section")
    tables, notes = stop_search_who(engine, start, end)
    if not tables:
        return Section("who", False, notes=[none, *notes])
    return Section("who", True, tables, [*notes, "rates need population by the same age, sex and ethnicity groups, "
                                                 "which are not loaded: counts and shares are shown"])


POLICE_UK_WHY = "police.uk street data has no domestic-abuse"
#: the note an area profile gives where the partnership's feeds are not split by area
AREA_NOT_SPLIT = ("partner feeds (ED, ambulance, youth justice), stop and search and force crime records are not "
                  "split by local area yet: they are in the partnership's SNA")


def _why(definition: Definition) -> Section:
    return Section("why", False, notes=[
        "police.uk street data has no domestic-abuse, alcohol, drug, night-time-economy or exploitation flags; "
        "these context factors need force-level crime records or partner data"])


BOARD_TREND_MONTHS = 24  # a trend is a key finding only from two full years: fewer cannot tell it from the seasons


def trend_finding(trend: TrendResult, year_on_year: pa.Table | None, what: str) -> str:
    """The key finding on change over time: the fitted trend only from ``BOARD_TREND_MONTHS`` usable months (with
    fewer, a trend's interval is too wide to act on and the seasons are not separated — "−6% a year, 95% CI −96% to
    +2180%, from 4 months" is no finding); otherwise the like-period comparison (the same months a year earlier, as a
    ratio of rates per day with its exact interval, Ulm 1990); otherwise a statement that neither can be made yet."""
    if trend.available and trend.months_used >= BOARD_TREND_MONTHS:
        return trend.sentence(what)
    rows = [r for r in (year_on_year.to_pylist() if year_on_year is not None else [])
            if r.get("records") is not None and r.get("previous_year") is not None]
    if rows:
        rr = rate_ratio(sum(r["records"] for r in rows), sum(r["previous_year"] for r in rows),
                        sum(r["days"] for r in rows), sum(r["previous_days"] for r in rows))
        if rr is not None:
            first, last = min(r["month"] for r in rows), max(r["month"] for r in rows)
            span = f"{first:%b %Y}" if first == last else f"{first:%b %Y} to {last:%b %Y}"
            word = "higher" if rr.ratio > 1 else "lower"
            clear = "" if rr.ci_low > 1 or rr.ci_high < 1 else ", within what chance alone gives"
            return (f"{what} in {span} was {abs(rr.change):.0%} {word} than in the same "
                    f"{'month' if len(rows) == 1 else f'{len(rows)} months'} a year earlier (rate ratio "
                    f"{rr.ratio:.2f}, 95% CI {rr.ci_low:.2f} to {rr.ci_high:.2f}{clear}); a trend needs "
                    f"{BOARD_TREND_MONTHS} months of data.")
    n = trend.months_used
    return (f"{what}: {n} usable month{'s' if n != 1 else ''} loaded, too few to state a trend (at least "
            f"{BOARD_TREND_MONTHS} are needed to tell one from the seasons), and no like period a year earlier is "
            "loaded to compare with.")


def summarise(p: Profile) -> list[str]:
    """Plain-English findings generated from the numbers (not boilerplate).

    A headline count of ``None`` is one that disclosure control suppressed (a released profile).
    """
    lines = []
    h = p.headline
    period = f"{p.start:%B %Y} to {p.end:%B %Y}"
    scope = f"the '{p.strand}' strand" if p.strand else "serious violence"
    if h["definite"] == 0 and h["possible"] == 0:
        lines.append(f"From {period}, no records of {scope} were recorded.")
    elif h["possible"] == 0:
        lines.append(f"From {period}, {_n(h['definite'])} records of {scope} were recorded.")
    elif h["definite"] == 0:
        lines.append(f"From {period}, {_n(h['possible'])} records may be {scope}, and none is certainly: the source "
                     "cannot separate them from less serious offences (see 'what').")
    else:
        lines.append(f"From {period}, {_n(h['definite'])} records were definitely {scope} and {_n(h['possible'])} "
                     "more may be: the source cannot separate them (see 'what').")
    if p.area:
        lines[0] = lines[0].replace(f"From {period},", f"From {period}, in {p.area['name']},", 1)
    where = p.sections["where"]
    if where.available and "where_by_area" in where.tables:
        rows = where.tables["where_by_area"].to_pylist()
        rated = [r for r in rows if r.get("rate_per_1000") is not None]  # a released rate of a suppressed count: None
        if len(rated) >= 2:
            top = max(rated, key=lambda r: r["rate_per_1000"])
            low = min(rated, key=lambda r: r["rate_per_1000"])
            who = (p.population or "residents").split(",")[0]
            lines.append(f"The highest rate was in {top['area_name']} ({top['rate_per_1000']:.1f} per 1,000 "
                         f"{who}), the lowest in {low['area_name']} ({low['rate_per_1000']:.1f}).")
        conc = where.tables["concentration"].to_pylist()
        c5 = next((c for c in conc if c["top_share_of_areas"] == 0.05), None)
        if c5 and c5["share_of_records"] is not None:
            lines.append(f"Violence is concentrated: {c5['share_of_records']:.0%} of located records were in the top "
                         f"5% of LSOAs ({c5['areas']} of {c5['all_areas']:,}).")
        if "by_imd_decile" in where.tables:
            dec = {r["imd_decile"]: r for r in where.tables["by_imd_decile"].to_pylist()}
            if 1 in dec and 10 in dec and dec[1]["rate_per_1000"] is not None and dec[10]["rate_per_1000"]:
                ratio = dec[1]["rate_per_1000"] / dec[10]["rate_per_1000"]
                index = p.deprivation or "IMD"
                lines.append(f"The rate in the most deprived tenth of LSOAs ({index} decile 1) is {ratio:.1f} times "
                             "that in the least deprived (decile 10).")
    if p.vintage is not None and p.vintage.vintage is not None and where.available:
        moved = vintage_notes(p.vintage, where.figures)
        lines.append(f"Areas are {p.vintage.vintage} LSOAs" + (": " + "; ".join(moved) if moved else "") + ".")
    if "force_definite" in h:
        lines.append(f"The force's own crime records give {_n(h['force_definite'])} crimes of {scope} in the same "
                     "months, classified by Home Office offence code and flag: definite, where police.uk's categories "
                     "can only say 'possible' (see 'what', 'who', 'when' and 'why')."
                     + (" These force records are SYNTHETIC (invented for testing and training)." if
                        h.get("force_synthetic") else ""))
    lines.append(trend_finding(p.trend, p.sections["when"].tables.get("year_on_year"),
                               "Recorded serious violence (definite and possible)"))
    if h.get("period_asked"):
        lines.append(f"The period asked for ({h['period_asked']['from']} to {h['period_asked']['to']}) reaches beyond "
                     "the loaded data and was cut to the loaded months.")
    if h["supply_warning_months"]:
        months = h["supply_warning_months"]
        verb = "looks" if len(months) == 1 else "look"
        lines.append("Supply warning: " + ", ".join(months) + f" {verb} incomplete in the source data: marked, kept "
                     "out of the trend, and not to be read as a fall in violence.")
    return lines
