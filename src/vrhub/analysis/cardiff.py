"""The Cardiff Model view: emergency-department assault attendances beside police-recorded violence.

The Cardiff Model for Violence Prevention (Shepherd; Florence et al., BMJ 2011;342:d3313) shares anonymised ED
data on assaults (ISTV, NHS ISB 1594: arrival time, assault method, location type and free-text location) with the
community safety partnership, because many assaults treated in hospital are never reported to the police. This
module puts, for the same area and months:

- ED assault attendances (by the patient's **home** LSOA → district) beside police-recorded violence from police.uk
  ("Violence and sexual offences" + "Robbery" + "Possession of weapons", by the **offence** LSOA → district), by
  district, by month and by district × month;
- ED arrivals by hour × weekday (police.uk publishes month only, no time of day, so it has no such table);
- ED assaults by assault location type, with shares, and the most frequent free-text location descriptions: the
  places known only to health, which the Cardiff Model exists to reveal.

It is a comparison of **volumes by area and month, not a matching of records**: police.uk places an offence at an
anonymised map point and a month, ISTV home LSOA is where the patient lives. When any ED dataset read is marked
synthetic in the catalogue, every table carries ``ed_synthetic = True`` and the summary says so first.

The view is exact (analyst use) and keeps its counts (:class:`CardiffCounts`); ``vrhub.report.release.release``
makes the released view: every count table protected (by default counts 1–7 suppressed, the rest rounded to 5, with
secondary suppression), the district, month and district × month tables of each source cut from one protected cube
so that margins cannot undo a suppression, shares and ratios recomputed from the released counts, and free-text
rows whose count is suppressed dropped. Method page: docs/methods/cardiff-model.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import ibis
import pandas as pd

from vrhub.analysis.districts import district_map
from vrhub.analysis.geocode import GeocodeRules, gazetteer_places, geocode
from vrhub.domain.disclosure import CountedText
from vrhub.domain.errors import NoDataError
from vrhub.store.engine import Engine, month_range

CITATION = ("Florence C, Shepherd J, Brennan I, Simon T. Effectiveness of anonymised information sharing and use in "
            "health service, police, and local government partnership for preventing violence related injury: "
            "experimental study and time series analysis. BMJ 2011;342:d3313. ED data items: NHS ISB 1594 "
            "Information Sharing to Tackle Violence (ISTV) minimum dataset.")

ED_KIND = "ed_istv"
POLICE_KIND = "police_uk_street"
POLICE_VIOLENCE = ("Violence and sexual offences", "Robbery", "Possession of weapons")
NOT_KNOWN = "Not known"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TOP_DESCRIPTIONS = 20
SYNTHETIC_NOTICE = ("SYNTHETIC ED DATA: the emergency-department returns read here are marked synthetic in the "
                    "catalogue (invented attendances for testing and training). Do not use these figures as evidence.")
NOTES = (
    "This is a comparison of volumes by area and month, not record matching: police.uk places each offence at an "
    "anonymised map point (its LSOA) and a month, while the ISTV home LSOA is where the patient lives.",
    "police.uk publishes the month only, with no date or time of day: the hour × weekday table is ED arrivals only.",
    "Police-recorded violence here is police.uk 'Violence and sexual offences' + 'Robbery' + 'Possession of "
    "weapons'; ED assaults are every ISTV attendance. The two count different things and are not expected to agree.",
)

TABLES = ("ed_vs_police_by_district", "ed_vs_police_by_month", "ed_vs_police_by_district_month",
          "ed_arrivals_hour_weekday", "ed_location_type", "ed_location_descriptions")
# With a place gazetteer loaded (docs/sources/gazetteer.md), also: ED assaults by geocoded incident place, beside
# police-recorded violence in the place's LSOA; and how many free-text locations each geocoding rule placed.
GEOCODED_TABLES = ("ed_incident_places", "ed_geocoding")
GEOCODED_NOTE = ("Incident places come from geocoding the ED free-text location against the workspace gazetteer "
                 "(rule and confidence per match, nothing below the threshold assigned; unmatched texts counted in "
                 "ed_geocoding). Police-recorded violence beside a place is the police.uk count for the place's whole "
                 "LSOA: 'no police record' means none in that LSOA and period, not a matched record.")


@dataclass
class CardiffCounts:
    """The exact counts behind a view's tables, kept on the analyst's view so that a release can protect them."""

    ed_dm: pd.DataFrame  # district × month (long, column count), every combination
    police_dm: pd.DataFrame | None
    hw_long: pd.DataFrame  # weekday × hour
    loc_counts: pd.Series  # by assault location type
    desc_counts: pd.Series  # by (location type, description), most frequent first
    districts: list[str]
    months: list[str]
    code_of: dict[str, str]
    top: int
    places: pd.DataFrame | None = None  # by incident place: ed_assaults and police_violence (in its LSOA), exact
    tally: pd.Series | None = None  # geocoding outcomes


@dataclass
class CardiffParts:
    """Count frames per table (exact, or as released) from which the view's tables are assembled."""

    ed: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]  # by district, by month, by district × month
    police: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame] | None
    hour_weekday: pd.DataFrame
    location_type: pd.DataFrame  # assault_location_type, count, share_percent
    descriptions: pd.DataFrame  # assault_location_type, assault_location_description, count
    ed_total: int | None
    police_total: int | None
    places: pd.DataFrame | None = None
    geocoding: pd.DataFrame | None = None


@dataclass
class CardiffView:
    """The Cardiff Model tables for one period, with what was read, how it was protected and the citation.

    ``tables`` are tidy frames (see ``TABLES``); counts are nullable integers, ``<NA>`` where suppressed (release
    only). ``totals`` are the headline counts as published (rounded in release mode, ``None`` if suppressed).
    ``counts`` holds the exact counts (``None`` once released).
    """

    start: dt.date
    end: dt.date
    tables: dict[str, pd.DataFrame]
    totals: dict[str, int | None]
    summary: list[str]
    notes: list[str]
    synthetic: bool
    released: bool
    ed_datasets: list[str]
    police_datasets: list[str]
    disclosure: dict[str, Any] | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    citation: str = CITATION
    counts: CardiffCounts | None = None

    @property
    def notice(self) -> str:
        parts = [SYNTHETIC_NOTICE if self.synthetic else "ED data: partner returns (not synthetic)"]
        parts.append(self.disclosure["statement"] if self.released and self.disclosure
                     else "ANALYST VIEW: unprotected counts, not for release")
        return " | ".join(parts)


def _month(d: dt.date) -> str:
    return f"{d:%Y-%m}"


def _ed_rows(engine: Engine, start: dt.date | None, end: dt.date | None) -> pd.DataFrame:
    t = engine.table(ED_KIND)
    if start is not None:
        t = t.filter(t.month >= start)
    if end is not None:
        t = t.filter(t.month <= end)
    cols = ["dataset_id", "site_code", "month", "arrival_datetime", "assault_location_type",
            "assault_location_description", "home_lsoa"]
    return t.select(*cols).to_pandas()


def _police_counts(engine: Engine, start: dt.date, end: dt.date, vintage: int | None,
                   notes: list[str]) -> tuple[pd.DataFrame | None, list[str]]:
    """police.uk violence by dataset, LSOA (on ``vintage``) and month, and its dataset ids; a note per source vintage
    bridged is appended to ``notes``."""
    if not engine.has(POLICE_KIND):
        return None, []
    from vrhub.analysis.scope import on_vintage

    t = engine.table(POLICE_KIND)
    t = t.filter(t.crime_type.isin(list(POLICE_VIOLENCE)) & (t.month >= start) & (t.month <= end))
    t, scope = on_vintage(engine, t, vintage)
    for v, n in sorted(scope.moved.items()):
        notes.append(CountedText(
            "{n:,} police.uk records from " + f"{v} LSOAs assigned to {scope.vintage} LSOAs by the ONS best-fit "
            "lookup (an approximation)", n=n))
    g = t.group_by(["dataset_id", "lsoa_code", "month"]).aggregate(count=ibis._.count()).to_pandas()
    return g, sorted(g["dataset_id"].unique().tolist())


def _map_home_lsoas(engine: Engine, ed: pd.DataFrame, known: pd.Index, vintage: int | None) -> int:
    """ED home LSOAs of an older vintage (codes the lookup in use does not know, but the ONS best-fit lookup maps)
    brought onto ``vintage`` (default: the newest loaded), in place; returns how many attendances were moved."""
    from vrhub.store.geography import Geography
    from vrhub.store.vintages import lookup_frame

    geo = Geography(engine)
    target = vintage or geo.newest_vintage()
    older = [v for v in [*geo.vintages("lsoa"), 2011] if target and v < target]
    lk = lookup_frame(geo, from_vintage=min(older), to_vintage=target) if older else None
    if lk is None:
        return 0
    to = lk.drop_duplicates("from_code").set_index("from_code")["to_code"]
    home = ed["home_lsoa"]
    move = home.notna() & ~home.isin(known) & home.isin(to.index)
    ed.loc[move, "home_lsoa"] = home[move].map(to)
    return int(move.sum())


def _grid(rows: pd.DataFrame, districts: list[str], months: list[str], count: str | None = None) -> pd.DataFrame:
    """Long district × month counts over the full grid (absent combinations 0)."""
    key = ["district", "month"]
    n = rows.groupby(key)[count].sum() if count else rows.groupby(key).size()
    idx = pd.MultiIndex.from_product([districts, months], names=key)
    return n.reindex(idx, fill_value=0).rename("count").reset_index()


def _plain(frame: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    return frame.groupby(dims, sort=False)["count"].sum().astype("Int64").reset_index()


def cardiff_view(
    engine: Engine,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    top: int = TOP_DESCRIPTIONS,
    vintage: int | None = None,
) -> CardiffView:
    """Build the Cardiff Model view for the months ``start``..``end`` (default: the months of ED data loaded).

    ED assault attendances (ISTV, home LSOA → district) beside police.uk violence (offence LSOA → district) by
    district and month; ED arrivals by hour × weekday; ED assaults by location type and the ``top`` free-text
    location descriptions (Florence et al., BMJ 2011). Exact: release it with ``vrhub.report.release.release``.

    Both sides are counted on one LSOA vintage (``vintage``, default the newest loaded): police.uk records and ED
    home LSOAs coded to an older vintage are assigned by the ONS best-fit lookup, and the notes count them.
    """
    ed = _ed_rows(engine, start, end)
    if ed.empty:
        span = f" between {_month(start) if start else 'the start'} and {_month(end) if end else 'the end'}"
        raise NoDataError(f"no ED assault attendances (ISTV) are loaded{span if start or end else ''}",
                          "load ISTV returns with 'vrhub ingest istv PATH' (synthetic ones: 'vrhub synth --load')")
    months_loaded = pd.to_datetime(ed["month"])
    lo = start or months_loaded.min().date().replace(day=1)
    hi = end or months_loaded.max().date().replace(day=1)
    months = [_month(m) for m in month_range(lo, hi)]
    ed_ids = sorted(ed["dataset_id"].unique().tolist())
    synthetic = engine.synthetic(ed_ids, ED_KIND)

    lookup = district_map(engine)
    code_of = lookup.groupby("district_name")["district_code"].first().to_dict()
    vintage_notes: list[str] = []
    moved_home = _map_home_lsoas(engine, ed, lookup.index, vintage)
    if moved_home:
        vintage_notes.append(CountedText("{n:,} ED home LSOAs of 2011 assigned to 2021 LSOAs by the ONS best-fit "
                                         "lookup (an approximation)", n=moved_home))
    ed["district"] = ed["home_lsoa"].map(lookup["district_name"]).fillna(NOT_KNOWN)
    ed["month"] = pd.to_datetime(ed["month"]).dt.strftime("%Y-%m")
    police, police_ids = _police_counts(engine, lo, hi, vintage, vintage_notes)
    if police is not None:
        police["district"] = police["lsoa_code"].map(lookup["district_name"]).fillna(NOT_KNOWN)
        police["month"] = pd.to_datetime(police["month"]).dt.strftime("%Y-%m")
    districts = sorted(code_of)
    districts.append(NOT_KNOWN)

    ed_dm = _grid(ed, districts, months)
    police_dm = _grid(police, districts, months, "count") if police is not None else None

    arrival = pd.to_datetime(ed["arrival_datetime"])
    hw = pd.DataFrame({"weekday": arrival.dt.day_of_week.map(dict(enumerate(WEEKDAYS))), "hour": arrival.dt.hour})
    hw_idx = pd.MultiIndex.from_product([list(WEEKDAYS), list(range(24))], names=["weekday", "hour"])
    hw_long = hw.groupby(["weekday", "hour"]).size().reindex(hw_idx, fill_value=0).rename("count").reset_index()

    loc = ed["assault_location_type"].fillna("unknown")
    loc_counts = loc.value_counts()
    text = ed["assault_location_description"].fillna("").astype(str).str.strip().str.replace(r"\s+", " ", regex=True)
    described = pd.DataFrame({"assault_location_type": loc, "assault_location_description": text})[text != ""]
    desc_counts = described.groupby(["assault_location_type", "assault_location_description"]).size()
    desc_counts = desc_counts.sort_values(ascending=False, kind="stable")

    counts = CardiffCounts(ed_dm, police_dm, hw_long, loc_counts, desc_counts, districts, months, code_of, top)
    geocoded = _incident_places(engine, ed, lookup, police)
    if geocoded is not None:
        counts.places, counts.tally = geocoded
    notes = list(NOTES) + ([GEOCODED_NOTE] if geocoded is not None else []) + vintage_notes
    if police is None:
        notes.insert(0, "No police.uk street-level data is loaded: the police columns are empty. Load it with "
                        "'vrhub ingest police-uk PATH'.")
    else:
        missing = sorted(set(months) - set(police["month"]))
        if missing:
            notes.insert(0, f"police.uk has no violence rows for {len(missing)} month(s) of the period "
                            f"({', '.join(missing[:6])}{'…' if len(missing) > 6 else ''}): check coverage with "
                            "'vrhub datasets'.")
    parts = exact_parts(counts)
    view = CardiffView(
        start=lo, end=hi, tables=assemble_tables(parts, code_of, synthetic),
        totals={"ed_assaults": _int(parts.ed_total), "police_violence": _int(parts.police_total)}, summary=[],
        notes=notes, synthetic=synthetic, released=False, ed_datasets=ed_ids, police_datasets=police_ids,
        parameters={"start": _month(lo), "end": _month(hi), "release": False, "top": top,
                    "police_crime_types": list(POLICE_VIOLENCE), "rules": None}, counts=counts,
    )
    view.summary = summarise_view(view)
    return view


def exact_parts(c: CardiffCounts) -> CardiffParts:
    """The tables' count frames from the exact counts (the analyst's view)."""
    ed = (_plain(c.ed_dm, ["district"]), _plain(c.ed_dm, ["month"]), _plain(c.ed_dm, ["district", "month"]))
    police = ((_plain(c.police_dm, ["district"]), _plain(c.police_dm, ["month"]),
               _plain(c.police_dm, ["district", "month"])) if c.police_dm is not None else None)
    n = int(c.loc_counts.sum())
    loc_t = pd.DataFrame({"assault_location_type": c.loc_counts.index, "count": c.loc_counts.to_numpy()})
    loc_t["count"] = loc_t["count"].astype("Int64")
    loc_t["share_percent"] = (loc_t["count"] / n * 100).astype(float).round(1)
    top_desc = c.desc_counts.head(c.top)
    desc_t = pd.DataFrame({"assault_location_type": [a for a, _ in top_desc.index],
                           "assault_location_description": [b for _, b in top_desc.index],
                           "count": top_desc.to_numpy()}).astype({"count": "Int64"})
    places = geo = None
    if c.places is not None and c.tally is not None:
        places = c.places.astype({"ed_assaults": "Int64", "police_violence": "Int64"})
        geo = pd.DataFrame({"outcome": c.tally.index, "ed_assaults": pd.array(c.tally.to_numpy(), dtype="Int64")})
    police_total = int(c.police_dm["count"].sum()) if c.police_dm is not None else None
    return CardiffParts(ed, police, c.hw_long.astype({"count": "Int64"}), loc_t, desc_t, int(c.ed_dm["count"].sum()),
                        police_total, places, geo)


def assemble_tables(parts: CardiffParts, code_of: dict[str, str], synthetic: bool) -> dict[str, pd.DataFrame]:
    """The view's tables (``TABLES``, and ``GEOCODED_TABLES`` with a gazetteer) from count frames, exact or
    released; the ED-per-100-police ratio is computed from the counts given (released ones in a release)."""
    def pair(ed_t: pd.DataFrame, po_t: pd.DataFrame | None, keys: list[str]) -> pd.DataFrame:
        out = ed_t.rename(columns={"count": "ed_assaults"})
        pol = (po_t.rename(columns={"count": "police_violence"}) if po_t is not None
               else out[keys].assign(police_violence=pd.NA))
        out = out.merge(pol, on=keys, how="left")
        out["police_violence"] = out["police_violence"].astype("Int64")
        return out

    (ed_d, ed_m, ed_x), (po_d, po_m, po_x) = parts.ed, parts.police or (None, None, None)
    by_district = pair(ed_d, po_d, ["district"]).rename(columns={"district": "district_name"})
    by_district.insert(0, "district_code", by_district["district_name"].map(code_of))
    ratio = by_district["ed_assaults"].astype("Float64") / by_district["police_violence"].astype("Float64")
    by_district["ed_per_100_police"] = (ratio.where(by_district["police_violence"] > 0) * 100).round(1)
    tables = {
        "ed_vs_police_by_district": by_district,
        "ed_vs_police_by_month": pair(ed_m, po_m, ["month"]),
        "ed_vs_police_by_district_month": pair(ed_x, po_x, ["district", "month"]).rename(
            columns={"district": "district_name"}),
        "ed_arrivals_hour_weekday": parts.hour_weekday.rename(columns={"count": "ed_arrivals"}),
        "ed_location_type": parts.location_type.rename(columns={"count": "ed_assaults"}),
        "ed_location_descriptions": parts.descriptions.rename(columns={"count": "ed_assaults"}),
    }
    if parts.places is not None and parts.geocoding is not None:
        tables["ed_incident_places"] = parts.places.reset_index(drop=True)
        tables["ed_geocoding"] = parts.geocoding
    for t in tables.values():
        t["ed_synthetic"] = synthetic
    return tables



def _incident_places(engine: Engine, ed: pd.DataFrame, lookup: pd.DataFrame, police: pd.DataFrame | None
                     ) -> tuple[pd.DataFrame, pd.Series] | None:
    """ED assaults by geocoded incident place (with police violence in its LSOA, exact) and the geocoding tally, or
    ``None`` when no gazetteer is loaded."""
    try:
        places, _ = gazetteer_places(engine)
    except NoDataError:
        return None
    district = lookup["district_name"]
    coded = geocode(ed["assault_location_description"].tolist(), places,
                    context_districts=ed["home_lsoa"].map(district).astype(object).where(
                        lambda x: x.notna(), None).tolist(),
                    place_districts=places["lsoa_code"].map(district).astype(object).where(
                        lambda x: x.notna(), None).tolist(), rules=GeocodeRules())
    coded["geocode_rule"] = coded["geocode_rule"].fillna("")
    outcome = coded["geocode_status"].where(coded["geocode_status"] != "matched",
                                            "matched: " + coded["geocode_rule"])
    tally = outcome.value_counts().sort_index()
    matched = coded[coded["geocode_status"] == "matched"]
    keys = ["place_name", "place_type", "incident_lsoa"]
    by_place = matched.groupby(keys).size().rename("ed_assaults").reset_index()
    by_place = by_place.sort_values(["ed_assaults", "place_name"], ascending=[False, True], kind="stable")
    by_place.insert(3, "district_name", by_place["incident_lsoa"].map(district).fillna(NOT_KNOWN))
    police_lsoa = police.groupby("lsoa_code")["count"].sum() if police is not None else None
    if police_lsoa is None:
        by_place["police_violence"] = pd.array([pd.NA] * len(by_place), dtype="Int64")
        by_place["no_police_record_in_lsoa"] = pd.array([pd.NA] * len(by_place), dtype="boolean")
    else:
        raw = by_place["incident_lsoa"].map(police_lsoa).fillna(0).astype(int)
        by_place["police_violence"] = pd.array(raw.to_numpy(), dtype="Int64")
        by_place["no_police_record_in_lsoa"] = (raw == 0).to_numpy()
    return by_place, tally


def _int(v: object) -> int | None:
    return None if v is None or pd.isna(v) else int(v)  # type: ignore[call-overload]


def _fmt(v: object) -> str:
    n = _int(v)
    return "suppressed" if n is None else f"{n:,}"


def summarise_view(v: CardiffView) -> list[str]:
    """The view's summary, written from its tables and totals (released ones in a release)."""
    lines = [SYNTHETIC_NOTICE] if v.synthetic else []
    police = (f"{_fmt(v.totals['police_violence'])} police-recorded violence, robbery and weapon possession offences "
              "(police.uk)" if v.police_datasets else "no police.uk data loaded for comparison")
    lines.append(f"{v.start:%b %Y} to {v.end:%b %Y}: {_fmt(v.totals['ed_assaults'])} ED assault attendances "
                 f"(ISTV); {police}.")
    d = v.tables["ed_vs_police_by_district"]
    known = d[(d["district_name"] != NOT_KNOWN) & d["ed_assaults"].notna()]
    if not known.empty:
        top = known.sort_values("ed_assaults", ascending=False, kind="stable").iloc[0]
        there = (f"; {_fmt(top['police_violence'])} police-recorded offences there" if v.police_datasets else "")
        lines.append(f"Most ED assault patients live in {top['district_name']} ({_fmt(top['ed_assaults'])}{there}).")
    nk = d.loc[d["district_name"] == NOT_KNOWN, "ed_assaults"]
    if len(nk):
        lines.append(f"ED attendances with no home LSOA or one outside the loaded geography: {_fmt(nk.iloc[0])}.")
    hw = v.tables["ed_arrivals_hour_weekday"].dropna(subset=["ed_arrivals"])
    if not hw.empty and hw["ed_arrivals"].max() > 0:
        peak = hw.sort_values("ed_arrivals", ascending=False, kind="stable").iloc[0]
        lines.append(f"Busiest arrival hour: {peak['weekday']} {int(peak['hour']):02d}:00–{int(peak['hour']):02d}:59 "
                     f"({_fmt(peak['ed_arrivals'])} arrivals); police.uk has no times to compare.")
    loc = v.tables["ed_location_type"].dropna(subset=["share_percent"])
    if not loc.empty:
        first = loc.sort_values("share_percent", ascending=False, kind="stable").iloc[0]
        lines.append(f"Most common assault location type: {first['assault_location_type']} "
                     f"({first['share_percent']:.1f}% of ED assaults).")
    geo = v.tables.get("ed_geocoding")
    if geo is not None:
        counts = dict(zip(geo["outcome"], geo["ed_assaults"], strict=True))
        placed = [c for o, c in counts.items() if str(o).startswith("matched")]
        unmatched = counts.get("unmatched")
        places = v.tables["ed_incident_places"]
        only = places[places["no_police_record_in_lsoa"].fillna(False).astype(bool)] if v.police_datasets else None
        total = sum(placed) if placed and all(pd.notna(c) for c in placed) else None if placed else 0
        line = (f"Free-text locations placed in an LSOA by the gazetteer: {_fmt(total)} ED assaults at "
                f"{len(places)} places; unmatched texts kept and counted: {_fmt(unmatched)}")
        if only is not None:
            line += f"; places whose LSOA has no police-recorded violence in the period: {len(only)}"
        lines.append(line + ".")
    desc = v.tables["ed_location_descriptions"]
    if not desc.empty:
        named = ", ".join(f"{r['assault_location_description']} ({_fmt(r['ed_assaults'])})"
                          for r in desc.head(5).to_dict("records"))
        lines.append(f"Top free-text locations known to the ED: {named}.")
    return lines
