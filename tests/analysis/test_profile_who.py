"""'Who' from stop and search inside the area, and the success-measures table of the profile."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from vrhub_testkit import police_uk_ingest, street_row

from vrhub.analysis.profile import build_profile
from vrhub.data import kent
from vrhub.domain.definitions import load_definition
from vrhub.ingest.geography import load_geography
from vrhub.report.release import release_profile
from vrhub.store.geography import Geography

SS_HEADER = ["Type", "Date", "Part of a policing operation", "Policing operation", "Latitude", "Longitude", "Gender",
             "Age range", "Self-defined ethnicity", "Officer-defined ethnicity", "Legislation", "Object of search",
             "Outcome", "Outcome linked to object of search", "Removal of more than just outer clothing"]


@pytest.fixture(scope="module")
def who_ws(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from vrhub_testkit import open_workspace

    tmp = tmp_path_factory.mktemp("who")
    ws = open_workspace(tmp / "home")
    load_geography(ws, [kent() / "boundaries" / "lsoa2011" / "E07000114.json", kent() / "imd2019"])
    street = tmp / "2018-10-kent-street.csv"
    with open(street, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(street_row()))
        w.writeheader()
        w.writerow(street_row())
    police_uk_ingest(ws, [street])
    # synthetic searches: 30 at Thanet LSOA points (inside the area), 12 in London (outside)
    pts = Geography(ws.engine()).geodataframe("lsoa")[["point_lon", "point_lat"]].head(30).to_numpy()
    rows = []
    for i, (lon, lat) in enumerate(pts):
        rows.append({"Type": "Person search", "Date": "2018-10-05T21:00:00+00:00", "Latitude": f"{lat}",
                     "Longitude": f"{lon}", "Gender": "Male" if i % 3 else "Female",
                     "Age range": "18-24" if i < 20 else "10-17", "Self-defined ethnicity": "White - Other",
                     "Object of search": "Offensive weapons" if i < 9 else "Controlled drugs", "Outcome": "Arrest"})
    for _ in range(12):
        rows.append({"Type": "Person search", "Date": "2018-10-05T21:00:00+00:00", "Latitude": "51.5",
                     "Longitude": "-0.12", "Gender": "Male", "Age range": "over 34",
                     "Self-defined ethnicity": "White - Other", "Object of search": "Controlled drugs",
                     "Outcome": "Arrest"})
    ss = tmp / "2018-10-kent-stop-and-search.csv"
    with open(ss, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=SS_HEADER)
        w.writeheader()
        for r in rows:
            w.writerow({h: r.get(h, "") for h in SS_HEADER} | {"Part of a policing operation": "False"})
    [res] = police_uk_ingest(ws, [ss]).results
    assert res.ok and res.rows_accepted == 42
    return ws


def test_who_counts_only_searches_inside_the_loaded_area(who_ws) -> None:  # type: ignore[no-untyped-def]
    p = build_profile(who_ws.engine(), load_definition())
    who = p.sections["who"]
    assert who.available
    ages = {r["age_range"]: r for r in who.tables["who_stop_search_by_age_range"].to_pylist()}
    assert {k: v["searches"] for k, v in ages.items()} == {"18-24": 20, "10-17": 10}  # London's 12 left out
    assert ages["18-24"]["weapons_or_firearms"] == 9
    assert abs(sum(v["share"] for v in ages.values()) - 1) < 1e-9
    assert any("30 of 42" in n for n in who.notes)


def test_success_measures_say_what_cannot_be_computed(who_ws) -> None:  # type: ignore[no-untyped-def]
    p = build_profile(who_ws.engine(), load_definition())
    measures = {r["measure"]: r for r in p.tables()["success_measures"].to_pylist()}
    assert {"hospital_knife_assault", "knife_enabled_serious_violence", "non_domestic_homicide"} <= set(measures)
    assert all(m["computable"] == "no" and m["reason"] for m in measures.values())


def test_released_who_tables_are_protected(who_ws) -> None:  # type: ignore[no-untyped-def]
    released, _ = release_profile(build_profile(who_ws.engine(), load_definition()))
    for name in ("who_stop_search_by_age_range", "who_stop_search_by_gender"):
        t = released.tables()[name].to_pylist()
        assert "weapons_or_firearms" not in released.tables()[name].column_names
        for r in t:
            assert r["searches"] is None or (r["searches"] % 5 == 0 and not 1 <= r["searches"] <= 7)


def test_no_stop_search_means_who_is_not_available(tmp_path: Path) -> None:
    from vrhub_testkit import open_workspace

    ws = open_workspace(tmp_path / "h")
    load_geography(ws, [kent() / "boundaries" / "lsoa2011" / "E07000114.json"])
    street = tmp_path / "2018-10-kent-street.csv"
    with open(street, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(street_row()))
        w.writeheader()
        w.writerow(street_row())
    police_uk_ingest(ws, [street])
    who = build_profile(ws.engine(), load_definition()).sections["who"]
    assert not who.available and "police.uk street data carries none" in who.notes[0]
