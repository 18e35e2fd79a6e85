"""The analyses the SNA shows, one function per section part (hot spots, near repeats, the Cardiff view, what
works, partners' data, the linked cohort), each run with a fixed seed and published through a ``Publication``."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from vrhub.analysis.areas import Area
from vrhub.analysis.cohort import CohortRiskFactors, cohort_risk_factors
from vrhub.analysis.profile import Profile
from vrhub.analysis.profile.partner import FEEDS, WEEKDAYS
from vrhub.analysis.profile.who import GROUPS as STOP_SEARCH_GROUPS
from vrhub.analysis.profile.who import KIND as STOP_SEARCH_KIND
from vrhub.domain.definitions import Definition
from vrhub.domain.errors import NoDataError
from vrhub.report import charts
from vrhub.report.sna.area import SnaShared
from vrhub.report.sna.format import _fmt, _svg, _table
from vrhub.report.sna.publication import Publication
from vrhub.store.workspace import Workspace

HOTSPOT_SEED = 20240131  # fixed, so that two builds of the same workspace are identical
HOTSPOT_PERMUTATIONS = 9999


def _gi_star_run(ws: Workspace, d: Definition, p: Profile, pub: Publication, source: str) -> Any:
    """(incidents, the Gi* run through the release step), or None when there is nothing to map."""
    from vrhub.analysis.hotspots.run import gather_incidents, run_gi_star

    try:
        incidents = gather_incidents(ws.engine(), d, start=p.start, end=p.end, strand=p.strand, source=source,
                                     vintage=p.vintage.vintage if p.vintage else None)
        if incidents.n == 0:
            return None
        run = run_gi_star(ws.engine(), incidents, level="lsoa", permutations=HOTSPOT_PERMUTATIONS,
                          seed=HOTSPOT_SEED)
    except NoDataError:
        return None
    return incidents, pub.result(run)  # released: no class for an area whose count is suppressed, z withheld


def _hotspots(ws: Workspace, d: Definition, p: Profile, notice: str, pub: Publication,
              source: str = "police_uk_street", *, shared: SnaShared | None = None,
              area: Area | None = None) -> dict[str, Any] | None:
    """Getis-Ord Gi* on LSOAs (conditional permutation, FDR 5%): a class map and its sentence.

    ``source="ed_istv"`` maps ED assault attendances by the patient's home LSOA (when ED data cover the period).
    The statistic runs on the whole partnership (once per run with ``shared``); with ``area`` the map and its
    sentence show that area's LSOAs, whose neighbours across the area's boundary still count.
    """
    from vrhub.analysis.hotspots.run import ED_SOURCE
    from vrhub.report.maps import GI_STAR_CLASSES, choropleth

    shared = shared or SnaShared()
    found = shared.part(("gi_star", source, p.start, p.end, p.strand, pub.released),
                        lambda: _gi_star_run(ws, d, p, pub, source))
    if found is None:
        return None
    incidents, run = found
    places = run.places.copy()
    if area is not None:
        places = places[places["id"].isin(set(area.lsoas))]
    counts = places["classification"].value_counts()
    hot, cold = int(counts.get("hot", 0)), int(counts.get("cold", 0))
    params = run.parameters
    ed = source == ED_SOURCE
    what = "ED assault attendances by the patient's home LSOA" if ed else "recorded serious violence"
    if hot or cold:
        sentence = (f"Getis-Ord Gi* finds {hot} hot-spot and {cold} cold-spot LSOAs of {what}"
                    + (f" in {area.name}" if area else "") + " at a 5% false-discovery rate "
                    f"({params['permutations']:,} conditional permutations, queen contiguity"
                    + (", run on the whole partnership" if area else "") + ").")
    else:
        sentence = (f"Getis-Ord Gi* finds no LSOA hot or cold spots of {what}"
                    + (f" in {area.name}" if area else "") + " at a 5% false-discovery rate "
                    f"({params['permutations']:,} conditional permutations, queen contiguity, "
                    f"{params['n_sites']:,} LSOAs): with {len(incidents.months)} months of data, local clusters "
                    "cannot be told apart from chance once testing a thousand areas is allowed for.")
    if ed and hot:
        order = "z" if "z" in places else "count"  # z is withheld in a release: the largest released counts
        top = places[places["classification"] == "hot"].sort_values(order, ascending=False).head(5)
        sentence += " Strongest hot spots: " + ", ".join(str(n) for n in top["name"]) + "."
    title = "Hot and cold spots of ED assault attendances (Gi*, home LSOAs)" if ed else \
        "Hot and cold spots (Gi*, LSOAs)"
    outlines = _district_outlines(ws, p, places)
    chart = choropleth(places, "classification", title=title, legend_title="Gi* class", notice=notice,
                       classes=GI_STAR_CLASSES, width=520, location_note=incidents.location_note, furnish=True,
                       outlines=outlines)
    table = pa.table({"class": list(GI_STAR_CLASSES), "LSOAs": [int(counts.get(c, 0)) for c in GI_STAR_CLASSES]})
    rate = None if (hot or cold or ed) else _rate_map(ws, p, places, notice, outlines, area,
                                                      incidents.location_note, pub)
    if rate is not None:
        sentence += " " + rate["lead"]
    return {"sentence": sentence, "parameters": params, "datasets": list(incidents.datasets), "rate_chart": rate,
            "hot": hot,
            "chart": {"id": "ed_hotspots" if ed else "hotspots", "svg": _svg(chart), "table": _table(table),
                      "sentence": sentence,
                      "alt": f"Map of {area.name if area else 'Kent and Medway'} LSOAs coloured by Gi* class. "
                             + sentence
                             + f" {incidents.location_note}."}}


def _rate_map(ws: Workspace, p: Profile, places: Any, notice: str, outlines: Any, area: Area | None,
              location_note: str, pub: Publication) -> dict[str, Any] | None:
    """When no LSOA is a significant hot or cold spot: the rate per 1,000 residents by LSOA, as a map with its
    sentence (the highest rates named) and table; None without population. Rates of a release come from the
    published counts (``places["count"]`` after the release step; none where a count is suppressed)."""
    from vrhub.report.maps import choropleth
    from vrhub.store.geography import Geography

    try:
        popn = Geography(ws.engine()).population(level="lsoa", vintage=p.vintage.vintage if p.vintage else None)
    except NoDataError:
        return None
    pop = popn.table.to_pandas().set_index("area_code")["population"]
    shown = places.copy()
    shown["population"] = shown["id"].map(pop)
    shown["rate_per_1000"] = (pd.to_numeric(shown["count"], errors="coerce") * 1000
                              / shown["population"].where(shown["population"] > 0)).round(2)
    top = shown.dropna(subset=["rate_per_1000"]).sort_values("rate_per_1000", ascending=False).head(3)
    where = area.name if area else "the partnership"
    lead = (f"No LSOA in {where} reaches significance, so the next map shows the rate per 1,000 residents by LSOA "
            "instead, a description and not a test"
            + (": highest in " + ", ".join(f"{r.name} ({r.rate_per_1000:.1f})" for r in top.itertuples())
               if len(top) else "") + f" (residents: {popn.source}, {popn.year}).")
    chart = choropleth(shown, "rate_per_1000", title="Recorded serious violence per 1,000 residents (LSOAs)",
                       legend_title="per 1,000 residents", notice=notice, width=520, location_note=location_note,
                       tooltip=["name", "rate_per_1000"], furnish=True, outlines=outlines)
    table = shown.sort_values("rate_per_1000", ascending=False, na_position="last").head(10)
    table = pa.Table.from_pandas(table[["name", "count", "population", "rate_per_1000"]].rename(
        columns={"name": "LSOA", "count": "records"}), preserve_index=False)
    return {"id": "rate_map", "svg": _svg(chart, "rate-map"), "table": _table(table, blank=pub.blank),
            "sentence": lead, "lead": lead,
            "alt": f"Map of {area.name if area else 'Kent and Medway'} LSOAs shaded by the rate of recorded serious "
                   f"violence per 1,000 residents. {lead}"}


def _district_outlines(ws: Workspace, p: Profile, places: Any) -> Any:
    """The districts of the mapped LSOAs as outlines (the LSOAs dissolved by the lookup's district), or None."""
    from vrhub.report.map_furniture import district_outlines
    from vrhub.store.geography import Geography

    try:
        lk = Geography(ws.engine()).lsoa_lookup(p.vintage.vintage if p.vintage else None)
    except NoDataError:
        return None
    district_of = lk.select("lsoa_code", "district_name").to_pandas().set_index("lsoa_code")["district_name"]
    return district_outlines(places, district_of)


NEAR_REPEAT_SPACE = [0.0, 0.0, 1000.0]  # same LSOA, then neighbouring centroids within 1 km
NEAR_REPEAT_DAYS = [0.0, 7.0, 14.0]
NEAR_REPEAT_PERMUTATIONS = 999


def _near_repeat(ws: Workspace, d: Definition, p: Profile, pub: Publication) -> dict[str, Any] | None:
    """Knox near-repeat test on dated ED attendances for the period (police.uk has months only: never run on it)."""
    from vrhub.analysis.hotspots.errors import HotspotInputError
    from vrhub.analysis.hotspots.run import ED_SOURCE, gather_incidents, run_near_repeat

    try:
        incidents = gather_incidents(ws.engine(), d, start=p.start, end=p.end, strand=p.strand, source=ED_SOURCE)
        if len(incidents.located) < 2:
            return None
        result = run_near_repeat(incidents, space_bands=NEAR_REPEAT_SPACE, time_bands=NEAR_REPEAT_DAYS,
                                 permutations=NEAR_REPEAT_PERMUTATIONS, seed=HOTSPOT_SEED)
    except (NoDataError, HotspotInputError):
        return None
    result = pub.result(result)  # pair counts withheld, ratios and p-values coarsened, the number of events protected
    frame = result.to_frame()
    inner = frame[(frame["space_band"] != frame["space_band"].iloc[-1]) & (frame["time_band"]
                                                                          != frame["time_band"].iloc[-1])]
    found = inner[(inner["p_adjusted"] <= 0.05) & (inner["knox_ratio"] > 1)]
    if len(found):
        sentence = ("ED assault attendances show a near-repeat pattern: " + "; ".join(
            f"{r.space_band} within {r.time_band} there are {r.knox_ratio:{'.2g' if pub.released else '.2f'}} times "
            "the pairs chance would give "
            f"(p = {r.p_adjusted:.3f} allowing for the {len(inner)} bands tested)" for r in found.itertuples())
            + f". Knox test, {result.permutations} permutations. " + result.global_sentence())
    else:
        sentence = ("No near-repeat pattern in ED assault attendances: no space-time band closer than "
                    f"{NEAR_REPEAT_SPACE[-1]:,.0f} m and {NEAR_REPEAT_DAYS[-1]:.0f} days has more pairs than chance "
                    f"once the {len(inner)} bands tested are allowed for (Knox test, {result.permutations} "
                    "permutations). " + result.global_sentence())
    columns = ["space_band", "time_band", "knox_ratio", "p_value", "p_adjusted"] if pub.released else \
        ["space_band", "time_band", "observed", "expected", "knox_ratio", "p_value", "p_adjusted"]
    shown = inner[columns].copy()
    if not pub.released:
        shown["knox_ratio"] = shown["knox_ratio"].round(2)
    for col in ("p_value", "p_adjusted"):
        shown[col] = shown[col].map(lambda v: f"{v:.3f}")  # 0.001 with 999 permutations, not "0.00"
    if "expected" in shown:
        shown["expected"] = shown["expected"].round(1)
    return {"sentence": sentence, "table": _table(pa.Table.from_pandas(shown, preserve_index=False)),
            "note": f"{incidents.location_note}; times are the day of the assault (of arrival when the assault time "
                    "is blank). police.uk records carry the month only, so the near-repeat test is never run on "
                    "them.",
            "parameters": {"space_bands_m": NEAR_REPEAT_SPACE, "time_bands_days": NEAR_REPEAT_DAYS,
                           "permutations": result.permutations, "seed": result.seed},
            "citation": result.citation, "n_events": result.n_events}


def _cardiff(ws: Workspace, p: Profile, pub: Publication) -> dict[str, Any] | None:
    """The Cardiff Model view (ED assaults against police-recorded violence) when ED data cover the period."""
    from vrhub.analysis.cardiff import GEOCODED_NOTE, GEOCODED_TABLES, cardiff_view

    try:
        view = cardiff_view(ws.engine(), start=p.start, end=p.end, vintage=p.vintage.vintage if p.vintage else None)
    except NoDataError:
        return None
    view = pub.result(view)
    tables = {}
    for name, cols in (("ed_vs_police_by_district", ["district_name", "ed_assaults", "police_violence"]),
                       ("ed_location_type", None), ("ed_location_descriptions", None),
                       # with a gazetteer loaded (cardiff.GEOCODED_TABLES): incident places and the geocoding tally
                       ("ed_incident_places", ["place_name", "place_type", "incident_lsoa", "district_name",
                                               "ed_assaults", "police_violence", "no_police_record_in_lsoa"]),
                       ("ed_geocoding", ["outcome", "ed_assaults"])):
        if name in view.tables:
            df = view.tables[name]
            df = df[[c for c in (cols or df.columns) if c != "ed_synthetic"]]
            tables[name] = _table(pa.Table.from_pandas(df.astype(object).where(df.notna(), None),
                                                       preserve_index=False), limit=CARDIFF_ROWS,
                                  blank=pub.blank)
            tables[name]["more"] = max(0, len(df) - CARDIFF_ROWS)
    geocoded = [n for n in GEOCODED_TABLES if n in view.tables]
    return {"summary": view.summary, "synthetic": view.synthetic, "tables": tables, "citation": view.citation,
            "notes": [n for n in view.notes if n != GEOCODED_NOTE], "datasets": view.ed_datasets,
            "geocoded_note": GEOCODED_NOTE if geocoded else None}


CARDIFF_ROWS = 15  # rows shown of each Cardiff table (the full tables: vrhub cardiff)
CARDIFF_CAPTIONS = {
    "ed_vs_police_by_district": "ED assault attendances (patient's home district) and police-recorded violence "
                                "(offence district)",
    "ed_location_type": "ED assaults by location type",
    "ed_location_descriptions": "Locations described to the ED (the places police data may not know)",
    "ed_incident_places": "ED assaults by incident place (free-text location geocoded against the gazetteer), beside "
                          "police-recorded violence in the place's LSOA",
    "ed_geocoding": "How the ED free-text locations were geocoded: attendances by outcome and matching rule",
}


def _what_works(ws: Workspace, today: dt.date, pub: Publication) -> dict[str, Any]:
    """The commissioned services in force, what their returns say they delivered, and contract alerts (each value
    sheet and evaluation through the release step in a release)."""
    from vrhub.analysis.value.sheet import value_sheet
    from vrhub.governance.commissioning import alerts, register_in_force
    from vrhub.governance.returns import returns_in_force
    from vrhub.governance.statements import service_report

    register = register_in_force(ws)
    returns = returns_in_force(ws)
    services = []
    evaluations = []
    for svc in register.services:
        sheet = value_sheet(ws, svc.key)
        sheet = pub.value_sheet(sheet)
        evaluations += _service_evaluations(ws, svc, pub)
        report = service_report(returns, svc.key) if returns else None
        funding = svc.total_funding
        evidence = "; ".join(
            f"{e.yef_approach or e.crime_reduction_toolkit or ''}"
            + (f" (YEF band: {e.yef_band})" if e.yef_band else "") for e in svc.evidence) or "not recorded"
        services.append({
            "name": svc.name, "providers": ", ".join(svc.provider_names()), "ages": svc.ages(),
            "funding": f"£{funding:,.0f}" if funding else "not stated in the source",
            "contract": (f"{svc.contract_start:%b %Y} to {svc.contract_end:%b %Y}"
                         if svc.contract_start and svc.contract_end else "not stated in the source"),
            "evidence": evidence, "yef_bands": [e.yef_band for e in svc.evidence if e.yef_band],
            "statements": [f"{st.text} (source: "
                           + ", ".join(f"{Path(f).name} row {r}" for f, r in st.sources[:4]) + ")"
                           for st in (report.statements if report else [])],
            "value": {"sentence": sheet["plain_english"], "missing": sheet["missing"],
                      "price_year": sheet["price_year"]},
        })
    return {"register": register.name or "commissioning register", "register_sha256": register.sha256,
            "services": services, "alerts": [a.message for a in alerts(register, today)],
            "returns_loaded": bool(returns), "evaluations": evaluations}


EVALUATION_SOURCES = (("police_uk_street", "police-recorded violence and sexual offences"),
                      ("ed_istv", "ED assault attendances (patients' home districts)"))


def _service_evaluations(ws: Workspace, svc: Any, pub: Publication) -> list[dict[str, Any]]:
    """Difference-in-differences of each loaded outcome in the service's districts from its contract start, or
    the reason it cannot be run on the loaded data (a row either way, so the SNA shows what was tried)."""
    from vrhub.analysis.evaluation.result import EvaluationInputError
    from vrhub.analysis.evaluation.workspace import evaluate_did
    from vrhub.store.geography import Geography

    engine = ws.engine()
    kinds = {x.kind for x in ws.catalogue.datasets()}
    rows: list[dict[str, Any]] = []
    if svc.contract_start is None or not svc.districts:
        return [{"service": svc.name, "outcome": "", "result": None,
                 "reason": "the register does not state " + ("its contract start" if svc.contract_start is None
                                                             else "its districts")
                           + ", so no comparison of before and after can be set up."}]
    try:
        lookup = Geography(engine).lsoa_lookup().to_pandas()
        known = {str(n).lower(): str(n) for n in lookup["district_name"].dropna().unique()}
    except NoDataError:
        known = {}
    treated = [known[x.lower()] for x in svc.districts if x.lower() in known]
    unknown = [x for x in svc.districts if x.lower() not in known]
    start = f"{svc.contract_start:%Y-%m}"
    for source, outcome in EVALUATION_SOURCES:
        if source not in kinds:
            continue
        row: dict[str, Any] = {"service": svc.name, "outcome": outcome, "result": None, "reason": ""}
        if not treated:
            row["reason"] = "none of its districts (" + ", ".join(svc.districts) + ") is a loaded district."
        else:
            try:
                ev = evaluate_did(engine, treated=treated, start=start, source=source)
                ev = pub.result(ev)
                e = ev.effect
                row["result"] = {"sentence": ev.plain_english(), "detected": e.detected,
                                 "estimate": e.percent_change, "ci": e.percent_ci}
                if unknown:
                    row["reason"] = ("Not a loaded district, so left out of the treated areas: "
                                     + ", ".join(unknown) + ".")
            except (EvaluationInputError, NoDataError) as exc:
                row["reason"] = f"not run: {exc.message}."
        rows.append(row)
    return rows


def no_data_message(exc: NoDataError) -> str:
    return f"{exc.message}. {exc.hint}"


# --- who, when (hour × weekday) and why from the partner feeds and stop and search --------------------------------
def _lower_first(text: str) -> str:
    """'Ambulance call-outs' → 'ambulance call-outs'; 'ED assault attendances' stays (an initialism)."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


FORCE_CAPTIONS = {
    "what_force_by_offence_group": "Serious violence (force crime records) by offence group and sub-group",
    "what_force_by_offence_code": "Serious violence (force crime records) by Home Office offence code",
    "what_force_weapons": "Serious violence (force crime records) with a knife or sharp instrument, or a firearm",
    "what_force_repeat_locations": "Serious violence (force crime records): the LSOAs with most crimes",
    "who_force_victims_by_age_band": "Victims of serious violence (force crime records) by age band (rates per 1,000 "
                                     "residents of the same age where population by age is loaded)",
    "who_force_victims_by_sex": "Victims of serious violence (force crime records) by sex",
    "who_force_victims_by_ethnic_group": "Victims of serious violence (force crime records) by ethnic group",
    "who_force_suspects_by_age_band": "Suspects of serious violence (force crime records) by age band",
    "who_force_suspects_by_sex": "Suspects of serious violence (force crime records) by sex",
    "who_force_suspects_by_ethnic_group": "Suspects of serious violence (force crime records) by ethnic group",
    "who_force_repeat_victims": "Repeat victims: crimes of serious violence per victim (same pseudonym, force crime "
                                "records)",
    "who_force_repeat_suspects": "Repeat suspects: crimes of serious violence per suspect (force crime records)",
    "when_force_hour_weekday": "Serious violence (force crime records) by hour of the day and weekday (midpoint of "
                               "the committed window)",
    "why_force_flags": "Serious violence (force crime records) by flag: domestic abuse, knife, firearm, alcohol, "
                       "drugs, night-time economy, exploitation, gangs, hate",
    "why_force_flag_pairs": "Serious violence (force crime records) with two flags together",
    "why_force_nte_by_hour": "Night-time-economy serious violence (force crime records) by hour",
    "why_force_nte_by_lsoa": "Night-time-economy serious violence (force crime records): the LSOAs with most",
}


def _partner_caption(name: str) -> tuple[str, str | None]:
    """A table name of the profile → (its caption, the data kind it comes from)."""
    if name.startswith("who_stop_search_by_"):
        group = STOP_SEARCH_GROUPS.get(name.removeprefix("who_stop_search_by_"), "group")
        return (f"Stop and search in the area by {group}: who is searched (policing activity), not victims or "
                "offenders", STOP_SEARCH_KIND)
    if name == "measures_force_by_month":
        return ("Home Office success measures from force crime records, by month (knife-enabled serious violence; "
                "homicide, non-domestic; each for victims under 25)", "force_crime")
    if "_force_" in name:
        return FORCE_CAPTIONS.get(name, "Force crime records: " + name.split("_force_", 1)[1].replace("_", " ")), \
            "force_crime"
    for f in FEEDS:
        if name == f"when_{f.short}_hour_weekday":
            return (f"{f.label[0].upper()}{f.label[1:]} by hour of the day and weekday "
                    f"({(f.datetime or '').replace('_', ' ')})", f.kind)
        for col in f.who:
            if name == f"who_{f.short}_by_{col}":
                return f"{f.label[0].upper()}{f.label[1:]} by {f.whose} {col.replace('_', ' ')}", f.kind
        for col in f.why:
            if name == f"why_{f.short}_by_{col}":
                return f"{f.label[0].upper()}{f.label[1:]} by {col.replace('_', ' ')}", f.kind
    return name.replace("_", " "), None


def _band_key(label: str) -> tuple[int, str]:
    digits = re.match(r"\d+", str(label))
    return (int(digits[0]) if digits else 999, str(label))


def _shares(df: pd.DataFrame, category: str, count: str, n: int = 3) -> str:
    shown = df.dropna(subset=[count]).sort_values([count, category], ascending=[False, True], kind="stable").head(n)
    total = df[count].dropna().astype(float).sum()
    return ", ".join(f"{getattr(r, category)} {int(getattr(r, count)):,} ({getattr(r, count) / total:.0%})"
                     for r in shown.itertuples()) if total else "no records"


def _hour_weekday(df: pd.DataFrame, caption: str, notice: str, ident: str, pub: Publication) -> dict[str, Any]:
    """The hour × weekday heat map, its text alternative (read from its cells) and its table (weekdays × hours)."""
    chart = charts.heatmap_chart(df, caption, notice, list(WEEKDAYS), "Records")
    known = df.dropna(subset=["records"]).copy()
    known["records"] = known["records"].astype(int)
    top = known.sort_values(["records", "hour"], ascending=[False, True], kind="stable").head(3)
    by_day = known.groupby("weekday")["records"].sum().reindex(list(WEEKDAYS)).fillna(0)
    by_hour = known.groupby("hour")["records"].sum()
    alt_text = (f"Heat map of {_lower_first(caption)}: hours 00 to 23 across, Monday to Sunday down, darker "
                "for more records. Busiest cells: " + "; ".join(
                    f"{r.weekday} {int(r.hour):02d}:00–{int(r.hour):02d}:59 ({r.records:,})" for r in top.itertuples())
                + f". Busiest day {by_day.idxmax()} ({int(by_day.max()):,}); busiest hour "
                f"{int(by_hour.idxmax()):02d}:00 ({int(by_hour.max()):,} across the week)."
                + (" Suppressed cells are grey, named in the legend." if pub.released and len(known) < len(df) else ""))
    wide = df.pivot_table(index="weekday", columns="hour", values="records", aggfunc="first", dropna=False)
    wide = wide.reindex(index=list(WEEKDAYS), columns=range(24))
    rows = [[day, *(pub.blank if pd.isna(v) else f"{int(v):,}" for v in wide.loc[day])]
            for day in WEEKDAYS]
    return {"id": ident, "svg": _svg(chart, ident), "alt": alt_text, "wide": True,
            "table": {"columns": ["weekday", *(f"{h:02d}" for h in range(24))], "rows": rows}}


def _partner_sections(p: Profile, tables: dict[str, pa.Table], notice: str, pub: Publication,
                      synthetic_kinds: set[str]) -> dict[str, dict[str, Any]]:
    """Who, when (hour × weekday) and why: the profile's partner-feed and stop-and-search tables (released when the
    profile is), each with its caption, a chart for the ED age bands and each hour × weekday table, and whether its
    feed is synthetic; or, for a part with no such table, what is missing (the profile's own notes)."""
    out: dict[str, dict[str, Any]] = {}
    blank = pub.blank
    for part, prefix in (("what", "what_force_"), ("who", "who_"), ("when", "when_"), ("why", "why_")):
        section = p.sections[part]
        names = [n for n in section.tables if n.startswith(prefix) and (part != "when" or n.endswith("_hour_weekday"))]
        if part == "what" and "measures_force_by_month" in section.tables:
            names.append("measures_force_by_month")
        entries = []
        for name in names:
            caption, kind = _partner_caption(name)
            df = tables[name].to_pandas()
            entry: dict[str, Any] = {"id": name, "caption": caption, "synthetic": kind in synthetic_kinds,
                                     "chart": None}
            if part == "when":
                entry["chart"] = _hour_weekday(df, caption, notice, name, pub)
                entry["table"] = entry["chart"]["table"]
            elif name == "measures_force_by_month":  # months down, measures across
                wide = df.pivot_table(index="month", columns="measure", values="records", aggfunc="first",
                                      dropna=False).reset_index()
                wide["month"] = pd.to_datetime(wide["month"]).dt.strftime("%Y-%m")
                wide.columns = [str(c).replace("_", " ") for c in wide.columns]
                shown = wide.astype({c: "Int64" for c in wide.columns if c != "month"})
                entry["table"] = _table(pa.Table.from_pandas(shown, preserve_index=False), blank=blank)
            else:
                count = next(c for c in ("searches", "records", "people") if c in df)
                dim = "offence_subgroup" if "offence_subgroup" in df else df.columns[0]
                if name == "who_ed_by_age_band":
                    order = sorted(df[dim].astype(str), key=_band_key)
                    cdf = df.dropna(subset=[count])
                    cdf[dim] = cdf[dim].astype(str)
                    cdf[count] = cdf[count].astype(float)
                    chart = charts.bar_chart(cdf, dim, count, caption, notice, "Attendances", order=order)
                    entry["chart"] = {"id": name, "svg": _svg(chart),
                                      "alt": f"Bar chart of {_lower_first(caption)}, youngest first; most: "
                                             + _shares(df, dim, count) + "."}
                shown = df.astype({count: "Int64"}) if df[count].isna().any() else df  # suppressed: [c], not 10.00
                entry["table"] = _table(pa.Table.from_pandas(shown, preserve_index=False), blank=blank)
                entry["sentence"] = f"Most: {_shares(df, dim, count)}."
            if entry["synthetic"] and entry["chart"]:
                entry["chart"]["alt"] = "Synthetic data. " + entry["chart"]["alt"]
            entries.append(entry)
        hour_note = "hour × weekday"
        if part == "what":  # police.uk's own 'what' is shown below it; only the force records' notes here
            out[part] = {"entries": entries, "missing": [],
                         "notes": [n for n in section.notes if n.startswith("force crime records")] if entries else []}
            continue
        notes = [n for n in section.notes if part != "when" or hour_note in n]
        out[part] = {"entries": entries, "notes": notes if entries and part != "when" else [],
                     "missing": [] if entries else [n for n in section.notes if part != "when" or hour_note in n]}
    return out


# --- causes: the linked cohort ------------------------------------------------------------------------------------
def _or_text(value: float, low: float, high: float, withheld: bool, significant: bool = False) -> str:
    """An odds ratio and its interval; ``significant``: released model estimates, already at 2 significant figures
    (shown so, not padded to two decimals); ``withheld``: a release, where a missing ratio was withheld."""
    if pd.isna(value):
        return "withheld (a count behind it is suppressed or small)" if withheld else "not estimable"
    if significant:
        return f"{value:.2g} ({low:.2g} to {high:.2g})"
    return f"{value:.2f} ({low:.2f} to {high:.2f})"


def _who_had(row: Any) -> str:
    return "boys had" if row["exposure"] == "male" else f"pupils {row['label'][0].lower()}{row['label'][1:]} had"


def _causes(ws: Workspace, p: Profile, pub: Publication) -> dict[str, Any]:
    """The linked cohort's odds ratios for the period (``cohort_risk_factors``), its key finding and recommendation,
    or what is missing when education or youth justice data are not loaded."""
    none: dict[str, Any] = {"result": None, "finding": None, "recommendation": None}
    try:
        r: CohortRiskFactors = cohort_risk_factors(ws.engine(), start=p.start, end=p.end)
    except NoDataError as exc:
        return none | {"missing": f"{exc.message[:1].upper()}{exc.message[1:]}: {exc.hint}."}
    r = pub.result(r)
    t = r.table
    rows = []
    for x in t.itertuples():
        rows.append([x.label, *(_fmt(None if pd.isna(v) else int(v)) or "[c]" for v in
                                (x.exposed, x.exposed_with_outcome, x.unexposed, x.unexposed_with_outcome)),
                     *("" if pd.isna(v) else f"{v:.1%}" for v in (x.risk_exposed, x.risk_unexposed)),
                     _or_text(x.crude_or, x.crude_or_low, x.crude_or_high, pub.released),
                     _or_text(x.adjusted_or, x.adjusted_or_low, x.adjusted_or_high, pub.released,
                              significant=pub.released)])
    columns = ["risk factor", "pupils with it", "with it and a violent offence", "pupils without it",
               "without it and a violent offence", "risk with", "risk without", "crude odds ratio (95% CI)",
               "adjusted odds ratio (95% CI)"]
    n = _fmt(r.population) if r.population is not None else "a few (suppressed)"
    cohort = f"{n} pupils" + (" (SYNTHETIC data, invented for testing and training)" if r.synthetic else "")
    clear = t[(t["adjusted_or_low"] > 1) | (t["adjusted_or_high"] < 1)].dropna(subset=["adjusted_or"])
    raised = clear[clear["adjusted_or"] > 1].sort_values(["adjusted_or", "exposure"], ascending=[False, True])
    if len(raised):
        top = raised.iloc[0]
        finding = (f"In the linked cohort of {cohort}, {_who_had(top)} {top['adjusted_or']:.1f} times the odds of a "
                   "violent youth justice offence, allowing for the other school factors (adjusted odds ratio, 95% CI "
                   f"{top['adjusted_or_low']:.1f} to {top['adjusted_or_high']:.1f}): an association, not a cause.")
        others = [f"{x['label'].lower()} {x['adjusted_or']:.1f}" for _, x in raised.iloc[1:].iterrows()]
        if others:
            finding += " Also raised: " + "; ".join(others) + "."
        recommendation = (f"Offer early support, with schools, to pupils who are {top['label'][0].lower()}"
                          f"{top['label'][1:]} (the strongest school risk factor in the linked cohort), and evaluate "
                          "it (section 5).") if top["exposure"] != "male" else None
    elif t["adjusted_or"].notna().any():
        finding = (f"In the linked cohort of {cohort}, no school factor's adjusted odds ratio of a violent youth "
                   "justice offence has a 95% confidence interval that excludes 1.")
        recommendation = None
    else:
        finding = (f"In the linked cohort of {cohort}, no adjusted odds ratio could be published"
                   + (" (a cell of every table is suppressed)." if pub.released
                      else " (the model could not be fitted)."))
        recommendation = None
    if r.synthetic and recommendation:
        recommendation = None  # invented data recommend nothing
    return {"result": r, "finding": finding, "recommendation": recommendation, "missing": None,
            "table": {"columns": columns, "rows": rows}, "population": n,
            "with_outcome": _fmt(r.with_outcome) if r.with_outcome is not None else "a few (suppressed)",
            "outside": (_fmt(r.offenders_not_in_education) if r.offenders_not_in_education is not None
                        else "a few (suppressed)"),
            "notes": r.notes, "synthetic": r.synthetic, "citation": r.citation,
            "offences": ", ".join(r.parameters["offence_types"]),
            "nc_years": f"{r.parameters['min_nc_year']} to {r.parameters['max_nc_year']}",
            "disclosure": r.disclosure}
