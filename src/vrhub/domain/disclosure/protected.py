"""Protect count tables, and the protected result every released view is cut from.

``protect_series``, ``protect_table`` and ``protect_long`` build the table with *all* its margins, apply
the rules once (``suppression.suppress``) and return a :class:`ProtectedTable`. Every view a report, map
or board page shows — the full table, any marginal table, a slice, rates, percentages — is cut from that
one protected result, so tables published side by side cannot be subtracted from one another to reveal a
suppressed cell (the linked-tables problem; Hundepool et al. 2012, ch. 4).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from .cube import Cube, cube_from_frame, cube_from_long, cube_from_series
from .errors import DisclosureInputError, SuppressedRateError
from .rules import CITATION, NHS_OPENSAFELY, DisclosureRules
from .suppression import suppress


@dataclass(frozen=True)
class DisclosureProvenance:
    """What was applied to a protected output; ``statement`` goes on every page of a released report."""

    rules_name: str
    threshold: int
    rounding_base: int
    suppress_zeros: bool
    secondary_suppression: bool
    protection_width: int
    marker: str
    cells: int
    primary_suppressed: int
    secondary_suppressed: int
    statement: str
    source: str
    citation: str = CITATION

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True, eq=False)
class ProtectedTable:
    """A count table after disclosure control, with every margin; holds no unprotected value.

    Every view (``view``, ``wide``, ``series``, ``rates``, ``shares``) carries the provenance in
    ``attrs["disclosure"]``; print ``statement`` on every page that shows one.

    ``published`` holds the rounded counts on the cube with margins (index ``n_i`` on axis ``i`` is the
    total over dimension ``i``); it is 0 wherever ``suppressed`` is True. Which suppressions are primary
    is deliberately not kept: telling them apart would tell a reader which cells are small.
    """

    dims: tuple[str, ...]
    categories: tuple[tuple[Hashable, ...], ...]
    published: np.ndarray
    suppressed: np.ndarray
    rules: DisclosureRules
    provenance: DisclosureProvenance
    total_label: str = "Total"
    value_name: str = "count"

    @property
    def statement(self) -> str:
        return self.provenance.statement

    # --- views -------------------------------------------------------------------------------------
    def view(
        self,
        *dims: str,
        where: Mapping[str, Hashable] | None = None,
        totals: bool = True,
        markers: bool = False,
    ) -> pd.DataFrame:
        """The marginal table over ``dims`` (all dimensions if none are named) as a tidy frame.

        Dimensions not named are summed over, except those fixed by ``where`` (e.g.
        ``where={"month": "2024-03"}``). ``totals`` adds the rows labelled ``total_label``. The value
        column is nullable ``Int64`` with ``<NA>`` where suppressed, or, with ``markers=True``, text-ready
        objects with the rules' marker (e.g. ``[c]``) in place of suppressed values.
        """
        dims = dims or self.dims
        where = dict(where or {})
        values, hidden, labels = self._grid(dims, where, totals)
        index = pd.MultiIndex.from_product(labels, names=list(dims))
        return self._frame(index, values, hidden, where, markers)

    def wide(self, index: str | None = None, columns: str | None = None, *,
             where: Mapping[str, Hashable] | None = None, totals: bool = True,
             markers: bool = True) -> pd.DataFrame:
        """A two-way table (rows ``index``, columns ``columns``) with margins, ready for a report."""
        if index is None or columns is None:
            if len(self.dims) != 2:
                raise DisclosureInputError(f"this table has dimensions {list(self.dims)}",
                                           "name the two to show: wide(index=..., columns=...)")
            index, columns = self.dims
        long = self.view(index, columns, where=where, totals=totals, markers=markers)
        table = long.pivot(index=index, columns=columns, values=self.value_name)
        rows = self._labels(index, totals)
        cols = self._labels(columns, totals)
        table = table.reindex(index=pd.Index(rows, name=index), columns=pd.Index(cols, name=columns))
        table.attrs["disclosure"] = self.provenance.as_dict()
        return table

    def series(self, dim: str | None = None, *, where: Mapping[str, Hashable] | None = None,
               totals: bool = True, markers: bool = False) -> pd.Series:
        """A one-way table (with its total) as a Series indexed by the categories of ``dim``."""
        dim = dim or self._only_dim()
        long = self.view(dim, where=where, totals=totals, markers=markers)
        out = pd.Series(long[self.value_name].array, index=pd.Index(long[dim].tolist(), name=dim),
                        name=self.value_name)
        out.attrs["disclosure"] = self.provenance.as_dict()
        return out

    def map_values(self, dim: str | None = None, *, where: Mapping[str, Hashable] | None = None) -> pd.Series:
        """Float values per area for a choropleth: NaN (no value shown) wherever the count is suppressed."""
        counts = self.series(dim, where=where, totals=False)
        return counts.astype("Float64").astype(float)

    def rates(
        self,
        denominator: pd.Series | float,
        dim: str | None = None,
        *,
        per: float = 1000.0,
        where: Mapping[str, Hashable] | None = None,
        totals: bool = True,
    ) -> pd.DataFrame:
        """Rates per ``per`` of ``denominator`` (e.g. population by district), from the *published* counts.

        Rates use the rounded counts, so they cannot be multiplied back to an unrounded count; where the
        count is suppressed the rate is NaN (``rates_from_suppressed="suppress"``) or an error is raised
        (``"raise"``). A denominator Series without a ``total_label`` entry gets the sum of its
        categories for the total row.
        """
        dim = dim or self._only_dim()
        long = self.view(dim, where=where, totals=totals)
        if isinstance(denominator, pd.Series):
            denom = denominator.copy()
            cats = list(self.categories[self.dims.index(dim)])
            missing = [c for c in cats if c not in denom.index]
            if missing:
                raise DisclosureInputError(f"the denominator has no value for {missing[:5]}",
                                           f"give a denominator for every category of '{dim}'")
            if totals and self.total_label not in denom.index:
                denom.loc[self.total_label] = denom.loc[cats].sum()
            d = long[dim].map(denom).astype(float).to_numpy()
        else:
            d = np.full(len(long), float(denominator))
        counts = long[self.value_name]
        self._refuse_suppressed(counts, long, "rate")
        long["rate"] = counts.astype("Float64").astype(float).to_numpy() / np.where(d > 0, d, np.nan) * per
        return long

    def shares(self, dim: str, *, within: Sequence[str] = (), where: Mapping[str, Hashable] | None = None,
               per: float = 100.0) -> pd.DataFrame:
        """Each category's share of its total along ``dim`` (percent by default), from published counts.

        ``within`` names dimensions kept separate (e.g. shares of each category within each district).
        A share is NaN where its count or the total it divides by is suppressed.
        """
        where = dict(where or {})
        dims = (*within, dim)
        values, hidden, labels = self._grid(dims, where, totals=True)
        index = pd.MultiIndex.from_product(labels, names=list(dims))
        long = self._frame(index, values, hidden, where, markers=False)
        self._refuse_suppressed(long[self.value_name], long, "share")
        num = np.where(hidden, np.nan, values.astype(float))
        den = num[..., -1:]
        long["share"] = (num / np.where(den > 0, den, np.nan) * per).ravel()
        return long

    # --- helpers ------------------------------------------------------------------------------------
    def _refuse_suppressed(self, counts: pd.Series, long: pd.DataFrame, what: str) -> None:
        if self.rules.rates_from_suppressed == "raise" and counts.isna().any():
            cells = long.loc[counts.isna()].drop(columns=[self.value_name]).head(5).to_dict("records")
            raise SuppressedRateError(
                f"a {what} was asked for where its count is suppressed ({int(counts.isna().sum())} cell(s), "
                f"e.g. {cells})",
                "show those cells as suppressed, or set rates_from_suppressed='suppress' in the rules",
            )

    def _grid(self, dims: Sequence[str], where: Mapping[str, Hashable], totals: bool
              ) -> tuple[np.ndarray, np.ndarray, list[list[Hashable]]]:
        """Published values, suppression mask and labels of the marginal table, axes in ``dims`` order."""
        self._check_dims(dims, where)
        selectors: list[list[int]] = []
        for axis, dim in enumerate(self.dims):
            n = len(self.categories[axis])
            if dim in dims:
                selectors.append(list(range(n)) + ([n] if totals else []))
            elif dim in where:
                selectors.append([self._position(axis, where[dim])])
            else:
                selectors.append([n])
        grid = np.ix_(*selectors)
        keep = [a for a, d in enumerate(self.dims) if d in dims]
        shape = [len(selectors[a]) for a in keep]
        perm = [keep.index(self.dims.index(d)) for d in dims]
        values = self.published[grid].reshape(shape).transpose(perm)
        hidden = self.suppressed[grid].reshape(shape).transpose(perm)
        return values, hidden, [self._labels(d, totals) for d in dims]

    def _frame(self, index: pd.MultiIndex, values: np.ndarray, hidden: np.ndarray,
               where: Mapping[str, Hashable], markers: bool) -> pd.DataFrame:
        frame = index.to_frame(index=False)
        for dim, value in where.items():
            frame[dim] = [value] * len(frame)
        column = pd.array(values.ravel(), dtype="Int64")
        column[hidden.ravel()] = pd.NA
        if markers:
            pairs = zip(values.ravel(), hidden.ravel(), strict=True)
            frame[self.value_name] = pd.Series([self.rules.marker if h else int(v) for v, h in pairs],
                                               dtype=object)
        else:
            frame[self.value_name] = column
        frame.attrs["disclosure"] = self.provenance.as_dict()
        return frame

    def _labels(self, dim: str, totals: bool) -> list[Hashable]:
        cats = list(self.categories[self.dims.index(dim)])
        return [*cats, self.total_label] if totals else cats

    def _only_dim(self) -> str:
        if len(self.dims) != 1:
            raise DisclosureInputError(f"this table has dimensions {list(self.dims)}",
                                       "name the dimension to show, e.g. series('district')")
        return self.dims[0]

    def _position(self, axis: int, label: Hashable) -> int:
        cats = self.categories[axis]
        if label == self.total_label:
            return len(cats)
        try:
            return cats.index(label)
        except ValueError:
            raise DisclosureInputError(
                f"'{label}' is not a category of '{self.dims[axis]}'",
                f"choose one of {list(cats)[:10]}{' …' if len(cats) > 10 else ''}",
            ) from None

    def _check_dims(self, dims: Sequence[str], where: Mapping[str, Hashable]) -> None:
        unknown = [d for d in [*dims, *where] if d not in self.dims]
        if unknown or len(set(dims)) != len(dims) or set(dims) & set(where):
            raise DisclosureInputError(
                f"cannot show dims {list(dims)} with where={dict(where)} from a table over {list(self.dims)}",
                "name each dimension of the table at most once, either to show or to fix with where=",
            )


def _protect(cube: Cube, rules: DisclosureRules, total_label: str, value_name: str) -> ProtectedTable:
    if not isinstance(rules, DisclosureRules):
        raise DisclosureInputError(f"rules must be DisclosureRules, got {type(rules).__name__}",
                                   "use a preset (NHS_OPENSAFELY, ONS_THRESHOLD_10) or rules_from_mapping")
    result = suppress(cube.values, rules)
    primary = int(result.primary.sum())
    result.published.flags.writeable = False
    result.suppressed.flags.writeable = False
    provenance = DisclosureProvenance(
        rules_name=rules.name,
        threshold=rules.threshold,
        rounding_base=rules.rounding_base,
        suppress_zeros=rules.suppress_zeros,
        secondary_suppression=rules.secondary_suppression,
        protection_width=rules.required_width,
        marker=rules.marker,
        cells=int(cube.values.size),
        primary_suppressed=primary,
        secondary_suppressed=int(result.suppressed.sum()) - primary,
        statement=rules.statement(),
        source=rules.source,
    )
    return ProtectedTable(cube.dims, cube.categories, result.published, result.suppressed, rules,
                          provenance, total_label, value_name)


def protect_series(counts: pd.Series, rules: DisclosureRules = NHS_OPENSAFELY, *,
                   total_label: str = "Total") -> ProtectedTable:
    """Protect a one-way table of counts (Series indexed by category) together with its total."""
    cube = cube_from_series(counts, total_label)
    return _protect(cube, rules, total_label, str(counts.name) if counts.name is not None else "count")


def protect_table(table: pd.DataFrame, rules: DisclosureRules = NHS_OPENSAFELY, *,
                  total_label: str = "Total") -> ProtectedTable:
    """Protect a two-way table of counts (rows × columns, no totals) with its row, column and grand totals."""
    return _protect(cube_from_frame(table, total_label), rules, total_label, "count")


def protect_long(
    frame: pd.DataFrame,
    dims: Sequence[str],
    count: str = "count",
    rules: DisclosureRules = NHS_OPENSAFELY,
    *,
    categories: Mapping[str, Sequence[Hashable]] | None = None,
    total_label: str = "Total",
) -> ProtectedTable:
    """Protect a tidy count table over ``dims`` with the totals over every subset of them.

    One row per combination of ``dims`` (absent combinations count 0); ``categories`` fixes the full list
    of categories of a dimension (e.g. every district, including those with no rows). Publish any number
    of views (``view``, ``wide``, ``series``, ``rates``) of the result: they are protected together.
    """
    return _protect(cube_from_long(frame, dims, count, total_label, categories), rules, total_label, count)
