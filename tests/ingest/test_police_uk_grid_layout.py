"""police.uk's early street-level layout with Easting/Northing (issue 13, item 14): loaded into the street table,
with the coordinates converted from the British National Grid, checked against Ordnance Survey's published
worked examples; on main such a file was refused with a generic 'missing columns' message."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from vrhub_testkit import csv_bytes, police_uk_ingest

from vrhub.ingest.police_uk.street_grid import grid_to_lon_lat
from vrhub.store.workspace import Workspace

GRID_HEADER = ["Month", "Reported by", "Falls within", "Easting", "Northing", "Location", "Crime type", "Context"]


def grid_row(**overrides: str) -> dict[str, str]:
    """One synthetic row in the early layout: a Kent burglary near Canterbury (OS grid reference TR 143 599)."""
    row = {"Month": "2012-04", "Reported by": "Kent Police", "Falls within": "Kent Police", "Easting": "614300",
           "Northing": "159900", "Location": "On or near High Street", "Crime type": "Burglary", "Context": ""}
    return row | overrides


def metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Distance on a sphere of the Earth's mean radius (haversine)."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))


@pytest.mark.parametrize(("easting", "northing", "lon", "lat"), [
    # Ordnance Survey, "Transformations and OSGM15 user guide", Annexe A (Caister water tower): OSGB36 National
    # Grid E 651409.804, N 313177.450 is ETRS89 52.658007833 N, 1.716073973 E.
    (651409.804, 313177.450, 1.716073973, 52.658007833),
    # The OS example used by OSTN02 implementations: TR 143 599 (614300, 159900) is ETRS89 51.297880 N, 1.072628 E.
    (614300.0, 159900.0, 1.072628, 51.297880),
])
def test_grid_to_lon_lat_matches_ordnance_surveys_worked_examples(easting: float, northing: float, lon: float,
                                                                   lat: float) -> None:
    """ETRS89 is within a metre of WGS84 in Britain; without the OSTN15 grid PROJ's Helmert transformation is good
    to a few metres (OS: about 5 m), far finer than police.uk's anonymised points. Tolerance 10 m."""
    got_lon, got_lat = grid_to_lon_lat(np.array([easting]), np.array([northing]))
    assert metres(got_lon[0], got_lat[0], lon, lat) < 10


def test_the_early_layout_loads_into_the_street_table(ws: Workspace, tmp_path: Path) -> None:
    rows = [
        grid_row(),                                                          # 2 good
        grid_row(**{"Crime type": "Violent crime"}),                         # 3 good: a category of the time
        grid_row(Easting="", Northing="", Location="No Location"),           # 4 good, no location
        grid_row(Easting="61430O"),                                          # 5 not a number
        grid_row(Northing=""),                                               # 6 half a location
        grid_row(Easting="-5", Northing="2000000"),                          # 7 outside the grid
        grid_row(Month="2010-11"),                                           # 8 before police.uk began
    ]
    p = tmp_path / "2012-04-kent-street.csv"
    p.write_bytes(csv_bytes(GRID_HEADER, rows))
    [r] = police_uk_ingest(ws, [p]).results
    assert r.error is None, r.error
    assert (r.kind, r.rows_read, r.rows_accepted, r.rows_quarantined) == ("police_uk_street", 7, 3, 4)
    assert any("police.uk's early street-level layout (Easting/Northing" in w and "no Crime ID, LSOA" in w
               for w in r.warnings)
    problems = {q["_source_row"]: q["_problems"]
                for q in ws.engine().quarantine(r.dataset_id).to_pyarrow().to_pylist()}
    assert problems == {
        5: "Easting: '61430O' is not a number",
        6: "Northing: is missing while Easting is given",
        7: "Easting/Northing: '-5, 2000000' is outside the British National Grid (eastings 0 to 700,000 m, "
           "northings 0 to 1,300,000 m)",
        8: "Month: '2010-11' is before December 2010, when police.uk began publishing: check the date in the source",
    }
    t = ws.engine().table("police_uk_street", dataset_ids=[r.dataset_id]).order_by("source_row").to_pyarrow()
    assert t.column("source_row").to_pylist() == [2, 3, 4]
    assert t.column("crime_type").to_pylist() == ["Burglary", "Violent crime", "Burglary"]
    assert t.column("has_location").to_pylist() == [True, True, False]
    assert t.column("crime_id").to_pylist() == [None] * 3 and t.column("lsoa_code").to_pylist() == [None] * 3
    assert metres(t.column("longitude")[0].as_py(), t.column("latitude")[0].as_py(), 1.072628, 51.297880) < 10
    assert t.column("longitude")[2].as_py() is None
    assert [f"{c.force} {c.month:%Y-%m} {c.rows}" for c in ws.catalogue.get(r.dataset_id).coverage] == [
        "Kent Police 2012-04 3"]


def test_the_current_layout_is_still_read_as_before(ws: Workspace, tmp_path: Path) -> None:
    from vrhub_testkit import STREET_HEADER, street_row

    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, [street_row()]))
    [r] = police_uk_ingest(ws, [p]).results
    assert r.ok and r.rows_accepted == 1 and not any("early" in w for w in r.warnings)
    early = tmp_path / "export.csv"
    early.write_bytes(csv_bytes(GRID_HEADER, [grid_row()]))
    [r2] = police_uk_ingest(ws, [early], kind="police_uk_street").results
    assert r2.ok and r2.rows_accepted == 1  # --kind street finds the early layout among the street layouts
