"""Identifier validation, normalisation and detection. Synthetic people only.

Published reference values: NHS number 943 476 5919 (NHS Digital's example); UPN B801200005001 (python-stdnum
documentation); PNC ids 2001/0171310W, 2011/0275516Q, 2008/0056560Z, 2003/0062845E, 1981/0154257C,
20030011985X and the short form 79/163001B = 1979/0163001B (Ministry of Justice hmpps-person-record tests).
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vrhub.domain import identifiers as ids


def independent_nhs_ok(number: str) -> bool:
    """A valid NHS number has weights 10..1 summing to 0 mod 11 (the check digit is the weight-1 term),
    and no stem whose check would be 10."""
    stem_sum = sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1), strict=True))
    return (11 - stem_sum % 11) % 11 != 10 and sum(
        int(d) * w for d, w in zip(number, range(10, 0, -1), strict=True)) % 11 == 0


def make_nhs(stem: str) -> str:
    """A synthetic valid NHS number from a nine-digit stem (search the last stem digit if needed)."""
    for last in range(10):
        for check in range(10):
            number = f"{stem[:8]}{(int(stem[8]) + last) % 10}{check}"
            if independent_nhs_ok(number) and len(set(number)) > 1:
                return number
    raise AssertionError("unreachable")


# ------------------------------------------------------------------ NHS number


def test_published_nhs_number_is_valid_in_any_spacing() -> None:
    for text in ("9434765919", "943 476 5919", "943-476-5919", " 943 476 5919 ", 9434765919, 9434765919.0):
        assert ids.normalise_nhs_number(text) == ids.Normalised("9434765919")
    assert ids.nhs_check_digit("943476591") == 9


@pytest.mark.parametrize("text,problem", [
    ("9434765918", "check digit is wrong"),
    ("943476591", "not 10 digits"),
    ("94347659190", "not 10 digits"),
    ("94347A5919", "not 10 digits"),
    ("0000000000", "placeholder"),
    ("1111111111", "placeholder"),
])
def test_invalid_nhs_numbers_are_reported_without_the_value(text: str, problem: str) -> None:
    result = ids.normalise_nhs_number(text)
    assert result.value is None and problem in result.problem
    assert text not in result.problem


def test_stem_with_check_ten_has_no_valid_number() -> None:
    stem = next(f"99900{i:04d}" for i in range(10_000)
                if (11 - sum(int(d) * w for d, w in zip(f"99900{i:04d}", range(10, 1, -1), strict=True)) % 11)
                == 10)
    assert ids.nhs_check_digit(stem) is None
    for check in range(10):
        assert not ids.is_valid_nhs_number(stem + str(check))


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_nhs_check_digit_agrees_with_an_independent_rule(stem: str) -> None:
    for check in range(10):
        number = stem + str(check)
        expected = independent_nhs_ok(number) and len(set(number)) > 1
        assert ids.is_valid_nhs_number(number) == expected


def test_empty_nhs_cell_is_missing_not_invalid() -> None:
    for empty in ("", "  ", None):
        assert ids.normalise_nhs_number(empty).missing


# ------------------------------------------------------------------ UPN


def test_published_upn_is_valid_and_a_wrong_letter_is_not() -> None:
    assert ids.normalise_upn(" b801 2000 05001") == ids.Normalised("B801200005001")
    assert "check letter" in ids.normalise_upn("A801200005001").problem


def test_temporary_upn_check_letter_by_hand() -> None:
    # body 80120000500A: weights 2..13; the final 'A' counts 0.
    body = "80120000500A"
    total = 8 * 2 + 0 * 3 + 1 * 4 + 2 * 5 + 5 * 10 + 0 * 13
    letter = "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23]
    assert ids.upn_check_letter(body) == letter
    assert ids.normalise_upn(letter + body).ok
    assert not ids.normalise_upn(letter + "80120000500I").ok  # I is never used


@pytest.mark.parametrize("text", ["B80120000500", "B8012000050011", "1801200005001", "B80120A005001"])
def test_malformed_upns(text: str) -> None:
    assert ids.normalise_upn(text).problem


# ------------------------------------------------------------------ PNC id


@pytest.mark.parametrize("text", ["2001/0171310W", "2011/0275516Q", "2008/0056560Z", "2003/0062845E",
                                  "1981/0154257C", "20030011985X"])
def test_published_pnc_ids_are_valid(text: str) -> None:
    assert ids.normalise_pnc_id(text).ok


@pytest.mark.parametrize("text", ["20030011985Z", "20120052494O", "2001/0171310S", "garbage", "xx/123456Z"])
def test_invalid_pnc_ids(text: str) -> None:
    assert ids.normalise_pnc_id(text).problem


def test_pnc_short_and_long_forms_have_one_canonical_form() -> None:
    forms = ["79/163001B", "1979/0163001B", "19790163001B", "79163001B", " 79/163001b "]
    assert {ids.normalise_pnc_id(f).value for f in forms} == {"79/0163001B"}
    assert ids.normalise_pnc_id("1980/0163001B").problem  # another year: the check letter no longer fits


# ------------------------------------------------------------------ names


@pytest.mark.parametrize("full", ["Smith, John", "john  smith", "JOHN SMITH", "SMITH John", "Mr John Smith",
                                  "Smith,John Paul", "John Paul Smith"])
def test_spellings_of_one_name_agree(full: str) -> None:
    assert ids.normalise_full_name(full) == ids.Normalised("john|smith")


def test_given_and_family_columns_agree_with_a_full_name() -> None:
    assert ids.normalise_person_name("  John ", "SMITH ") == ids.normalise_full_name("Smith, John")
    zoe = ids.normalise_person_name("Zoë", "O'Brien-Núñez")
    assert zoe == ids.normalise_person_name("ZOE", "obrien nunez")
    assert ids.normalise_person_name("Mary-Jane", "Smith Jones").value == "mary|smithjones"


@pytest.mark.parametrize("a,b", [("Jon Smith", "John Smith"), ("John Smith", "John Smyth"),
                                 ("Paul Smith", "John Smith")])
def test_different_names_stay_different(a: str, b: str) -> None:
    assert ids.normalise_full_name(a) != ids.normalise_full_name(b)


def test_one_word_or_no_letters_is_reported() -> None:
    assert "one word" in ids.normalise_full_name("Smith").problem
    assert ids.normalise_person_name("123", "Smith").problem == "no given name"
    assert ids.normalise_person_name("", "").missing


# ------------------------------------------------------------------ dates and ages


@pytest.mark.parametrize("text", ["12/03/2008", "12/3/2008", "2008-03-12", "12-03-2008", "12.03.2008",
                                  "12/03/08", "12-MAR-08", "12 March 2008", "12th Mar 2008", "20080312",
                                  "2008-03-12T00:00:00", "12/03/2008 00:00", "2008/03/12"])
def test_uk_date_formats(text: str) -> None:
    assert ids.parse_uk_date(text, pivot_year=2025) == date(2008, 3, 12)


def test_dates_are_day_first_and_impossible_dates_are_none() -> None:
    assert ids.parse_uk_date("03/12/2008") == date(2008, 12, 3)
    for bad in ("31/02/2008", "2008-13-01", "12/Foo/2008", "yesterday", "39520"):
        assert ids.parse_uk_date(bad) is None


def test_two_digit_years_pivot_on_the_reference_year() -> None:
    assert ids.parse_uk_date("01/01/25", pivot_year=2025) == date(2025, 1, 1)
    assert ids.parse_uk_date("01/01/26", pivot_year=2025) == date(1926, 1, 1)


def test_date_and_datetime_cells() -> None:
    assert ids.normalise_date_of_birth(datetime(2008, 3, 12, 0, 0)).value == "2008-03-12"
    assert ids.normalise_date_of_birth(date(2008, 3, 12)).value == "2008-03-12"


def test_future_and_ancient_dates_of_birth_are_reported() -> None:
    today = date(2025, 1, 1)
    assert "future" in ids.normalise_date_of_birth("02/01/2025", today=today).problem
    assert "1900" in ids.normalise_date_of_birth("31/12/1899", today=today).problem


def test_age_in_whole_years() -> None:
    born = date(2008, 3, 12)
    assert ids.age_in_whole_years(born, date(2024, 3, 11)) == 15
    assert ids.age_in_whole_years(born, date(2024, 3, 12)) == 16
    leap = date(2008, 2, 29)
    assert ids.age_in_whole_years(leap, date(2025, 2, 28)) == 16
    assert ids.age_in_whole_years(leap, date(2025, 3, 1)) == 17
    with pytest.raises(ValueError):
        ids.age_in_whole_years(born, date(2008, 3, 11))


# ------------------------------------------------------------------ postcodes


@pytest.mark.parametrize("text,full,district", [
    ("me14 1xx", "ME14 1XX", "ME14"), ("ME141XX", "ME14 1XX", "ME14"), ("ec1a 1bb", "EC1A 1BB", "EC1A"),
    ("W1A 0AX", "W1A 0AX", "W1A"), ("m1 1ae", "M1 1AE", "M1"), ("GIR0AA", "GIR 0AA", "GIR"),
    ("CT9 1AA", "CT9 1AA", "CT9"),
])
def test_postcodes_and_districts(text: str, full: str, district: str) -> None:
    assert ids.normalise_postcode(text).value == full
    assert ids.postcode_district(text).value == district


def test_district_alone_is_kept_and_bad_postcodes_reported() -> None:
    assert ids.postcode_district(" me14 ").value == "ME14"
    assert ids.normalise_postcode("ME14").problem
    for bad in ("QA1 1AA", "ME14 1CX", "XX", "12345"):  # Q never first; C never in the inward code
        assert ids.postcode_district(bad).problem


# ------------------------------------------------------------------ detection


def synthetic_people(n: int) -> dict[str, list[object]]:
    given_names = ["Oliver", "Amelia", "Jack", "Isla", "Harry", "Ava", "George", "Mia"]
    family_names = ["Smith", "Jones", "Taylor", "Brown", "Patel", "Khan", "Evans", "Walker"]
    return {
        "nhs": [make_nhs(f"999{i:06d}") for i in range(n)],
        "forename": [given_names[i % 8] for i in range(n)],
        "family": [family_names[(i * 3) % 8] for i in range(n)],
        "birth": [date(1960 + (i * 7) % 50, 1 + i % 12, 1 + i % 28).strftime("%d/%m/%Y") for i in range(n)],
        "home": [f"ME{14 + i % 5} {i % 10}A{'BDEFG'[i % 5]}" for i in range(n)],
        "contact": [f"person{i}@example.org" for i in range(n)],
        "mobile": [f"07700 900{i:03d}" for i in range(n)],
        "district": [f"ME{14 + i % 5}" for i in range(n)],
        "offence": ["Violence with injury", "Robbery"] * (n // 2),
        "event": [date(2024, 1 + i % 12, 1 + i % 28).isoformat() for i in range(n)],
    }


def patterns(findings: list[ids.Finding]) -> dict[str, str]:
    return {f.column: f.pattern for f in findings if f.pattern != "date_of_birth"}


def test_detection_flags_each_kind_of_clear_identifier() -> None:
    table = synthetic_people(40)
    found = patterns(ids.detect_identifiers_in_clear(table))
    assert found == {"nhs": "nhs_number", "home": "full_postcode", "contact": "email",
                     "mobile": "phone_number", "forename": "name_with_date_of_birth",
                     "family": "name_with_date_of_birth"}
    pair = next(f for f in ids.detect_identifiers_in_clear(table) if f.column == "forename")
    assert pair.related_column == "birth" and pair.share == 1.0 and pair.cells_checked == 40
    assert "vrhub pseudonymise" in pair.message


def test_names_without_dates_of_birth_are_flagged_only_by_header() -> None:
    table = synthetic_people(40)
    del table["birth"]
    found = patterns(ids.detect_identifiers_in_clear(table))
    assert found.get("forename") == "person_name"  # its header says so
    assert "family" not in found  # names by their values alone need a date of birth beside them
    renamed = {"Surname": table["family"], "offence": table["offence"]}
    assert patterns(ids.detect_identifiers_in_clear(renamed)) == {"Surname": "person_name"}


def test_dob_header_is_flagged_and_event_dates_are_not_births() -> None:
    table = synthetic_people(40)
    found = ids.detect_identifiers_in_clear({"DOB": table["birth"], "event": table["event"]})
    assert [(f.column, f.pattern) for f in found] == [("DOB", "date_of_birth")]
    found = ids.detect_identifiers_in_clear({"name": table["forename"], "event": table["event"]})
    assert [(f.column, f.pattern) for f in found] == [("name", "person_name")]


def test_minority_of_matches_is_not_flagged() -> None:
    nhs = synthetic_people(10)["nhs"]
    column = nhs[:4] + ["unknown"] * 6
    assert ids.detect_identifiers_in_clear({"ref": column}) == []
    found = ids.detect_identifiers_in_clear({"ref": nhs[:6] + ["x"] * 4})
    assert [f.pattern for f in found] == ["nhs_number"]


def test_pseudonyms_and_districts_are_never_flagged() -> None:
    import hashlib

    hexes = [hashlib.sha256(f"synthetic {i}".encode()).hexdigest() for i in range(50)]
    # hex text that begins like a postcode ("a11ab…") must not count as one either
    hexes += ["a11ab" + h[5:] for h in hexes[:10]]
    table = {"person_id": hexes, "nhs_pseudonym": hexes, "name_dob_pseudonym": hexes,
             "postcode_district": [f"ME{14 + i % 5}" for i in range(60)],
             "person_id_basis": ["nhs_number"] * 60}
    declared = ["person_id", "nhs_pseudonym"]
    assert ids.detect_identifiers_in_clear(table, declared_identifier_columns=declared) == []


def test_declared_identifier_columns_must_hold_pseudonyms_only() -> None:
    import hashlib

    column = [hashlib.sha256(b"x").hexdigest()] * 9 + ["Oliver Smith"]
    found = ids.detect_identifiers_in_clear({"person_id": column}, declared_identifier_columns=["person_id"])
    assert [(f.pattern, f.share) for f in found] == [("declared_identifier_in_clear", 0.1)]
    assert "Oliver" not in found[0].message


def test_detection_reads_arrow_and_pandas_tables_and_never_reports_values() -> None:
    table = synthetic_people(20)
    arrow = pa.table({k: [str(v) for v in vs] for k, vs in table.items()})
    frame = pd.DataFrame(table)
    as_dict = {(f.column, f.pattern) for f in ids.detect_identifiers_in_clear(table)}
    assert {(f.column, f.pattern) for f in ids.detect_identifiers_in_clear(arrow)} == as_dict
    assert {(f.column, f.pattern) for f in ids.detect_identifiers_in_clear(frame)} == as_dict
    text = " ".join(f.message for f in ids.detect_identifiers_in_clear(table))
    for values in table.values():
        for v in values:
            if len(str(v)) > 5:
                assert str(v) not in text


def test_nhs_numbers_stored_as_integers_are_detected() -> None:
    numbers = [int(n) for n in synthetic_people(10)["nhs"]]
    assert [f.pattern for f in ids.detect_identifiers_in_clear(pa.table({"id": numbers}))] == ["nhs_number"]


def test_sample_size_limits_the_rows_read() -> None:
    column = ["unknown"] * 10 + synthetic_people(30)["nhs"]
    assert ids.detect_identifiers_in_clear({"id": column}, sample_size=10) == []
    assert ids.detect_identifiers_in_clear({"id": column}, sample_size=40) != []


def test_real_kent_police_data_raises_no_false_alarm() -> None:
    """police.uk street crimes (real, shipped): Crime IDs are 64-hex hashes, locations are map points."""
    import zipfile
    from pathlib import Path

    import vrhub

    archive = Path(vrhub.__file__).parent / "data" / "kent" / "police-uk" / "kent-street-2018-10_2019-02.zip"
    with zipfile.ZipFile(archive) as zf:
        member = next(n for n in zf.namelist() if n.endswith("street.csv"))
        frame = pd.read_csv(zf.open(member), dtype=str, nrows=2000)
    assert len(frame) > 1000
    assert ids.detect_identifiers_in_clear(frame) == []
    # the same table with one column of clear NHS numbers is caught
    frame["Context"] = [make_nhs(f"999{i:06d}") for i in range(len(frame))]
    found = ids.detect_identifiers_in_clear(frame)
    assert [(f.column, f.pattern) for f in found] == [("Context", "nhs_number")]
