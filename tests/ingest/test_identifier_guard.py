"""Identifiers in clear never enter the store (issue 13.4; hub issue 12.2 and 12.3): every row of every person-level
file is scanned, ISTV included; a structured identifier refuses the file whole (nothing stored, not even in the
quarantine) naming file, line and column but never the value; identifiers in free text are removed; the quarantine
keeps only the columns the source reads. Every NHS number here is synthetic (a made-up stem with its check digit)."""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow.parquet as pq
from vrhub_testkit import csv_bytes, lake_folders

from vrhub.ingest import ambulance, istv
from vrhub.ingest.loader import LoadResult, ingest
from vrhub.store.workspace import Workspace

ISTV_HEADER = ["Reporting period start", "Reporting period end", "ED site code", "Arrival date time",
               "Assault date time", "Assault method", "Assault method other", "Assault location type",
               "Assault location description", "Age band", "Sex", "Home LSOA", "Home postcode district"]


def nhs_check_digit(stem: str) -> int | None:
    """The NHS Data Dictionary's modulus-11 rule, written out again here (independent of vrhub's)."""
    total = sum(int(d) * w for d, w in zip(stem, [10, 9, 8, 7, 6, 5, 4, 3, 2], strict=True))
    check = 11 - total % 11
    return 0 if check == 11 else None if check == 10 else check


def synthetic_nhs_number(seed: int) -> str:
    """A valid-looking NHS number for a person who does not exist (a random stem and its check digit)."""
    rng = random.Random(seed)
    while True:
        stem = "".join(rng.choice("0123456789") for _ in range(9))
        check = nhs_check_digit(stem)
        if check is not None and len(set(stem)) > 1:
            return stem + str(check)


NHS = synthetic_nhs_number(1)


def istv_row(**kw: str) -> dict[str, str]:
    r = {"Reporting period start": "01/01/2023", "Reporting period end": "31/01/2023", "ED site code": "SYN-TEST",
         "Arrival date time": "06/01/2023 23:40", "Assault date time": "06/01/2023 23:05",
         "Assault method": "Knife", "Assault method other": "", "Assault location type": "Pub",
         "Assault location description": "outside the Crown", "Age band": "18-24", "Sex": "M",
         "Home LSOA": "E01016016", "Home postcode district": "ME7"}
    r.update({k.replace("_", " "): v for k, v in kw.items()})
    return r


def load(ws: Workspace, path: Path, header: list[str], rows: list[dict[str, str]], sources=istv.SOURCES,  # type: ignore[no-untyped-def]
         ) -> LoadResult:
    path.write_bytes(csv_bytes(header, rows))
    [r] = ingest(ws, [path], sources, synthetic=True).results
    return r


def nothing_stored(ws: Workspace, kind: str) -> bool:
    return ws.catalogue.datasets(kind, include_withdrawn=True) == [] and not lake_folders(ws)


def test_an_istv_return_with_nhs_number_name_and_date_of_birth_columns_is_refused_whole(ws: Workspace,
                                                                                        tmp_path: Path) -> None:
    header = [*ISTV_HEADER, "NHS Number", "Patient name", "Date of birth"]
    rows = [istv_row() | {"NHS Number": synthetic_nhs_number(i), "Patient name": name, "Date of birth": born}
            for i, (name, born) in enumerate([("Alex Example", "01/02/2003"), ("Sam Sample", "03/04/2001")])]
    rows.append(istv_row(Arrival_date_time="not a date") | {"NHS Number": NHS})  # a row that would be quarantined
    r = load(ws, tmp_path / "istv-with-ids.csv", header, rows)
    assert not r.ok and "istv-with-ids.csv" in r.error and "identifiers in clear" in r.error
    assert "'NHS Number'" in r.error and NHS not in r.error and "Alex Example" not in r.error
    assert "vrhub pseudonymise" in r.error and "Nothing of this file was stored" in r.error
    assert nothing_stored(ws, "ed_istv")


def test_an_nhs_number_first_on_line_1002_of_an_ambulance_file_is_caught(ws: Workspace, tmp_path: Path) -> None:
    header = ["Ambulance service", "Incident number", "Incident date time", "Incident LSOA", "Incident category",
              "Crew notes"]
    good = {"Ambulance service": "SYN-SECAmb", "Incident number": "A1", "Incident date time": "06/01/2023 23:40",
            "Incident LSOA": "E01024000", "Incident category": "Assault", "Crew notes": "pt conveyed"}
    rows = [good] * 1000 + [good | {"Crew notes": f"pt nhs no {NHS}"}]  # data row 1,001 is line 1,002
    r = load(ws, tmp_path / "ambulance-late-id.csv", header, rows, ambulance.SOURCES)
    assert not r.ok and "ambulance-late-id.csv" in r.error
    assert "an NHS number (valid modulus-11 check digit) in column 'Crew notes' on line(s) 1002" in r.error
    assert NHS not in r.error
    assert nothing_stored(ws, "ambulance")


def test_an_nhs_number_first_on_row_100001_is_caught_and_nothing_is_kept(ws: Workspace, tmp_path: Path) -> None:
    rows = [istv_row()] * 100_000 + [istv_row(Home_LSOA=NHS)]  # data row 100,001 is line 100,002
    r = load(ws, tmp_path / "istv-big.csv", ISTV_HEADER, rows)
    assert not r.ok and "in column 'Home LSOA' on line(s) 100002" in r.error and NHS not in r.error
    assert nothing_stored(ws, "ed_istv")


def test_full_postcodes_and_emails_anywhere_refuse_the_file(ws: Workspace, tmp_path: Path) -> None:
    r = load(ws, tmp_path / "istv-postcode.csv", ISTV_HEADER,
             [istv_row(), istv_row(Home_postcode_district="ME7 1AA")])
    assert not r.ok and "a full postcode in column 'Home postcode district' on line(s) 3" in r.error
    assert "ME7 1AA" not in r.error
    r = load(ws, tmp_path / "istv-email.csv", [*ISTV_HEADER, "Contact"],
             [istv_row() | {"Contact": ""}] * 1500 + [istv_row() | {"Contact": "someone@example.org"}])
    assert not r.ok and "an e-mail address in column 'Contact' on line(s) 1502" in r.error
    assert nothing_stored(ws, "ed_istv")


def test_identifiers_in_istv_free_text_are_removed_before_storing(ws: Workspace, tmp_path: Path) -> None:
    rows = [istv_row(),
            istv_row(Assault_location_description=f"outside ME7 1AA, Mr Example NHS {NHS[:3]} {NHS[3:6]} {NHS[6:]}"),
            istv_row(Assault_method="Other", Assault_method_other="bitten; dob 01/02/2003, tel 07700 900123")]
    r = load(ws, tmp_path / "istv-free-text.csv", ISTV_HEADER, rows)
    assert r.ok and r.rows_accepted == 3
    got = ws.engine().table("ed_istv").order_by("source_row").to_pyarrow().to_pylist()
    assert got[0]["assault_location_description"] == "outside the Crown"  # free text without identifiers: as sent
    assert got[1]["assault_location_description"] == \
        "outside [postcode removed], [name removed] NHS [NHS number removed]"
    assert got[2]["assault_method_other"] == "bitten; [date of birth removed], tel [phone number removed]"
    note = next(w for w in r.warnings if "Assault location description" in w)
    assert "1 NHS number(s)" in note and "1 full postcode(s)" in note and "first on line 3" in note
    data = Path(ws.lake.root, ws.catalogue.get(r.dataset_id).lake_path, "data.parquet").read_bytes()
    assert NHS.encode() not in data and NHS[:3].encode() + b" " + NHS[3:6].encode() not in data


def test_the_quarantine_keeps_only_the_columns_the_source_reads(ws: Workspace, tmp_path: Path) -> None:
    header = [*ISTV_HEADER, "Triage nurse", "Bed"]
    rows = [istv_row() | {"Triage nurse": "R2", "Bed": "12"},
            istv_row(Arrival_date_time="yesterday") | {"Triage nurse": "R7", "Bed": "4"}]
    r = load(ws, tmp_path / "istv-extra.csv", header, rows)
    assert r.ok and r.rows_quarantined == 1
    q = ws.engine().quarantine(r.dataset_id).to_pyarrow()
    assert "Triage nurse" not in q.column_names and "Bed" not in q.column_names
    assert q.column("Arrival date time").to_pylist() == ["yesterday"]  # a column the source reads: kept
    path = Path(ws.lake.root, ws.catalogue.get(r.dataset_id).lake_path, "quarantine.parquet")
    assert pq.read_schema(path).metadata[b"vrhub.columns_not_kept"] == b'["Triage nurse", "Bed"]'
    assert any("not stored" in w and "Triage nurse, Bed" in w for w in r.warnings)


def test_a_row_of_a_person_level_file_that_does_not_split_keeps_no_raw_text(ws: Workspace, tmp_path: Path) -> None:
    p = tmp_path / "istv-ragged.csv"
    body = csv_bytes(ISTV_HEADER, [istv_row()]) + b"01/01/2023,31/01/2023,SYN-TEST,too,few\n"
    p.write_bytes(body)
    [r] = ingest(ws, [p], istv.SOURCES).results
    assert r.ok and (r.rows_accepted, r.rows_quarantined) == (1, 1)
    [q] = ws.engine().quarantine(r.dataset_id).to_pyarrow().to_pylist()
    assert q["_source_row"] == 3 and q["_raw_text"] is None and q["_problems"]


def test_an_identifier_in_a_row_that_does_not_split_still_refuses_the_file(ws: Workspace, tmp_path: Path) -> None:
    p = tmp_path / "istv-ragged-id.csv"
    p.write_bytes(csv_bytes(ISTV_HEADER, [istv_row()]) + f"01/01/2023,SYN-TEST,{NHS}\n".encode())
    [r] = ingest(ws, [p], istv.SOURCES).results
    assert not r.ok and "in a row that does not split into the header's columns, on line(s) 3" in r.error
    assert nothing_stored(ws, "ed_istv")


def test_reference_numbers_are_judged_by_their_share_of_check_digit_passes(ws: Workspace, tmp_path: Path) -> None:
    header = ["Ambulance service", "Incident number", "Incident date time", "Incident LSOA", "Incident category"]
    base = {"Ambulance service": "SYN-SECAmb", "Incident date time": "06/01/2023 23:40",
            "Incident LSOA": "E01024000", "Incident category": "Assault"}
    rng = random.Random(7)
    incident_numbers = ["".join(rng.choice("0123456789") for _ in range(10)) for _ in range(300)]
    passing = sum(nhs_check_digit(n[:9]) == int(n[9]) and len(set(n)) > 1 for n in incident_numbers)
    assert passing > 0  # some random CAD numbers pass the NHS check by chance, and must not refuse the file
    r = load(ws, tmp_path / "ambulance-cad.csv", header, [base | {"Incident number": n} for n in incident_numbers],
             ambulance.SOURCES)
    assert r.ok and r.rows_accepted == 300
    # NHS numbers in the same column after the first 1,000 rows: too many passes to be chance
    nhs_numbers = [synthetic_nhs_number(100 + i) for i in range(100)]
    numbers = incident_numbers * 4 + nhs_numbers
    r = load(ws, tmp_path / "ambulance-nhs-as-incident.csv", header, [base | {"Incident number": n} for n in numbers],
             ambulance.SOURCES)
    expected = f"'Incident number' looks like NHS numbers: {4 * passing + 100} of its 1,300 ten-digit values pass"
    assert not r.ok and expected in r.error
    assert len(ws.catalogue.datasets("ambulance")) == 1  # only the first file


def test_a_mapped_file_to_a_person_level_target_is_scanned_on_every_row(ws: Workspace, tmp_path: Path) -> None:
    from vrhub.ingest.mapped import example_mapping, load_mapping, mapped_sources

    m = load_mapping(example_mapping())
    header = ("Period From,Period To,Arrival DT,Incident DT,Weapon Code,Weapon Notes,Place Code,Place Notes,Age Group,"
              "Gender Code,Patient LSOA\n")
    good = "01.03.2024,31.03.2024,02.03.2024 23.40,02.03.2024 23.05,W1,,P2,outside Chatham station,18-24,1,E01016016\n"
    late = f"01.03.2024,31.03.2024,02.03.2024 23.40,02.03.2024 23.05,W1,,P2,station,18-24,1,{NHS}\n"
    p = tmp_path / "mapped.csv"
    p.write_text(header + good * 1500 + late, encoding="utf-8")
    [r] = ingest(ws, [p], mapped_sources(m), kind=m.target.kind).results
    assert not r.ok and "column 'Patient LSOA' on line(s) 1502" in r.error
    assert nothing_stored(ws, "ed_istv")


def test_vrhub_quarantine_names_the_columns_it_did_not_keep(ws: Workspace, tmp_path: Path) -> None:
    import json

    from vrhub_testkit import run_cli

    r = load(ws, tmp_path / "istv-extra.csv", [*ISTV_HEADER, "Bed"],
             [istv_row(Arrival_date_time="yesterday") | {"Bed": "4"}])
    got = json.loads(run_cli("--home", str(ws.home), "quarantine", r.dataset_id, "--json").stdout)
    assert got["columns_not_kept"] == ["Bed"] and "Bed" not in got["rows"][0]
