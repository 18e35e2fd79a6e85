"""Vectorised identifier masks and free-text redaction, against an independent modulus-11 rule and hand-made cells."""

from __future__ import annotations

import random

import pyarrow as pa

from vrhub.domain.identifier_scan import email_mask, full_postcode_mask, nhs_number_mask, redact_free_text


def passes_mod11(number: str) -> bool:
    """NHS Data Dictionary: weights 10..2 on the first nine digits; 11 − (sum mod 11), 11 → 0, 10 → invalid."""
    total = sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(number[9]) and len(set(number)) > 1


def test_nhs_number_mask_agrees_with_the_modulus_11_rule_on_random_numbers() -> None:
    rng = random.Random(11)
    numbers = ["".join(rng.choice("0123456789") for _ in range(10)) for _ in range(20_000)]
    got = nhs_number_mask(pa.array(numbers)).to_pylist()
    assert got == [passes_mod11(n) for n in numbers]
    # about one random ten-digit number in eleven passes (the basis of the reference-column rule)
    assert abs(sum(got) / len(got) - 1 / 11) < 0.006


def test_nhs_number_shapes_and_boundaries() -> None:
    valid = next(n for n in (f"94347659{i:02d}" for i in range(100)) if passes_mod11(n))
    cells = [valid, f"{valid[:3]} {valid[3:6]} {valid[6:]}", f"{valid[:3]}-{valid[3:6]}-{valid[6:]}",
             f"NHS no: {valid}.", f"x{valid}", f"{valid}1", "1111111111", None, "a" * 64]
    assert nhs_number_mask(pa.array(cells)).to_pylist() == [True, True, True, True, False, False, False, False,
                                                            False]


def test_full_postcodes_but_not_districts_lsoas_or_site_codes() -> None:
    cells = ["ME14 1XX", "me141xx", "at CT9 1AB today", "ME14", "E01024000", "RPA01", "SYN-DVH", "GIR 0AA", None]
    assert full_postcode_mask(pa.array(cells)).to_pylist() == [True, True, True, False, False, False, False, True,
                                                               False]
    assert email_mask(pa.array(["a.b@c.org", "a@b", "at @home", None])).to_pylist() == [True, False, False, False]


def test_redaction_keeps_text_without_identifiers_and_counts_what_it_removed() -> None:
    text, counts = redact_free_text(pa.array(["in pub", "Ms Example seen at ME7 1AA, born 01/02/2003", None,
                                              "order 1234567890"]))
    assert text.to_pylist() == ["in pub", "[name removed] seen at [postcode removed], [date of birth removed]", None,
                                "order 1234567890"]  # 1234567890 fails the check digit: not an NHS number
    assert counts == {"date_of_birth": 1, "full_postcode": 1, "name": 1}
