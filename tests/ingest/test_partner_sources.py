"""Ambulance, youth justice and education sources: good rows load with codes mapped; each kind of bad row is
quarantined with the field and value named; read = accepted + quarantined; identifiers in clear refuse the whole
file (nothing stored, not even in the quarantine); a wrong header is refused naming the column."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from vrhub_testkit import csv_bytes, lake_folders

from vrhub.ingest import ambulance, education, youth_justice
from vrhub.ingest.loader import LoadResult, ingest
from vrhub.store.workspace import Workspace

PID = hashlib.sha256(b"synthetic person").hexdigest()


def load(ws: Workspace, path: Path, header: list[str], rows: list[dict[str, str]], sources) -> LoadResult:  # type: ignore[no-untyped-def]
    path.write_bytes(csv_bytes(header, rows))
    [r] = ingest(ws, [path], sources, synthetic=True).results
    return r


def accepted(ws: Workspace, kind: str, r: LoadResult) -> list[dict]:
    return ws.engine().table(kind, dataset_ids=[r.dataset_id]).order_by("source_row").to_pyarrow().to_pylist()


def problems(ws: Workspace, r: LoadResult) -> dict[int, str]:
    return {q["_source_row"]: q["_problems"] for q in ws.engine().quarantine(r.dataset_id).to_pyarrow().to_pylist()}


# --- ambulance -------------------------------------------------------------------------------------------------
AMB = ["Ambulance service", "Incident number", "Incident date time", "Incident LSOA", "Longitude", "Latitude",
       "Incident category", "Response category", "Age band", "Sex", "Conveyed"]


def amb(**kw: str) -> dict[str, str]:
    r = dict(zip(AMB, ["SYN-SECAmb", "A1", "06/01/2023 23:40", "E01024000", "0.522", "51.272", "Assault", "C2",
                       "18-24", "M", "yes"], strict=True))
    r.update({k.replace("_", " "): v for k, v in kw.items()})
    return r


def test_ambulance_good_and_bad_rows(ws: Workspace, tmp_path: Path) -> None:
    rows = [
        amb(),                                                                              # 2 good
        amb(Incident_date_time="2023-01-07 01:10", Incident_LSOA="", Longitude="", Latitude="",
            Incident_category="Stab wound", Response_category="Category 1", Sex="", Conveyed=""),  # 3 good, no location
        amb(Incident_LSOA="e01024001", Longitude="", Latitude="", Incident_category="GSW"),  # 4 good, LSOA only
        amb(Incident_date_time="31/02/2023 01:10"),                                         # 5 impossible date
        amb(Incident_category="stab/gunshot"),                                              # 6 ambiguous category
        amb(Longitude="51.27", Latitude="0.52"),                                            # 7 swapped
        amb(Incident_LSOA="E0102"),                                                         # 8 bad LSOA
        amb(Response_category="C9", Age_band="99", Conveyed="maybe"),                       # 9 three problems
        amb(Ambulance_service="", Incident_date_time=""),                                   # 10 missing
    ]
    r = load(ws, tmp_path / "ambulance-jan.csv", AMB, rows, ambulance.SOURCES)
    assert r.ok and r.kind == "ambulance"
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (9, 3, 6)
    assert r.flags == {"no_location": 1}
    got = accepted(ws, "ambulance", r)
    assert [g["category"] for g in got] == ["assault", "stabbing", "gunshot"]
    assert [g["response_category"] for g in got] == ["C2", "C1", "C2"]
    assert [g["has_location"] for g in got] == [True, False, True]
    assert got[2]["lsoa_code"] == "E01024001" and got[0]["lsoa_vintage"] == 2021
    assert got[0]["incident_datetime"] == dt.datetime(2023, 1, 6, 23, 40) and got[0]["conveyed"] is True
    assert got[0]["sex"] == "male" and got[0]["month"] == dt.date(2023, 1, 1)
    p = problems(ws, r)
    assert sorted(p) == [5, 6, 7, 8, 9, 10]
    assert p[5].startswith("Incident date time: '31/02/2023 01:10' is not a date and time")
    assert p[6].startswith("Incident category: 'stab/gunshot' is not a known incident category")
    assert "'51.27, 0.52' is outside the United Kingdom (are longitude and latitude swapped?)" in p[7]
    assert p[8].startswith("Incident LSOA: 'E0102' is not an LSOA code")
    assert "Response category: 'C9'" in p[9] and "Age band: '99'" in p[9] and "Conveyed: 'maybe'" in p[9]
    assert "Ambulance service: is missing" in p[10] and "Incident date time: is missing" in p[10]
    d = ws.catalogue.get(r.dataset_id)
    assert d.synthetic and [(c.force, c.rows) for c in d.coverage] == [("SYN-SECAmb", 3)]


def test_ambulance_wrong_header_is_refused_naming_the_column(ws: Workspace, tmp_path: Path) -> None:
    header = [h if h != "Incident category" else "Incident categry" for h in AMB]
    rows = [{(h if h != "Incident category" else "Incident categry"): v for h, v in amb().items()}]
    r = load(ws, tmp_path / "ambulance-bad-header.csv", header, rows, ambulance.SOURCES)
    assert not r.ok and "'Incident category' (found 'Incident categry' instead?)" in r.error
    assert ws.catalogue.datasets("ambulance") == []


def test_an_ambulance_file_with_patient_names_and_nhs_numbers_is_refused_whole(ws: Workspace, tmp_path: Path) -> None:
    header = [*AMB, "Patient name", "NHS number"]
    rows = [amb() | {"Patient name": n, "NHS number": "943 476 5919"} for n in ("John Smith", "Amy Jones")]
    r = load(ws, tmp_path / "ambulance-names.csv", header, rows, ambulance.SOURCES)
    assert not r.ok and "ambulance-names.csv" in r.error
    assert "'NHS number' looks like NHS numbers in clear" in r.error and "vrhub pseudonymise" in r.error
    assert ws.catalogue.datasets("ambulance") == [] and not lake_folders(ws)


# --- youth justice ----------------------------------------------------------------------------------------------
YJ = ["person_id", "person_id_basis", "Youth justice service", "age_at_Offence date", "Birth month", "Sex",
      "Offence date", "Offence type", "Gravity score", "Outcome", "Outcome date"]


def yj(**kw: str) -> dict[str, str]:
    r = dict(zip(YJ, [PID, "name_dob", "Kent Youth Justice Service", "15", "", "Male", "03/03/2023",
                      "Violence against the person", "5", "Referral order", "01/05/2023"], strict=True))
    r.update({k.replace("__", " ").replace("_", " ") if k not in YJ else k: v for k, v in kw.items()})
    return r


def test_youth_justice_good_and_bad_rows(ws: Workspace, tmp_path: Path) -> None:
    rows = [
        yj(),                                                                               # 2 good
        yj(**{"age_at_Offence date": "", "Birth month": "2008-05", "Offence type": "Robbery", "Outcome": "",
              "Outcome date": "", "Gravity score": ""}),                                    # 3 good: age from month
        yj(**{"person_id": PID.upper(), "Offence type": "knife possession", "Outcome": "YRO"}),  # 4 good
        yj(**{"age_at_Offence date": "9"}),                                                 # 5 below 10
        yj(**{"age_at_Offence date": "19"}),                                                # 6 over 17
        yj(**{"age_at_Offence date": "12", "Birth month": "2008-05"}),                      # 7 age vs month
        yj(**{"Offence type": "Jaywalking", "Gravity score": "9", "Outcome": "hug"}),       # 8 codes
        yj(**{"Outcome date": "01/01/2023"}),                                               # 9 outcome first
        yj(**{"person_id": "", "age_at_Offence date": "", "Offence date": ""}),              # 10 missing
        yj(**{"Offence date": "03/03/2999"}),                                               # 11 future
    ]
    r = load(ws, tmp_path / "youth-justice.csv", YJ, rows, youth_justice.SOURCES)
    assert r.ok and r.kind == "youth_justice"
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (10, 3, 7)
    got = accepted(ws, "youth_justice", r)
    assert [g["age"] for g in got] == [15, 14, 15]  # born May 2008: 14 on 3 March 2023
    assert [g["offence_type"] for g in got] == ["Violence against the person", "Robbery", "Possession of weapons"]
    assert [g["outcome"] for g in got] == ["referral_order", None, "youth_rehabilitation_order"]
    assert [g["outcome_tier"] for g in got] == ["first_tier", None, "community"]
    assert {g["person_id"] for g in got} == {PID}  # lower-cased: the same person links
    assert got[0]["offence_date"] == dt.date(2023, 3, 3) and got[0]["gravity_score"] == 5
    p = problems(ws, r)
    assert sorted(p) == [5, 6, 7, 8, 9, 10, 11]
    assert p[5].startswith("Age: '9' is below 10, the age of criminal responsibility")
    assert p[6].startswith("Age: '19' is over 17")
    assert p[7].startswith("Age: '12' does not fit the Birth month")
    assert "Offence type: 'Jaywalking' is not a Youth Justice Board offence group" in p[8]
    assert "Gravity score: '9'" in p[8] and "Outcome: 'hug' is not a known outcome" in p[8]
    assert p[9].startswith("Outcome date: '01/01/2023' is before the Offence date")
    assert "Person ID: is missing" in p[10] and "Offence date: is missing" in p[10] and "Age: is missing" in p[10]
    assert p[11].startswith("Offence date: '03/03/2999' is in the future")


def test_youth_justice_person_ids_in_clear_refuse_the_whole_file(ws: Workspace, tmp_path: Path) -> None:
    # the first row is a pseudonym, a later one a PNC id in clear: nothing of the file may be stored
    rows = [yj(), yj(), yj(**{"person_id": "79/0163001B"})]
    r = load(ws, tmp_path / "yj-clear.csv", YJ, rows, youth_justice.SOURCES)
    assert not r.ok and "yj-clear.csv" in r.error and "79/0163001B" not in r.error
    assert "column 'person_id' looks like a declared identifier column in clear" in r.error
    assert ws.catalogue.datasets("youth_justice") == [] and not lake_folders(ws)


def test_a_clear_id_beyond_the_sample_is_caught_on_its_line(ws: Workspace, tmp_path: Path) -> None:
    rows = [yj() for _ in range(1200)] + [yj(**{"person_id": "B801200005001"})]
    r = load(ws, tmp_path / "yj-late.csv", YJ, rows, youth_justice.SOURCES)
    assert not r.ok and "line(s) 1202" in r.error and "B801200005001" not in r.error
    assert ws.catalogue.datasets("youth_justice") == [] and not lake_folders(ws)


def test_a_full_date_of_birth_refuses_the_file(ws: Workspace, tmp_path: Path) -> None:
    r = load(ws, tmp_path / "yj-dob.csv", YJ, [yj(**{"Birth month": "12/05/2008"})], youth_justice.SOURCES)
    assert not r.ok and "full dates of birth" in r.error and "12/05/2008" not in r.error
    assert ws.catalogue.datasets("youth_justice") == []


# --- education --------------------------------------------------------------------------------------------------
ED = ["person_id", "School URN", "NC year", "Sex", "Record type", "Academic year", "Term", "Start date", "Sessions",
      "Reason", "Sessions possible", "Sessions missed", "Persistent absence"]


def ed(**kw: str) -> dict[str, str]:
    r = dict.fromkeys(ED, "") | {"person_id": PID, "School URN": "990001", "NC year": "9", "Sex": "Female",
                                 "Record type": "Suspension", "Academic year": "2022/23", "Start date": "10/10/2022",
                                 "Sessions": "4", "Reason": "PP"}
    r.update({k.replace("_", " ") if k != "person_id" else k: v for k, v in kw.items()})
    return r


def test_education_good_and_bad_rows(ws: Workspace, tmp_path: Path) -> None:
    attendance = {"Record_type": "Attendance", "Start_date": "", "Sessions": "", "Reason": ""}
    rows = [
        ed(),                                                                                    # 2 suspension
        ed(Record_type="PERM", Start_date="2023-03-01", Sessions="", Reason="OW", Academic_year="202223"),  # 3
        ed(**attendance, Term="Spring", Sessions_possible="120", Sessions_missed="13"),          # 4 PA computed
        ed(**attendance, Sessions_possible="380", Sessions_missed="10", Persistent_absence="No", NC_year="R"),  # 5
        ed(School_URN="99001"),                                                                  # 6 bad URN
        ed(Start_date="10/10/2023"),                                                             # 7 outside year
        ed(Reason="ZZ", Record_type="lunchtime"),                                               # 8 codes
        ed(Reason="", Start_date=""),                                                            # 9 missing
        ed(**attendance, Sessions_possible="100", Sessions_missed="5", Persistent_absence="Yes"),  # 10 contradiction
        ed(**attendance, Sessions_possible="100", Sessions_missed="130"),                        # 11 missed > possible
        ed(Academic_year="2022/24", Sessions="200"),                                             # 12 year, sessions
        ed(**attendance),                                                                        # 13 nothing to say
    ]
    r = load(ws, tmp_path / "education.csv", ED, rows, education.SOURCES)
    assert r.ok and r.kind == "education"
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (12, 4, 8)
    got = accepted(ws, "education", r)
    assert [g["record_type"] for g in got] == ["suspension", "permanent_exclusion", "attendance", "attendance"]
    assert [g["month"] for g in got] == [dt.date(2022, 10, 1), dt.date(2023, 3, 1), dt.date(2023, 1, 1),
                                         dt.date(2022, 9, 1)]
    assert [g["persistent_absence"] for g in got] == [None, None, True, False]
    assert [g["reason"] for g in got] == ["PP", "OW", None, None]
    assert [g["nc_year"] for g in got] == [9, 9, 9, 0] and {g["academic_year"] for g in got} == {"2022/23"}
    p = problems(ws, r)
    assert sorted(p) == [6, 7, 8, 9, 10, 11, 12, 13]
    assert p[6].startswith("School URN: '99001' is not a school URN")
    assert p[7].startswith("Start date: '10/10/2023' is not in the Academic year")
    assert "Reason: 'ZZ' is not a DfE exclusion reason code" in p[8] and "Record type: 'lunchtime'" in p[8]
    assert "Start date: is missing" in p[9] and "Reason: is missing" in p[9]
    assert p[10].startswith("Persistent absence: 'Yes' contradicts the sessions")
    assert p[11].startswith("Sessions missed: '130' is more than the Sessions possible")
    assert "Academic year: '2022/24' is not an academic year" in p[12] and "Sessions: '200' is more than 90" in p[12]
    assert p[13].startswith("Persistent absence: is missing")
    assert {c.force for c in ws.catalogue.get(r.dataset_id).coverage} == {"990001 exclusions", "990001 attendance"}
    assert [g["return_unit"] for g in got] == ["990001 exclusions"] * 2 + ["990001 attendance"] * 2


def test_exclusions_and_attendance_in_separate_files_both_count(ws: Workspace, tmp_path: Path) -> None:
    attendance = ed(Record_type="Attendance", Start_date="", Sessions="", Reason="", Sessions_possible="380",
                    Sessions_missed="50")
    first = load(ws, tmp_path / "exclusions.csv", ED, [ed(Start_date="05/09/2022")], education.SOURCES)
    second = load(ws, tmp_path / "attendance.csv", ED, [attendance], education.SOURCES)
    assert first.ok and second.ok
    rows = ws.engine().table("education").to_pyarrow().to_pylist()  # both September: neither hides the other
    assert sorted(r["record_type"] for r in rows) == ["attendance", "suspension"]
    reissued = load(ws, tmp_path / "exclusions-v2.csv", ED, [ed(Start_date="06/09/2022", Reason="PA")],
                    education.SOURCES)
    rows = ws.engine().table("education").to_pyarrow().to_pylist()  # the re-issue replaces only the exclusions
    assert sorted((r["record_type"], r["reason"]) for r in rows) == [("attendance", None), ("suspension", "PA")]
    assert reissued.ok


def test_education_is_not_supply_checked_but_reloading_is_a_no_op(ws: Workspace, tmp_path: Path) -> None:
    rows = [ed(Start_date=f"0{m}/0{m}/2023", Academic_year="2022/23") for m in (1, 5)]  # a gap in between is normal
    first = load(ws, tmp_path / "edu.csv", ED, rows, education.SOURCES)
    assert first.ok and first.supply_warnings == []
    before = lake_folders(ws)
    [again] = ingest(ws, [tmp_path / "edu.csv"], education.SOURCES).results
    assert again.duplicate_of == first.dataset_id and lake_folders(ws) == before


def test_the_definition_classifies_ambulance_and_youth_justice_rows(ws: Workspace, tmp_path: Path) -> None:
    from vrhub.analysis.classify import classify
    from vrhub.domain.definitions import load_definition

    definition = load_definition()
    r = load(ws, tmp_path / "ambulance-def.csv", AMB, [amb(Incident_category="Stabbing", Age_band="18-24"),
                                                       amb(Incident_category="Assault", Age_band="35-44")],
             ambulance.SOURCES)
    t = classify(ws.engine().table("ambulance", dataset_ids=[r.dataset_id]), definition, "ambulance")
    got = t.order_by("source_row").to_pyarrow().to_pylist()
    assert [(g["sv_category"], g["sv_match"]) for g in got] == [("assault_knife", "exact"), (None, "broader")]
    assert got[0]["measure_hospital_knife_assault"] is True and got[0]["measure_hospital_knife_assault_u25"] is True
    assert got[0]["strand_serious_youth_violence"] is True
    r = load(ws, tmp_path / "yj-def.csv", YJ, [yj(), yj(**{"Offence type": "Burglary"})], youth_justice.SOURCES)
    t = classify(ws.engine().table("youth_justice", dataset_ids=[r.dataset_id]), definition, "youth_justice")
    got = t.order_by("source_row").to_pyarrow().to_pylist()
    assert got[0]["sv_match"] == "broader" and got[1]["sv_match"] == "none"
    assert got[1]["is_serious_violence"] is False


# --- Excel workbooks, as partners export them ---------------------------------------------------------------------
def test_a_youth_justice_workbook_with_a_title_row_loads_like_its_csv(ws: Workspace, tmp_path: Path) -> None:
    import openpyxl

    header = ["Person ID", "Youth justice service", "Age", "Offence date", "Offence type"]
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "YJ return"
    sheet.append(["Kent Youth Justice Service: offences, February 2023"])
    sheet.append([])
    sheet.append(header)
    sheet.append([PID, "Kent", 15, dt.datetime(2023, 2, 1), "Robbery"])  # a real date cell
    sheet.append([hashlib.sha256(b"b").hexdigest(), "Kent", 16, "03/02/2023", "Violence against the person"])
    sheet.append([hashlib.sha256(b"c").hexdigest(), "Kent", "fifteen", "04/02/2023", "Robbery"])
    wb.save(tmp_path / "yj.xlsx")
    [r] = ingest(ws, [tmp_path / "yj.xlsx"], youth_justice.SOURCES).results
    assert r.error is None and (r.rows_read, r.rows_accepted, r.rows_quarantined) == (3, 2, 1)
    rows = accepted(ws, "youth_justice", r)
    assert [x["offence_date"] for x in rows] == [dt.date(2023, 2, 1), dt.date(2023, 2, 3)]
    assert [x["source_row"] for x in rows] == [4, 5]  # the workbook's own row numbers
    [(line, problem)] = problems(ws, r).items()
    assert line == 6 and "Age" in problem and "fifteen" in problem


def test_a_workbook_with_identifiers_in_clear_is_refused_whole(ws: Workspace, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(["Person ID", "Youth justice service", "Age", "Offence date", "Offence type"])
    sheet.append(["9434765919", "Kent", 15, "03/02/2023", "Robbery"])  # an NHS number in clear
    wb.save(tmp_path / "clear.xlsx")
    [r] = ingest(ws, [tmp_path / "clear.xlsx"], youth_justice.SOURCES).results
    assert r.error is not None and "identifiers in clear" in r.error and "9434765919" not in r.error
    assert ws.catalogue.datasets("youth_justice") == []
