"""The one seam for analytical queries: Ibis expressions over the Parquet lake.

Analyses receive Ibis tables from here and never read Parquet or call pandas to query: the same
expressions run on DuckDB (the default, in-process) and can run on another Ibis backend (PySpark for a
national-scale deployment) by changing ``Engine.connect`` only. Only catalogued dataset versions are read,
and of the police.uk kinds only the newest version of each force-month ("current").
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from vrhub.domain.errors import NoDataError
from vrhub.domain.kinds import kind as kind_info
from vrhub.store.lake_reader import MEMORY_LIMIT, LakeReader, WorkspaceLike, month_range

__all__ = ["SYNTH_KINDS", "Engine", "month_range"]

#: kinds that ``vrhub synth --load`` makes (named in the "no data" hint beside the real loader)
SYNTH_KINDS = frozenset({"ed_istv", "ambulance", "youth_justice", "education"})


class Engine(LakeReader):
    """Ibis tables over the lake (the catalogue and lake look-ups are :class:`LakeReader`'s)."""

    def __init__(self, workspace: WorkspaceLike, backend: ibis.BaseBackend | None = None) -> None:
        super().__init__(workspace)
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

    def quarantine(self, dataset_id: str) -> ir.Table:
        d = self.ws.catalogue.get(dataset_id)
        if d is None:
            raise NoDataError(f"no dataset {dataset_id!r}", "list datasets with 'vrhub datasets'")
        paths = self.ws.lake.files(d.lake_path, "quarantine")
        if not paths:
            return ibis.memtable(pa.table({"_source_row": pa.array([], pa.int64()),
                                           "_problems": pa.array([], pa.string())}))
        return self._read(paths, "quarantine")
