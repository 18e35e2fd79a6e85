"""Benjamini-Hochberg false discovery rate control."""

from __future__ import annotations

import numpy as np

BH_CITATION = (
    "Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and powerful "
    "approach to multiple testing. Journal of the Royal Statistical Society B 57(1), 289-300."
)


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values): reject where ``q <= alpha`` for FDR ``alpha``.

    ``q_(k) = min_{j >= k} min(1, m p_(j) / j)`` over the sorted p-values; NaN p-values are ignored and
    stay NaN (they do not count in ``m``). Same values as R's ``p.adjust(method = "BH")``.
    """
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.shape, np.nan)
    flat_p = p.ravel()
    ok = np.flatnonzero(~np.isnan(flat_p))
    m = len(ok)
    if m == 0:
        return q
    order = ok[np.argsort(flat_p[ok], kind="stable")]
    ranked = flat_p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    flat_q = q.ravel()
    flat_q[order] = np.minimum(adjusted, 1.0)
    return flat_q.reshape(p.shape)
