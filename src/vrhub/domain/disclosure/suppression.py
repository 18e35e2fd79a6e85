"""Primary and secondary cell suppression, then rounding, on a cube with all margins.

Method (Hundepool et al. 2012, ch. 4 and 5; tau-ARGUS secondary suppression):

1. *Primary suppression*: every cell, margin or total whose count is in ``1..threshold`` (``0..threshold``
   when zeros are suppressed).
2. *Singletons*: a line (cells along one axis plus their total) with exactly one suppressed cell gives it
   away by subtraction, so one more of its non-zero cells is suppressed: the one that leaves fewest new
   single-suppression lines on its other axes, then the smallest, then the first in category order
   (inner cells before the total). Repeated until no line has a single suppression.
3. *Interval protection*: for each suppressed cell an attacker who knows every published value *exactly*
   (no rounding) and that suppressed cells are ≥ 1 (≥ 0 when zeros are suppressed) solves two linear
   programmes for its smallest and largest possible value. If the integer range is narrower than
   ``rules.required_width`` the smallest non-zero published cell on one of its lines is suppressed
   (ties: lowest position), or, failing that, the smallest published margin it belongs to. Repeat.
   Suppressing more cells only widens every range, so a cell once found safe stays safe.
4. *Giving back*: greedy choices over-protect, so each secondary suppression is published again, largest
   first, if every suppressed cell linked to it stays protected without it (within a budget of linear
   programmes, so that large tables stay fast).
5. *Rounding*: published cells and totals are rounded independently (totals from the unrounded data).

The attacker in step 3 knows more than the one the published output allows (rounded values only widen
the ranges), so a pattern that passes step 3 passes :func:`vrhub.domain.disclosure.audit.audit`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from .cube import ancestors, line_of, lines
from .rules import DisclosureRules, round_to_base

_EPS = 1e-6
_NO_CANDIDATE = np.iinfo(np.int64).max
_PRUNE_BUDGET = 300  # linear programmes spent at most on giving back unneeded secondary suppressions
_DENSE_UP_TO = 300  # below this many unknowns a dense matrix is faster to hand to HiGHS
_LOCAL_FROM = 60  # in groups of more suppressed cells, first try to prove protection in a small box
_BOX = 4  # other suppressed positions per axis in that box


@dataclass(frozen=True, eq=False)
class Suppression:
    """Outcome on the extended cube: rounded published values (0 where suppressed) and the masks."""

    published: np.ndarray
    suppressed: np.ndarray
    primary: np.ndarray
    repair_rounds: int


def suppress(values: np.ndarray, rules: DisclosureRules) -> Suppression:
    """Apply ``rules`` to a cube of counts with all margins (see ``cube.with_margins``)."""
    values = np.asarray(values, dtype=np.int64)
    primary = rules.is_primary(values)
    suppressed = primary.copy()
    rounds = 0
    if rules.secondary_suppression and primary.any():
        suppressed, rounds = _secondary(values, primary, rules)
    published = round_to_base(values, rules.rounding_base)
    published[suppressed] = 0
    return Suppression(published, suppressed, primary, rounds)


def _secondary(values: np.ndarray, primary: np.ndarray, rules: DisclosureRules) -> tuple[np.ndarray, int]:
    shape = values.shape
    flat = values.ravel()
    s = primary.ravel().copy()
    line_sets = lines(shape)
    _close_singletons(flat, s, line_sets)
    verified = np.zeros_like(s)
    rounds = 0
    while True:
        check = np.flatnonzero(s & ~verified)
        attacker = _ExactAttacker(flat, s, line_sets, rules.smallest_suppressed)
        safe = np.array([attacker.protected(c, rules.required_width) for c in check.tolist()], dtype=bool)
        verified[check[safe]] = True
        failing = check[~safe]
        if failing.size == 0:
            _prune(flat, s, primary.ravel(), line_sets, rules)
            return s.reshape(shape), rounds
        rounds += 1
        blocked: set[tuple[int, int]] = set()
        picked = False
        for cell in failing.tolist():
            coords = tuple(int(c) for c in np.unravel_index(cell, shape))
            own = [(axis, line_of(coords, axis, shape)) for axis in range(len(shape))]
            if blocked.intersection(own):
                continue  # a line of this cell already gained a suppression this round
            pick = _smallest_on_lines(flat, s, line_sets, own)
            if pick is None:
                pick = _smallest_margin(flat, s, coords, shape)
            if pick is None:
                continue  # its margins were all suppressed earlier this round: recheck next round
            s[pick] = True
            picked = True
            pick_coords = tuple(int(c) for c in np.unravel_index(pick, shape))
            blocked.update(own)
            blocked.update((axis, line_of(pick_coords, axis, shape)) for axis in range(len(shape)))
        if not picked:  # pragma: no cover - impossible: a cell whose margins are all suppressed is unbounded
            raise RuntimeError("secondary suppression found no cell left to suppress; please report this")
        _close_singletons(flat, s, line_sets)


def _prune(flat: np.ndarray, s: np.ndarray, primary: np.ndarray, line_sets: list[np.ndarray],
           rules: DisclosureRules) -> None:
    """Publish again each secondary suppression the pattern does not need, largest value first.

    Greedy suppression over-protects (e.g. three small cells on the diagonal of a 3×3 table); a
    secondary cell is given back when every suppressed cell it is linked to stays protected without it.
    At most ``_PRUNE_BUDGET`` linear programmes are spent, so large tables keep the greedy pattern.
    """
    budget = _PRUNE_BUDGET
    shape = tuple(ls.shape[1] for ls in line_sets)
    secondary = np.flatnonzero(s & ~primary)
    for cell in secondary[np.lexsort((-secondary, -flat[secondary]))].tolist():
        s[cell] = False
        attacker = _ExactAttacker(flat, s, line_sets, rules.smallest_suppressed)
        coords = tuple(int(c) for c in np.unravel_index(cell, shape))
        near = np.concatenate([line_sets[a][line_of(coords, a, shape)] for a in range(len(shape))])
        groups = {attacker.component_of(x) for x in near[s[near]].tolist()}
        check = [x for x in np.flatnonzero(s).tolist() if groups and attacker.component_of(x) in groups]
        if 2 * len(check) > budget:
            s[cell] = True
            return
        near_first = sorted(check, key=lambda x: (not bool(np.isin(x, near)), x))
        needed = not all(attacker.protected(x, rules.required_width) for x in near_first)
        budget -= attacker.solves
        if needed:
            s[cell] = True


def _close_singletons(flat: np.ndarray, s: np.ndarray, line_sets: list[np.ndarray]) -> None:
    """Until no line has exactly one suppressed cell, give each such line a partner suppression.

    Lines are taken in order (axis, then position). The partner is a non-zero published cell of the
    line, chosen by: fewest new single-suppression lines it creates minus those it closes on its other
    axes (so that two small cells pair up, as in a 2×2 rectangle), then the smallest value, then the
    first position (inner cells before the total).
    """
    line_id = []
    for line_cells in line_sets:
        ids = np.empty(flat.size, dtype=np.int64)
        ids[line_cells] = np.arange(line_cells.shape[0])[:, None]
        line_id.append(ids)
    counts = [s[line_cells].sum(axis=1) for line_cells in line_sets]
    stuck: set[tuple[int, int]] = set()
    while True:
        found = next(((a, int(row)) for a, c in enumerate(counts) for row in np.flatnonzero(c == 1)
                      if (a, int(row)) not in stuck), None)
        if found is None:
            return
        axis, row = found
        cells = line_sets[axis][row]
        cand = np.flatnonzero(~s[cells] & (flat[cells] > 0))
        if cand.size == 0:  # nothing left to pair with; the interval check deals with the line
            stuck.add(found)
            continue
        best = min(
            cand.tolist(),
            key=lambda j: (
                sum(1 if counts[b][line_id[b][cells[j]]] == 0 else -1 if counts[b][line_id[b][cells[j]]] == 1
                    else 0 for b in range(len(line_sets)) if b != axis),
                int(flat[cells[j]]),
                j,
            ),
        )
        cell = int(cells[best])
        s[cell] = True
        for b in range(len(line_sets)):
            counts[b][line_id[b][cell]] += 1


def _smallest_on_lines(
    flat: np.ndarray, s: np.ndarray, line_sets: list[np.ndarray], own: list[tuple[int, int]]
) -> int | None:
    cells = np.unique(np.concatenate([line_sets[axis][row] for axis, row in own]))
    cells = cells[~s[cells] & (flat[cells] > 0)]
    if cells.size == 0:
        return None
    order = np.lexsort((cells, flat[cells]))
    return int(cells[order[0]])


def _smallest_margin(flat: np.ndarray, s: np.ndarray, coords: tuple[int, ...], shape: tuple[int, ...]
                     ) -> int | None:
    cells = np.array([np.ravel_multi_index(a, shape) for a in ancestors(coords, shape)], dtype=np.int64)
    if cells.size == 0:
        return None
    cells = cells[~s[cells] & (flat[cells] > 0)]
    if cells.size == 0:
        return None
    order = np.lexsort((cells, flat[cells]))
    return int(cells[order[0]])


class _ExactAttacker:
    """Linear programmes of an attacker who knows every unsuppressed value exactly.

    Suppressed values are ≥ ``lower``. Each line with a suppressed cell gives
    ``sum(suppressed inner) - [total suppressed]·total = total_known - sum(known inner)``; the problems
    are split into connected groups of suppressed cells and solved with HiGHS (``scipy.optimize.linprog``).
    """

    def __init__(self, flat: np.ndarray, s: np.ndarray, line_sets: list[np.ndarray], lower: int) -> None:
        self.lower = lower
        self.flat = flat
        self.s = s
        self.line_sets = line_sets
        self.shape = tuple(ls.shape[1] for ls in line_sets)
        self.solves = 0
        sup = np.flatnonzero(s)
        self.pos = np.full(flat.size, -1, dtype=np.int64)
        self.pos[sup] = np.arange(sup.size)
        row_ids, col_ids, coefs, rhs = [], [], [], []
        n_rows = 0
        for line_cells in line_sets:
            rows = line_cells[s[line_cells].any(axis=1)]
            if rows.size == 0:
                continue
            coef = np.ones(rows.shape, dtype=float)
            coef[:, -1] = -1.0
            mask = s[rows]
            known = np.where(mask, 0.0, flat[rows] * coef).sum(axis=1)
            r, c = np.nonzero(mask)
            row_ids.append(r + n_rows)
            col_ids.append(self.pos[rows[r, c]])
            coefs.append(coef[r, c])
            rhs.append(-known)
            n_rows += rows.shape[0]
        if n_rows == 0:
            self.component = np.zeros(sup.size, dtype=np.int64)
            self._a = sparse.csr_matrix((0, sup.size))
            self._b = np.zeros(0)
            self._row_component = np.zeros(0, dtype=np.int64)
        else:
            self._a = sparse.csr_matrix(
                (np.concatenate(coefs), (np.concatenate(row_ids), np.concatenate(col_ids))),
                shape=(n_rows, sup.size),
            )
            self._b = np.concatenate(rhs)
            _, self.component = connected_components((self._a.T @ self._a) != 0, directed=False)
            self._row_component = self.component[np.asarray(abs(self._a).argmax(axis=1)).ravel()]
        self._cache: dict[int, tuple[np.ndarray, sparse.csr_matrix, np.ndarray]] = {}

    def component_of(self, cell: int) -> int:
        return int(self.component[self.pos[cell]])

    def _problem(self, comp: int) -> tuple[np.ndarray, sparse.csr_matrix | np.ndarray, np.ndarray]:
        if comp not in self._cache:
            members = np.flatnonzero(self.component == comp)
            rows = np.flatnonzero(self._row_component == comp)
            a_c = self._a[rows][:, members]
            dense = members.size <= _DENSE_UP_TO
            self._cache[comp] = (members, a_c.toarray() if dense else a_c, self._b[rows])
        return self._cache[comp]

    def protected(self, cell: int, needed: int) -> bool:
        """Whether the integer range ``[ceil(min), floor(max)]`` of a suppressed cell is ≥ ``needed`` wide.

        Large groups first try a small box around the cell (``_local_width``); otherwise, or if that
        cannot show it, the exact programmes on the whole group decide. The maximum is solved first:
        as the true value lies in the range, ``floor(max) - true ≥ needed`` settles it without the minimum.
        """
        comp = self.component_of(cell)
        if int((self.component == comp).sum()) > _LOCAL_FROM and self._local_width(cell, needed) >= needed:
            return True
        members, a_c, b_c = self._problem(comp)
        objective = np.zeros(members.size)
        objective[int(np.searchsorted(members, self.pos[cell]))] = -1.0
        return self._width(objective, a_c, b_c, int(self.flat[cell]), needed) >= needed

    def _width(self, objective: np.ndarray, a: sparse.csr_matrix | np.ndarray, b: np.ndarray, true: int,
               needed: int) -> float:
        """Width of the range, or a lower bound on it once that bound reaches ``needed``."""
        self.solves += 1
        high = _solve(objective, a, b, self.lower)
        if high.status == 3:
            return math.inf
        hi = math.floor(-high.fun + _EPS)
        if hi - true >= needed:
            return hi - true
        self.solves += 1
        low = _solve(-objective, a, b, self.lower)
        return hi - math.ceil(low.fun - _EPS)

    def _local_width(self, cell: int, needed: int) -> float:
        """The cell's range when only suppressed cells in a small box around it may move.

        The box takes, on every axis, the cell's own position, its line's total and up to ``_BOX``
        other suppressed positions on its line (those with most room above ``lower``). Every other cell
        keeps its true value, so the box's feasible tables are feasible tables of the whole problem and
        its range lies inside the true range: a wide enough box range proves the cell protected.
        """
        coords = np.unravel_index(cell, self.shape)
        picks = []
        for axis in range(len(self.shape)):
            line = self.line_sets[axis][line_of(tuple(int(c) for c in coords), axis, self.shape)]
            inner = line[:-1]
            others = np.flatnonzero(self.s[inner] & (inner != cell))
            room = self.flat[inner[others]]
            chosen = others[np.lexsort((others, -room))][:_BOX]
            picks.append(np.unique(np.concatenate(([int(coords[axis]), self.shape[axis] - 1], chosen))))
        box = np.ravel_multi_index(np.meshgrid(*picks, indexing="ij"), self.shape).ravel()
        free = np.sort(box[self.s[box]])
        rows, rhs = [], []
        seen: set[tuple[int, int]] = set()
        for x in free.tolist():
            xc = tuple(int(c) for c in np.unravel_index(x, self.shape))
            for axis in range(len(self.shape)):
                key = (axis, line_of(xc, axis, self.shape))
                if key in seen:
                    continue
                seen.add(key)
                line = self.line_sets[axis][key[1]]
                coef = np.ones(line.size)
                coef[-1] = -1.0
                moving = np.isin(line, free)
                row = np.zeros(free.size)
                row[np.searchsorted(free, line[moving])] = coef[moving]
                rows.append(row)
                rhs.append(-(coef[~moving] * self.flat[line[~moving]]).sum())
        objective = np.zeros(free.size)
        objective[int(np.searchsorted(free, cell))] = -1.0
        return self._width(objective, np.array(rows), np.array(rhs), int(self.flat[cell]), needed)


def _solve(objective: np.ndarray, a: sparse.csr_matrix | np.ndarray, b: np.ndarray, lower: int) -> Any:
    res = linprog(objective, A_eq=a, b_eq=b, bounds=(lower, None), method="highs")
    if res.status not in (0, 3):  # pragma: no cover - the true values are always feasible
        raise RuntimeError(f"linear programme failed ({res.message}); please report this")
    return res
