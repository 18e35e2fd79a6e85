"""The SNA's recommendations: drawn from the findings (where, who, when, what works) and from the strategy's overdue
actions, each with a stable key, and each replaceable by the partnership's own wording.

A board accepts recommendations it can act on: *where* (the districts with the highest recorded rates), *who* (the
age groups victimised at the highest rates, or most often seen by the emergency department), *when* (the peak days
and hours) and *what works* (the commissioned services and the Youth Endowment Fund Toolkit's evidence ratings held
in the workspace), as the public-health approach asks (WHO, *World report on violence and health*, 2002; Home
Office, *Serious Violence Duty: statutory guidance*, 2022, ch. 3). vrhub writes each one from the page's own
(released, in a release copy) tables, so none quotes a count; the partnership may then reword any of them.

The partnership's wording is kept in ``<home>/sna/recommendations.json`` as ``{key: text}``: the generated text is
the default, an entry replaces it, removing the entry restores it. The file's SHA-256 goes into the data-versions
appendix, and the appendix says which recommendations carry the partnership's words.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from vrhub.domain.errors import UsageError
from vrhub.report.sna.narrative import _write, file_sha256

EDITS_FILE = Path("sna") / "recommendations.json"
WEEKDAY_ORDER = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PEAK_HOURS = 4  # the length of the daily window named as the peak
OVER_REPRESENTED = 1.25  # an age band is named when its rate is at least this many times the all-ages rate


@dataclass
class Recommendation:
    """One recommendation: a stable ``key``, what vrhub ``generated`` from the data, the ``text`` shown (the
    partnership's own when it has reworded it) and the finding it comes from (``basis``)."""

    key: str
    generated: str
    basis: str
    text: str = ""
    edited: bool = False

    def __post_init__(self) -> None:
        self.text = self.text or self.generated

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "text": self.text, "generated": self.generated, "basis": self.basis,
                "edited": self.edited}


# --- the partnership's wording -----------------------------------------------------------------------------------
def edits_path(home: Path) -> Path:
    return Path(home) / EDITS_FILE


def load_edits(home: Path) -> dict[str, str]:
    """The partnership's wording by key ({} when none). A file that is not a JSON object of strings is refused with
    what to do, never silently ignored."""
    p = edits_path(home)
    if not p.exists():
        return {}
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UsageError(f"{p}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})",
                         "fix the file (it holds {\"key\": \"the partnership's text\"}) or delete it to return to "
                         "the generated recommendations") from exc
    bad = [k for k, v in data.items() if not isinstance(v, str)] if isinstance(data, dict) else ["(the whole file)"]
    if bad:
        raise UsageError(f"{p}: the entries {', '.join(map(str, bad))} are not text",
                         "each entry is \"key\": \"the partnership's text\"; delete an entry to restore the generated "
                         "text")
    return data


def save_edit(home: Path, key: str, text: str | None) -> Path:
    """Store the partnership's wording of recommendation ``key`` (``None`` or blank: back to the generated text)."""
    if not key.strip():
        raise UsageError("a recommendation needs its key", "use a key the SNA lists, e.g. 'where' or 'action-A1'")
    edits = load_edits(home)
    if text and text.strip():
        edits[key] = " ".join(text.split())
    else:
        edits.pop(key, None)
    p = edits_path(home)
    _write(p, json.dumps(edits, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    return p


def apply_edits(recs: list[Recommendation], edits: dict[str, str]) -> list[Recommendation]:
    for r in recs:
        if r.key in edits:
            r.text, r.edited = edits[r.key], True
    return recs


def edits_version(home: Path) -> dict[str, str] | None:
    """The row of the data-versions appendix for the partnership's wording file, or None when there is none."""
    p = edits_path(home)
    if not p.exists():
        return None
    return {"section": "Recommendations (the partnership's wording)", "file": p.name, "sha256": file_sha256(p)[:16],
            "state": f"{len(load_edits(home))} reworded"}


# --- what the data say -------------------------------------------------------------------------------------------
def _rows(tables: dict[str, pa.Table], name: str) -> list[dict[str, Any]]:
    return tables[name].to_pylist() if name in tables else []


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def where(tables: dict[str, pa.Table], hotspots: dict[str, Any] | None, top: int = 3) -> Recommendation | None:
    """The districts with the highest recorded rates (and the hot spots, when the map found any)."""
    rows = [r for r in _rows(tables, "where_by_area") if r.get("rate_per_1000") is not None]
    if not rows:
        return None
    rows = sorted(rows, key=lambda r: -r["rate_per_1000"])[:top]
    text = (f"Where: concentrate place-based prevention in {_and([r['area_name'] for r in rows])}, the "
            f"district{'s' if len(rows) > 1 else ''} with the highest recorded rates of serious violence ("
            + _and([f"{r['rate_per_1000']:.1f}" for r in rows]) + " per 1,000 residents)")
    if hotspots and hotspots.get("hot"):
        text += ", and in the hot spots mapped in section 3"
    return Recommendation("where", text + ".", "the rates by district (section 3, where)")


def _age_table(tables: dict[str, pa.Table]) -> tuple[str, list[dict[str, Any]], str] | None:
    for name, source in (("who_force_victims_by_age_band", "force crime records"),
                         ("who_ed_by_age_band", "emergency department assault attendances"),
                         ("who_amb_by_age_band", "ambulance assault calls")):
        rows = [r for r in _rows(tables, name) if r.get("age_band") not in (None, "not stated")]
        if rows:
            return name, rows, source
    return None


def who(tables: dict[str, pa.Table]) -> Recommendation | None:
    """The age groups over-represented: victimised at the highest rates per 1,000 residents of the same age (force
    crime records), or otherwise the largest share of attendances (health data, where no rate can be formed)."""
    found = _age_table(tables)
    if found is None:
        return None
    _name, rows, source = found
    with_rate = [r for r in rows if r.get("rate_per_1000") is not None and r.get("population")]
    if with_rate:
        known = [r for r in with_rate if r.get("records") is not None]
        total = sum(r["records"] for r in known)
        pop = sum(r["population"] for r in known)
        if not total or not pop:
            return None
        overall = total * 1000 / pop
        over = [r for r in sorted(with_rate, key=lambda r: -r["rate_per_1000"])
                if r["rate_per_1000"] >= OVER_REPRESENTED * overall][:3]
        if not over:
            return None
        text = (f"Who: direct prevention at people aged {_and([r['age_band'] for r in over])}, victimised at "
                + _and([f"{r['rate_per_1000'] / overall:.1f}" for r in over])
                + f" times the rate for all ages ({source}).")
        return Recommendation("who", text, f"victims by age band, rates per 1,000 residents ({source})")
    counted = [r for r in rows if r.get("records") is not None]
    total = sum(r["records"] for r in counted)
    if not total:
        return None
    biggest = max(counted, key=lambda r: r["records"])
    return Recommendation(
        "who", f"Who: direct prevention at people aged {biggest['age_band']}, the largest group in the {source} "
               f"({biggest['records'] / total:.0%} of those with an age).", f"age bands ({source})")


def _hour_table(tables: dict[str, pa.Table]) -> tuple[list[dict[str, Any]], str] | None:
    for name, source in (("when_force_hour_weekday", "force crime records"),
                         ("when_ed_hour_weekday", "emergency department assault attendances"),
                         ("when_amb_hour_weekday", "ambulance assault calls")):
        rows = [r for r in _rows(tables, name) if r.get("records") is not None]
        if rows and sum(r["records"] for r in rows):
            return rows, source
    return None


def peak_times(rows: list[dict[str, Any]], hours: int = PEAK_HOURS) -> tuple[list[str], int, float]:
    """The two busiest weekdays, the start of the busiest ``hours``-hour daily window (wrapping past midnight) and the
    share of records in that window (from the hour × weekday table; suppressed cells count as none)."""
    by_day = {d: 0 for d in WEEKDAY_ORDER}
    by_hour = [0] * 24
    for r in rows:
        by_day[r["weekday"]] = by_day.get(r["weekday"], 0) + r["records"]
        by_hour[int(r["hour"])] += r["records"]
    days = sorted(by_day, key=lambda d: (-by_day[d], WEEKDAY_ORDER.index(d)))[:2]
    windows = [sum(by_hour[(h + i) % 24] for i in range(hours)) for h in range(24)]
    start = max(range(24), key=lambda h: windows[h])
    return sorted(days, key=WEEKDAY_ORDER.index), start, windows[start] / sum(by_hour)


def when(tables: dict[str, pa.Table]) -> Recommendation | None:
    """The peak days and hours, from the first hour × weekday table loaded (force crime, ED or ambulance)."""
    found = _hour_table(tables)
    if found is None:
        return None
    rows, source = found
    days, start, share = peak_times(rows)
    span = f"{start:02d}:00–{(start + PEAK_HOURS) % 24:02d}:00"
    return Recommendation(
        "when", "When: plan patrols, night-time economy work and detached youth work for "
                f"{_and([d + 's' for d in days])} and for "
                f"{span} each day, when recorded violence peaks ({share:.0%} of it falls in those {PEAK_HOURS} hours; "
                f"{source}).", f"hour of the day and weekday ({source})")


def what_works(services: list[dict[str, Any]]) -> Recommendation | None:
    """The commissioned services by their evidence rating (YEF Toolkit bands held in the commissioning register)."""
    if not services:
        return Recommendation("what-works", "What works: no commissioned services are registered. Choose approaches "
                              "the Youth Endowment Fund Toolkit rates as high or moderate impact, and plan an "
                              "evaluation of each.", "the commissioning register (section 5)")
    rated = [s for s in services if s.get("yef_bands")]
    rank = {"high": 0, "moderate": 1, "low": 2}
    rated.sort(key=lambda s: min(rank.get(b, 3) for b in s["yef_bands"]))
    unrated = [s["name"] for s in services if not s.get("yef_bands")]
    parts = []
    if rated:
        parts.append("What works: aim " + _and([f"{s['name']} (YEF Toolkit: " + "/".join(
            f"{b} impact" if b in rank else b for b in s["yef_bands"]) + ")" for s in rated[:3]])
                     + " at these places, people and times")
    else:
        parts.append("What works: none of the commissioned services has an evidence rating in the register")
    if unrated:
        parts.append(f"record the evidence for {_and(unrated[:3])}, or plan a local evaluation")
    return Recommendation("what-works", "; ".join(parts) + ".", "commissioned services and their evidence (section 5)")


def generate(tables: dict[str, pa.Table], *, headline: dict[str, Any], warnings: list[dict[str, Any]],
             red: list[dict[str, Any]], causes: dict[str, Any], services: list[dict[str, Any]],
             hotspots: dict[str, Any] | None) -> list[Recommendation]:
    """Every recommendation the data support, in the order the board reads them: where, who, when, what works,
    then the causes, data supply and the strategy's overdue actions."""
    recs = [r for r in (where(tables, hotspots), who(tables), when(tables), what_works(services)) if r]
    if causes.get("recommendation"):
        recs.append(Recommendation("causes", causes["recommendation"], "the linked cohort (section 4)"))
    if "by_imd_decile" in tables:
        recs.append(Recommendation("deprivation", "Target prevention at the most deprived neighbourhoods, where "
                                   "recorded rates are highest.", "rates by deprivation decile (section 3)"))
    if warnings:
        months = sorted({dt.date.fromisoformat(w["month"] + "-01") for w in warnings})
        recs.append(Recommendation(
            "resupply", "Ask the data owners to re-supply " + ", ".join(f"{m:%B %Y}" for m in months)
            + " before these months are used to judge change.", "supply warnings (section 2)"))
    if headline.get("possible") and not headline.get("definite") and "force_definite" not in headline:
        recs.append(Recommendation(
            "force-data", "Agree force-level crime data with Home Office offence codes and flags (weapon, domestic "
            "abuse, victim age) so that serious violence can be counted, not only bounded by police.uk's broad "
            "categories.", "the definition's capability (appendix A)"))
    for a in red:
        recs.append(Recommendation(
            f"action-{a['id']}", f"Board attention: action {a['id']} ({a['strand_label']}, {a['owner']}) is "
            f"{'overdue' if a['overdue'] else a['status']}: {a['action']}.", "the action plans (section 6)"))
    return recs
