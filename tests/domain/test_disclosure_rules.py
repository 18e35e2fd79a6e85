"""Disclosure rules: presets, validation (every problem at once), rounding convention, statements."""

from __future__ import annotations

import dataclasses
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest

from vrhub.domain.disclosure import (
    NHS_OPENSAFELY,
    ONS_THRESHOLD_10,
    PRESETS,
    DisclosureRules,
    DisclosureRulesError,
    round_to_base,
    rules_from_mapping,
)


def test_nhs_opensafely_preset_suppresses_1_to_7_and_rounds_to_5():
    assert (NHS_OPENSAFELY.threshold, NHS_OPENSAFELY.rounding_base) == (7, 5)
    assert NHS_OPENSAFELY.suppress_zeros is False
    assert NHS_OPENSAFELY.secondary_suppression is True
    assert NHS_OPENSAFELY.marker == "[c]"
    assert NHS_OPENSAFELY.required_width == 7
    flags = NHS_OPENSAFELY.is_primary(np.arange(0, 12))
    assert flags.tolist() == [False] + [True] * 7 + [False] * 4


def test_ons_preset_publishes_only_counts_of_at_least_ten():
    flags = ONS_THRESHOLD_10.is_primary(np.arange(0, 13))
    assert np.arange(0, 13)[~flags].tolist() == [0, 10, 11, 12]
    assert ONS_THRESHOLD_10.rounding_base == 1
    assert set(PRESETS) == {"nhs-opensafely", "ons-threshold-10"}


def test_statement_for_each_preset():
    assert NHS_OPENSAFELY.statement() == (
        "Disclosure control: counts 1–7 suppressed ([c]), others rounded to the nearest 5; "
        "secondary suppression applied."
    )
    assert ONS_THRESHOLD_10.statement() == (
        "Disclosure control: counts 1–9 suppressed ([c]), others shown unrounded; "
        "secondary suppression applied."
    )
    zeros = DisclosureRules(name="z", suppress_zeros=True, secondary_suppression=False, marker="*")
    assert zeros.statement() == (
        "Disclosure control: counts 0–7 suppressed (*), others rounded to the nearest 5; "
        "no secondary suppression."
    )
    ones = DisclosureRules(name="ones", threshold=1, rounding_base=1)
    assert ones.statement().startswith("Disclosure control: counts of 1 suppressed ([c])")
    none = DisclosureRules(name="none", threshold=0, rounding_base=1)
    assert "no small-count suppression, counts shown unrounded" in none.statement()


@pytest.mark.parametrize("base", [1, 2, 5, 10])
def test_round_to_base_is_nearest_multiple_with_halves_up(base):
    values = np.arange(0, 200)
    expected = [
        int((Decimal(int(v)) / base).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * base for v in values
    ]
    assert round_to_base(values, base).tolist() == expected


def test_round_to_base_examples():
    assert round_to_base([8, 12, 13, 17, 18], 5).tolist() == [10, 10, 15, 15, 20]
    assert round_to_base([14, 15, 24, 25], 10).tolist() == [10, 20, 20, 30]


def test_rules_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        NHS_OPENSAFELY.threshold = 3  # type: ignore[misc]


def test_rules_from_mapping_presets_and_overrides():
    assert rules_from_mapping({"preset": "ons-threshold-10"}) == ONS_THRESHOLD_10
    custom = rules_from_mapping({"preset": "nhs-opensafely", "marker": "*"})
    assert custom.name == "nhs-opensafely (customised)"
    assert (custom.threshold, custom.rounding_base, custom.marker) == (7, 5, "*")
    named = rules_from_mapping({"name": "kent-board", "threshold": 9, "rounding_base": 1})
    assert (named.name, named.threshold, named.rounding_base, named.marker) == ("kent-board", 9, 1, "[c]")
    assert named.required_width == 9
    wide = rules_from_mapping({"name": "w", "protection_width": 12})
    assert wide.required_width == 12


def test_rules_from_mapping_reports_every_problem_at_once():
    with pytest.raises(DisclosureRulesError) as caught:
        rules_from_mapping({
            "threshold": -1,
            "rounding_base": 0,
            "markr": "x",
            "rates_from_suppressed": "drop",
            "suppress_zeros": "no",
            "protection_width": 0,
        })
    problems = caught.value.problems
    text = "\n".join(problems)
    assert len(problems) == 7, text
    assert "did you mean 'marker'" in text
    assert "'name' is required" in text
    assert "threshold must be a whole number" in text
    assert "rounding_base must be a whole number" in text
    assert "rates_from_suppressed must be one of suppress, raise" in text
    assert "suppress_zeros must be true or false" in text
    assert "protection_width must be" in text
    assert "What to do" in str(caught.value)


def test_unknown_preset_and_non_mapping_are_reported():
    with pytest.raises(DisclosureRulesError, match="unknown preset 'hes'"):
        rules_from_mapping({"preset": "hes"})
    with pytest.raises(DisclosureRulesError, match="expected a mapping"):
        rules_from_mapping(["threshold", 7])  # type: ignore[arg-type]


def test_rounding_that_would_publish_small_counts_as_zero_is_refused():
    with pytest.raises(DisclosureRulesError, match="would publish counts from 2 upwards as 0"):
        DisclosureRules(name="bad", threshold=1, rounding_base=10)
    DisclosureRules(name="ok", threshold=4, rounding_base=10)  # 5 rounds to 10


@pytest.mark.parametrize(
    ("field", "value"),
    [("threshold", True), ("threshold", 7.0), ("marker", "5"), ("marker", " "), ("name", ""), ("source", 3)],
)
def test_direct_construction_is_validated(field, value):
    kwargs = {"name": "x", field: value}
    with pytest.raises(DisclosureRulesError):
        DisclosureRules(**kwargs)
