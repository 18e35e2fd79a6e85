"""Two-way fixed-effects fits on a balanced area × period panel, fast enough to refit for every placebo.

The difference-in-differences design fits one model for its estimate and then, for inference, the same model
once per comparison area with that area called treated (:mod:`.placebo`). Dense dummy-variable regressions
through statsmodels take tens of milliseconds each; these fits work on the ``areas × periods`` matrices
directly and give the same estimates and the same area-clustered covariance (checked against statsmodels
``GLM(..., cov_type="cluster")`` and ``OLS`` in tests/analysis/test_evaluation_twfe.py).

- :func:`poisson_twfe`: Poisson maximum likelihood with an area effect, a period effect (first period the
  reference), a log-exposure offset and ``K`` effect columns, by Newton–Raphson with step halving. The area
  effects form a diagonal block of the Hessian and are eliminated by its Schur complement, so each step
  solves a ``(periods − 1 + K)``-square system (Wooldridge 1999; Santos Silva & Tenreyro 2006 for the
  estimator; Cameron & Miller 2015 for the clustered sandwich).
- :func:`linear_twfe`: least squares of a rate on the same fixed effects, by the within transformation
  (on a balanced panel the two-way demeaned regression gives the fixed-effects coefficients exactly: the
  Frisch–Waugh–Lovell theorem).

The clustered covariance uses statsmodels' small-sample factor ``G/(G−1) · (N−1)/(N−k)`` (``k`` counting
every fixed effect), so that the numbers equal those of the dummy-variable fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vrhub.analysis.evaluation.result import EvaluationInputError

_TOLERANCE = 1e-10
_MAX_ITERATIONS = 100


@dataclass(frozen=True)
class TwfeFit:
    """Effect coefficients, their area-clustered covariance, and the fit's dispersion (Poisson only)."""

    coef: np.ndarray  # (K,)
    cov: np.ndarray  # (K, K), cluster-robust by area
    dispersion: float | None
    n_params: int
    iterations: int
    fixed_effects: tuple[np.ndarray, np.ndarray] | None = None  # (area, period) effects, Poisson only


def _check(y: np.ndarray, effects: np.ndarray) -> None:
    if y.ndim != 2 or effects.ndim != 3 or effects.shape[1:] != y.shape:
        raise EvaluationInputError(f"effect columns of shape {effects.shape} do not fit a panel of shape {y.shape}",
                                   "pass one (areas × periods) array per effect column")
    if y.shape[0] < 2 or y.shape[1] < 2:
        raise EvaluationInputError("a two-way fixed-effects model needs at least 2 areas and 2 periods",
                                   "use a longer series or more areas")


def poisson_twfe(y: np.ndarray, exposure: np.ndarray, effects: np.ndarray, *, cluster: bool = True,
                 start: tuple[np.ndarray, np.ndarray] | None = None) -> TwfeFit:
    """Poisson two-way fixed effects: ``log E[y_it] = α_i + γ_t + Σ_k δ_k x_kit + log(exposure_it)``.

    ``y`` and ``exposure`` are ``(areas, periods)``; ``effects`` is ``(K, areas, periods)`` (``K`` may be 0).
    Every area needs a positive total (an area with none has no finite effect: drop it first). Returns the ``δ``
    and, with ``cluster``, their covariance clustered by area. ``start`` (area and period effects of a nearby fit,
    e.g. the same panel without effects) saves Newton steps; the answer does not depend on it.
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(effects, dtype=float)
    _check(y, x)
    offset = np.log(np.asarray(exposure, dtype=float))
    n_areas, n_periods = y.shape
    n_eff = x.shape[0]
    if (y.sum(axis=1) <= 0).any():
        raise EvaluationInputError("an area with no recorded events has no finite effect in a Poisson model",
                                   "drop areas whose counts are all zero")
    if start is not None:
        alpha, gamma = start[0].astype(float).copy(), start[1].astype(float).copy()
    else:
        alpha = np.log(y.sum(axis=1) / np.exp(offset).sum(axis=1))
        gamma = np.zeros(n_periods)
        col = y.sum(axis=0)
        gamma[1:] = np.log(np.maximum(col[1:], 0.5) / max(col[0], 0.5))
    delta = np.zeros(n_eff)
    flat = x.reshape(n_eff, n_areas * n_periods)

    def linear(a: np.ndarray, g: np.ndarray, d: np.ndarray) -> np.ndarray:
        return a[:, None] + g[None, :] + (d @ flat).reshape(n_areas, n_periods) + offset

    def loglik(eta: np.ndarray) -> float:
        return float((y * eta - np.exp(eta)).sum())

    eta = linear(alpha, gamma, delta)
    current = loglik(eta)
    iterations = 0
    while iterations < _MAX_ITERATIONS:
        iterations += 1
        mu = np.exp(eta)
        step_a, step_p = _newton_step(y, mu, x)
        t = 1.0
        while True:
            a_new = alpha + t * step_a
            g_new = gamma.copy()
            g_new[1:] += t * step_p[: n_periods - 1]
            d_new = delta + t * step_p[n_periods - 1:]
            eta_new = linear(a_new, g_new, d_new)
            new = loglik(eta_new)
            if new >= current - 1e-12 * abs(current) or t < 1e-8:
                break
            t /= 2
        alpha, gamma, delta, eta = a_new, g_new, d_new, eta_new
        change = max(np.abs(step_a).max(initial=0.0), np.abs(step_p).max(initial=0.0)) * t
        current = new
        if change < _TOLERANCE:
            break
    mu = np.exp(eta)
    n_params = n_areas + n_periods - 1 + n_eff
    df_resid = y.size - n_params
    dispersion = float(((y - mu) ** 2 / mu).sum() / df_resid) if df_resid > 0 else float("nan")
    cov = _poisson_cluster_cov(y, mu, x, n_params) if cluster else np.full((n_eff, n_eff), np.nan)
    return TwfeFit(delta, cov, dispersion, n_params, iterations, (alpha, gamma))


def _blocks(mu: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Hessian of minus the log-likelihood: the diagonal area block ``A``, the area × other block ``B``
    and the other × other block ``C`` (others: periods 1.. then the effects)."""
    n_periods = mu.shape[1]
    n_eff = x.shape[0]
    mx = mu[None] * x  # (K, G, T)
    a = mu.sum(axis=1)
    b = np.concatenate([mu[:, 1:], mx.sum(axis=2).T], axis=1)
    c = np.zeros((n_periods - 1 + n_eff, n_periods - 1 + n_eff))
    c[: n_periods - 1, : n_periods - 1] = np.diag(mu.sum(axis=0)[1:])
    pe = mx.sum(axis=1)[:, 1:].T  # (T-1, K)
    c[: n_periods - 1, n_periods - 1:] = pe
    c[n_periods - 1:, : n_periods - 1] = pe.T
    c[n_periods - 1:, n_periods - 1:] = np.einsum("kgt,lgt->kl", mx, x)
    return a, b, c


def _newton_step(y: np.ndarray, mu: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    resid = y - mu
    g_a = resid.sum(axis=1)
    g_p = np.concatenate([resid.sum(axis=0)[1:], np.einsum("kgt,gt->k", x, resid)])
    a, b, c = _blocks(mu, x)
    schur = c - (b / a[:, None]).T @ b
    rhs = g_p - (b / a[:, None]).T @ g_a
    try:
        step_p = np.linalg.solve(schur, rhs)
    except np.linalg.LinAlgError:  # an effect column collinear with the fixed effects
        step_p = np.linalg.lstsq(schur, rhs, rcond=None)[0]
    step_a = (g_a - b @ step_p) / a
    return step_a, step_p


def _poisson_cluster_cov(y: np.ndarray, mu: np.ndarray, x: np.ndarray, n_params: int) -> np.ndarray:
    """Area-clustered sandwich for the effects. At the maximum each area's score for its own effect is zero,
    so only the period and effect scores enter, and the inverse Hessian's block for them is the Schur
    complement's inverse."""
    n_areas, n_periods = y.shape
    resid = y - mu
    scores = np.concatenate([resid[:, 1:], np.einsum("kgt,gt->gk", x, resid)], axis=1)  # (G, P)
    a, b, c = _blocks(mu, x)
    inv = np.linalg.pinv(c - (b / a[:, None]).T @ b)
    meat = scores.T @ scores
    full = inv @ meat @ inv * _correction(n_areas, y.size, n_params)
    return full[n_periods - 1:, n_periods - 1:]


def _correction(n_clusters: int, n_obs: int, n_params: int) -> float:
    """statsmodels' small-sample factor for clustered errors: G/(G−1) · (N−1)/(N−k)."""
    return n_clusters / (n_clusters - 1) * (n_obs - 1) / (n_obs - n_params)


def _within(v: np.ndarray) -> np.ndarray:
    """Two-way demeaning of a balanced ``(..., areas, periods)`` array."""
    return v - v.mean(axis=-1, keepdims=True) - v.mean(axis=-2, keepdims=True) + v.mean(axis=(-2, -1),
                                                                                         keepdims=True)


def linear_twfe(outcome: np.ndarray, effects: np.ndarray, *, cluster: bool = True) -> TwfeFit:
    """Least squares two-way fixed effects of ``outcome`` (``(areas, periods)``, e.g. rates) on ``effects``."""
    r = np.asarray(outcome, dtype=float)
    x = np.asarray(effects, dtype=float)
    _check(r, x)
    n_areas, n_periods = r.shape
    n_eff = x.shape[0]
    rt = _within(r)
    xt = _within(x).reshape(n_eff, -1)
    xtx = xt @ xt.T
    inv = np.linalg.pinv(xtx)
    coef = inv @ (xt @ rt.ravel())
    n_params = n_areas + n_periods - 1 + n_eff
    cov = np.full((n_eff, n_eff), np.nan)
    if cluster:
        resid = (rt.ravel() - coef @ xt).reshape(n_areas, n_periods)
        scores = np.einsum("kgt,gt->gk", xt.reshape(n_eff, n_areas, n_periods), resid)
        cov = inv @ (scores.T @ scores) @ inv * _correction(n_areas, r.size, n_params)
    return TwfeFit(coef, cov, None, n_params, 1)
