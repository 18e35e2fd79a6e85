"""Conditional randomisation for local statistics of spatial lags, vectorised with NumPy.

Under the null of spatial randomness the value at site ``i`` is held fixed and the other ``n - 1`` values
are shuffled over its neighbours (Anselin 1995, "conditional randomization"). For each site ``i`` with
``c_i`` neighbours and each permutation ``k`` we need a uniformly random ordered draw, without
replacement, of ``c_i`` values from the ``n - 1`` sites other than ``i``.

This module draws, once per permutation, an ordered sample ``P_k`` of ``m + 1`` distinct sites from all
``n`` (``m`` = the largest number of neighbours), shared by every site as in esda. Site ``i`` takes the
first ``c_i`` entries of ``P_k``; if ``i`` itself is among them (at position ``q``), the entry
``P_k[c_i]`` takes its place. Given where ``i`` falls in ``P_k``, the resulting ``c_i`` sites are a
uniformly random ordered sample of the other sites, so each site's reference distribution is exact.
The simulated lags are then one dense product (``n x m`` weights times ``m x R`` draws) plus at most
``R x m`` corrections, instead of ``n x R`` separate gathers: no compiled loops (no numba) are needed.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

#: Sites per block when forming the ``n x R`` simulated lags (bounds memory to ~block*R*8 bytes).
BLOCK_SITES = 2048
#: Threads over blocks of sites (NumPy releases the GIL); results do not depend on the thread count.
MAX_THREADS = 4


@dataclass(frozen=True)
class PermutationCounts:
    """Per-site counts of simulated lags at least as large / at most as small as the observed lag."""

    greater_equal: np.ndarray
    less_equal: np.ndarray
    permutations: int


def draw_ordered_samples(n: int, size: int, permutations: int, rng: np.random.Generator) -> np.ndarray:
    """``(permutations, size)`` array: each row an ordered sample of ``size`` distinct ints in ``[0, n)``."""
    if size > n:
        raise ValueError(f"cannot draw {size} distinct sites from {n}")
    if size * size <= 2 * n:
        # Draw with replacement and redraw the (few) rows that repeat a site: exact, and fast when the
        # sample is small relative to n (acceptance probability > e^-1 here).
        out = rng.integers(0, n, size=(permutations, size))
        while True:
            srt = np.sort(out, axis=1)
            bad = np.flatnonzero((srt[:, 1:] == srt[:, :-1]).any(axis=1))
            if len(bad) == 0:
                return out
            out[bad] = rng.integers(0, n, size=(len(bad), size))
    keys = rng.random((permutations, n))
    smallest = np.argpartition(keys, size - 1, axis=1)[:, :size]
    order = np.argsort(np.take_along_axis(keys, smallest, axis=1), axis=1)
    return np.take_along_axis(smallest, order, axis=1)


def padded_weights(offdiag: sp.csr_array) -> tuple[np.ndarray, np.ndarray]:
    """Each row's non-zero weights packed to the left of an ``n x max_card`` array, and cardinalities."""
    n = offdiag.shape[0]
    card = np.diff(offdiag.indptr)
    m = int(card.max()) if n else 0
    padded = np.zeros((n, max(m, 1)))
    row = np.repeat(np.arange(n), card)
    pos = np.arange(offdiag.nnz) - offdiag.indptr[row]
    padded[row, pos] = offdiag.data
    return padded, card


def conditional_permutation_counts(
    values: np.ndarray,
    offdiag: sp.csr_array,
    observed_lag: np.ndarray,
    permutations: int,
    rng: np.random.Generator,
    *,
    tie_tolerance: float = 1e-9,
) -> PermutationCounts:
    """Compare each site's observed neighbour lag ``sum_j w_ij y_j`` (j != i) with ``permutations`` draws.

    ``offdiag`` must have a zero diagonal. Lags within ``tie_tolerance * (1 + |observed|)`` of the
    observed lag count as ties, i.e. in both ``greater_equal`` and ``less_equal`` (counts data tie often).
    """
    y = np.asarray(values, dtype=float)
    n = len(y)
    padded, card = padded_weights(offdiag)
    m = padded.shape[1]
    samples = draw_ordered_samples(n, min(m + 1, n), permutations, rng)  # (R, m+1)
    draws = y[samples[:, :m]]  # (R, m)

    # Corrections: where site s appears at position q < c_s of sample k, replace it by samples[k, c_s].
    ks, qs = np.nonzero(np.arange(m)[None, :] < card[samples[:, :m]])
    sites = samples[ks, qs]
    replacement = samples[ks, card[sites]] if len(sites) else np.zeros(0, np.int64)
    delta = padded[sites, qs] * (y[replacement] - y[sites])
    order = np.argsort(sites, kind="stable")
    sites, ks, delta = sites[order], ks[order], delta[order]

    ge = np.zeros(n, dtype=np.int64)
    le = np.zeros(n, dtype=np.int64)
    # Integer values and weights with small sums are exact in float32: half the memory traffic, and
    # ties are exact equalities. Otherwise float64 with a relative tie tolerance.
    exact32 = (
        np.array_equal(y, np.round(y))
        and np.array_equal(padded, np.round(padded))
        and float(np.abs(padded).sum(axis=1).max() * np.abs(y).max()) < 2**24
    )
    dtype = np.float32 if exact32 else np.float64
    padded_d = padded.astype(dtype)
    draws_t = np.ascontiguousarray(draws.T, dtype=dtype)  # (m, R)
    obs_all = observed_lag.astype(dtype)
    tol_all = np.zeros(n, dtype) if exact32 else (tie_tolerance * (1.0 + np.abs(observed_lag))).astype(dtype)
    delta = delta.astype(dtype)

    def block(lo: int) -> None:
        hi = min(n, lo + BLOCK_SITES)
        sims = padded_d[lo:hi] @ draws_t  # (block, R)
        a, b = np.searchsorted(sites, [lo, hi])
        if b > a:
            sims[sites[a:b] - lo, ks[a:b]] += delta[a:b]
        obs = obs_all[lo:hi, None]
        tol = tol_all[lo:hi, None]
        ge[lo:hi] = np.count_nonzero(sims >= obs - tol, axis=1)
        le[lo:hi] = np.count_nonzero(sims <= obs + tol, axis=1)

    starts = range(0, n, BLOCK_SITES)
    workers = min(len(starts), os.cpu_count() or 1, MAX_THREADS)
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(block, starts))  # NumPy releases the GIL in matmul and comparisons
    else:
        for lo in starts:
            block(lo)
    return PermutationCounts(greater_equal=ge, less_equal=le, permutations=permutations)
