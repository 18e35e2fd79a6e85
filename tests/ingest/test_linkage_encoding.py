"""Linkage encodings at source (vrhub pseudonymise --linkage): keyed, error-tolerant, nothing in clear."""

from __future__ import annotations

import csv
import hashlib
import hmac

import jellyfish
import pytest

from vrhub.ingest.linkage_encoding import (
    BLOOM_BITS,
    BLOOM_HASHES,
    LINKAGE_COLUMNS,
    LK_HEX_DIGITS,
    LinkageEncoder,
    dice,
    postcode_sector,
)
from vrhub.ingest.pseudonymise import IdentifierColumns, PseudonymKey, pseudonymise_file

KEY = PseudonymKey(bytes(range(32)))
OTHER_KEY = PseudonymKey(bytes(range(1, 33)))


def _row(encoder: LinkageEncoder, *args: object) -> dict[str, str]:
    return dict(zip(LINKAGE_COLUMNS, encoder.encode(*args), strict=True))


def test_hashes_are_hmac_of_the_normalised_value_truncated():
    row = _row(LinkageEncoder(KEY), "  Mr JOHN Paul", "Smith-Jones", "2009-03-07", "M", "me14 1xx")
    def expected(field: str, value: str) -> str:  # independent HMAC computation (RFC 2104)
        msg = f"vrhub-pseudonym-v1|lk_{field}|{value}".encode()
        return hmac.new(bytes(range(32)), msg, hashlib.sha256).hexdigest()[:LK_HEX_DIGITS]
    assert row["lk_given"] == expected("name", "john")
    assert row["lk_family"] == expected("name", "smithjones")
    assert row["lk_family_soundex"] == expected("family_soundex", jellyfish.soundex("smithjones"))
    assert row["lk_given_metaphone"] == expected("given_metaphone", jellyfish.metaphone("john"))
    assert row["lk_dob"] == expected("dob", "2009-03-07")
    assert (row["lk_dob_year"], row["lk_dob_month"], row["lk_dob_day"]) == (
        expected("dob_year", "2009"), expected("dob_day_month", "3"), expected("dob_day_month", "7"))
    assert row["lk_sex"] == expected("sex", "male")
    assert row["lk_postcode_sector"] == expected("postcode_sector", "ME14 1")


def test_bloom_filter_is_a_keyed_clk_of_name_bigrams():
    enc = LinkageEncoder(KEY)
    bf = enc.bloom("ann", "lee")
    assert len(bf) == BLOOM_BITS // 4
    # independent construction: 4 + 4 tagged bigrams, BLOOM_HASHES 10-bit positions from each HMAC digest
    base = hmac.new(bytes(range(32)), b"vrhub-pseudonym-v1|lk_bloom|", hashlib.sha256)
    bits = 0
    for gram in ("g_a", "gan", "gnn", "gn_", "f_l", "fle", "fee", "fe_"):
        mac = base.copy()
        mac.update(gram.encode())
        d = int.from_bytes(mac.digest(), "big")
        for i in range(BLOOM_HASHES):
            bits |= 1 << ((d >> (10 * i)) & 1023)
    assert int(bf, 16) == bits
    assert enc.bloom("", "") == ""
    assert LinkageEncoder(OTHER_KEY).bloom("ann", "lee") != bf  # the key matters


def test_dice_tolerates_typing_errors_but_not_other_names():
    enc = LinkageEncoder(KEY)
    same = dice(enc.bloom("jonathan", "richardson"), enc.bloom("jonathan", "richardson"))
    typo = dice(enc.bloom("jonathan", "richardson"), enc.bloom("jonathon", "richardsen"))
    other = dice(enc.bloom("jonathan", "richardson"), enc.bloom("amira", "patel"))
    assert same == 1.0
    assert 0.7 < typo < 1.0
    assert other < 0.4
    assert dice("", enc.bloom("a", "b")) == 0.0


def test_phonetic_codes_agree_for_spelling_variants():
    enc = LinkageEncoder(KEY)
    a, b = _row(enc, "Jon", "Smyth", None), _row(enc, "John", "Smith", None)
    assert a["lk_given"] != b["lk_given"] and a["lk_given_metaphone"] == b["lk_given_metaphone"]
    assert a["lk_family"] != b["lk_family"] and a["lk_family_soundex"] == b["lk_family_soundex"]
    assert a["lk_dob"] == a["lk_dob_year"] == ""


def test_postcode_sector():
    assert postcode_sector("me141xx") == "ME14 1"
    assert postcode_sector("CT1 2AB") == "CT1 2"
    assert postcode_sector("ME14") == ""


@pytest.fixture
def key_file(tmp_path):
    folder = tmp_path / "keys"
    folder.mkdir()
    path = folder / "key"
    path.write_text(bytes(range(32)).hex())
    path.chmod(0o600)
    return path


def test_pseudonymise_linkage_file(tmp_path, key_file):
    data = tmp_path / "data"
    data.mkdir()
    src = data / "in.csv"
    src.write_text("Forename,Surname,DOB,Gender,Postcode,Offence\n"
                   "Amira,Patel,07/03/2009,F,ME14 1XX,Robbery\n"
                   "Jon,Smyth,not a date,M,,Theft\n")
    out = data / "out.csv"
    report = pseudonymise_file(src, out, key_file=key_file, linkage=True, sex="Gender")
    rows = list(csv.DictReader(out.open()))
    assert set(LINKAGE_COLUMNS) <= set(rows[0]) and report.parameters["linkage"] is True
    text = out.read_text().casefold()
    for clear in ("amira", "patel", "smyth", "07/03/2009", "me14 1xx"):  # the district ME14 is kept, by design
        assert clear not in text
    assert rows[0]["Gender"] == "F" and rows[0]["Offence"] == "Robbery"
    assert rows[0]["lk_dob"] and rows[1]["lk_dob"] == ""  # an invalid date gives no date encodings
    assert rows[1]["lk_postcode_sector"] == ""
    assert report.invalid and report.invalid[0].column == "DOB" and report.invalid[0].first_rows == [3]
    # same person, same key, another partner's layout (one full-name column): same encodings
    other = data / "other.csv"
    other.write_text("Name,Date of birth,Sex,Post code\nPATEL Amira,2009-03-07,Female,me141xx\n")
    out2 = data / "out2.csv"
    pseudonymise_file(other, out2, key_file=key_file, linkage=True, sex="Sex",
                      columns=IdentifierColumns(full_name="Name", date_of_birth="Date of birth",
                                                postcode=("Post code",)))
    row2 = next(csv.DictReader(out2.open()))
    assert all(row2[c] == rows[0][c] for c in LINKAGE_COLUMNS)


def test_linkage_needs_names(tmp_path, key_file):
    from vrhub.ingest.pseudonymise import PseudonymisationError

    data = tmp_path / "data"
    data.mkdir()
    src = data / "in.csv"
    src.write_text("UPN,DOB\nA123,01/01/2010\n")
    with pytest.raises(PseudonymisationError, match="linkage encodings need the name"):
        pseudonymise_file(src, data / "out.csv", key_file=key_file, linkage=True,
                          columns=IdentifierColumns(upn="UPN", date_of_birth="DOB"))
