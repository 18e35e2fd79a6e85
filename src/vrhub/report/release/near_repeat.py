"""The release of a Knox near-repeat test (the SNA's near-repeat table).

Pair counts (observed and expected) are withheld: they are counts of pairs of people's attendances and, with the
number of events, give counts back (statistics rules "count", "fitted_value"). Knox ratios are coarsened to 2
significant figures ("permutation_ratio"), p-values (per band, adjusted, global) coarsened ("p_value"), the
number of events protected as a count, and the numbers of pairs (all pairs are n(n − 1)/2, which gives n back)
withheld.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from vrhub.analysis.hotspots.knox import KnoxResult
from vrhub.domain.disclosure import DisclosureRules, coarsen, coarsen_p
from vrhub.report.release.core import Released, protect_count, statement


def release_knox(result: KnoxResult, rules: DisclosureRules) -> Released[KnoxResult]:
    """The Knox result as it may leave (module docstring): ``observed`` and ``expected`` are NaN, ``n_pairs`` and
    ``n_close_pairs`` ``None``."""
    hidden = np.full(result.observed.shape, np.nan)

    def each(values: np.ndarray | None, how) -> np.ndarray | None:  # type: ignore[no-untyped-def]
        if values is None:
            return None
        return np.vectorize(lambda v: np.nan if np.isnan(v) else how(float(v)), otypes=[float])(values)

    released = dataclasses.replace(
        result, observed=hidden, expected=hidden.copy(), knox_ratio=each(result.knox_ratio, coarsen),
        p_value=each(result.p_value, coarsen_p), p_adjusted=each(result.p_adjusted, coarsen_p),
        global_p_value=coarsen_p(result.global_p_value), global_statistic=None,
        n_events=protect_count(result.n_events, rules), n_pairs=None, n_close_pairs=None)
    return Released(released, statement(rules))
