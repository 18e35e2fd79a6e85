"""``vrhub fetch police-uk`` and ``vrhub update``: get months of a force's data from police.uk and load them.

From the API (data.police.uk/docs): ``/crime-last-updated`` and ``/crimes-street-dates`` say what is published;
street crimes come from ``/crimes-street/all-crime`` by area (the force area is the union of the loaded LSOA
boundaries, buffered 100 m), split into quarters whenever police.uk answers 503 for more than 10,000 crimes;
crimes with no location from ``/crimes-no-location``; outcomes from ``/outcomes-at-location`` by area; stop and
search from ``/stops-force``. Each month becomes a CSV in police.uk's own layout (``api_rows``) under
``<home>/downloads/police-uk/<force>/`` and is loaded by the normal loader, so a month that arrives again with the
same content is recognised as already loaded and one that changed is a new version. Answers are cached per
police.uk release (``crime-last-updated``): a killed fetch run again resumes where it stopped.

From a downloaded monthly archive (``archive=``, e.g. data.police.uk's ``2025-12.zip``): the force's files for
the months and kinds asked are copied out unchanged and loaded the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import Polygon, box

from vrhub.domain.errors import NoDataError, VrhubError
from vrhub.domain.geography_codes import police_uk_lsoa_vintage
from vrhub.ingest.files import check_archive
from vrhub.ingest.loader import IngestReport, ingest
from vrhub.ingest.police_uk import SOURCES
from vrhub.ingest.police_uk.api import FetchError, PoliceUkApi, TooManyCrimes
from vrhub.ingest.police_uk.api_rows import (
    OUTCOMES_HEADER,
    STOP_SEARCH_HEADER,
    STREET_HEADER,
    csv_bytes,
    outcome_row,
    stop_search_row,
    street_row,
)
from vrhub.ingest.vintage_check import check_lsoa_vintages
from vrhub.store.catalogue.models import PoliceUkFetch
from vrhub.store.fetch_log import history, record
from vrhub.store.geography import Geography
from vrhub.store.workspace import Workspace

KINDS = ("street", "outcomes", "stop-and-search")
KIND_NAMES = {"street": "police_uk_street", "outcomes": "police_uk_outcomes",
              "stop-and-search": "police_uk_stop_search"}
MAX_SPLITS = 8  # quarters of quarters …: 4^8 pieces would be areas of a few hundred metres
BUFFER_M = 100


@dataclass
class MonthResult:
    """One kind × month: what was fetched, and what the loader made of it."""

    kind: str
    month: str
    rows: int = 0
    file: str | None = None
    status: str = "fetched"  # new | unchanged | revised | empty | not published | failed
    dataset_id: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class FetchReport:
    force: str
    force_name: str
    source: str  # the API's base URL or the archive's path
    police_uk_updated: str | None
    months: list[MonthResult]
    ingest: IngestReport | None
    requests: int = 0
    retried: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(m.status != "failed" for m in self.months) and (self.ingest is None or self.ingest.ok)

    @property
    def revisions(self) -> list[MonthResult]:
        return [m for m in self.months if m.status == "revised"]

    def to_json(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "ingest"}
        out["ingest"] = [r.to_json() for r in self.ingest.results] if self.ingest else []
        return out


def months_between(start: str, end: str) -> list[str]:
    y, m = map(int, start.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= end:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def force_folder(ws: Workspace, force: str) -> Path:
    return ws.home / "downloads" / "police-uk" / force


def fetch_police_uk(
    ws: Workspace, force: str, *, start: str, end: str | None = None, kinds: Iterable[str] = ("street",),
    api: PoliceUkApi | None = None, archive: Path | None = None, months: list[str] | None = None,
    on_month: Callable[[str, str, int], None] | None = None,
) -> FetchReport:
    """Fetch ``kinds`` of ``force`` (police.uk's id, e.g. 'kent') for ``start``..``end`` (default: the newest
    published) and load them. ``on_month(kind, month, total)`` is called as each month is done (progress)."""
    kinds = list(dict.fromkeys(kinds))
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise VrhubError(f"unknown kind(s) {', '.join(unknown)}", f"use --kinds with {', '.join(KINDS)}")
    if archive is not None:
        return _from_archive(ws, force, archive, start, end, kinds)
    api = api or PoliceUkApi()
    updated = (api.get("crime-last-updated") or {}).get("date")
    dates = api.get("crimes-street-dates") or []
    published = {d["date"]: d.get("stop-and-search") or [] for d in dates}
    newest = max(published) if published else start
    wanted = months or months_between(start, end or newest)
    force_name = (api.get(f"forces/{force}") or {}).get("name") or force
    geo = Geography(ws.engine())
    if not geo.vintages("lsoa"):
        raise NoDataError("no LSOA boundaries are loaded: vrhub asks police.uk for the crimes inside the loaded area "
                          "and assigns each its LSOA", "load the force area's LSOA boundaries first, e.g. 'vrhub "
                          "geography load' on vrhub/data/kent/geography2021/ for Kent and Medway")
    cache = _Cache(force_folder(ws, force) / ".cache" / re.sub(r"[^0-9A-Za-z-]", "_", str(updated)))
    results: list[MonthResult] = []
    paths: list[Path] = []
    total = len(wanted) * len(kinds)
    for month in wanted:
        for kind in kinds:
            res = MonthResult(kind, month)
            results.append(res)
            if month not in published:
                res.status = "not published"
                res.notes.append(f"police.uk has not published {month} (newest: {newest})")
            elif kind == "stop-and-search" and force not in published[month]:
                res.status = "not published"
                res.notes.append(f"police.uk has no stop and search of {force} for {month}")
            else:
                try:
                    path = _fetch_month(ws, api, geo, cache, force, force_name, kind, month, res)
                except (FetchError, NoDataError) as exc:
                    res.status, res.notes = "failed", [*res.notes, str(exc)]
                    path = None
                if path is not None:
                    paths.append(path)
            if on_month:
                on_month(kind, month, total)
    report = FetchReport(force, force_name, api.base_url, updated, results, None)
    report.ingest = _load(ws, paths, force_name, results)
    report.requests, report.retried = api.requests, api.retried
    _save_state(ws, force, report, "api")
    return report


def _fetch_month(ws: Workspace, api: PoliceUkApi, geo: Geography, cache: _Cache, force: str, force_name: str,
                 kind: str, month: str, res: MonthResult) -> Path | None:
    vintage = police_uk_lsoa_vintage(month)
    if vintage not in geo.vintages("lsoa"):
        res.notes.append(f"police.uk codes {month} to {vintage} LSOAs but only {geo.vintages('lsoa')} are loaded: "
                         f"LSOAs were assigned from LSOA {geo.newest_vintage()} boundaries")
        vintage = geo.newest_vintage() or vintage
    lsoas = geo.geodataframe("lsoa", vintage)[["code", "name", "geometry"]]
    if kind == "stop-and-search":
        rows = [stop_search_row(s) for s in cache.get_or(("stops", month), lambda: api.get(
            "stops-force", force=force, date=month) or [])]
        header = STOP_SEARCH_HEADER
    else:
        path = "crimes-street/all-crime" if kind == "street" else "outcomes-at-location"
        items = _by_area(api, cache, path, month, _area(lsoas))
        if kind == "street":
            btp = [c for c in items if c.get("location_type") == "BTP"]
            if btp:
                res.notes.append(f"{len(btp):,} British Transport Police crimes in the area were left out (BTP "
                                 "publishes its own files)")
            items = [c for c in items if c.get("location_type") != "BTP"]
            rows = [street_row(c, force_name) for c in items]
            no_loc = cache.get_or(("no-location", month), lambda: api.get(
                "crimes-no-location", category="all-crime", force=force, date=month) or [])
            located = _assign_lsoas(rows, lsoas, res)
            rows = located + [street_row(c, force_name) for c in no_loc]
            header = STREET_HEADER
        else:
            rows = _assign_lsoas([outcome_row(o, force_name) for o in items], lsoas, res)
            header = OUTCOMES_HEADER
    res.rows = len(rows)
    if not rows:
        res.status = "empty"
        res.notes.append(f"police.uk has no {kind} rows of {force} for {month}: nothing to load (a gap in supply)")
        return None
    rows.sort(key=lambda r: tuple(r.get(h, "") for h in header))
    out = force_folder(ws, force) / month / f"{month}-{force}-{kind}.csv"
    _write_atomically(out, csv_bytes(header, rows))
    res.file = str(out)
    return out


def _area(lsoas: gpd.GeoDataFrame) -> list[Polygon]:
    """The loaded area as polygons police.uk can take: the LSOAs' union, buffered and simplified (in metres)."""
    bng = lsoas.to_crs(27700)
    union = shapely.union_all(bng.geometry.values).buffer(BUFFER_M).simplify(BUFFER_M)
    area = gpd.GeoSeries([union], crs=27700).to_crs(4326).iloc[0]
    return _polygons(area)


def _polygons(geom: Any) -> list[Polygon]:
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    return [p for g in getattr(geom, "geoms", []) for p in _polygons(g)]


def _poly_param(p: Polygon) -> str:
    return ":".join(f"{y:.5f},{x:.5f}" for x, y in list(p.exterior.coords)[:-1])


def _quarters(p: Polygon) -> list[Polygon]:
    x0, y0, x1, y1 = p.bounds
    xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
    out = []
    for q in (box(x0, y0, xm, ym), box(xm, y0, x1, ym), box(x0, ym, xm, y1), box(xm, ym, x1, y1)):
        out += [g for g in _polygons(p.intersection(q)) if g.area > 0]
    return out


def _by_area(api: PoliceUkApi, cache: _Cache, path: str, month: str, polygons: list[Polygon], depth: int = 0,
             ) -> list[dict]:
    """Everything police.uk has for ``month`` inside ``polygons``, splitting any it refuses; de-duplicated (a point
    on the edge between two pieces comes back twice)."""
    items: dict[str, dict] = {}
    for p in polygons:
        poly = _poly_param(p)
        key = (path, month, hashlib.sha256(poly.encode()).hexdigest()[:20])
        got = cache.get(key)
        if got is None:
            try:
                got = api.post(path, area_query=True, poly=poly, date=month) or []
                cache.put(key, got)
            except TooManyCrimes:
                if depth >= MAX_SPLITS:
                    raise FetchError(f"police.uk still refuses an area of {month} after {MAX_SPLITS} splits",
                                     "try again later; if it persists, report it to police.uk") from None
                cache.put(key, "split")
                got = "split"
        part = _by_area(api, cache, path, month, _quarters(p), depth + 1) if got == "split" else got
        for item in part:
            items[_identity(item)] = item
    return list(items.values())


def _identity(item: dict) -> str:
    if "id" in item:
        return f"crime:{item['id']}"
    crime = item.get("crime") or {}
    return json.dumps([crime.get("id"), (item.get("category") or {}).get("code"), item.get("date"),
                       item.get("person_id")])


def _assign_lsoas(rows: list[dict[str, str]], lsoas: gpd.GeoDataFrame, res: MonthResult) -> list[dict[str, str]]:
    """Give each row the LSOA whose loaded boundary contains its point; rows outside every loaded LSOA (picked up
    by the buffer at the edge of the area) are left out and counted."""
    located = [r for r in rows if r["Longitude"] and r["Latitude"]]
    kept = [r for r in rows if not (r["Longitude"] and r["Latitude"])]  # no point: no LSOA, as in the CSVs
    if not located:
        return kept
    pts = gpd.GeoDataFrame({"i": range(len(located))}, crs=4326, geometry=gpd.points_from_xy(
        [float(r["Longitude"]) for r in located], [float(r["Latitude"]) for r in located]))
    joined = gpd.sjoin(pts, lsoas, how="left", predicate="within").drop_duplicates("i").set_index("i")
    outside = 0
    for i, r in enumerate(located):
        code = joined.at[i, "code"]
        if isinstance(code, str):
            kept.append({**r, "LSOA code": code, "LSOA name": joined.at[i, "name"]})
        else:
            outside += 1
    if outside:
        res.notes.append(f"{outside:,} rows police.uk returned lie outside the loaded LSOAs (the {BUFFER_M} m margin "
                         "of the area) and were left out")
    return kept


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _load(ws: Workspace, paths: list[Path], force_name: str, results: list[MonthResult]) -> IngestReport | None:
    if not paths:
        return None
    before = {(k, c.force, c.month) for k in KIND_NAMES.values() for d in ws.catalogue.datasets(k) for c in d.coverage}
    known = Geography(ws.engine()).known_lsoa_codes()
    report = check_lsoa_vintages(ws, ingest(ws, paths, SOURCES, partner=force_name, known_lsoas=known))
    by_file = {Path(r.source_file).name: r for r in report.results}
    for m in results:
        r = by_file.get(Path(m.file).name) if m.file else None
        if r is None:
            continue
        m.dataset_id = r.dataset_id
        if r.error:
            m.status, m.notes = "failed", [*m.notes, r.error]
        elif r.duplicate_of:
            m.status = "unchanged"
        else:
            d = ws.catalogue.get(r.dataset_id or "")
            cov = {(r.kind, c.force, c.month) for c in (d.coverage if d else [])}
            m.status = "revised" if cov & before else "new"
    return report


def _from_archive(ws: Workspace, force: str, archive: Path, start: str, end: str | None,
                  kinds: list[str]) -> FetchReport:
    name = re.compile(rf"(?:^|/)(?P<month>\d{{4}}-\d{{2}})-{re.escape(force)}-(?P<kind>street|outcomes|"
                      r"stop-and-search)\.csv$")
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            check_archive(archive, infos)
            chosen = []
            for info in infos:
                m = name.search(info.filename)
                if m and m["kind"] in kinds and m["month"] >= start and (end is None or m["month"] <= end):
                    chosen.append((m["month"], m["kind"], info))
            results, paths = [], []
            for month, kind, info in sorted(chosen, key=lambda c: (c[0], KINDS.index(c[1]))):
                out = force_folder(ws, force) / "archive" / archive.stem / month / Path(info.filename).name
                if not out.exists() or out.stat().st_size != info.file_size:
                    _write_atomically(out, zf.read(info))
                results.append(MonthResult(kind, month, file=str(out)))
                paths.append(out)
    except zipfile.BadZipFile as exc:
        raise VrhubError(f"{archive}: not a readable zip archive ({exc})", "download the archive again") from exc
    report = FetchReport(force, force, str(archive), archive.stem, results, None)
    if not results:
        report.notes.append(f"the archive has no {'/'.join(kinds)} files of '{force}' from {start}"
                            + (f" to {end}" if end else "")
                            + "; police.uk names them YYYY-MM/YYYY-MM-<force>-<kind>.csv")
    report.ingest = _load(ws, paths, force, results)
    for m in results:
        r = next((x for x in (report.ingest.results if report.ingest else []) if m.file and
                  Path(x.source_file).name == Path(m.file).name), None)
        m.rows = r.rows_read if r else 0
    _save_state(ws, force, report, "archive")
    return report


class _Cache:
    """police.uk's answers for one release, one JSON file per request, so a killed fetch resumes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: tuple) -> Path:
        return self.folder / hashlib.sha256(json.dumps(key).encode()).hexdigest()[:32]

    def get(self, key: tuple) -> Any:
        p = self._path(key)
        return json.loads(p.read_text(encoding="utf-8")) if p.exists() else None

    def put(self, key: tuple, value: Any) -> None:
        _write_atomically(self._path(key), json.dumps(value).encode("utf-8"))

    def get_or(self, key: tuple, fetch: Callable[[], Any]) -> Any:
        got = self.get(key)
        if got is None:
            got = fetch()
            self.put(key, got)
        return got


def _save_state(ws: Workspace, force: str, report: FetchReport, origin: str) -> None:
    record(ws, [PoliceUkFetch(force=force, kind=m.kind, month=dt.date.fromisoformat(m.month + "-01"), origin=origin,
                              source=report.source, release=report.police_uk_updated, rows=m.rows, status=m.status,
                              dataset_id=m.dataset_id, notes=list(m.notes)) for m in report.months])


@dataclass
class UpdateReport:
    """What ``update_police_uk`` fetched per force, the supply check over everything loaded, and revised months."""

    reports: list[FetchReport]
    supply_warnings: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.reports)

    @property
    def revisions(self) -> list[MonthResult]:
        return [m for r in self.reports for m in r.revisions]

    def to_json(self) -> dict[str, Any]:
        return {"reports": [r.to_json() for r in self.reports], "supply_warnings": self.supply_warnings,
                "revisions": [asdict(m) for m in self.revisions], "notes": self.notes}


def update_police_uk(ws: Workspace, *, api: PoliceUkApi | None = None, recheck: int = 3,
                     on_month: Callable[[str, str, int], None] | None = None) -> UpdateReport:
    """Fetch, for every force fetched before, the months police.uk has published since; when police.uk has issued
    a new release since the last fetch (``crime-last-updated``), fetch the newest ``recheck`` months loaded again too
    (police.uk republishes back months: unchanged ones are recognised, changed ones become new versions). Then run
    the supply check over everything loaded."""
    from vrhub.ingest.supply_check import supply_warnings

    forces = [h for h in history(ws) if h.origin == "api"]
    if not forces:
        raise NoDataError("nothing has been fetched from the police.uk API in this workspace yet",
                          "run 'vrhub fetch police-uk --force FORCE --from YYYY-MM' first")
    api = api or PoliceUkApi()
    updated = (api.get("crime-last-updated") or {}).get("date")
    published = sorted(d["date"] for d in (api.get("crimes-street-dates") or []))
    out = UpdateReport([], [])
    for h in forces:
        last = h.months[-1] if h.months else None
        new = [m for m in published if last is None or m > last]
        again = h.months[-recheck:] if recheck and updated != h.release else []
        months = sorted(set(new) | set(again))
        if not months:
            newest = published[-1] if published else "-"
            out.notes.append(f"{h.force}: up to date (police.uk's newest month is {newest}, released {updated})")
            continue
        out.reports.append(fetch_police_uk(ws, h.force, start=months[0], kinds=h.kinds, api=api, months=months,
                                           on_month=on_month))
    engine = ws.engine()
    for kind in KIND_NAMES.values():
        if engine.has(kind):
            out.supply_warnings += [w.to_json() for w in supply_warnings(engine, kind)]
    return out
