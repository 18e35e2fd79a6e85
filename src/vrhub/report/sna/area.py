"""Local-area SNAs: the same document for one district, ward or named group, with the partnership total beside it.

West Midlands VRU and Thames Valley VRU publish a strategic needs assessment per local authority beside the
force-wide one; the Home Office *Serious Violence Duty: statutory guidance* (December 2022, chapter 3) lets a
partnership assess a local area as long as the whole area of the partnership is covered. An area SNA runs the
profile on the area's LSOAs only (:func:`vrhub.analysis.profile.build_profile` with ``area``) and sets its
figures beside the partnership's in one table (:func:`comparison`). The analyses that need the whole area to be
valid or that partners' feeds do not yet split by area (the hot-spot statistic, whose neighbours cross district
lines; near repeats; the Cardiff view; causes; what works; the strategy) are computed once for the partnership and
shared across every area built in the same run (:class:`SnaShared`): hot-spot maps then show the area's LSOAs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from vrhub.analysis.areas import Area
from vrhub.analysis.profile import Profile
from vrhub.report.sna.publication import Publication
from vrhub.store.geography import Geography
from vrhub.store.workspace import Workspace

#: the level an area's 'where' is broken down by: the finest of these whose codes every LSOA of the area has
AREA_LEVELS = ("ward", "msoa", "lsoa")
LEVEL_WORDS = {"district": "districts", "ward": "wards", "msoa": "MSOAs", "lsoa": "LSOAs", "area": "areas"}


@dataclass
class SnaShared:
    """What the SNAs of one run share: the partnership's exact profile, and the partnership-wide parts of the page
    (computed once per draft or release, by name). Build many area SNAs with one :class:`SnaShared` to pay for the
    partnership-wide analyses once (``Partnership.sna_areas``)."""

    whole: Profile | None = None
    parts: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    def part(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """``compute()`` the first time ``key`` is asked for, the same object after."""
        if key not in self.parts:
            self.parts[key] = compute()
        return self.parts[key]


def area_level(ws: Workspace, area: Area) -> str:
    """How an area's 'where' is broken down: by ward when every LSOA of the area has one, else MSOA, else LSOA."""
    lk = Geography(ws.engine()).lsoa_lookup(area.vintage).to_pandas()
    rows = lk[lk["lsoa_code"].isin(area.lsoas)]
    if area.kind in ("district", "group"):
        for level in AREA_LEVELS[:-1]:
            if f"{level}_code" in rows and rows[f"{level}_code"].notna().all():
                return level
    return "lsoa"


def _records(p: Profile) -> int:
    return int(p.headline["definite"]) + int(p.headline["possible"])


def _population(p: Profile) -> float | None:
    where = p.sections["where"].tables.get("where_by_area")
    if where is None or "population" not in where.column_names:
        return None
    values = pd.Series(where.column("population").to_pylist(), dtype="Float64").dropna()
    return float(values.sum()) if len(values) else None


def comparison(area: Profile, whole: Profile, partnership: str, pub: Publication) -> dict[str, Any]:
    """The area beside the partnership: records in scope, residents, rate per 1,000 and the area's share, from the
    two exact profiles. In a release every count passes the release rule (``pub.count``) and the rate and share are
    computed from the published counts (the statistics rule of ``vrhub.domain.disclosure``), never from exact ones."""
    name = (area.area or {}).get("name", "the area")
    rows: list[list[str]] = []
    counts = []
    for p in (area, whole):
        n = _records(p)
        shown = pub.count(n)
        published = None if shown == "[c]" else int(shown.replace(",", ""))
        counts.append(published)
    pops = [_population(area), _population(whole)]
    rows.append(["Recorded serious violence (definite and possible)", pub.count(_records(area)),
                 pub.count(_records(whole))])
    rows.append(["Residents", *(f"{p:,.0f}" if p is not None else "not loaded" for p in pops)])
    rates = [f"{c * 1000 / p:.2f}" if c is not None and p else ("[c]" if c is None else "no population")
             for c, p in zip(counts, pops, strict=True)]
    rows.append(["Rate per 1,000 residents", *rates])
    share = (f"{counts[0] / counts[1]:.1%}" if counts[0] is not None and counts[1] else "[c]")
    rows.append(["Share of the partnership's records", share, "100%"])
    rows.append(["LSOAs", f"{(area.area or {}).get('lsoas', 0):,}", _lsoas(whole)])
    sentence = None
    if counts[0] is not None and counts[1] is not None and all(pops):
        ra, rw = counts[0] * 1000 / pops[0], counts[1] * 1000 / pops[1]  # type: ignore[operator]
        word = "higher than" if ra > rw * 1.05 else "lower than" if ra < rw * 0.95 else "close to"
        sentence = (f"{name}'s rate of recorded serious violence ({ra:.1f} per 1,000 residents) is {word} "
                    f"{partnership}'s ({rw:.1f}), {whole.start:%B %Y} to {whole.end:%B %Y} (police.uk street "
                    "records).")
    return {"columns": ["Measure", name, partnership], "rows": rows, "sentence": sentence}


def _lsoas(p: Profile) -> str:
    where = p.sections["where"].tables.get("where_by_area")
    if where is None or "lsoas" not in where.column_names:
        return ""
    return f"{sum(v or 0 for v in where.column('lsoas').to_pylist()):,}"


def area_scope_note(area: dict[str, Any], level: str) -> str:
    """What an area SNA covers and what it shares with the partnership's, in words, for the top of the page."""
    return (f"This assessment is for {area['name']} ({area['lsoas']:,} LSOAs). What, where and when count only the "
            f"records placed in its LSOAs, broken down by {LEVEL_WORDS.get(level, level)}; the hot-spot maps show "
            "its LSOAs from the analysis of the whole partnership (so that neighbours across its boundary count). "
            "Partners' feeds, near repeats, the Cardiff view, causes, what works and the strategy are the "
            "partnership's, as in its own SNA.")
