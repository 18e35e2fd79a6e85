"""Mann-Kendall trend test, vectorised over many series (one per location).

``S = sum_{a<b} sign(x_b - x_a)``; ``Var(S) = [T(T-1)(2T+5) - sum_g t_g(t_g-1)(2t_g+5)] / 18`` with
``t_g`` the sizes of groups of tied values; ``Z = (S - sign(S)) / sqrt(Var S)`` with the continuity
correction (Mann 1945; Kendall 1975), else ``S / sqrt(Var S)``; two-sided normal p-value. Kendall's
``tau = S / (T(T-1)/2)`` (tau-a). ArcGIS Emerging Hot Spot Analysis applies this test to each
location's series of Gi* z-scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr  # scipy.stats.norm.sf(x) is ndtr(-x); stats costs ~1 s to import

MANN_KENDALL_CITATION = (
    "Mann, H.B. (1945). Nonparametric tests against trend. Econometrica 13(3), 245-259. "
    "Kendall, M.G. (1975). Rank Correlation Methods, 4th ed. Griffin."
)


@dataclass(frozen=True, eq=False)
class MannKendallResult:
    s: np.ndarray
    var_s: np.ndarray
    z: np.ndarray
    p: np.ndarray
    tau: np.ndarray
    continuity_correction: bool
    citation: str = MANN_KENDALL_CITATION


def mann_kendall(series: np.ndarray, *, continuity_correction: bool = True) -> MannKendallResult:
    """Mann-Kendall test on each row of ``series`` (``(n_series, T)``, time along axis 1, T >= 3)."""
    x = np.atleast_2d(np.asarray(series, dtype=float))
    n_series, t = x.shape
    if t < 3:
        raise ValueError(f"the Mann-Kendall test needs at least 3 time steps; got {t}.")
    if not np.isfinite(x).all():
        raise ValueError("series has missing values; the Mann-Kendall test needs complete series.")
    s = np.zeros(n_series)
    for a in range(t - 1):
        s += np.sign(x[:, a + 1 :] - x[:, [a]]).sum(axis=1)
    # Tie groups: run lengths of equal values in each sorted row.
    srt = np.sort(x, axis=1)
    starts = np.ones_like(srt, dtype=bool)
    starts[:, 1:] = srt[:, 1:] != srt[:, :-1]
    run_id = np.cumsum(starts, axis=1) - 1 + (np.arange(n_series) * t)[:, None]
    sizes = np.bincount(run_id.ravel(), minlength=n_series * t).reshape(n_series, t).astype(float)
    ties = (sizes * (sizes - 1) * (2 * sizes + 5)).sum(axis=1)
    var_s = (t * (t - 1) * (2 * t + 5) - ties) / 18.0
    with np.errstate(invalid="ignore", divide="ignore"):
        numerator = s - np.sign(s) if continuity_correction else s
        z = np.where(var_s > 0, numerator / np.sqrt(var_s), 0.0)
    p = 2.0 * ndtr(-np.abs(z))
    return MannKendallResult(
        s=s, var_s=var_s, z=z, p=p, tau=s / (t * (t - 1) / 2.0), continuity_correction=continuity_correction
    )
