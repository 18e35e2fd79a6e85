"""The rules for statistics released beside counts, and the whole-output attacker, on small hand-checked cases."""

from __future__ import annotations

import math

import pytest

from vrhub.domain.disclosure import (
    NHS_OPENSAFELY,
    STATISTICS,
    CountedText,
    Treatment,
    coarsen,
    coarsen_p,
    format_released_p,
    model_gate,
    round_to_base,
    rule_for,
)
from vrhub.domain.disclosure.attack import exhaustive, witnesses


def test_every_kind_of_statistic_has_one_of_the_treatments() -> None:
    for kind in ("count", "total", "rate", "share", "mean", "ratio", "trend", "model_coefficient", "p_value",
                 "permutation_ratio", "density", "classification", "standard_error", "test_statistic",
                 "fitted_value"):
        assert rule_for(kind).treatment in set(Treatment)
    assert rule_for("trend").treatment is Treatment.RECOMPUTE
    assert rule_for("model_coefficient").treatment is Treatment.COARSEN
    assert rule_for("standard_error").treatment is Treatment.WITHHOLD
    with pytest.raises(KeyError, match="no release rule"):
        rule_for("kurtosis")
    assert all(r.rule and r.why for r in STATISTICS.values())


@pytest.mark.parametrize(("value", "expected"), [(0.71912, 0.72), (21.7954, 22.0), (-0.0620666, -0.062),
                                                 (1234.5, 1200.0), (0.0, 0.0)])
def test_coarsen_keeps_two_significant_figures(value: float, expected: float) -> None:
    assert coarsen(value) == expected


def test_coarsen_passes_missing_and_infinite_values_through() -> None:
    assert coarsen(None) is None and math.isnan(coarsen(math.nan)) and coarsen(math.inf) == math.inf


def test_p_values_are_coarsened_and_floored() -> None:
    assert coarsen_p(0.034123) == 0.034 and coarsen_p(0.00004) == 0.001
    assert format_released_p(coarsen_p(0.00004)) == "p < 0.001" and format_released_p(0.034) == "p = 0.034"


def test_a_model_is_released_only_over_released_counts_and_enough_degrees_of_freedom() -> None:
    assert model_gate({"a": 10, "b": 25, "c": 40}, NHS_OPENSAFELY, residual_df=100) is None
    assert "suppressed or small" in model_gate({"a": None, "b": 25}, NHS_OPENSAFELY)
    assert "suppressed or small" in model_gate({"a": 5, "b": 25}, NHS_OPENSAFELY)
    assert "residual degrees of freedom" in model_gate({"a": 10}, NHS_OPENSAFELY, residual_df=4)


def test_counted_text_is_written_again_with_protected_counts() -> None:
    note = CountedText("{n:,} record(s) have no LSOA", n=826)
    assert note == "826 record(s) have no LSOA" and isinstance(note, str)
    assert note.released(lambda v: 825) == "825 record(s) have no LSOA"
    assert note.released(lambda v: None) == "a few (suppressed) record(s) have no LSOA"


def _rounded(c: dict[str, int]) -> tuple:
    return tuple(int(v) for v in round_to_base([c["a"], c["b"], c["a"] + c["b"]], 5))


def test_exhaustive_attack_on_a_rounded_table_with_an_exact_total_pins_the_cells() -> None:
    # a = 12, b = 13: rounded 10 (from 8..12) and 15 (from 13..17), total 25. With the exact total also published,
    # (10, 15), (11, 14) and (12, 13) remain; with the exact a - b (-1) as well, only the truth.
    boxes = {"a": range(10, 15), "b": range(11, 16)}
    truth = {"a": 12, "b": 13}

    def with_total(c: dict[str, int]) -> tuple:
        return (*_rounded(c), c["a"] + c["b"])

    def with_difference(c: dict[str, int]) -> tuple:
        return (*with_total(c), c["a"] - c["b"])

    assert exhaustive(boxes, with_total, with_total(truth)).feasible == {"a": {10, 11, 12}, "b": {13, 14, 15}}
    pinned = exhaustive(boxes, with_difference, with_difference(truth))
    assert sorted(pinned.pinned) == ["a", "b"]


def test_witnesses_are_found_for_a_rounded_release_and_not_for_an_exact_one() -> None:
    truth = {"a": 12, "b": 13}
    boxes = {"a": range(10, 15), "b": range(11, 16)}
    assert witnesses(truth, boxes, _rounded).pinned == []
    assert sorted(witnesses(truth, boxes, lambda c: (c["a"], c["b"])).pinned) == ["a", "b"]
    # an exact total alone: the pair move (a + d, b - d) keeps it, so neither cell is pinned
    assert witnesses(truth, boxes, lambda c: (*_rounded(c), c["a"] + c["b"])).pinned == []
