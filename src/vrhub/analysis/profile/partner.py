"""Who, when and why from the partners' record-level feeds (ED assaults, ambulance, youth justice).

police.uk street data has no age, sex, time of day or context flag, so the profile's who, when (hour × weekday)
and why parts come from the partner feeds when they are loaded. Each feed's records are classified by the same
definition as the police records (``vrhub.analysis.classify``), so a strand filter means the same thing for every
source; records the definition counts as serious violence, definitely or possibly, are counted, for the same
months as the rest of the profile. Tables are queried through the Ibis engine seam (no pandas query path).

Each table is a count table ``records`` by one or two dimensions, listed in :func:`additive_specs` so that a
released profile protects it like every other count (secondary suppression across the table). A feed made by
``vrhub synth`` is marked synthetic in the section's notes.

The night-time-economy reading of ED arrivals (Friday and Saturday nights, licensed premises) follows the
Cardiff Model's use of ED data (Florence et al., BMJ 2011;342:d3313).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from vrhub.analysis.classify import classify
from vrhub.domain.definitions import Definition
from vrhub.domain.kinds import KINDS
from vrhub.ingest.supply_check import ALL, supply_warnings
from vrhub.store.engine import Engine

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NOT_STATED = "not stated"
SYNTHETIC_MARK = "SYNTHETIC data, invented for testing and training: not evidence"


@dataclass(frozen=True)
class PartnerFeed:
    """What one partner feed can tell the profile: its who fields, its time of day and its context fields."""

    kind: str
    short: str  # used in table names: who_<short>_by_<field>
    label: str
    who: tuple[str, ...] = ()
    whose: str = "people's"  # whose age, sex …: "patients'", "young people's"
    datetime: str | None = None
    why: tuple[str, ...] = ()


FEEDS: tuple[PartnerFeed, ...] = (
    PartnerFeed("ed_istv", "ed", "ED assault attendances (ISTV)", who=("age_band", "sex"),
                whose="patients'", datetime="arrival_datetime", why=("assault_location_type", "assault_method")),
    PartnerFeed("ambulance", "ambulance", "ambulance call-outs for assault", who=("age_band", "sex"),
                whose="patients'", datetime="incident_datetime", why=("category",)),
    PartnerFeed("youth_justice", "yj", "youth justice offences", who=("age", "sex"), whose="young people's"),
)


@dataclass
class PartnerPart:
    """The partner feeds' tables and notes for one of the profile's sections (who, when or why)."""

    tables: dict[str, pa.Table] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class PartnerProfile:
    parts: dict[str, PartnerPart]
    datasets: list[str]
    synthetic: bool


def additive_specs() -> dict[str, tuple[list[str], str, list[str]]]:
    """Every table this module can make → (dimension columns, count column, carried columns), for release."""
    specs: dict[str, tuple[list[str], str, list[str]]] = {}
    for f in FEEDS:
        for col in f.who:
            specs[f"who_{f.short}_by_{col}"] = ([col], "records", [])
        for col in f.why:
            specs[f"why_{f.short}_by_{col}"] = ([col], "records", [])
        if f.datetime:
            specs[f"when_{f.short}_hour_weekday"] = (["weekday", "hour"], "records", [])
    return specs


def _words(columns: tuple[str, ...]) -> str:
    return ", ".join(c.replace("_", " ") for c in columns)


def _counts(t: ir.Table, col: str) -> pa.Table:
    g = t.mutate(**{col: t[col].cast("string").fill_null(NOT_STATED)})
    rows = g.group_by(col).agg(records=g.count()).order_by(ibis.desc("records"), col).to_pyarrow().to_pylist()
    total = sum(r["records"] for r in rows)
    for r in rows:
        r["share"] = round(r["records"] / total, 4) if total else None
    return pa.Table.from_pylist(rows)


def _hour_weekday(t: ir.Table, col: str) -> pa.Table:
    ts = t[col]
    g = t.mutate(weekday=ts.day_of_week.index(), hour=ts.hour()).filter(ts.notnull())
    got = {(r["weekday"], r["hour"]): r["records"]
           for r in g.group_by(["weekday", "hour"]).agg(records=g.count()).to_pyarrow().to_pylist()}
    rows = [{"weekday": WEEKDAYS[d], "hour": h, "records": got.get((d, h), 0)} for d in range(7) for h in range(24)]
    return pa.Table.from_pylist(rows)


def supply_breaks(engine: Engine, feed: PartnerFeed, start: dt.date, end: dt.date) -> str | None:
    """One note naming the feed's months in the period whose whole supply breaks from its own history (the
    foundation's supply check), so that a gap in a partner's returns is not read as less violence; no counts."""
    found = [w for w in supply_warnings(engine, feed.kind) if w.category == ALL and start <= w.month <= end]
    if not found:
        return None
    what = "; ".join(f"{w.month:%Y-%m} {w.force} " + ("no data (a gap)" if w.problem == "gap" else
                                                   f"{w.ratio:.0%} of expected") for w in found)
    return f"supply warning for {feed.label}: {what}: check supply before reading these months as a change"


def partner_profile(engine: Engine, definition: Definition, start: dt.date, end: dt.date,
                    strand: str | None = None) -> PartnerProfile:
    """The partner feeds' who / when / why tables for the months ``start``..``end`` (first days of months)."""
    parts = {name: PartnerPart() for name in ("who", "when", "why")}
    datasets: list[str] = []
    synthetic = False
    for feed in FEEDS:
        if feed.kind not in KINDS or not engine.has(feed.kind) or feed.kind not in definition.sources:
            continue
        t = classify(engine.table(feed.kind), definition, feed.kind)
        flag = t[f"strand_{strand}"] if strand else t.is_serious_violence
        t = t.filter((t.month >= start) & (t.month <= end) & (flag | flag.isnull()))
        ids = sorted(t.select("dataset_id").distinct().to_pyarrow().column(0).to_pylist())
        if not ids:
            for part in parts.values():
                part.notes.append(f"{feed.label} are loaded but none fall in {start:%Y-%m} to {end:%Y-%m}"
                                  + (f" in strand {strand}" if strand else ""))
            continue
        datasets += ids
        made_up = engine.synthetic(ids, feed.kind)
        synthetic |= made_up
        mark = f" ({SYNTHETIC_MARK})" if made_up else ""
        for col in feed.who:
            parts["who"].tables[f"who_{feed.short}_by_{col}"] = _counts(t, col)
        if feed.who:
            parts["who"].notes.append(f"{feed.label}{mark}: {feed.whose} {_words(feed.who)}; counts and shares "
                                      "(rates need population by the same groups)")
        if feed.datetime:
            parts["when"].tables[f"when_{feed.short}_hour_weekday"] = _hour_weekday(t, feed.datetime)
            parts["when"].notes.append(f"hour × weekday from {feed.label}{mark}, by {feed.datetime.replace('_', ' ')}")
        for col in feed.why:
            parts["why"].tables[f"why_{feed.short}_by_{col}"] = _counts(t, col)
        if feed.why:
            parts["why"].notes.append(f"context from {feed.label}{mark}: {_words(feed.why)}")
        breaks = supply_breaks(engine, feed, start, end)
        for name in ("who", "when", "why"):
            if breaks and parts[name].tables:
                parts[name].notes.append(breaks)
    return PartnerProfile(parts, datasets, synthetic)
