"""The partner's pseudonymisation tool. Synthetic people only; keys made in the test."""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import os
import stat
import tracemalloc
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vrhub.domain import identifiers as ids
from vrhub.ingest import pseudonymise as ps

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
TODAY = date(2025, 1, 1)


def independent_hmac(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


JOHN_SMITH_2008 = "vrhub-pseudonym-v1|name_dob|john|smith|2008-03-12"


def nhs_number(stem: str) -> str:
    """A synthetic valid NHS number: the check digit by the modulus-11 rule, written out here (the stem's
    last digit moves on when a stem has no valid check digit)."""
    for bump in range(10):
        nine = stem[:8] + str((int(stem[8]) + bump) % 10)
        check = (11 - sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True)) % 11) % 11
        if check != 10:
            return nine + str(check)
    raise AssertionError("unreachable")


def key_file(folder: Path, content: bytes | str = KEY.hex(), name: str = "partnership.key") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    path.chmod(0o600)
    return path


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# ------------------------------------------------------------------ the pseudonym itself


def test_pseudonym_equals_an_independent_hmac() -> None:
    key = ps.PseudonymKey(KEY)
    assert key.pseudonym("nhs_number", "9434765919") == independent_hmac(
        KEY, "vrhub-pseudonym-v1|nhs_number|9434765919")
    assert key.pseudonym("name_dob", "john|smith|2008-03-12") == independent_hmac(
        KEY, "vrhub-pseudonym-v1|name_dob|john|smith|2008-03-12")


def test_same_key_same_pseudonym_other_key_other_pseudonym() -> None:
    a, b = ps.PseudonymKey(KEY), ps.PseudonymKey(bytes(KEY))
    assert a.pseudonym("upn", "B801200005001") == b.pseudonym("upn", "B801200005001")
    assert a.pseudonym("upn", "B801200005001") != ps.PseudonymKey(OTHER_KEY).pseudonym("upn", "B801200005001")
    assert a.pseudonym("upn", "X") != a.pseudonym("pnc_id", "X")  # kinds are separated
    assert a.fingerprint == b.fingerprint != ps.PseudonymKey(OTHER_KEY).fingerprint


def test_key_never_shows_in_repr() -> None:
    key = ps.PseudonymKey(KEY)
    assert KEY.hex() not in repr(key) and str(KEY) not in repr(key)


# ------------------------------------------------------------------ key files


def test_key_file_forms_hex_base64_and_raw_bytes_agree(tmp_path: Path) -> None:
    forms = [KEY.hex(), KEY.hex().upper() + "\n", base64.b64encode(KEY).decode() + "\n",
             base64.urlsafe_b64encode(KEY).decode(), KEY]
    prints = {ps.load_key(key_file(tmp_path, f, name=f"k{i}")).fingerprint for i, f in enumerate(forms)}
    assert prints == {ps.PseudonymKey(KEY).fingerprint}


@pytest.mark.parametrize("content,words", [
    (KEY[:31].hex(), "31 bytes"),
    (base64.b64encode(KEY[:16]).decode(), "16 bytes"),
    (KEY[:31], "31 bytes"),
    ("correct horse battery staple and more words", "passphrase"),
    ("00" * 32, "not random"),
    (b"", "0 bytes"),
])
def test_short_or_weak_keys_are_refused_with_how_to_make_one(tmp_path: Path, content: bytes | str,
                                                              words: str) -> None:
    with pytest.raises(ps.KeyFileError) as error:
        ps.load_key(key_file(tmp_path, content))
    assert words in str(error.value) and "vrhub pseudonymise-key PATH" in str(error.value)


def test_a_data_file_given_as_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ps.KeyFileError, match="too large"):
        ps.load_key(key_file(tmp_path, os.urandom(10_000)))


def test_generate_key_writes_0600_hex_and_never_overwrites(tmp_path: Path) -> None:
    path = ps.generate_key(tmp_path / "new.key")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text().strip()
    assert len(bytes.fromhex(text)) == 32
    assert ps.load_key(path).fingerprint
    with pytest.raises(ps.KeyFileError, match="never overwritten"):
        ps.generate_key(path)
    assert path.read_text().strip() == text
    assert ps.generate_key(tmp_path / "second.key").read_text() != path.read_text()


# ------------------------------------------------------------------ files

HEADER = ["NHS Number", "Forename", "Surname", "DOB", "Postcode", "Address", "incident_date", "offence"]


def people_rows() -> list[list[object]]:
    return [
        ["943 476 5919", "John", "Smith", "12/03/2008", "me14 1xx", "1 Synthetic Row", "2024-05-01",
         "Robbery"],
        ["9434765918", "Zoë", "O'Brien", "2009-07-30", "ME15 6AA", "2 Example Way", "01/05/2024", "Robbery"],
        ["", "Amy", "Jones", "31/02/2010", "XX", "3 Test Lane", "2024-05-03", "Violence with injury"],
        ["", "", "", "", "", "", "", "Robbery"],
    ]


def columns(**extra: object) -> ps.IdentifierColumns:
    base: dict[str, object] = dict(nhs_number="NHS Number", given_name="Forename", family_name="Surname",
                                   date_of_birth="DOB", postcode="Postcode", address="Address")
    return ps.IdentifierColumns(**(base | extra))  # type: ignore[arg-type]


def run(tmp_path: Path, rows: list[list[object]], header: list[str] = HEADER, **kw: object):
    source = write_csv(tmp_path / "data" / "in.csv", header, rows)
    target = tmp_path / "out" / "out.csv"
    target.parent.mkdir(exist_ok=True)
    report = ps.pseudonymise_file(source, target, key_file=key_file(tmp_path / "keys"),
                                  columns=kw.pop("columns", columns()), today=TODAY, **kw)  # type: ignore[arg-type]
    return report, read_csv(target)


def test_file_is_pseudonymised_as_documented(tmp_path: Path) -> None:
    report, out = run(tmp_path, people_rows(), columns=columns(age_at="incident_date"))
    assert list(out[0]) == ["person_id", "person_id_basis", "NHS Number_pseudonym", "name_dob_pseudonym",
                            "age_at_incident_date", "Postcode_district", "incident_date", "offence"]
    first, second, third, fourth = out
    assert first["person_id"] == independent_hmac(KEY, "vrhub-pseudonym-v1|nhs_number|9434765919")
    assert first["person_id_basis"] == "nhs_number"
    assert first["name_dob_pseudonym"] == independent_hmac(KEY, JOHN_SMITH_2008)
    assert (first["age_at_incident_date"], first["Postcode_district"]) == ("16", "ME14")
    # an invalid NHS number is reported, not hashed: the person falls back on name + date of birth
    assert second["NHS Number_pseudonym"] == ""
    assert second["person_id"] == independent_hmac(KEY, "vrhub-pseudonym-v1|name_dob|zoe|obrien|2009-07-30")
    assert (second["person_id_basis"], second["age_at_incident_date"]) == ("name_dob", "14")
    assert (third["person_id"], third["person_id_basis"], third["Postcode_district"]) == ("", "none", "")
    assert fourth["offence"] == "Robbery"
    assert report.rows_processed == 4
    assert report.person_id_basis == {"nhs_number": 1, "name_dob": 1, "none": 2}
    invalid = {bad.column: (bad.count, bad.first_rows) for bad in report.invalid}
    assert invalid == {"NHS Number": (1, [3]), "DOB": (1, [4]), "Postcode": (1, [4])}
    assert report.columns["Address"] == "removed"
    assert report.key_fingerprint == ps.PseudonymKey(KEY).fingerprint


def test_report_never_contains_identifier_values_or_the_key(tmp_path: Path) -> None:
    report, _ = run(tmp_path, people_rows())
    text = report.to_text() + repr(report.to_dict())
    for row in people_rows():
        for value in row[:6]:
            if value:
                assert str(value) not in text
    assert KEY.hex() not in text


def test_same_person_spelled_differently_links_across_partners(tmp_path: Path) -> None:
    police = write_csv(tmp_path / "a" / "police.csv", ["Name", "Date of birth", "crime"],
                       [["SMITH, John", "12-MAR-08", "robbery"]])
    health = write_csv(tmp_path / "b" / "ed.csv", ["first", "last", "dob", "arrival"],
                       [["  john ", "smith", "2008-03-12", "2024-05-01 14:22"]])
    key = key_file(tmp_path / "keys")
    (tmp_path / "out").mkdir()
    ps.pseudonymise_file(police, tmp_path / "out" / "p.csv", key_file=key, today=TODAY,
                         columns=ps.IdentifierColumns(full_name="Name", date_of_birth="Date of birth"))
    ps.pseudonymise_file(health, tmp_path / "out" / "h.csv", key_file=key, today=TODAY,
                         columns=ps.IdentifierColumns(given_name="first", family_name="last",
                                                      date_of_birth="dob", age_at="arrival"))
    p, h = read_csv(tmp_path / "out" / "p.csv")[0], read_csv(tmp_path / "out" / "h.csv")[0]
    assert p["person_id"] == h["person_id"] == independent_hmac(KEY, JOHN_SMITH_2008)
    assert h["age_at_arrival"] == "16"


def test_runs_are_deterministic_and_keys_differ(tmp_path: Path) -> None:
    _, first = run(tmp_path / "one", people_rows())
    _, again = run(tmp_path / "two", people_rows())
    assert first == again
    source = tmp_path / "one" / "data" / "in.csv"
    other = key_file(tmp_path / "other", OTHER_KEY.hex())
    ps.pseudonymise_file(source, tmp_path / "three.csv", key_file=other, columns=columns(), today=TODAY)
    changed = read_csv(tmp_path / "three.csv")
    assert changed[0]["person_id"] and changed[0]["person_id"] != first[0]["person_id"]
    assert changed[0]["offence"] == first[0]["offence"]


def test_upn_pnc_and_extra_columns_and_basis_order(tmp_path: Path) -> None:
    header = ["upn", "pnc", "case_ref", "phone", "notes"]
    rows = [["b801200005001", "79/163001B", " ab-12 ", "07700 900123", "synthetic"],
            ["", "1979/0163001B", "AB-12", "", ""],
            ["A801200005001", "", "", "", ""]]
    cols = ps.IdentifierColumns(upn="upn", pnc_id="pnc", pseudonymise="case_ref", remove="phone")
    report, out = run(tmp_path, rows, header=header, columns=cols)
    assert list(out[0]) == ["person_id", "person_id_basis", "upn_pseudonym", "pnc_pseudonym",
                            "case_ref_pseudonym", "notes"]
    assert out[0]["person_id"] == independent_hmac(KEY, "vrhub-pseudonym-v1|upn|B801200005001")
    assert out[1]["person_id"] == out[0]["pnc_pseudonym"] == independent_hmac(
        KEY, "vrhub-pseudonym-v1|pnc_id|79/0163001B")
    assert out[0]["case_ref_pseudonym"] == out[1]["case_ref_pseudonym"] == independent_hmac(
        KEY, "vrhub-pseudonym-v1|text|ab-12")
    assert out[2]["person_id_basis"] == "none"
    assert [(b.column, b.first_rows) for b in report.invalid] == [("upn", [4])]


def test_address_can_be_kept_as_a_pseudonym(tmp_path: Path) -> None:
    _, out = run(tmp_path, people_rows(), columns=columns(pseudonymise_address=True))
    assert out[0]["Address_pseudonym"] == independent_hmac(KEY, "vrhub-pseudonym-v1|address|1 synthetic row")


def test_xlsx_with_date_and_number_cells(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([9434765919, "John", "Smith", datetime(2008, 3, 12), "ME14 1XX", "1 Synthetic Row",
                  datetime(2024, 5, 1, 14, 30), "Robbery"])
    sheet.append([None] * 8)
    sheet.append([None, "Isla", "Brown", datetime(2010, 1, 2), "CT9 1AA", None, datetime(2024, 5, 2),
                  "Robbery"])
    (tmp_path / "data").mkdir()
    book.save(tmp_path / "data" / "in.xlsx")
    (tmp_path / "out").mkdir()
    report = ps.pseudonymise_file(tmp_path / "data" / "in.xlsx", tmp_path / "out" / "out.csv",
                                  key_file=key_file(tmp_path / "keys"),
                                  columns=columns(age_at="incident_date"), today=TODAY)
    out = read_csv(tmp_path / "out" / "out.csv")
    assert out[0]["person_id"] == independent_hmac(KEY, "vrhub-pseudonym-v1|nhs_number|9434765919")
    assert out[0]["incident_date"] == "2024-05-01 14:30:00"
    assert out[1]["person_id"] == independent_hmac(KEY, "vrhub-pseudonym-v1|name_dob|isla|brown|2010-01-02")
    assert (out[1]["age_at_incident_date"], out[1]["Postcode_district"]) == ("14", "CT9")
    assert (report.rows_processed, report.blank_rows_skipped) == (2, 1)


def test_large_csv_streams_in_little_memory(tmp_path: Path) -> None:
    rows = 5_000
    source = tmp_path / "data" / "big.csv"
    source.parent.mkdir()
    padding = "synthetic free text " * 30  # wide rows: a file large next to what streaming keeps
    with open(source, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*HEADER, "notes"])
        for i in range(rows):
            writer.writerow([nhs_number(f"4{i:08d}") if i % 11 else "", "Synthetic", f"Person{i % 97}",
                             f"{1 + i % 28:02d}/{1 + i % 12:02d}/{1990 + i % 30}", "ME14 1XX",
                             f"{i} Long Synthetic Road, Somewhere, Kent", "2024-05-01", "Robbery",
                             padding + str(i)])
    size = source.stat().st_size
    (tmp_path / "out").mkdir()
    key = key_file(tmp_path / "keys")
    tracemalloc.start()
    try:
        report = ps.pseudonymise_file(source, tmp_path / "out" / "big.csv", key_file=key, columns=columns(),
                                      today=TODAY)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.rows_processed == rows
    with open(tmp_path / "out" / "big.csv") as handle:
        assert sum(1 for _ in handle) == rows + 1
    # holding every row would take more than the file's size; streaming keeps one row (and the first
    # 1,000 output rows for the final identifier check)
    assert peak < size / 2, (peak, size)


def test_failed_run_leaves_no_output_and_no_partial_file(tmp_path: Path) -> None:
    rows = [*people_rows(), ["1", "2", "3", "4", "5", "6", "7", "8", "extra"]]
    with pytest.raises(ps.PseudonymisationError, match="row 6 has 9 cells"):
        run(tmp_path, rows)
    assert list((tmp_path / "out").iterdir()) == []


def test_refusals(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "data" / "in.csv", HEADER, people_rows())
    out = tmp_path / "out"
    out.mkdir()
    good_key = key_file(tmp_path / "keys")
    beside = key_file(out, name="k.key")
    with pytest.raises(ps.KeyFileError, match="output's folder"):
        ps.pseudonymise_file(source, out / "o.csv", key_file=beside, columns=columns())
    with pytest.raises(ps.PseudonymisationError, match="not in the file's header") as error:
        ps.pseudonymise_file(source, out / "o.csv", key_file=good_key,
                             columns=columns(nhs_number="nhs number"))
    assert "did you mean 'NHS Number'" in str(error.value)
    with pytest.raises(ps.PseudonymisationError, match="needs a family-name"):
        ps.pseudonymise_file(source, out / "o.csv", key_file=good_key,
                             columns=ps.IdentifierColumns(given_name="Forename"))
    (out / "o.csv").write_text("already here")
    with pytest.raises(ps.PseudonymisationError, match="already exists"):
        ps.pseudonymise_file(source, out / "o.csv", key_file=good_key, columns=columns())
    assert (out / "o.csv").read_text() == "already here"
    with pytest.raises(ps.KeyFileError, match="no key file"):
        ps.pseudonymise_file(source, out / "p.csv", key_file=tmp_path / "missing.key", columns=columns())


def test_key_below_the_output_folder_or_readable_by_others_is_warned(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "data" / "in.csv", HEADER, people_rows())
    key = key_file(tmp_path / "out" / "secrets")
    key.chmod(0o644)
    report = ps.pseudonymise_file(source, tmp_path / "out" / "o.csv", key_file=key, columns=columns())
    assert any("sub-folder of the output" in w for w in report.warnings)
    assert any("chmod 600" in w for w in report.warnings)


def test_guessed_columns_and_left_over_identifiers_are_warned(tmp_path: Path) -> None:
    guessed = ps.IdentifierColumns.guess([*HEADER, "E-mail", "Home Post Code", "school_name"])
    assert (guessed.nhs_number, guessed.given_name, guessed.family_name, guessed.date_of_birth) == (
        "NHS Number", "Forename", "Surname", "DOB")
    assert guessed.postcode == ("Postcode", "Home Post Code")
    assert (guessed.address, guessed.remove) == (("Address",), ("E-mail",))
    header = ["ref", "Forename", "Surname", "DOB"]
    rows = [[nhs_number(f"4{i:08d}"), "Oliver", "Smith", "01/02/2003"] for i in range(1, 12) if i % 11]
    report, out = run(tmp_path, rows, header=header,
                      columns=ps.IdentifierColumns(given_name="Forename", family_name="Surname",
                                                   date_of_birth="DOB"))
    assert out[0]["ref"] == rows[0][0]
    assert any("'ref' looks like NHS numbers" in w for w in report.warnings)


# ------------------------------------------------------------------ property: nothing leaks

names = st.text(alphabet="ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=12)
person = st.fixed_dictionaries({
    "nhs": st.integers(400_000_000, 799_999_999).map(str).map(nhs_number),
    "given": names, "family": names,
    "dob": st.dates(date(1920, 1, 1), date(2020, 12, 31)),
    "postcode": st.sampled_from(["ME14 1XX", "CT9 1AA", "DA1 2EZ", "TN23 4QP", "ME7 5NY"]),
    "upn": st.integers(0, 10**11 - 1).map(lambda n: f"{n:011d}1").map(lambda b: ids.upn_check_letter(b) + b),
})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(person, min_size=1, max_size=8))
def test_output_never_contains_an_input_identifier(people: list[dict]) -> None:
    header = ["nhs", "given", "family", "dob", "postcode", "upn", "event"]
    rows = [[p["nhs"], p["given"], p["family"], p["dob"].strftime("%d/%m/%Y"), p["postcode"], p["upn"],
             "2024-06-01"] for p in people]
    cols = ps.IdentifierColumns(nhs_number="nhs", given_name="given", family_name="family",
                                date_of_birth="dob", postcode="postcode", upn="upn", age_at="event")
    out = list(ps.pseudonymise_rows(header, rows, cols, ps.PseudonymKey(KEY), today=TODAY))
    derived = [i for i, h in enumerate(out[0]) if h not in ("person_id_basis", "event")]
    text = "\n".join(",".join(r[i] for i in derived) for r in out[1:]).casefold()
    for p, row in zip(people, rows, strict=True):
        for value in (p["nhs"], p["given"], p["family"], p["dob"].isoformat(), row[3], p["postcode"],
                      p["postcode"].replace(" ", ""), p["upn"]):
            assert value.casefold() not in text
    assert all(ids.is_pseudonym(r[0]) for r in out[1:])
    assert ids.detect_identifiers_in_clear({h: [r[i] for r in out[1:]] for i, h in enumerate(out[0])}) == []


def test_byte_order_mark_is_read_and_other_encodings_are_explained(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "out").mkdir()
    key = key_file(tmp_path / "keys")
    text = "NHS Number,offence\n943 476 5919,Robbery\n"
    (tmp_path / "data" / "bom.csv").write_bytes(text.encode("utf-8-sig"))
    cols = ps.IdentifierColumns(nhs_number="NHS Number")
    report = ps.pseudonymise_file(tmp_path / "data" / "bom.csv", tmp_path / "out" / "bom.csv", key_file=key,
                                  columns=cols)
    assert report.rows_processed == 1
    ansi = "NHS Number,offence\n943 476 5919,Zoë's bike\n".encode("cp1252")
    (tmp_path / "data" / "ansi.csv").write_bytes(ansi)
    with pytest.raises(ps.PseudonymisationError, match="not utf-8-sig text") as error:
        ps.pseudonymise_file(tmp_path / "data" / "ansi.csv", tmp_path / "out" / "ansi.csv", key_file=key,
                             columns=cols)
    assert "cp1252" in str(error.value)
    assert not (tmp_path / "out" / "ansi.csv").exists()
    ps.pseudonymise_file(tmp_path / "data" / "ansi.csv", tmp_path / "out" / "ansi.csv", key_file=key,
                         columns=cols, encoding="cp1252")
    assert read_csv(tmp_path / "out" / "ansi.csv")[0]["offence"] == "Zoë's bike"
