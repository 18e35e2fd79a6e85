"""The release of the Cardiff Model view (``vrhub cardiff --release`` and the SNA's Cardiff section).

Every count table is protected: each source's district × month counts as one cube with all its margins (so the
district, month and district × month tables, and the headline total, are views of one protection and cannot be
subtracted from one another); ED arrivals by hour × weekday; assaults by location type (shares recomputed from the
released counts); the free-text descriptions (rows whose count is suppressed dropped); and, with a gazetteer, the
incident places and the geocoding tally. The ED-per-100-police ratio and the summary are computed from the released
tables (statistics rules "ratio" and "total").
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from vrhub.analysis.cardiff import (
    WEEKDAYS,
    CardiffCounts,
    CardiffParts,
    CardiffView,
    assemble_tables,
    summarise_view,
)
from vrhub.domain.disclosure import CountedText, DisclosureRules, ProtectedTable, protect_long, protect_series
from vrhub.report.release.core import Released, protect_count, statement

_SEP = "\x1f"


def release_cardiff(view: CardiffView, rules: DisclosureRules) -> Released[CardiffView]:
    """The view as it may leave (module docstring). Needs the analyst's view (with its exact counts)."""
    if view.counts is None:
        raise ValueError("this Cardiff view has no exact counts (it is already released): release the analyst's view")
    parts, disclosure = released_parts(view.counts, rules)
    released = dataclasses.replace(
        view, tables=assemble_tables(parts, view.counts.code_of, view.synthetic),
        totals={"ed_assaults": parts.ed_total, "police_violence": parts.police_total}, released=True,
        disclosure=disclosure, parameters={**view.parameters, "release": True, "rules": rules.name}, counts=None,
        summary=[], notes=[n.released(lambda v: protect_count(v, rules)) if isinstance(n, CountedText) else n
                           for n in view.notes])
    released.summary = summarise_view(released)
    return Released(released, statement(rules, disclosure["statement"]))


def released_parts(c: CardiffCounts, rules: DisclosureRules) -> tuple[CardiffParts, dict[str, object]]:
    """The tables' count frames after disclosure control, and the provenance of the protection."""
    cats = {"district": c.districts, "month": c.months}
    ed_pt = protect_long(c.ed_dm, ["district", "month"], rules=rules, categories=cats)
    police_pt = protect_long(c.police_dm, ["district", "month"], rules=rules, categories=cats) \
        if c.police_dm is not None else None
    hw_pt = protect_long(c.hw_long, ["weekday", "hour"], rules=rules,
                         categories={"weekday": list(WEEKDAYS), "hour": list(range(24))})
    loc_pt = protect_series(c.loc_counts, rules)
    desc_pt = protect_series(pd.Series(c.desc_counts.to_numpy(),
                                       index=[f"{a}{_SEP}{b}" for a, b in c.desc_counts.index]), rules)

    def views(pt: ProtectedTable) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        return (pt.view("district", totals=False), pt.view("month", totals=False),
                pt.view("district", "month", totals=False))

    loc_s = loc_pt.shares(loc_pt.dims[0])
    loc_s = loc_s[loc_s[loc_pt.dims[0]] != loc_pt.total_label]
    loc_t = pd.DataFrame({"assault_location_type": loc_s[loc_pt.dims[0]].to_numpy(),
                          "count": pd.array(loc_s["count"].to_numpy(), dtype="Int64"),
                          "share_percent": loc_s["share"].round(1).to_numpy()})
    desc_s = desc_pt.series(totals=False)
    desc_s = desc_s[desc_s.notna()].sort_values(ascending=False, kind="stable").head(c.top)
    split = [k.split(_SEP, 1) for k in desc_s.index]
    desc_t = pd.DataFrame({"assault_location_type": [p[0] for p in split],
                           "assault_location_description": [p[1] for p in split], "count": desc_s.to_numpy()})
    places, geo = _places(c, rules)
    parts = CardiffParts(
        views(ed_pt), views(police_pt) if police_pt is not None else None, hw_pt.view("weekday", "hour", totals=False),
        loc_t, desc_t, _int(ed_pt.series("district").get(ed_pt.total_label)),
        _int(police_pt.series("district").get(police_pt.total_label)) if police_pt is not None else None,
        places, geo)
    disclosure = ed_pt.provenance.as_dict()
    disclosure["tables_protected"] = sum(p is not None for p in (ed_pt, police_pt, hw_pt, loc_pt, desc_pt)) + (
        0 if places is None else 2)
    return parts, disclosure


def _places(c: CardiffCounts, rules: DisclosureRules) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Incident places (rows whose ED count is suppressed dropped) and the geocoding tally, protected."""
    if c.places is None or c.tally is None:
        return None, None
    by_place = c.places.copy()
    keys = ["place_name", "place_type", "incident_lsoa"]
    key = [_SEP.join(k) for k in by_place[keys].itertuples(index=False)]
    ed_s = protect_series(pd.Series(by_place["ed_assaults"].to_numpy(), index=key), rules).series(totals=False)
    by_place["ed_assaults"] = pd.array(ed_s.reindex(key).to_numpy(), dtype="Int64")
    if by_place["police_violence"].notna().any():
        raw = by_place["police_violence"].fillna(0).astype(int)
        po_s = protect_series(pd.Series(raw.to_numpy(), index=key), rules).series(totals=False)
        by_place["police_violence"] = pd.array(po_s.reindex(key).to_numpy(), dtype="Int64")
    by_place = by_place[by_place["ed_assaults"].notna()]
    tally_s = protect_series(c.tally, rules).series(totals=False)
    geo = pd.DataFrame({"outcome": tally_s.index, "ed_assaults": pd.array(tally_s.to_numpy(), dtype="Int64")})
    return by_place, geo


def _int(v: object) -> int | None:
    return None if v is None or pd.isna(v) else int(v)  # type: ignore[call-overload]
