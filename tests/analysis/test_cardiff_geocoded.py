"""The Cardiff view's incident places: ED free-text locations geocoded against the gazetteer, beside police-recorded
violence in the same LSOA, checked against counts this test makes itself; absent without a gazetteer."""

from __future__ import annotations

from pathlib import Path

from vrhub_testkit import KENT, STREET_HEADER, csv_bytes, police_uk_ingest, street_row

from vrhub.analysis.cardiff import GEOCODED_TABLES, TABLES, cardiff_view
from vrhub.ingest.gazetteer import SOURCES as GAZETTEER
from vrhub.ingest.geography import load_geography
from vrhub.ingest.istv import SOURCES as ISTV
from vrhub.ingest.loader import ingest
from vrhub.report.release import release
from vrhub.store.workspace import Workspace

HEADER = ("Reporting period start,Reporting period end,ED site code,Arrival date time,Assault date time,"
          "Assault method,Assault method other,Assault location type,Assault location description,Age band,Sex,"
          "Home LSOA\n")
TEXTS = ["outside Chatham station"] * 9 + ["Dreamland"] * 2 + ["Westwood Cross"] * 12 + ["park"] * 3 + [""] * 2


def test_incident_places_beside_police_violence_in_their_lsoa(ws: Workspace, tmp_path: Path) -> None:
    assert all(r.ok for r in load_geography(ws, [KENT / "imd2019"]))
    p = tmp_path / "istv.csv"
    p.write_text(HEADER + "".join(f"01/01/2023,31/01/2023,SYN-T,{i % 28 + 1:02d}/01/2023 23:40,,Knife,,Street,{t},"
                                  ",,E01016016\n" for i, t in enumerate(TEXTS)), encoding="utf-8")
    assert ingest(ws, [p], ISTV, kind="ed_istv").ok
    assert set(cardiff_view(ws.engine()).tables) == set(TABLES)  # no gazetteer: no incident tables
    assert ingest(ws, [KENT / "gazetteer" / "kent-places.csv"], GAZETTEER, kind="gazetteer").ok
    police = [street_row(**{"Crime ID": f"c{i}", "Month": "2023-01", "LSOA code": "E01016017",
                            "Crime type": t}) for i, t in enumerate(["Robbery", "Burglary", "Robbery",
                                                                     "Violence and sexual offences"])]
    street = tmp_path / "2023-01-kent-street.csv"
    street.write_bytes(csv_bytes(STREET_HEADER, police))
    assert police_uk_ingest(ws, [street]).ok

    view = cardiff_view(ws.engine())
    assert set(view.tables) == set(TABLES) | set(GEOCODED_TABLES)
    places = view.tables["ed_incident_places"].set_index("place_name")
    assert places.loc["Chatham railway station", "incident_lsoa"] == "E01016017"
    assert places.loc["Chatham railway station", "ed_assaults"] == 9
    assert places.loc["Chatham railway station", "police_violence"] == 3  # two robberies + one violence, no burglary
    assert not places.loc["Chatham railway station", "no_police_record_in_lsoa"]
    assert places.loc["Dreamland Margate", "ed_assaults"] == 2
    assert places.loc["Dreamland Margate", "police_violence"] == 0
    assert places.loc["Dreamland Margate", "no_police_record_in_lsoa"]
    tally = dict(zip(view.tables["ed_geocoding"]["outcome"], view.tables["ed_geocoding"]["ed_assaults"], strict=True))
    assert tally == {"matched: exact": 23, "unmatched": 3, "no_text": 2}
    assert sum(tally.values()) == len(TEXTS)  # every attendance counted once
    assert any("places whose LSOA has no police-recorded violence in the period: 2" in s for s in view.summary)

    released = release(cardiff_view(ws.engine())).result  # the one release step (issue 11)
    shown = released.tables["ed_incident_places"]
    # Dreamland's 2 is suppressed, and Chatham's 9 with it (else 23 - 12 - 9 would give it away): neither is listed.
    assert shown["place_name"].tolist() == ["Westwood Cross"]
    assert shown["ed_assaults"].tolist() == [10]  # 12 rounded to the nearest 5
