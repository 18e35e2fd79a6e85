"""An independent auditor: attack published tables and report any suppressed cell they give away.

The auditor sees only what a reader sees — the published tables (values, suppression markers, totals
labelled ``total_label``) — and the rules, which are public. It rebuilds the table with all margins from
the labels alone and, for every suppressed cell, solves two linear programmes (HiGHS through
``scipy.optimize.linprog``) for the smallest and largest value consistent with everything published:

- every line adds up: a total equals the sum of the cells it totals, on every axis and at every level;
- a published ``0`` is exact (rules that publish zeros never round a count ≥ threshold+1 down to 0);
- a published ``r > 0`` came from a true count ``v`` with ``v ≥ threshold + 1`` and
  ``r - floor(base/2) ≤ v ≤ r + floor((base - 1)/2)`` (round half up: base 5 → ``r-2..r+2``);
- a suppressed cell is ≥ 1 when zeros are published (zeros are then never suppressed), else ≥ 0;
- a cell that no table publishes is only known to be ≥ 0.

A cell is *recovered* when its integer range ``[ceil(min), floor(max)]`` is narrower than ``min_width``
(default ``rules.required_width``, i.e. the threshold): tau-ARGUS's interval protection with a sliding
protection range (Hundepool et al. 2012, ch. 4; de Wolf & Giessing, tau-ARGUS manual). ``integer=True``
re-solves bounded ranges as integer programmes (``scipy.optimize.milp``), a stronger attacker.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import connected_components

from .errors import AuditInputError
from .protected import ProtectedTable
from .rules import CITATION, NHS_OPENSAFELY, DisclosureRules

_EPS = 1e-6


class _Total:
    def __repr__(self) -> str:
        return "TOTAL"


_TOTAL = _Total()
Published: TypeAlias = ProtectedTable | pd.DataFrame | pd.Series


@dataclass(frozen=True, eq=False)
class AuditReport:
    """One row per suppressed cell: its coordinates, the attacker's range and whether it is recovered."""

    cells: pd.DataFrame
    min_width: int
    rules_name: str
    integer: bool
    citation: str = CITATION

    @property
    def safe(self) -> bool:
        return not bool(self.cells["recovered"].any())

    @property
    def recovered(self) -> pd.DataFrame:
        return self.cells[self.cells["recovered"]].reset_index(drop=True)

    def summary(self) -> str:
        n = len(self.cells)
        bad = int(self.cells["recovered"].sum())
        verdict = "no suppressed cell is recovered" if bad == 0 else f"{bad} suppressed cell(s) recovered"
        return (f"Audit ({self.rules_name}, {'integer' if self.integer else 'linear'} attacker, "
                f"protection width {self.min_width}): {n} suppressed cell(s); {verdict}.")


def audit(
    published: Published | Sequence[Published],
    rules: DisclosureRules | None = None,
    *,
    dims: Sequence[str] | None = None,
    value: str | None = None,
    total_label: str | None = None,
    min_width: int | None = None,
    integer: bool = False,
) -> AuditReport:
    """Attack one or more published tables (linked: views of one base table) and report each suppressed cell.

    ``published`` is a :class:`ProtectedTable`, a tidy frame (dimension columns + a ``value`` column of
    counts and markers or ``<NA>``), a Series indexed by dimension(s), or a list of these published side by
    side. A dimension missing from a frame means that frame shows its total. ``rules``, ``value`` and
    ``total_label`` default to those of a ProtectedTable, else NHS/OpenSAFELY, ``"count"``, ``"Total"``.
    """
    items = list(published) if isinstance(published, list | tuple) else [published]
    if not items:
        raise AuditInputError("nothing to audit", "pass at least one published table")
    first_protected = next((p for p in items if isinstance(p, ProtectedTable)), None)
    if first_protected is not None:
        rules = rules or first_protected.rules
        total_label = total_label or first_protected.total_label
        value = value or first_protected.value_name
        dims = dims or (first_protected.dims if len(items) == 1 else None)
    rules = rules or NHS_OPENSAFELY
    total_label = total_label or "Total"
    value = value or "count"
    frames = [_as_frame(p, value) for p in items]
    dims = list(dims) if dims is not None else _dims_of(frames, value)
    cells, problems = _collect(frames, dims, value, total_label, rules)
    if problems:
        raise AuditInputError(
            "the published tables cannot be audited:\n" + "\n".join(f"  - {p}" for p in problems[:20]),
            "check that every table was produced with these rules and that totals are labelled "
            f"'{total_label}'",
        )
    width = rules.required_width if min_width is None else int(min_width)
    return _attack(cells, dims, total_label, rules, width, integer)


def _as_frame(item: ProtectedTable | pd.DataFrame | pd.Series, value: str) -> pd.DataFrame:
    if isinstance(item, ProtectedTable):
        return item.view(markers=True).rename(columns={item.value_name: value})
    if isinstance(item, pd.Series):
        return item.rename(value).reset_index()
    if isinstance(item, pd.DataFrame):
        if value not in item.columns:
            raise AuditInputError(
                f"a published table has no '{value}' column (columns: {list(item.columns)})",
                "pass tidy tables (dimension columns + the count column) and name it with value=",
            )
        return item
    raise AuditInputError(f"cannot audit a {type(item).__name__}",
                          "pass a ProtectedTable, a tidy DataFrame, a Series or a list of them")


def _dims_of(frames: list[pd.DataFrame], value: str) -> list[str]:
    return list(dict.fromkeys(c for f in frames for c in f.columns if c != value))


def _collect(frames: list[pd.DataFrame], dims: list[str], value: str, total_label: str,
             rules: DisclosureRules) -> tuple[dict[tuple, tuple[float, float, bool, object]], list[str]]:
    """Map each published cell (labels, ``_TOTAL`` for totals) to its (lower, upper, suppressed, shown)."""
    problems: list[str] = []
    cells: dict[tuple, tuple[float, float, bool, object]] = {}
    base, t = rules.rounding_base, rules.threshold
    for n, frame in enumerate(frames, start=1):
        extra = [c for c in frame.columns if c != value and c not in dims]
        if extra:
            problems.append(f"table {n} has columns {extra} that are neither dimensions {dims} nor '{value}'")
            continue
        columns = [frame[d].tolist() if d in frame.columns else [_TOTAL] * len(frame) for d in dims]
        for i, shown in enumerate(frame[value].tolist()):
            key = tuple(_TOTAL if (c[i] is _TOTAL or c[i] == total_label) else c[i] for c in columns)
            parsed = _parse(shown, rules.marker)
            if parsed is None:
                problems.append(
                    f"table {n}, cell {key}: cannot read {shown!r} as a count or '{rules.marker}'")
                continue
            if parsed == "suppressed":
                bounds = (float(rules.smallest_suppressed), math.inf, True, shown)
            else:
                r = int(parsed)  # type: ignore[call-overload]  # _parse gives an int or "suppressed"
                if r < 0 or r % base:
                    problems.append(
                        f"table {n}, cell {key}: {r} is not a multiple of the rounding base {base}")
                    continue
                if r == 0:
                    if rules.suppress_zeros:
                        problems.append(
                            f"table {n}, cell {key}: a 0 is published but the rules suppress zeros")
                        continue
                    lo = hi = 0.0
                else:
                    lo, hi = float(max(t + 1, r - base // 2)), float(r + (base - 1) // 2)
                    if lo > hi:
                        problems.append(f"table {n}, cell {key}: {r} cannot be published under rules "
                                        f"'{rules.name}' (smallest published count is {t + 1})")
                        continue
                bounds = (lo, hi, False, r)
            if key in cells and cells[key][:3] != bounds[:3]:
                problems.append(f"cell {key} is published twice with different values "
                                f"({cells[key][3]!r} and {shown!r})")
            cells[key] = bounds
    return cells, problems


def _parse(shown: object, marker: str) -> object:
    if shown is None or shown is pd.NA or (isinstance(shown, float) and math.isnan(shown)):
        return "suppressed"
    if isinstance(shown, str):
        text = shown.strip()
        if text == marker.strip():
            return "suppressed"
        try:
            return int(text.replace(",", ""))
        except ValueError:
            return None
    if isinstance(shown, bool | np.bool_):
        return None
    if isinstance(shown, int | np.integer):
        return int(shown)
    if isinstance(shown, float | np.floating) and float(shown).is_integer():
        return int(shown)
    return None


def _attack(cells: dict[tuple, tuple[float, float, bool, object]], dims: list[str], total_label: str,
            rules: DisclosureRules, width: int, integer: bool) -> AuditReport:
    k = len(dims)
    categories: list[list[Hashable]] = [[] for _ in range(k)]
    seen: list[dict[Hashable, int]] = [{} for _ in range(k)]
    for key in cells:
        for a, label in enumerate(key):
            if label is not _TOTAL and label not in seen[a]:
                seen[a][label] = len(categories[a])
                categories[a].append(label)
    shape = tuple(len(c) + 1 for c in categories)
    size = int(np.prod(shape))
    lower = np.zeros(size)
    upper = np.full(size, math.inf)
    hidden = np.zeros(size, dtype=bool)
    for key, (lo, hi, sup, _) in cells.items():
        idx = tuple(shape[a] - 1 if label is _TOTAL else seen[a][label] for a, label in enumerate(key))
        flat = int(np.ravel_multi_index(idx, shape)) if k else 0
        lower[flat], upper[flat], hidden[flat] = lo, hi, sup

    # Every line: sum(inner) - total = 0. Fixed cells (lower == upper) move to the right-hand side.
    fixed = lower == upper
    var_of = np.full(size, -1, dtype=np.int64)
    free = np.flatnonzero(~fixed)
    var_of[free] = np.arange(free.size)
    index = np.arange(size).reshape(shape)
    rows, cols, vals, rhs = [], [], [], []
    problems = []
    n_rows = 0
    for axis in range(k):
        line_cells = np.moveaxis(index, axis, -1).reshape(-1, shape[axis])
        coef = np.ones(line_cells.shape)
        coef[:, -1] = -1.0
        known = np.where(fixed[line_cells], lower[line_cells] * coef, 0.0).sum(axis=1)
        has_var = (~fixed[line_cells]).any(axis=1)
        for bad in np.flatnonzero(~has_var & (np.abs(known) > _EPS))[:5]:
            problems.append(f"a published total does not equal the sum of its published cells "
                            f"(line {int(bad)} along '{dims[axis]}')")
        sel = line_cells[has_var]
        r, c = np.nonzero(~fixed[sel])
        rows.append(r + n_rows)
        cols.append(var_of[sel[r, c]])
        vals.append(coef[has_var][r, c])
        rhs.append(-known[has_var])
        n_rows += sel.shape[0]
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise AuditInputError(f"the published tables are inconsistent:\n{listing}",
                              "publish every table from one protected result (ProtectedTable.view)")
    a = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(n_rows, free.size))
    b = np.concatenate(rhs)
    lo_var, hi_var = lower[free], upper[free]
    if free.size and linprog(np.zeros(free.size), A_eq=a, b_eq=b, bounds=np.column_stack((lo_var, hi_var)),
                             method="highs").status == 2:
        raise AuditInputError(
            "the published tables are inconsistent: no table of counts rounds to every published value",
            "publish every table from one protected result (ProtectedTable.view), with these rules",
        )
    if not hidden.any():
        empty = pd.DataFrame(columns=[*dims, "published", "lower", "upper", "width", "recovered"])
        return AuditReport(empty.astype({"recovered": bool}), width, rules.name, integer)
    _, component = connected_components((a.T @ a) != 0, directed=False)
    row_comp = component[np.asarray(abs(a).argmax(axis=1)).ravel()] if n_rows else np.zeros(0, dtype=int)

    records = []
    cache: dict[int, tuple] = {}
    for flat in np.flatnonzero(hidden).tolist():
        v = int(var_of[flat])
        comp = int(component[v])
        if comp not in cache:
            members = np.flatnonzero(component == comp)
            crow = np.flatnonzero(row_comp == comp)
            a_c = a[crow][:, members]
            cache[comp] = (members, a_c.toarray() if members.size <= 300 else a_c, b[crow])
        members, a_c, b_c = cache[comp]
        j = int(np.searchsorted(members, v))
        lo, hi = _range(a_c, b_c, lo_var[members], hi_var[members], j, integer)
        idx = tuple(int(i) for i in np.unravel_index(flat, shape))
        labels = [total_label if i == shape[a_] - 1 else categories[a_][i] for a_, i in enumerate(idx)]
        w = hi - lo
        records.append([*labels, rules.marker, lo, hi, w, bool(w < width)])
    frame = pd.DataFrame(records, columns=[*dims, "published", "lower", "upper", "width", "recovered"])
    frame = frame.astype({"lower": float, "upper": float, "width": float, "recovered": bool})
    return AuditReport(frame, width, rules.name, integer)


def _range(a: sparse.csr_matrix | np.ndarray, b: np.ndarray, lo: np.ndarray, hi: np.ndarray, j: int,
           integer: bool) -> tuple[float, float]:
    """Integer range ``[ceil(min x_j), floor(max x_j)]`` over the published constraints."""
    bounds = np.column_stack((lo, hi))
    c = np.zeros(a.shape[1])
    c[j] = 1.0
    high = linprog(-c, A_eq=a, b_eq=b, bounds=bounds, method="highs")
    low = linprog(c, A_eq=a, b_eq=b, bounds=bounds, method="highs")
    if low.status == 2 or high.status == 2:
        raise AuditInputError("the published values are inconsistent: no table of counts fits them all",
                              "publish every table from one protected result, with the same rules")
    if low.status != 0 or high.status not in (0, 3):  # pragma: no cover - solver trouble
        raise AuditInputError(f"the linear programme failed ({low.message}; {high.message})",
                              "report this with the published tables attached")
    lo_val = math.ceil(low.fun - _EPS)
    hi_val = math.inf if high.status == 3 else math.floor(-high.fun + _EPS)
    if integer:
        constraint = LinearConstraint(a, b, b)
        box = Bounds(lo, hi)
        ones = np.ones(a.shape[1])
        res = milp(c, constraints=constraint, bounds=box, integrality=ones)
        if res.status == 0:
            lo_val = max(lo_val, math.ceil(res.fun - _EPS))
        if not math.isinf(hi_val):
            res = milp(-c, constraints=constraint, bounds=box, integrality=ones)
            if res.status == 0:
                hi_val = min(hi_val, math.floor(-res.fun + _EPS))
    return float(lo_val), float(hi_val)
