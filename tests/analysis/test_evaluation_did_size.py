"""Difference-in-differences tests keep their nominal size with 1, 3 and 10 treated areas (issue 11, items 3 and 4).

Under true parallel trends and no effect, a 5% test should reject in about 5% of panels. Before placebo inference
the pre-trend test rejected in 96% of runs with 1 treated area of 13 and 55% with 3 of 13, and the effect test in
11% with 3 of 13 (where the old placebo floor switched off).

Simulation: gamma-Poisson counts (shape 10, so overdispersed) with area effects N(log 20, 0.4) and a seasonal month
effect; 12 months, the "start" at month 8; no effect and no pre-trend. Event window (-4, 3): leads -4..-2.
Each configuration runs 200 panels (seeded) through :func:`difference_in_differences`.

Monte Carlo tolerance: with R = 200 panels and a true size of 5%, the number of rejections is Binomial(200, 0.05);
the test accepts counts in its central 99.9% range (2 to 21, i.e. 1% to 10.5%), so a correct method fails one check
about once in a thousand. The combined pre-trend test (Bonferroni over the joint test and the slope test) is
conservative by construction, so only its upper bound is checked; its two parts are checked on both sides.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from vrhub.analysis.evaluation import difference_in_differences

R = 200
ALPHA = 0.05
LOW, HIGH = (int(v) for v in stats.binom(R, ALPHA).ppf([0.0005, 0.9995]))  # 2, 21


def simulate(seed: int, n_areas: int, n_treated: int, n_months: int = 12) -> tuple[pd.DataFrame, list[str]]:
    rng = np.random.default_rng(seed)
    areas = [f"A{i:03d}" for i in range(n_areas)]
    alpha = rng.normal(np.log(20), 0.4, n_areas)
    gamma = 0.2 * np.sin(2 * np.pi * np.arange(n_months) / 12)
    mu = np.exp(alpha[:, None] + gamma[None, :])
    counts = rng.poisson(rng.gamma(10.0, mu / 10.0))
    panel = pd.DataFrame({"area": np.repeat(areas, n_months), "month": np.tile(np.arange(n_months), n_areas),
                          "count": counts.ravel()})
    return panel, areas[:n_treated]


def rejections(n_areas: int, n_treated: int) -> dict[str, int]:
    out = dict.fromkeys(("effect", "pretrend", "pretrend_joint", "pretrend_slope", "event_0", "event_lead"), 0)
    for seed in range(R):
        panel, treated = simulate(1000 * n_treated + seed, n_areas, n_treated)
        r = difference_in_differences(panel, treated_areas=treated, start=8, event_window=(-4, 3))
        es = r.event_study
        table = es.table.set_index("event_time")
        out["effect"] += r.effect.p_value < ALPHA
        out["pretrend"] += es.pretrend.p_value < ALPHA
        # (getattr: the joint and slope parts are new in issue 11; before, the one test was the joint Wald test)
        out["pretrend_joint"] += getattr(es.pretrend, "joint_p_value", es.pretrend.p_value) < ALPHA
        out["pretrend_slope"] += getattr(es.pretrend, "slope_p_value", es.pretrend.p_value) < ALPHA
        for name, e in (("event_0", 0), ("event_lead", -3)):
            out[name] += not table.loc[e, "ci_low_coef"] <= 0 <= table.loc[e, "ci_high_coef"]
    return out


@pytest.mark.parametrize(("n_areas", "n_treated"), [(13, 1), (13, 3), (30, 10)])
def test_effect_pretrend_and_event_study_keep_their_size(n_areas: int, n_treated: int) -> None:
    got = rejections(n_areas, n_treated)
    for name in ("effect", "pretrend_joint", "pretrend_slope", "event_0", "event_lead"):
        assert LOW <= got[name] <= HIGH, (name, got, (LOW, HIGH))
    assert got["pretrend"] <= HIGH, got
