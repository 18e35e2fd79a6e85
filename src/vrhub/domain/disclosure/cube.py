"""Count tables as one array with every margin: the shape all protection and auditing work on.

A table over dimensions ``d1 … dk`` with ``n1 … nk`` categories becomes an integer array of shape
``(n1+1, …, nk+1)``; index ``ni`` on axis ``i`` is the total over that dimension. The array so holds the
inner cells and every marginal table (totals over any subset of dimensions, up to the grand total), and
each *line* — the cells along one axis with the other coordinates fixed — satisfies
``cell[…, ni, …] = sum(cell[…, 0:ni, …])``. These are the linked-table constraints that tau-ARGUS
and Hundepool et al. (2012, ch. 4) use for secondary suppression.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd

from .errors import DisclosureInputError


@dataclass(frozen=True, eq=False)
class Cube:
    """Counts with all margins. ``values[..., n_i, ...]`` is the total over dimension ``i``."""

    dims: tuple[str, ...]
    categories: tuple[tuple[Hashable, ...], ...]
    values: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        return self.values.shape


def with_margins(inner: np.ndarray) -> np.ndarray:
    """Append a total slot to every axis and fill all margins (totals of totals included)."""
    inner = np.asarray(inner, dtype=np.int64)
    out = np.zeros(tuple(n + 1 for n in inner.shape), dtype=np.int64)
    out[tuple(slice(0, n) for n in inner.shape)] = inner
    for axis, n in enumerate(inner.shape):
        head = [slice(None)] * out.ndim
        head[axis] = slice(0, n)
        tail = [slice(None)] * out.ndim
        tail[axis] = n
        out[tuple(tail)] = out[tuple(head)].sum(axis=axis)
    return out


def lines(shape: tuple[int, ...]) -> list[np.ndarray]:
    """For each axis, a ``(number of lines, n_axis + 1)`` array of flat cell indices; last column = total."""
    index = np.arange(int(np.prod(shape))).reshape(shape)
    return [np.moveaxis(index, axis, -1).reshape(-1, shape[axis]) for axis in range(len(shape))]


def line_of(cell: tuple[int, ...], axis: int, shape: tuple[int, ...]) -> int:
    """The row number, in ``lines(shape)[axis]``, of the line through ``cell`` along ``axis``."""
    others = tuple(c for a, c in enumerate(cell) if a != axis)
    other_shape = tuple(n for a, n in enumerate(shape) if a != axis)
    return int(np.ravel_multi_index(others, other_shape)) if others else 0


def ancestors(cell: tuple[int, ...], shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Every margin the cell contributes to (some non-total coordinates replaced by the total)."""
    free = [a for a, c in enumerate(cell) if c != shape[a] - 1]
    out = []
    for choice in product((False, True), repeat=len(free)):
        if not any(choice):
            continue
        c = list(cell)
        for a, up in zip(free, choice, strict=True):
            if up:
                c[a] = shape[a] - 1
        out.append(tuple(c))
    return out


def _check_counts(values: pd.Series | pd.DataFrame, what: str) -> np.ndarray:
    """Counts as int64, or an error naming what is wrong (non-numeric, missing, negative, fractional)."""
    dtypes = [values.dtype] if isinstance(values, pd.Series) else list(values.dtypes)
    wrong = [d for d in dtypes if pd.api.types.is_bool_dtype(d) or not pd.api.types.is_numeric_dtype(d)]
    if wrong:
        raise DisclosureInputError(
            f"{what} must hold numbers of people or events, got values of type {wrong[0]}",
            "convert the counts to integers (e.g. .astype('int64')) before protecting them",
        )
    as_float = values.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(as_float) | (as_float < 0) | (as_float != np.round(as_float))
    if bad.any():
        examples = ", ".join(repr(v) for v in as_float[bad][:5].tolist())
        raise DisclosureInputError(
            f"{what} must be whole numbers ≥ 0; {int(bad.sum())} value(s) are not (e.g. {examples})",
            "fill missing counts with 0 if they are true zeros, or drop those rows; counts cannot be "
            "negative or fractional",
        )
    return as_float.astype(np.int64)


def _ordered(labels: Sequence[Hashable]) -> tuple[Hashable, ...]:
    unique = list(dict.fromkeys(labels))
    try:
        return tuple(sorted(unique))  # type: ignore[type-var]
    except TypeError:
        return tuple(unique)


def _is_missing(label: Hashable) -> bool:
    try:
        return bool(pd.isna(label))
    except (TypeError, ValueError):
        return False


def _check_labels(dim: str, labels: Sequence[Hashable], total_label: str) -> None:
    if any(_is_missing(x) for x in labels):
        raise DisclosureInputError(
            f"dimension '{dim}' has a missing category label",
            f"fill or drop the rows whose '{dim}' is missing before protecting the table",
        )
    if total_label in labels:
        raise DisclosureInputError(
            f"dimension '{dim}' already has a category named '{total_label}', the label used for totals",
            "pass the table without its total rows (totals are recomputed and protected), or choose "
            "another total_label",
        )


def cube_from_series(counts: pd.Series, total_label: str) -> Cube:
    """A 1-D cube from a Series of counts indexed by category."""
    if not isinstance(counts, pd.Series):
        raise DisclosureInputError(f"expected a pandas Series of counts, got {type(counts).__name__}",
                                   "pass e.g. frame.groupby('district').size()")
    if counts.index.nlevels != 1:
        raise DisclosureInputError("the Series has a MultiIndex",
                                   "use protect_long(frame.reset_index(), dims=[...]) for several dimensions")
    dim = str(counts.index.name) if counts.index.name is not None else "category"
    labels = counts.index.tolist()
    _check_labels(dim, labels, total_label)
    if len(set(labels)) != len(labels) or not labels:
        raise DisclosureInputError(f"the Series index '{dim}' is empty or has repeated categories",
                                   "aggregate first, e.g. counts.groupby(level=0).sum()")
    values = _check_counts(counts, f"counts in Series '{counts.name}'")
    return Cube((dim,), (tuple(labels),), with_margins(values))


def cube_from_frame(table: pd.DataFrame, total_label: str) -> Cube:
    """A 2-D cube from a wide table: rows are one dimension's categories, columns the other's."""
    if not isinstance(table, pd.DataFrame):
        raise DisclosureInputError(f"expected a pandas DataFrame of counts, got {type(table).__name__}",
                                   "pass e.g. pd.crosstab(frame['district'], frame['category'])")
    if table.index.nlevels != 1 or table.columns.nlevels != 1:
        raise DisclosureInputError("the table has a MultiIndex on its rows or columns",
                                   "use protect_long(frame, dims=[...]) for more than two dimensions")
    if table.shape[0] == 0 or table.shape[1] == 0:
        raise DisclosureInputError("the table is empty", "protect a table with at least one row and column")
    row_dim = str(table.index.name) if table.index.name is not None else "row"
    col_dim = str(table.columns.name) if table.columns.name is not None else "column"
    if row_dim == col_dim:
        col_dim = f"{col_dim}_2"
    rows, cols = table.index.tolist(), table.columns.tolist()
    for dim, labels in ((row_dim, rows), (col_dim, cols)):
        _check_labels(dim, labels, total_label)
        if len(set(labels)) != len(labels):
            raise DisclosureInputError(f"dimension '{dim}' has repeated categories",
                                       "aggregate the repeated rows or columns first")
    values = _check_counts(table, "table cells")
    return Cube((row_dim, col_dim), (tuple(rows), tuple(cols)), with_margins(values))


def cube_from_long(
    frame: pd.DataFrame,
    dims: Sequence[str],
    count: str,
    total_label: str,
    categories: Mapping[str, Sequence[Hashable]] | None = None,
) -> Cube:
    """A k-D cube from a tidy table (one row per combination of ``dims``; absent combinations are 0)."""
    if not isinstance(frame, pd.DataFrame):
        raise DisclosureInputError(f"expected a pandas DataFrame, got {type(frame).__name__}",
                                   "pass a tidy table with one column per dimension and a count column")
    dims = [dims] if isinstance(dims, str) else list(dims)
    missing = [c for c in [*dims, count] if c not in frame.columns]
    if missing or not dims or len(set(dims)) != len(dims) or count in dims:
        raise DisclosureInputError(
            f"cannot use dims={dims} and count='{count}' with columns {list(frame.columns)}"
            + (f": missing {missing}" if missing else ""),
            "name each dimension column once, and the count column separately",
        )
    categories = dict(categories or {})
    unknown_dims = [d for d in categories if d not in dims]
    if unknown_dims:
        raise DisclosureInputError(f"categories given for {unknown_dims}, which are not among dims {dims}",
                                   "give categories only for the named dimensions")
    dup = frame.duplicated(subset=dims, keep=False)
    if dup.any():
        examples = frame.loc[dup, dims].drop_duplicates().head(3).to_dict("records")
        raise DisclosureInputError(
            f"{int(dup.sum())} rows repeat a combination of {dims} (e.g. {examples})",
            f"aggregate first: frame.groupby({dims}, as_index=False)['{count}'].sum()",
        )
    levels: list[tuple[Hashable, ...]] = []
    codes: list[np.ndarray] = []
    for dim in dims:
        observed = frame[dim].tolist()
        _check_labels(dim, observed, total_label)
        if dim in categories:
            cats = tuple(categories[dim])
            _check_labels(dim, list(cats), total_label)
            if len(set(cats)) != len(cats):
                raise DisclosureInputError(f"categories['{dim}'] repeats a category",
                                           "list each category once")
        else:
            cats = _ordered(observed)
        if not cats:
            raise DisclosureInputError(f"dimension '{dim}' has no categories",
                                       "protect a non-empty table, or pass its categories explicitly")
        position = {c: i for i, c in enumerate(cats)}
        extra = [x for x in dict.fromkeys(observed) if x not in position]
        if extra:
            raise DisclosureInputError(
                f"dimension '{dim}' has categories not in the list given: {extra[:5]}",
                f"add them to categories['{dim}'] or drop those rows",
            )
        levels.append(cats)
        codes.append(np.fromiter((position[x] for x in observed), dtype=np.int64, count=len(observed)))
    values = _check_counts(frame[count], f"column '{count}'")
    inner = np.zeros(tuple(len(c) for c in levels), dtype=np.int64)
    if len(values):
        inner[tuple(codes)] = values
    return Cube(tuple(dims), tuple(levels), with_margins(inner))
