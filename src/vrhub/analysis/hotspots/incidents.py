"""The records a hot-spot method reads, kept in the engine until a method needs them as points.

At 10 million rows, bringing every record in scope into pandas (a row each, with text LSOA codes) cost 1.4–1.9 GB
of memory, while the LSOA and grid methods only read counts. :class:`Incidents` holds the records as a query on
the engine (an Ibis table: DuckDB by default) and answers each method with what it needs:

* counts per LSOA (Gi*, persistence) and per LSOA × month (emerging hot spots): ``GROUP BY`` in the engine;
* counts per distinct map point (and month), for grid counts: police.uk snaps every crime to one of about 750,000
  anonymised map points, so a grid is counted from the points with their weights rather than from every record;
* only the columns a point method needs (kernel density: longitude and latitude; Knox: those and the time), for
  the located records, in the fixed order of the whole frame, so that a seeded permutation test repeats exactly;
* :attr:`Incidents.frame`, the whole frame, made on first use (tests, small sources).

Records that need Python to place them (ED returns, at their home LSOA's centroid) are held as a frame; every
answer is then computed by pandas, which is also the reference the engine's answers are tested against
(tests/analysis/test_incidents_lazy.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from vrhub.analysis.scope import SOURCE
from vrhub.store.engine import month_range

LOCATION_NOTE = "police.uk locations are anonymised map points"
#: The columns of :attr:`Incidents.frame`, in this order (``time`` only for dated sources).
COLUMNS = ("lsoa_code", "month", "longitude", "latitude", "crime_type", "sv_status", "time")


@dataclass(frozen=True, eq=False)
class Incidents:
    """The records in scope for a period: one row each (``lsoa_code``, ``month``, ``longitude``, ``latitude``,
    ``crime_type``, ``sv_status``, and for dated sources ``time``, the day of the event), and where they came
    from.

    ``records`` is a frame, or a query on the engine whose rows are put in a fixed order by sorting on ``order``
    (every column, nulls last) when they are brought to Python."""

    records: pd.DataFrame | ir.Table
    start: dt.date
    end: dt.date
    scope: str
    definition: dict[str, str]
    datasets: tuple[str, ...]
    notes: tuple[str, ...] = ()
    source: str = SOURCE
    location_note: str = LOCATION_NOTE
    #: the LSOA vintage the records' LSOAs are on (None: as coded, counted on the newest loaded boundaries)
    vintage: int | None = None
    #: the sort keys that fix the order of a query's rows
    order: tuple[str, ...] = ()

    @property
    def lazy(self) -> bool:
        """Whether the records are still a query on the engine."""
        return not isinstance(self.records, pd.DataFrame)

    @property
    def months(self) -> list[dt.date]:
        return month_range(self.start, self.end)

    @property
    def columns(self) -> list[str]:
        return [c for c in COLUMNS if c in list(self.records.columns)]

    @cached_property
    def frame(self) -> pd.DataFrame:
        """Every record as a pandas frame, in the fixed order (made from the query on first use)."""
        if isinstance(self.records, pd.DataFrame):
            return self.records
        return _dated(_ordered(self.records, self.order)[self.columns])

    @property
    def located(self) -> pd.DataFrame:
        """Records with map coordinates."""
        f = self.frame
        return f[f["longitude"].notna() & f["latitude"].notna()]

    @cached_property
    def _summary(self) -> dict[str, int]:
        if isinstance(self.records, pd.DataFrame):
            f = self.records
            located = f["longitude"].notna() & f["latitude"].notna() if "longitude" in f else pd.Series(False, f.index)
            return {"n": len(f), "located": int(located.sum()), "no_lsoa": int(f["lsoa_code"].isna().sum())
                    if "lsoa_code" in f else len(f)}
        t = self.records
        row = t.aggregate(n=t.count(), located=t.count(where=_has_point(t)),
                          no_lsoa=t.count(where=t.lsoa_code.isnull())).to_pyarrow().to_pylist()[0]
        return {k: int(v or 0) for k, v in row.items()}

    @property
    def n(self) -> int:
        """The number of records."""
        return self._summary["n"]

    @property
    def n_located(self) -> int:
        """The number of records with a map point."""
        return self._summary["located"]

    @property
    def n_without_lsoa(self) -> int:
        """The number of records with no LSOA code."""
        return self._summary["no_lsoa"]

    def lsoa_counts(self) -> pd.Series:
        """Records per LSOA code (``int64``, indexed by code; records without a code are left out)."""
        if isinstance(self.records, pd.DataFrame):
            return self.records["lsoa_code"].dropna().value_counts().astype("int64")
        t = self.records
        t = t.filter(t.lsoa_code.notnull())
        out = t.group_by("lsoa_code").aggregate(n=t.count()).to_pyarrow().to_pandas()
        return out.set_index("lsoa_code")["n"].astype("int64").sort_values(ascending=False, kind="stable")

    def lsoa_month_counts(self) -> pd.DataFrame:
        """Records per LSOA code (rows) and month (columns labelled ``YYYY-MM``, months with records only)."""
        if isinstance(self.records, pd.DataFrame):
            f = self.records.dropna(subset=["lsoa_code"])
            return pd.crosstab(f["lsoa_code"], pd.to_datetime(f["month"]).dt.strftime("%Y-%m")).astype("int64")
        t = self.records
        t = t.filter(t.lsoa_code.notnull())
        long = t.group_by(["lsoa_code", "month"]).aggregate(n=t.count()).to_pyarrow().to_pandas()
        long["month"] = pd.to_datetime(long["month"]).dt.strftime("%Y-%m")
        table = long.pivot(index="lsoa_code", columns="month", values="n")
        return table.fillna(0).astype("int64").sort_index().sort_index(axis=1)

    def point_counts(self, *, by_month: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The located records as distinct map points: ``(xy, n, month)`` — longitude/latitude ``(k, 2)``, the number
        of records at each, and (``by_month``) their month as ``YYYY-MM``, one row per point and month."""
        keys = ["longitude", "latitude", *(["month"] if by_month else [])]
        if isinstance(self.records, pd.DataFrame):
            f = self.located[keys]
            if by_month:
                f = f.assign(month=pd.to_datetime(f["month"]).dt.strftime("%Y-%m"))
            grouped = f.groupby(keys, sort=True).size().rename("n").reset_index()
        else:
            t = self.records
            t = t.filter(_has_point(t))
            grouped = (t.group_by(keys).aggregate(n=t.count()).order_by(keys).to_pyarrow().to_pandas())
            if by_month:
                grouped["month"] = pd.to_datetime(grouped["month"]).dt.strftime("%Y-%m")
        xy = grouped[["longitude", "latitude"]].to_numpy(float)
        months = grouped["month"].to_numpy(dtype=object) if by_month else None
        return xy, grouped["n"].to_numpy(np.int64), months

    def located_columns(self, columns: list[str]) -> pd.DataFrame:
        """Only ``columns`` of the located records, in the order of :attr:`located` (for point methods)."""
        if isinstance(self.records, pd.DataFrame) or "frame" in self.__dict__:
            return self.located[columns].reset_index(drop=True)
        t = self.records
        return _dated(_ordered(t.filter(_has_point(t)), self.order, select=columns))

    def without_records(self, notes: tuple[str, ...]) -> Incidents:
        """A copy with no records (for a released result) and ``notes`` in place of the notes."""
        empty = self.records.iloc[0:0] if isinstance(self.records, pd.DataFrame) else \
            _dated(_ordered(self.records.limit(0), self.order)[self.columns])
        return dataclasses.replace(self, records=empty, notes=notes)


def _has_point(t: ir.Table) -> ir.BooleanValue:
    return t.longitude.notnull() & t.latitude.notnull()


def _dated(frame: pd.DataFrame) -> pd.DataFrame:
    for c in ("month", "time"):
        if c in frame.columns:
            frame[c] = pd.to_datetime(frame[c])
    return frame


def _ordered(rows: ir.Table, keys: tuple[str, ...] | list[str], select: list[str] | None = None) -> pd.DataFrame:
    """``rows`` sorted by ``keys`` in the engine (ascending, nulls last), brought to pandas through Arrow; only the
    columns ``select`` when given.

    The offence type and status, a few distinct values over millions of rows, arrive as pandas categoricals, and each
    Arrow column is freed as soon as it is converted (``self_destruct``): at 10 million rows the two copies of the
    frame were most of the command's peak memory."""
    rows = rows.order_by([ibis.asc(k, nulls_first=False) for k in keys])
    if select is not None:
        rows = rows.select(*select)
    table = rows.to_pyarrow()
    categories = [c for c in ("crime_type", "sv_status") if c in table.column_names]
    frame = table.to_pandas(categories=categories, self_destruct=True, split_blocks=True)
    del table
    return frame.reset_index(drop=True)
