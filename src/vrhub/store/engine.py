"""The one seam for analytical queries: Ibis expressions over the Parquet lake.

Analyses receive Ibis tables from here and never read Parquet or call pandas to query: the same
expressions run on DuckDB (the default, in-process) and can run on another Ibis backend (PySpark for a
national-scale deployment) by changing ``Engine.connect`` only. Only catalogued dataset versions are read,
and of the police.uk kinds only the newest version of each force-month ("current").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from vrhub.domain.errors import NoDataError, WorkspaceError
from vrhub.domain.kinds import kind as kind_info

if TYPE_CHECKING:
    from vrhub.store.catalogue import Catalogue
    from vrhub.store.lake import Lake


class WorkspaceLike(Protocol):
    """What the engine reads of a workspace (``vrhub.store.workspace.Workspace`` is one): its folder, its
    catalogue and its lake. A Protocol, so that the workspace may build engines without an import cycle."""

    @property
    def home(self) -> Path: ...

    @property
    def catalogue(self) -> Catalogue: ...

    @property
    def lake(self) -> Lake: ...

MEMORY_LIMIT = "512MB"
#: kinds that ``vrhub synth --load`` makes (named in the "no data" hint beside the real loader)
SYNTH_KINDS = frozenset({"ed_istv", "ambulance", "youth_justice", "education"})


class Engine:
    def __init__(self, workspace: WorkspaceLike, backend: ibis.BaseBackend | None = None) -> None:
        self.ws = workspace
        self.con = backend or self.connect()
        self._n = 0

    @staticmethod
    def connect() -> ibis.BaseBackend:
        con = ibis.duckdb.connect()
        con.raw_sql(f"SET memory_limit='{MEMORY_LIMIT}'")
        return con

    def _name(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}_{self._n}"

    def _read(self, paths: list[str], prefix: str) -> ir.Table:
        return self.con.read_parquet(paths, table_name=self._name(prefix))

    def has(self, kind: str) -> bool:
        return any(self.ws.catalogue.datasets(kind))

    def datasets(self, kind: str | None = None) -> list[Any]:
        """The catalogue's dataset versions (of ``kind``): what an analysis reports it read, without reaching
        through the engine into the workspace."""
        return self.ws.catalogue.datasets(kind)

    def current_coverage(self, kind: str) -> list[Any]:
        """(dataset id, force, month) of each force-month of ``kind`` whose current version is that dataset."""
        return list(self.ws.catalogue.current_coverage(kind))

    def synthetic(self, dataset_ids: Iterable[str], kind: str | None = None) -> bool:
        """Whether any of ``dataset_ids`` (of ``kind``) is marked synthetic."""
        ids = set(dataset_ids)
        return any(d.synthetic for d in self.datasets(kind) if d.id in ids)

    def table(self, kind: str, *, current: bool = True, dataset_ids: list[str] | None = None) -> ir.Table:
        """Accepted rows of every dataset version of ``kind`` (only current force-months by default)."""
        datasets = [d for d in self.ws.catalogue.datasets(kind) if dataset_ids is None or d.id in dataset_ids]
        paths = self.data_files(datasets)
        if not paths:
            info = kind_info(kind)
            synth = ", 'vrhub synth --load' for a synthetic partnership" if info.name in SYNTH_KINDS else ""
            raise NoDataError(f"no {info.label} data is loaded in {self.ws.home}",
                              f"load some with '{info.load_command}' (or 'vrhub demo' for the Kent data{synth})")
        t = self._read(paths, kind)
        info = kind_info(kind)
        if current and info.force_field and dataset_ids is None:
            cov = self.ws.catalogue.current_coverage(kind)
            cur = ibis.memtable(
                pa.table({
                    "cur_dataset_id": pa.array([c[0] for c in cov], pa.string()),
                    "cur_force": pa.array([c[1] for c in cov], pa.string()),
                    "cur_month": pa.array([c[2] for c in cov], pa.date32()),
                })
            )
            force = t[info.force_field].fill_null("unknown")
            t = t.semi_join(
                cur,
                [t.dataset_id == cur.cur_dataset_id, force == cur.cur_force, t.month == cur.cur_month],
            )
        return t

    def data_files(self, datasets: list) -> list[str]:
        """The data files of catalogued versions; a version whose files are missing is an error, never skipped."""
        paths, missing = [], []
        for d in datasets:
            found = self.ws.lake.files(d.lake_path, "data")
            if not found:
                missing.append(d.id)
            paths += found
        if missing:
            raise WorkspaceError(
                f"the lake is missing the files of {len(missing)} catalogued dataset(s): {', '.join(missing[:10])}"
                f" (expected under {self.ws.lake.root})",
                "restore the lake folder from backup, or check that --home and --db name the same workspace",
            )
        return paths

    def quarantine(self, dataset_id: str) -> ir.Table:
        d = self.ws.catalogue.get(dataset_id)
        if d is None:
            raise NoDataError(f"no dataset {dataset_id!r}", "list datasets with 'vrhub datasets'")
        paths = self.ws.lake.files(d.lake_path, "quarantine")
        if not paths:
            return ibis.memtable(pa.table({"_source_row": pa.array([], pa.int64()),
                                           "_problems": pa.array([], pa.string())}))
        return self._read(paths, "quarantine")



def month_range(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of every month from ``start`` to ``end`` inclusive."""
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
