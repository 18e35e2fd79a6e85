"""The plain-English sentence: a null is never called a reduction; cautions are carried."""

from __future__ import annotations

import pytest

from vrhub.analysis.evaluation import AssumptionCheck, EffectEstimate


def make(estimate: float, lo: float, hi: float, p: float, **kw) -> EffectEstimate:
    return EffectEstimate(
        method="test", estimate=estimate, ci_low=lo, ci_high=hi, p_value=p, scale="ratio", citation="test", **kw
    )


def test_detected_reduction_reads_as_fewer_with_interval():
    text = make(0.8, 0.7, 0.9, 0.001).plain_english()
    assert "20% fewer violent crimes" in text
    assert "from 30% fewer to 10% fewer" in text
    assert "p = 0.001" in text or "p < 0.001" in text


def test_interval_including_no_change_is_no_detectable_effect():
    effect = make(0.85, 0.6, 1.1, 0.2, intervention_label="the knife-crime workshops")
    text = effect.plain_english()
    assert not effect.detected
    assert text.startswith("No detectable effect of the knife-crime workshops")
    assert "includes no change" in text
    assert "unlikely to be chance" not in text


def test_increase_is_described_as_more():
    assert "25% more" in make(1.25, 1.1, 1.4, 0.002).plain_english()


def test_failed_assumption_adds_a_caution_and_percent_fields():
    effect = make(
        0.8,
        0.7,
        0.9,
        0.001,
        assumptions=(
            AssumptionCheck("parallel trends", False, "The groups were already diverging."),
            AssumptionCheck("stated", None, "Assumed only."),
        ),
    )
    text = effect.plain_english()
    assert text.endswith("Caution: The groups were already diverging.")
    assert "Assumed only" not in text
    assert effect.percent_change == pytest.approx(-20.0)
    assert effect.percent_ci == pytest.approx((-30.0, -10.0))
    d = effect.to_dict()
    assert d["detected"] is True and d["plain_english"] == text


def test_an_empty_interval_is_said_in_words_not_as_nan() -> None:
    from vrhub.analysis.evaluation.result import EffectEstimate

    e = EffectEstimate(method="synthetic control", estimate=0.95, ci_low=float("nan"), ci_high=float("nan"),
                       p_value=0.077, scale="ratio", citation="", outcome_label="assaults",
                       intervention_label="the programme", comparison_label="its synthetic comparison")
    text = e.plain_english()
    assert "nan" not in text and not e.detected and "no interval can be given" in text
