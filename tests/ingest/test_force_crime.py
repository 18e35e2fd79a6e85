"""Force crime records: good rows load with codes, times and flags read; each kind of bad row (unknown offence
code, impossible age, committed after recorded, …) is quarantined with the field and value named and nothing lost;
victim and suspect ids in clear refuse the file whole; the shipped Niche and Athena layouts and a third mapped layout
load the same crimes to the same canonical rows; re-loading changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from pyproj import Transformer
from vrhub_testkit import csv_bytes, lake_folders

from vrhub.domain.offence_codes import lookup, normalise_offence_code, offence_codes
from vrhub.ingest import force_crime
from vrhub.ingest.loader import LoadResult, ingest
from vrhub.ingest.mapped import check_mapping, load_mapping, mapped_sources
from vrhub.store.workspace import Workspace

VICTIM = hashlib.sha256(b"synthetic victim").hexdigest()
SUSPECT = hashlib.sha256(b"synthetic suspect").hexdigest()
HEADER = ["Crime reference", "Force", "Offence code", "Committed from", "Committed to", "Recorded date", "Easting",
          "Northing", "Longitude", "Latitude", "LSOA code", "Victim ID", "Victim age", "Victim sex",
          "Victim ethnicity", "Suspect ID", "Suspect age", "Suspect sex", "Suspect ethnicity", "Domestic abuse",
          "Knife or sharp instrument", "Firearm", "Alcohol", "Night-time economy", "Outcome", "Outcome date"]


def row(**kw: str) -> dict[str, str]:
    r = dict(zip(HEADER, ["KC/001/25", "SYN-Kent Police", "5D", "01/03/2025 22:00", "02/03/2025 02:00",
                          "02/03/2025 09:15", "", "", "0.5220", "51.2720", "E01024000", VICTIM, "19", "M", "W1",
                          SUSPECT, "22", "M", "W1", "N", "Y", "N", "Y", "Y", "1", "20/04/2025"], strict=True))
    r.update({k.replace("_", " "): v for k, v in kw.items()})
    return r


def load(ws: Workspace, path: Path, rows: list[dict[str, str]], header: list[str] = HEADER,
         sources=force_crime.SOURCES) -> LoadResult:  # type: ignore[no-untyped-def]
    path.write_bytes(csv_bytes(header, rows))
    [r] = ingest(ws, [path], sources, kind="force_crime", synthetic=True, options={"today": dt.date(2025, 12, 31)}
                 ).results
    return r


def accepted(ws: Workspace, r: LoadResult) -> list[dict]:
    return ws.engine().table("force_crime", dataset_ids=[r.dataset_id]).order_by("source_row").to_pyarrow().to_pylist()


def problems(ws: Workspace, r: LoadResult) -> dict[int, str]:
    return {q["_source_row"]: q["_problems"] for q in ws.engine().quarantine(r.dataset_id).to_pyarrow().to_pylist()}


def test_the_code_list_has_90_home_office_codes_and_reads_their_spellings() -> None:
    codes = offence_codes()
    assert len(codes) == 90
    assert lookup("4/1").description == "Manslaughter" and lookup("4.1") == lookup(" 4/1 ")
    assert lookup("34b").offence_group == "Robbery" and lookup("19C").offence_subgroup == "Rape"
    assert lookup("10D").police_uk_category == "Possession of weapons"
    assert [normalise_offence_code(v) for v in ("008N", "004/01", "HO34B", "5d", "99Z", "4/11")] == \
        ["8N", "4.1", "34B", "5D", None, None]


def test_good_and_bad_rows(ws: Workspace, tmp_path: Path) -> None:
    rows = [
        row(),                                                                             # 2 good
        row(**{"Offence code": "004/01", "Committed to": "", "Longitude": "", "Latitude": "", "Easting": "575800",
               "Northing": "155700", "Victim ID": "", "Victim age": "", "Victim sex": "", "Victim ethnicity": "",
               "Outcome": "OC18", "Recorded date": "2025-03-05"}),                          # 3 good: grid, no victim
        row(**{"LSOA code": "", "Longitude": "", "Latitude": "", "Committed to": "04/03/2025 22:00",
               "Victim ID": VICTIM.upper()}),                                        # 4 good: no location, 3 days
        row(**{"Offence code": "99Z"}),                                                     # 5 unknown code
        row(**{"Victim age": "230", "Suspect age": "-1"}),                                  # 6 impossible ages
        row(**{"Committed from": "03/03/2025 10:00", "Committed to": ""}),                  # 7 after recorded
        row(**{"Committed to": "01/03/2025 21:00"}),                                        # 8 window backwards
        row(**{"Victim sex": "Q", "Victim ethnicity": "Z7", "Knife or sharp instrument": "maybe",
               "Outcome": "25"}),                                                           # 9 codes
        row(**{"Recorded date": "31/02/2025 10:00", "Outcome date": "01/01/2025"}),         # 10 bad date
        row(**{"Recorded date": "02/03/2026 10:00", "Outcome date": ""}),                   # 11 future
        row(**{"Easting": "51.27", "Northing": "0.52", "Longitude": "", "Latitude": ""}),   # 12 lon/lat as grid
        row(**{"Crime reference": "", "Offence code": ""}),                                 # 13 missing
        row(**{"Outcome date": "01/03/2025"}),                                              # 14 outcome before
        row(**{"Offence code": "19E", "Victim age": "30", "Victim sex": "F"}),             # 15 age vs code
    ]
    r = load(ws, tmp_path / "force-crime.csv", rows)
    assert r.ok and r.kind == "force_crime"
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (14, 3, 11)
    assert r.flags == {"no_location": 1, "window_over_24h": 1}
    got = accepted(ws, r)
    assert [g["ho_offence_code"] for g in got] == ["5D", "4.1", "5D"]
    assert got[0]["offence_description"] == "Assault with intent to cause serious harm"
    assert got[0]["offence_group"] == "Violence against the person" and got[1]["offence_subgroup"] == "Homicide"
    # the midpoint of 22:00–02:00 is midnight; a window of 4 hours
    assert got[0]["committed_mid"] == dt.datetime(2025, 3, 2, 0, 0) and got[0]["window_hours"] == 4.0
    assert got[1]["committed_mid"] == got[1]["committed_from"] and got[1]["window_hours"] == 0.0
    assert got[2]["window_hours"] == 72.0 and got[2]["has_location"] is False
    assert got[0]["month"] == dt.date(2025, 3, 1) and got[1]["recorded"] == dt.datetime(2025, 3, 5)
    assert got[0]["knife_flag"] is True and got[0]["domestic_abuse_flag"] is False and got[0]["drug_flag"] is None
    assert got[0]["victim_sex"] == "male" and got[0]["victim_ethnicity"] == "W1" and got[0]["victim_age"] == 19
    assert got[0]["outcome"] == 1 and got[1]["outcome"] == 18 and got[0]["outcome_date"] == dt.date(2025, 4, 20)
    assert got[2]["victim_id"] == VICTIM and got[1]["victim_id"] is None
    # easting/northing converted with pyproj, checked against an independent transform (OSGB36 → WGS84)
    lon, lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(575800, 155700)
    assert got[1]["easting"] == 575800 and got[1]["longitude"] == pytest.approx(lon) and 0.5 < lon < 0.55
    assert got[1]["latitude"] == pytest.approx(lat) and 51.25 < lat < 51.3
    p = problems(ws, r)
    assert sorted(p) == list(range(5, 16))
    assert p[5].startswith("Offence code: '99Z' is not a Home Office offence code in vrhub's list")
    assert "Victim age: '230' is not a possible age (0–120 years)" in p[6] and "Suspect age: '-1'" in p[6]
    assert p[7].startswith("Committed from: '03/03/2025 10:00' is after the Recorded date")
    assert p[8].startswith("Committed to: '01/03/2025 21:00' is before Committed from")
    assert "Victim sex: 'Q'" in p[9] and "Victim ethnicity: 'Z7' is not one of the 18+1" in p[9]
    assert "Knife or sharp instrument: 'maybe'" in p[9] and "Outcome: '25' is not a Home Office outcome" in p[9]
    assert p[10].startswith("Recorded date: '31/02/2025 10:00' is not a date")
    assert p[11] == "Recorded date: '02/03/2026 10:00' is in the future"
    assert "Easting/Northing: '51.27, 0.52' is outside Great Britain's National Grid" in p[12]
    assert "Crime reference: is missing" in p[13] and "Offence code: is missing" in p[13]
    assert p[14] == "Outcome date: '01/03/2025' is before the Recorded date"
    assert p[15] == ("Victim age: '30' does not fit offence code 19E (Rape of a female child under 13): check the "
                     "age or the code")
    d = ws.catalogue.get(r.dataset_id)
    assert d.synthetic and [(c.force, c.rows) for c in d.coverage] == [("SYN-Kent Police", 3)]
    again = load(ws, tmp_path / "force-crime.csv", rows)  # re-running is safe: the same file is not loaded twice
    assert again.duplicate_of == r.dataset_id and len(ws.catalogue.datasets("force_crime")) == 1


@pytest.mark.parametrize("column", ["Victim ID", "Suspect ID"])
def test_victim_or_suspect_ids_in_clear_refuse_the_file_whole(ws: Workspace, tmp_path: Path, column: str) -> None:
    rows = [row(), row(**{column: "PNC 01/123456A"})]
    r = load(ws, tmp_path / "force-crime-clear.csv", rows)
    assert not r.ok and "force-crime-clear.csv" in r.error
    assert f"column '{column}' looks like a declared identifier column in clear" in r.error
    assert "vrhub pseudonymise" in r.error and "PNC" not in r.error
    assert ws.catalogue.datasets("force_crime") == [] and not lake_folders(ws)


def test_a_victim_name_column_refuses_the_file_whole(ws: Workspace, tmp_path: Path) -> None:
    rows = [row() | {"Victim name": n} for n in ("John Smith", "Amy Jones")]
    r = load(ws, tmp_path / "force-crime-names.csv", rows, [*HEADER, "Victim name"])
    assert not r.ok and "'Victim name'" in r.error and "vrhub pseudonymise" in r.error
    assert not lake_folders(ws)


# --- layouts -------------------------------------------------------------------------------------------------------
NICHE = ["OCC_NO", "FORCE_NAME", "HOOC", "FROM_DT", "TO_DT", "REPORTED_DT", "X_COORD", "Y_COORD", "LSOA21CD",
         "WARD_CD", "BEAT_CODE", "VIC_PSEUDO_ID", "VIC_AGE_AT_OFFENCE", "VIC_GENDER", "VIC_SDE", "SUS_PSEUDO_ID",
         "SUS_AGE_AT_OFFENCE", "SUS_GENDER", "SUS_SDE", "QUAL_DA", "QUAL_KNIFE", "QUAL_FIREARM", "QUAL_ALCOHOL",
         "QUAL_DRUGS", "QUAL_NTE", "QUAL_CCE", "QUAL_GANG", "QUAL_HATE", "OUTCOME_CD", "OUTCOME_DT"]
ATHENA = ["Crime Number", "Owning Force", "HO Classification", "Earliest Date Time", "Latest Date Time",
          "Date Recorded", "Longitude", "Latitude", "LSOA Code", "Victim Person Pseudonym", "Victim Age",
          "Victim Gender", "Victim Ethnicity (18+1)", "Suspect Person Pseudonym", "Suspect Age", "Suspect Gender",
          "Suspect Ethnicity (18+1)", "Domestic Abuse Marker", "Knife Crime Marker", "Firearm Marker",
          "Alcohol Marker", "Drugs Marker", "Night Time Economy Marker", "CCE County Lines Marker", "Gang Marker",
          "Hate Crime Marker", "Outcome Description", "Outcome Date"]
# The same three crimes in each layout: (ref, code, from, to, recorded, victim age, sex, knife, DA, outcome)
CRIMES = [("A1", "8N", (2025, 3, 1, 23, 10), (2025, 3, 1, 23, 40), (2025, 3, 2, 8, 0), "17", "female", True, False,
           1),
          ("A2", "34B", (2025, 3, 7, 1, 0), None, (2025, 3, 7, 2, 30), "24", "male", True, False, 18),
          ("A3", "4.1", (2025, 3, 9, 20, 0), (2025, 3, 10, 2, 0), (2025, 3, 10, 3, 0), "40", "unknown", False, True,
           None)]


def _niche_rows() -> list[dict[str, str]]:
    code = {"8N": "008N", "34B": "034B", "4.1": "004/01"}
    out = []
    for ref, c, f, t, rec, age, sex, knife, da, oc in CRIMES:
        out.append(dict(zip(NICHE, [
            ref, "SYN-Kent Police", code[c], dt.datetime(*f).strftime("%d/%m/%Y %H:%M"),
            dt.datetime(*t).strftime("%d/%m/%Y %H:%M") if t else "", dt.datetime(*rec).strftime("%d/%m/%Y %H:%M"),
            "575800", "155700", "E01024000", "", "MS1", VICTIM, age, {"female": "F", "male": "M"}.get(sex, "U"), "W1",
            SUSPECT, "30", "M", "B2", "Y" if da else "N", "Y" if knife else "N", "N", "N", "", "", "", "", "",
            f"OC{oc}" if oc else "", "30/04/2025" if oc else ""], strict=True)))
    return out


def _athena_rows() -> list[dict[str, str]]:
    words = {1: "Charged/Summonsed", 18: "Investigation Complete - No Suspect Identified"}
    out = []
    for ref, c, f, t, rec, age, sex, knife, da, oc in CRIMES:
        out.append(dict(zip(ATHENA, [
            ref, "SYN-Kent Police", c.replace(".", "/"), dt.datetime(*f).isoformat(),
            dt.datetime(*t).isoformat() if t else "", dt.datetime(*rec).isoformat(), "0.5274", "51.2705",
            "E01024000", VICTIM, age, sex.title(), "W1", SUSPECT, "30", "Male", "B2", str(da), str(knife), "False",
            "False", "", "", "", "", "", words.get(oc, ""), "2025-04-30" if oc else ""], strict=True)))
    return out


def _third_rows() -> list[dict[str, str]]:
    return [{"Ref": ref, "Class": c, "When": dt.datetime(*f).strftime("%Y%m%d%H%M"),
             "Logged": dt.datetime(*rec).strftime("%Y%m%d%H%M"), "Vic age": age, "Weapon": "Blade" if knife else "None",
             "DA": "yes" if da else "no"} for ref, c, f, t, rec, age, sex, knife, da, oc in CRIMES]


THIRD_MAPPING = """
target: force_crime
columns: {crime_ref: Ref, ho_offence_code: Class, committed_from: When, recorded: Logged, victim_age: Vic age,
          knife_flag: Weapon, domestic_abuse_flag: DA}
constants: {force: SYN-Kent Police}
values: {knife_flag: {Blade: "yes", None: "no"}}
date_formats: {committed_from: "%Y%m%d%H%M", recorded: "%Y%m%d%H%M"}
"""


@pytest.mark.parametrize("layout", ["niche", "athena", "third"])
def test_each_shipped_layout_and_a_mapped_third_load_the_same_crimes(ws: Workspace, tmp_path: Path,
                                                                      layout: str) -> None:
    if layout == "third":
        mapping_path = tmp_path / "my-force.yaml"
        mapping_path.write_text(THIRD_MAPPING, encoding="utf-8")
        rows, header = _third_rows(), ["Ref", "Class", "When", "Logged", "Vic age", "Weapon", "DA"]
    else:
        mapping_path = force_crime.layout_mapping(layout)
        rows, header = (_niche_rows(), NICHE) if layout == "niche" else (_athena_rows(), ATHENA)
    m = load_mapping(mapping_path)
    path = tmp_path / f"extract-{layout}.csv"
    path.write_bytes(csv_bytes(header, rows))
    assert check_mapping(m, [path]) == []
    r = load(ws, path, rows, header, mapped_sources(m))
    assert r.ok and (r.rows_read, r.rows_accepted, r.rows_quarantined) == (3, 3, 0), r.error
    got = accepted(ws, r)
    assert [g["crime_ref"] for g in got] == ["A1", "A2", "A3"]
    assert [g["ho_offence_code"] for g in got] == ["8N", "34B", "4.1"]
    assert [g["committed_from"] for g in got] == [dt.datetime(*c[2]) for c in CRIMES]
    assert [g["recorded"] for g in got] == [dt.datetime(*c[4]) for c in CRIMES]
    assert [g["victim_age"] for g in got] == [17, 24, 40]
    assert [g["knife_flag"] for g in got] == [True, True, False]
    assert [g["domestic_abuse_flag"] for g in got] == [False, False, True]
    assert all(g["force"] == "SYN-Kent Police" for g in got)
    if layout != "third":
        assert [g["outcome"] for g in got] == [1, 18, None]
        assert [g["victim_sex"] for g in got] == ["female", "male", "unknown"]
        assert got[0]["victim_id"] == VICTIM and got[0]["suspect_ethnicity"] == "B2"
        assert got[0]["committed_mid"] == dt.datetime(2025, 3, 1, 23, 25)
        assert 0.5 < got[0]["longitude"] < 0.55 and got[0]["has_location"]


def test_a_mapped_layout_names_the_partners_column_of_a_bad_value(ws: Workspace, tmp_path: Path) -> None:
    rows = _niche_rows()
    rows[1]["HOOC"] = "999X"
    rows[2]["VIC_AGE_AT_OFFENCE"] = "1985"
    m = load_mapping(force_crime.layout_mapping("niche"))
    r = load(ws, tmp_path / "niche-bad.csv", rows, NICHE, mapped_sources(m))
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (3, 1, 2)
    p = problems(ws, r)
    assert p[3].startswith("Offence code (column 'HOOC'): '999X' is not a Home Office offence code")
    assert p[4].startswith("Victim age (column 'VIC_AGE_AT_OFFENCE'): '1985' is not a possible age")


@pytest.mark.parametrize("name", ["kent_and_medway", "london_example"])
def test_every_offence_code_the_shipped_definitions_name_is_in_the_code_list(name: str) -> None:
    from vrhub.domain.definitions import load_definition

    d = load_definition(name)
    named = {v for r in d.source("force_crime").rules for v in r.match.get("ho_offence_code", ()).values}
    assert named and named <= set(offence_codes())
