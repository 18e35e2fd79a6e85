"""Near-repeat analysis: the Knox test of space-time interaction with Monte Carlo inference.

For every pair of events, the distance between them falls in a space band and the time between them in
a time band. The Knox table counts pairs per (space band, time band). Under no space-time interaction,
which events happen when is unrelated to where they happen: shuffling the event times over the events
(Monte Carlo permutation) gives the expected table. A Knox ratio above 1 with a small p-value in the
closest bands is a near-repeat pattern (Knox 1964; Johnson & Bowers 2004; Ratcliffe's Near Repeat
Calculator).

Bands are given by edges starting at 0: ``[0, 100, 200]`` means 0-100 m and more than 100 up to 200 m;
a repeated 0 (``[0, 0, 100]``) adds a "same place" band. Pairs beyond the last edge form a final
"beyond" row/column, so the table covers all ``n (n - 1) / 2`` pairs.

Speed: only pairs closer than the largest space band can fall in the table's inner rows, so they are
found once with a KD-tree (``scipy.spatial.cKDTree.query_pairs``) and each permutation re-bins only
their time gaps. The "beyond" row needs no pairs: permuting times does not change how many of *all*
pairs fall in each time band (computed once from sorted times), so beyond = all - close, per
permutation. Times are kept as exact integers (days, or seconds for sub-day data), so every table equals
that of the direct all-pairs computation (:func:`knox_test_all_pairs`) for the same seed.

Many cells are tested at once (16 in a 4 × 4 table), so a cell at p ≤ 0.05 is expected by chance in about half of
all tables with no near repeats at all. The result therefore also carries a *global* test over the inner cells
(every band except "beyond"), computed from the same permutations: each cell's count is standardised by the
permutations' mean and standard deviation, the statistic is the largest standardised count, and its p-value is
the share of permutations whose own largest standardised count reaches it (the max-T test). The same permutation
distribution of the maximum gives each cell a single-step adjusted p-value that controls the family-wise error
rate over the cells (Westfall & Young 1993, *Resampling-Based Multiple Testing*, Wiley, §2.6).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from vrhub.analysis.hotspots.errors import HotspotInputError, TimeResolutionError
from vrhub.analysis.hotspots.gi_star import new_seed
from vrhub.analysis.hotspots.projection import projected_xy
from vrhub.analysis.hotspots.time_resolution import as_timestamps, month_index, time_resolution

KNOX_CITATION = (
    "Knox, G. (1964). The detection of space-time interactions. Journal of the Royal Statistical Society "
    "C 13(1), 25-30. Johnson, S.D. & Bowers, K.J. (2004). The burglary as clue to the future: the "
    "beginnings of prospective hot-spotting. European Journal of Criminology 1(2), 237-255. Ratcliffe, "
    "J.H. (2009). Near Repeat Calculator (version 1.3). Temple University and the National Institute "
    "of Justice."
)

TimeUnit = Literal["day", "month"]
_SECONDS_PER_DAY = 86_400
_MAX_HISTOGRAM = 400_001  # signed-gap histogram length (2 x span + 1) for the fast path
#: Threads running permutations (NumPy releases the GIL in the gathers); results do not depend on it.
MAX_THREADS = 4


@dataclass(frozen=True, eq=False)
class KnoxResult:
    """Observed and expected pair counts per (space band, time band), Knox ratios and p-values.

    Arrays are ``(n_space_bands + 1, n_time_bands + 1)``; the last row/column is "beyond" the last
    edge. ``p_value = (1 + #{simulated >= observed}) / (permutations + 1)`` (one-sided: more close pairs
    than chance); ``knox_ratio = observed / expected`` with ``expected`` the mean over permutations.

    ``p_adjusted`` (NaN in the beyond row and column) is each inner cell's p-value adjusted for testing every
    inner cell (max-T, Westfall & Young 1993); ``global_p_value`` is the p-value of the global test "no cell has
    more close pairs than chance", and ``global_statistic`` the largest standardised count it is based on.
    """

    observed: np.ndarray
    expected: np.ndarray
    knox_ratio: np.ndarray
    p_value: np.ndarray
    space_labels: tuple[str, ...]
    time_labels: tuple[str, ...]
    space_edges_m: tuple[float, ...]
    time_edges: tuple[float, ...]
    time_unit: str
    n_events: int
    n_pairs: int
    n_close_pairs: int
    permutations: int
    seed: int
    parameters: dict[str, Any]
    notes: tuple[str, ...] = ()
    citation: str = field(default=KNOX_CITATION)
    p_adjusted: np.ndarray | None = None
    global_p_value: float | None = None
    global_statistic: float | None = None

    def table(
        self, statistic: Literal["observed", "expected", "knox_ratio", "p_value", "p_adjusted"] = "knox_ratio"
    ) -> pd.DataFrame:
        """One statistic as a space (rows) x time (columns) table, like the Near Repeat Calculator."""
        return pd.DataFrame(
            getattr(self, statistic), index=list(self.space_labels), columns=list(self.time_labels)
        )

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per (space band, time band)."""
        s, t = self.observed.shape
        return pd.DataFrame(
            {
                "space_band": np.repeat(self.space_labels, t),
                "time_band": np.tile(self.time_labels, s),
                "observed": self.observed.ravel(),
                "expected": self.expected.ravel(),
                "knox_ratio": self.knox_ratio.ravel(),
                "p_value": self.p_value.ravel(),
                "p_adjusted": (self.p_adjusted if self.p_adjusted is not None
                               else np.full(self.observed.shape, np.nan)).ravel(),
            }
        )

    def global_sentence(self) -> str:
        """The global test in words, for outputs beside the table."""
        cells = (self.observed.shape[0] - 1) * (self.observed.shape[1] - 1)
        verdict = ("more close pairs than chance in at least one band" if (self.global_p_value or 1) <= 0.05
                   else "no band with more close pairs than chance once all are allowed for")
        return (f"Global test over the {cells} space-time bands (max-T, {self.permutations} permutations): "
                f"p = {self.global_p_value:.3f}, {verdict}.")


@dataclass(frozen=True)
class _Prepared:
    xy: np.ndarray
    ticks: np.ndarray  # integer event times
    space_edges: np.ndarray
    time_edges_ticks: np.ndarray  # integer
    time_edges: tuple[float, ...]
    time_unit: str
    tick: str
    notes: tuple[str, ...]


def _check_edges(edges: Any, what: str, unit: str) -> np.ndarray:
    e = np.asarray(edges, dtype=float).ravel()
    if len(e) < 2 or e[0] != 0 or not np.isfinite(e).all():
        raise HotspotInputError(
            f"{what} must be at least two finite edges starting at 0, e.g. [0, 100, 200] {unit}; got {list(e)}."
        )
    if (np.diff(e[1:]) <= 0).any() or e[1] < 0:
        raise HotspotInputError(
            f"{what} must increase after the first edge (a repeated 0 adds a 'same' band); got {list(e)}."
        )
    return e


def _labels(edges: np.ndarray, unit: str, same: str) -> tuple[str, ...]:
    out = []
    for k in range(len(edges) - 1):
        lo, hi = edges[k], edges[k + 1]
        if hi == 0:
            out.append(same)
        elif k == 0:
            out.append(f"0-{hi:g} {unit}")
        else:
            out.append(f">{lo:g}-{hi:g} {unit}")
    out.append(f">{edges[-1]:g} {unit}")
    return tuple(out)


def _prepare(
    points: Any, times: Any, space_bands: Any, time_bands: Any, crs: Any, time_unit: TimeUnit
) -> _Prepared:
    xy = projected_xy(points, crs=crs, what="events")
    space_edges = _check_edges(space_bands, "space_bands", "metres")
    time_edges = _check_edges(time_bands, "time_bands", "days" if time_unit == "day" else "months")
    if len(xy) < 3:
        raise HotspotInputError(f"a Knox test needs at least 3 events; got {len(xy)}.")
    notes: list[str] = []
    numeric = np.asarray(times)
    if np.issubdtype(numeric.dtype, np.number):
        if len(numeric) != len(xy) or not np.isfinite(numeric).all():
            raise HotspotInputError("times must give one finite time per event.")
        if time_unit != "day":
            raise HotspotInputError("numeric times are read as days; pass dates to use time_unit='month'.")
        values = numeric.astype(float) - float(numeric.min())
        resolution = "day" if np.array_equal(values, np.round(values)) else "sub-day"
        days = values
    else:
        stamps = as_timestamps(times)
        if len(stamps) != len(xy):
            raise HotspotInputError(f"{len(stamps)} times for {len(xy)} events; give one time per event.")
        resolution = time_resolution(times)
        days = ((stamps - stamps.min()).to_numpy() / np.timedelta64(1, "s")) / _SECONDS_PER_DAY
    if time_unit == "month":
        if not np.array_equal(time_edges, np.round(time_edges)):
            raise HotspotInputError(
                f"time_unit='month' needs whole-month edges, e.g. [0, 0, 1, 2]; got {list(time_edges)}."
            )
        if np.issubdtype(numeric.dtype, np.number):
            raise HotspotInputError("time_unit='month' needs dates or YYYY-MM strings, not numbers.")
        ticks = month_index(times)
        notes.append(
            "Time bands are whole calendar months (coarse): events in the same month may be 0-30 days apart. "
            "Do not compare these ratios with day-based near-repeat studies."
        )
        return _Prepared(
            xy, ticks, space_edges, time_edges.astype(np.int64), tuple(time_edges), "month", "month", tuple(notes)
        )
    if time_unit != "day":
        raise HotspotInputError(f"time_unit must be 'day' or 'month'; got {time_unit!r}.")
    if resolution == "month":
        raise TimeResolutionError(
            "These times carry months only (YYYY-MM, or every date the 1st of a month at 00:00, as police.uk "
            "street-level crime): every crime in a month looks simultaneous, so time bands in days cannot be "
            "measured. Use time_unit='month' with whole-month bands (coarse), or a source with offence dates "
            "(e.g. force crime or CAD records)."
        )
    positive = np.diff(time_edges)[np.diff(time_edges) > 0]
    if resolution == "day":
        if not np.array_equal(time_edges, np.round(time_edges)) or (positive < 1).any():
            raise TimeResolutionError(
                f"times are recorded to the day, so time bands must be whole days; got {list(time_edges)}."
            )
        ticks = np.round(days).astype(np.int64)
        return _Prepared(
            xy, ticks, space_edges, time_edges.astype(np.int64), tuple(time_edges), "day", "day", tuple(notes)
        )
    ticks = np.round(days * _SECONDS_PER_DAY).astype(np.int64)
    edge_ticks = time_edges * _SECONDS_PER_DAY
    if not np.allclose(edge_ticks, np.round(edge_ticks)):
        raise HotspotInputError("time band edges must be whole seconds.")
    return _Prepared(
        xy, ticks, space_edges, np.round(edge_ticks).astype(np.int64), tuple(time_edges), "day", "second", tuple(notes)
    )


def _pairs_within_time_edges(sorted_ticks: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts of all pairs per time band (last entry: beyond), from sorted integer times."""
    n = len(sorted_ticks)
    idx = np.arange(n)
    at_most = np.array(
        [int((np.searchsorted(sorted_ticks, sorted_ticks + e, side="right") - idx - 1).sum()) for e in edges[1:]]
    )
    total = n * (n - 1) // 2
    cumulative = np.concatenate([at_most, [total]])
    return np.diff(np.concatenate([[0], cumulative]))


def _summarise(
    prepared: _Prepared, observed: np.ndarray, sims: np.ndarray, n_close: int, permutations: int, seed: int
) -> KnoxResult:
    expected = sims.sum(axis=0) / permutations
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(expected > 0, observed / expected, np.nan)
    p = (1 + (sims >= observed[None]).sum(axis=0)) / (permutations + 1)
    p_adjusted, global_p, global_stat = _max_t(observed, sims)
    n = len(prepared.xy)
    unit = "days" if prepared.time_unit == "day" else "months"
    same_time = "same day" if prepared.time_unit == "day" else "same month"
    return KnoxResult(
        observed=observed,
        expected=expected,
        knox_ratio=ratio,
        p_value=p,
        space_labels=_labels(prepared.space_edges, "m", "same location"),
        time_labels=_labels(np.asarray(prepared.time_edges), unit, same_time),
        space_edges_m=tuple(float(e) for e in prepared.space_edges),
        time_edges=prepared.time_edges,
        time_unit=prepared.time_unit,
        n_events=n,
        n_pairs=n * (n - 1) // 2,
        n_close_pairs=n_close,
        permutations=permutations,
        seed=seed,
        parameters={
            "space_edges_m": list(map(float, prepared.space_edges)),
            "time_edges": list(prepared.time_edges),
            "time_unit": prepared.time_unit,
            "time_ticks": prepared.tick,
            "null": "event times permuted over events (Monte Carlo)",
            "p_value": "one-sided, (1 + #sim >= obs) / (R + 1)",
            "band_rule": "first band [0, e1], then (e_k, e_k+1]",
            "global_test": "max-T over the inner cells, same permutations (Westfall & Young 1993)",
        },
        notes=prepared.notes,
        p_adjusted=p_adjusted,
        global_p_value=global_p,
        global_statistic=global_stat,
    )


def _max_t(observed: np.ndarray, sims: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Single-step max-T adjusted p-values of the inner cells, and the global test (module docstring).

    Each inner cell is standardised by the permutations' mean and standard deviation; a cell that never varies
    (e.g. no pairs can fall in it) is left out. Observed and permuted tables are treated alike, so the global
    p-value is ``(1 + #{max over cells of a permutation >= observed max}) / (R + 1)``.
    """
    inner_obs = observed[:-1, :-1].astype(float)
    inner_sims = sims[:, :-1, :-1].astype(float)
    mean = inner_sims.mean(axis=0)
    sd = inner_sims.std(axis=0)
    varies = sd > 0
    adjusted = np.full(observed.shape, np.nan)
    if not varies.any():
        return adjusted, 1.0, float("nan")
    z_obs = np.where(varies, (inner_obs - mean) / np.where(varies, sd, 1.0), -np.inf)
    z_sims = np.where(varies[None], (inner_sims - mean[None]) / np.where(varies, sd, 1.0)[None], -np.inf)
    max_sims = z_sims.reshape(len(sims), -1).max(axis=1)
    r = len(sims)
    counts = (max_sims[None, :] >= z_obs.reshape(-1, 1) - 1e-12).sum(axis=1).reshape(z_obs.shape)
    adjusted[:-1, :-1] = np.where(varies, (1 + counts) / (r + 1), np.nan)
    stat = float(z_obs.max())
    return adjusted, float((1 + (max_sims >= stat - 1e-12).sum()) / (r + 1)), stat


def knox_test(
    points: Any,
    times: Any,
    *,
    space_bands: Any,
    time_bands: Any,
    permutations: int = 999,
    seed: int | None = None,
    crs: Any = None,
    time_unit: TimeUnit = "day",
) -> KnoxResult:
    """Knox near-repeat test (module docstring): pair counts, expected counts, Knox ratios, p-values.

    ``points``: events as a point GeoDataFrame/GeoSeries or ``(n, 2)`` array with ``crs``; ``times``:
    dates/datetimes (or numbers = days). ``space_bands`` in metres, ``time_bands`` in days (or whole
    months with ``time_unit="month"``). Refuses day bands on month-only times such as police.uk's
    (:class:`TimeResolutionError`; see :func:`~.time_resolution.time_resolution`).
    """
    if permutations < 1:
        raise HotspotInputError(f"permutations must be at least 1 (99 or 999 are usual); got {permutations}.")
    prepared = _prepare(points, times, space_bands, time_bands, crs, time_unit)
    seed = new_seed() if seed is None else int(seed)
    xy, ticks = prepared.xy, prepared.ticks
    n = len(xy)
    s_edges, t_edges = prepared.space_edges, prepared.time_edges_ticks
    n_s, n_t = len(s_edges) - 1, len(t_edges)  # inner space bands; time bands incl. beyond

    # Number events along a coarse spatial order so that close pairs have close indices (cache-friendly
    # gathers). Permutations are still drawn on the caller's order, so tables match the reference.
    r_max = float(s_edges[-1])
    cell = max(r_max, 1.0) * 4
    spatial_order = np.lexsort((xy[:, 0], np.floor(xy[:, 1] / cell)))
    xy_s = xy[spatial_order]
    pairs = cKDTree(xy_s).query_pairs(r_max * (1 + 1e-9) + 1e-9, output_type="ndarray")
    i, j = pairs[:, 0], pairs[:, 1]
    dist = np.hypot(xy_s[i, 0] - xy_s[j, 0], xy_s[i, 1] - xy_s[j, 1])
    keep = dist <= r_max
    i, j, dist = i[keep], j[keep], dist[keep]
    space_band = np.searchsorted(s_edges[1:], dist, side="left")
    order = np.lexsort((j, i, space_band))
    i, j, space_band = i[order].astype(np.int32), j[order].astype(np.int32), space_band[order]
    segments = np.searchsorted(space_band, np.arange(n_s + 1), side="left")
    n_close = len(i)

    span = int(ticks.max() - ticks.min())
    dtype = np.int32 if 2 * span + 1 < 2**31 else np.int64
    t_caller = (ticks - ticks.min()).astype(dtype)
    inner_edges = t_edges[1:]

    if 2 * span + 1 <= _MAX_HISTOGRAM:
        # Histogram of signed gaps per space band; fold to |gap| and read band counts off its cumsum.
        lookup_at = np.minimum(inner_edges, span)

        def close_counts(t_perm: np.ndarray) -> np.ndarray:
            shifted = t_perm + span
            gap = shifted[i]
            gap -= t_perm[j]
            out = np.empty((n_s, n_t), dtype=np.int64)
            for band in range(n_s):
                hist = np.bincount(gap[segments[band] : segments[band + 1]], minlength=2 * span + 1)
                folded = hist[span:].copy()
                folded[1:] += hist[:span][::-1]
                cum = np.cumsum(folded)
                at_most = cum[lookup_at]
                out[band, :-1] = np.diff(np.concatenate([[0], at_most]))
                out[band, -1] = cum[-1] - at_most[-1]
            return out

    else:
        # Very long spans in seconds: clip gaps beyond the last edge, then bin by search.
        cap = int(inner_edges[-1]) + 1

        def close_counts(t_perm: np.ndarray) -> np.ndarray:
            gap = np.abs(t_perm[i] - t_perm[j])
            np.minimum(gap, cap, out=gap)
            codes = space_band * n_t + np.searchsorted(inner_edges, gap, side="left")
            return np.bincount(codes, minlength=n_s * n_t).reshape(n_s, n_t)

    all_pairs_by_time = _pairs_within_time_edges(np.sort(ticks), t_edges)

    def full_table(close: np.ndarray) -> np.ndarray:
        return np.vstack([close, all_pairs_by_time - close.sum(axis=0)])

    def simulate(perm: np.ndarray) -> np.ndarray:
        return full_table(close_counts(t_caller[perm][spatial_order]))

    observed = full_table(close_counts(t_caller[spatial_order]))
    sims = np.empty((permutations, n_s + 1, n_t), dtype=np.int64)
    rng = np.random.default_rng(seed)
    workers = min(os.cpu_count() or 1, MAX_THREADS)
    batch = 8 * workers
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for start in range(0, permutations, batch):
            stop = min(permutations, start + batch)
            perms = [rng.permutation(n) for _ in range(start, stop)]  # drawn in order: seed fixes the tables
            sims[start:stop] = np.stack(list(pool.map(simulate, perms)))
    return _summarise(prepared, observed, sims, n_close, permutations, seed)


def knox_test_all_pairs(
    points: Any,
    times: Any,
    *,
    space_bands: Any,
    time_bands: Any,
    permutations: int = 999,
    seed: int | None = None,
    crs: Any = None,
    time_unit: TimeUnit = "day",
    block: int = 256,
) -> KnoxResult:
    """Reference Knox test that bins every one of the ``n (n - 1) / 2`` pairs for every permutation.

    Quadratic in events (times permutations): for checking :func:`knox_test` and for benchmarks. It
    visits all pairs in blocks of ``block`` rows, bins each block's distances once, then bins the block's
    time gaps for the observed times and for each permutation. Draws the same permutations as
    :func:`knox_test` for the same seed, so the tables are identical.
    """
    if permutations < 1:
        raise HotspotInputError(f"permutations must be at least 1; got {permutations}.")
    prepared = _prepare(points, times, space_bands, time_bands, crs, time_unit)
    seed = new_seed() if seed is None else int(seed)
    xy, ticks = prepared.xy, prepared.ticks
    n = len(xy)
    s_inner, t_inner = prepared.space_edges[1:], prepared.time_edges_ticks[1:]
    n_cols = len(t_inner) + 1
    n_cells = (len(s_inner) + 1) * n_cols
    rng = np.random.default_rng(seed)
    time_sets = np.stack([ticks] + [ticks[rng.permutation(n)] for _ in range(permutations)])
    tables = np.zeros((permutations + 1, n_cells), dtype=np.int64)
    for lo in range(0, n - 1, block):
        a, b = _upper_pairs(np.arange(lo, min(n - 1, lo + block)), n)
        dist = np.hypot(xy[a, 0] - xy[b, 0], xy[a, 1] - xy[b, 1])
        base = np.searchsorted(s_inner, dist, side="left") * n_cols
        for k, t in enumerate(time_sets):
            gap = np.abs(t[a] - t[b])
            tables[k] += np.bincount(base + np.searchsorted(t_inner, gap, side="left"), minlength=n_cells)
    tables = tables.reshape(permutations + 1, len(s_inner) + 1, n_cols)
    observed = tables[0]
    return _summarise(prepared, observed, tables[1:], int(observed[:-1].sum()), permutations, seed)


def _upper_pairs(rows: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (a, b) with a in ``rows`` and a < b < n."""
    lengths = n - 1 - rows
    a = np.repeat(rows, lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return a, a + 1 + offsets
