"""The board's dashboard: the released figures a board member reads, gathered in one object.

Everything here has passed the one release step (``vrhub.report.release``, NHS/OpenSAFELY rules: counts 1 to 7
suppressed, the rest rounded to the nearest 5, secondary suppression; rates and trends recomputed from the released
counts) before it is put in :class:`BoardDashboard`: the profile (findings, monthly counts, the Home Office success
measures by month, districts' counts and rates), and the commissioned services' stated outputs (each value protected
as a count on its own, as ``Publication.count`` does for the SNA's sources table). The action plans and the
contracts carry no counts of people. Nothing exact is kept, so nothing exact can be shown: the hub's board pages
(``vrhub.server.web.pages.board``) render this object and nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from vrhub.domain.disclosure import NHS_OPENSAFELY
from vrhub.domain.errors import NoDataError

#: how far ahead a contract's end is flagged (the commissioning register's alert horizon)
HORIZON_DAYS = 180
#: district outlines are simplified to this many metres before they are sent to a browser
SIMPLIFY_M = 75.0


@dataclass(frozen=True)
class District:
    code: str
    name: str
    records: int | None  # released: None where suppressed
    population: int | None
    rate_per_1000: float | None  # from the released count; None where it is suppressed


@dataclass(frozen=True)
class Measure:
    """A Home Office success measure: its released count by month (``None`` where suppressed)."""

    key: str
    label: str
    months: list[tuple[dt.date, int | None]]


@dataclass(frozen=True)
class Output:
    """A stated output of a commissioned service, its value protected as a count on its own."""

    provider: str
    measure: str
    period_start: dt.date
    period_end: dt.date
    value: int | None
    qualifier: str = ""


@dataclass(frozen=True)
class Service:
    key: str
    name: str
    providers: str
    strand: str
    contract_start: dt.date | None
    contract_end: dt.date | None
    contract_state: str  # "active", "ending soon" (within HORIZON_DAYS), "ended", "not stated"
    outputs: list[Output]


@dataclass
class BoardDashboard:
    """The released figures of the board's dashboard (see the module's docstring)."""

    start: dt.date
    end: dt.date
    statement: str
    label: str
    findings: list[str]
    monthly: list[tuple[dt.date, int | None, str]]  # month, released records, supply warning
    measures: list[Measure]
    districts: list[District]
    actions: list[dict[str, Any]]
    services: list[Service]
    datasets: list[str]
    synthetic: bool
    geometry: dict[str, Any] = field(default_factory=dict, repr=False)  # district outlines (GeoJSON, WGS84)

    def geojson(self) -> dict[str, Any]:
        """The district outlines with their released figures, as GeoJSON (what the dashboard's map fetches)."""
        by_code = {d.code: d for d in self.districts}
        features = []
        for f in self.geometry.get("features", []):
            d = by_code.get(f["properties"]["code"])
            features.append({"type": "Feature", "geometry": f["geometry"], "properties": {
                "code": f["properties"]["code"], "name": d.name if d else f["properties"]["name"],
                "records": d.records if d else None, "rate_per_1000": d.rate_per_1000 if d else None}})
        return {"type": "FeatureCollection", "features": features}


def _rows(table: Any) -> list[dict[str, Any]]:
    return table.to_pylist() if table is not None else []


def _districts(released: Any) -> list[District]:
    rows = _rows(released.tables().get("where_by_area"))
    out = [District(str(r["area_code"]), str(r["area_name"]), r["records"],
                    None if r.get("population") is None else int(r["population"]),
                    None if r.get("rate_per_1000") is None else float(r["rate_per_1000"])) for r in rows]
    return sorted(out, key=lambda d: (d.rate_per_1000 is None, -(d.rate_per_1000 or 0), d.name))


def _measures(released: Any) -> list[Measure]:
    tables = released.tables()
    labels = {r["measure"]: r["label"] for r in _rows(tables.get("success_measures"))}
    series: dict[str, list[tuple[dt.date, int | None]]] = {}
    for r in _rows(tables.get("measures_force_by_month")):
        series.setdefault(r["measure"], []).append((r["month"], r["records"]))
    return [Measure(k, labels.get(k, k.replace("_", " ").capitalize()), sorted(v)) for k, v in series.items()]


def _services(ws: Any, today: dt.date) -> list[Service]:
    from vrhub.governance.commissioning import register_in_force
    from vrhub.governance.returns import returns_in_force
    from vrhub.report.release import protect_count

    returns = returns_in_force(ws)
    out = []
    for s in register_in_force(ws).services:
        end = s.contract_end
        state = ("not stated" if end is None else "ended" if end < today
                 else "ending soon" if (end - today).days <= HORIZON_DAYS else "active")
        outputs = [Output(r.provider, r.measure.replace("_", " "), r.period_start, r.period_end,
                          protect_count(r.value, NHS_OPENSAFELY), r.qualifier)
                   for r in returns if r.service == s.key]
        out.append(Service(s.key, s.name, ", ".join(s.provider_names()), s.strand or "", s.contract_start, end,
                           state, sorted(outputs, key=lambda o: (o.provider, o.period_start, o.measure))))
    return out


def _actions(ws: Any, today: dt.date) -> list[dict[str, Any]]:
    from vrhub.governance.store import in_force

    keep = ("id", "strand_label", "action", "owner", "due", "status", "rag", "overdue", "board_lead", "updated")
    return [{k: a.get(k) for k in keep} for a in in_force(ws).status(today)]


def district_outlines(engine: Any, vintage: int | None = None, simplify_m: float = SIMPLIFY_M) -> dict[str, Any]:
    """The districts as the loaded LSOAs dissolved by their district (WGS84 GeoJSON, simplified): the workspace's
    own boundaries, so a map needs no tile server."""
    import geopandas as gpd
    import shapely

    from vrhub.store.geography import Geography

    geo = Geography(engine)
    lsoas = geo.geodataframe("lsoa", vintage)
    lookup = geo.lsoa_lookup(vintage).to_pandas().dropna(subset=["district_code"])
    names = lookup.drop_duplicates("district_code").set_index("district_code")["district_name"]
    shapes = lsoas.merge(lookup[["lsoa_code", "district_code"]], left_on="code", right_on="lsoa_code")
    districts = shapes[["district_code", "geometry"]].dissolve(by="district_code", as_index=False)
    metric = districts.to_crs(27700)
    simple = shapely.simplify(metric.geometry.to_numpy(), simplify_m, preserve_topology=True)
    out = gpd.GeoDataFrame({"code": districts["district_code"].astype(str),
                            "name": districts["district_code"].map(names).astype(str)},
                           geometry=simple, crs=27700).to_crs(4326)
    doc = json.loads(out.to_json(drop_id=True))
    for f in doc["features"]:  # 5 decimal places of a degree is about a metre: enough for a district outline
        f["geometry"] = json.loads(shapely.to_geojson(shapely.set_precision(shapely.geometry.shape(f["geometry"]),
                                                                            1e-5)))
    return doc


def build_board_dashboard(ws: Any, profile: Any, *, today: dt.date) -> BoardDashboard:
    """The dashboard from a profile :class:`~vrhub.library.result.Result` (released here, whatever it was given)."""
    from vrhub.domain.labels import notice as notice_line
    from vrhub.governance.store import in_force
    from vrhub.report.sna.board import plain

    released = profile.release()
    p = released.value
    engine = ws.engine()
    synthetic = engine.synthetic(list(p.datasets))
    monthly = [(r["month"], r["records"], r.get("supply_warning") or "")
               for r in _rows(p.tables().get("when_monthly"))]
    vintage = getattr(p.vintage, "vintage", None)  # the LSOA vintage the profile's areas are in
    try:
        geometry = district_outlines(engine, vintage)
    except NoDataError:  # no boundaries loaded: the table stands alone
        geometry = {"type": "FeatureCollection", "features": []}
    how: list[str] = []  # the board reads no commands (report.sna.board.plain)
    label = plain(notice_line(demo=in_force(ws).demo, synthetic=synthetic, what="strategy") or "", how)
    return BoardDashboard(p.start, p.end, released.statement, label, list(p.summary), monthly, _measures(p),
                          _districts(p), _actions(ws, today), _services(ws, today), list(p.datasets), synthetic,
                          geometry)
