"""What a load reads back from the workspace without Ibis: catalogued versions, their files, current coverage, the
loaded LSOA codes and the counts the supply check judges.

:class:`~vrhub.store.engine.Engine` (the analytical seam, Ibis on DuckDB) is a ``LakeReader`` too; this base holds
the methods that need only the catalogue, the lake and DuckDB's own SQL, so that ``vrhub ingest`` does not import
Ibis (0.35 s of every load's start-up: ``benchmarks/scale.py``'s fixed cost). Like
``vrhub.store.lake.count_duplicate_rows``, the one query here runs over catalogued Parquet files at load time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from vrhub.domain.errors import WorkspaceError
from vrhub.domain.kinds import kind as kind_info

if TYPE_CHECKING:
    from vrhub.store.catalogue import Catalogue
    from vrhub.store.lake import Lake

MEMORY_LIMIT = "512MB"


class WorkspaceLike(Protocol):
    """What a reader reads of a workspace (``vrhub.store.workspace.Workspace`` is one): its folder, its
    catalogue and its lake. A Protocol, so that the workspace may build readers without an import cycle."""

    @property
    def home(self) -> Path: ...

    @property
    def catalogue(self) -> Catalogue: ...

    @property
    def lake(self) -> Lake: ...


class LakeReader:
    """Catalogue and lake look-ups shared by the load and the engine."""

    def __init__(self, workspace: WorkspaceLike) -> None:
        self.ws = workspace

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

    # --- geography, as a load needs it -------------------------------------------------------------------------
    def boundary_vintages(self, level: str = "lsoa") -> list[int]:
        """The vintages of boundary layer ``level`` loaded, oldest first (``Geography.vintages`` reads the same)."""
        return sorted({d.attributes["vintage"] for d in self.ws.catalogue.datasets("boundaries")
                       if d.attributes.get("level") == level})

    def known_lsoa_codes(self) -> pa.Array | None:
        """Every LSOA code of every loaded vintage, sorted (None when no LSOA boundaries are loaded): the ``code``
        column of the boundary files alone, without building the layers (``Geography`` does that)."""
        datasets = [d for d in self.ws.catalogue.datasets("boundaries") if d.attributes.get("level") == "lsoa"]
        if not datasets:
            return None
        codes = {c for p in self.data_files(datasets) for c in _column(p, "code")}
        return pa.array(sorted(codes), pa.string())

    # --- counts for the supply check ---------------------------------------------------------------------------
    def current_counts(self, kind: str, category_field: str | None, fill: str) -> pa.Table:
        """Rows of the current versions of ``kind`` (each force-month read from its current version, as
        ``Engine.table`` reads them) counted by force (null: ``unknown``), category (null: ``(none)``; ``fill``
        when ``category_field`` is None) and month: columns force, category, month, n.

        DuckDB's own SQL over the catalogued Parquet files, joined to the catalogue's current coverage."""
        info = kind_info(kind)
        files = self.data_files(self.ws.catalogue.datasets(kind))
        cov = self.ws.catalogue.current_coverage(kind)
        current = pa.table({
            "cur_dataset_id": pa.array([c[0] for c in cov], pa.string()),
            "cur_force": pa.array([c[1] for c in cov], pa.string()),
            "cur_month": pa.array([c[2] for c in cov], pa.date32()),
        })
        force = f"coalesce({_quote(info.force_field or '')}, 'unknown')"
        cat = f"coalesce({_quote(category_field)}, '(none)')" if category_field else _literal(fill)
        con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT})
        try:
            con.register("vrhub_current", current)
            return con.sql(
                f"SELECT {force} AS force, {cat} AS category, t.month AS month, count(*) AS n "
                "FROM read_parquet($files) AS t SEMI JOIN vrhub_current AS c "
                f"ON t.dataset_id = c.cur_dataset_id AND {force} = c.cur_force AND t.month = c.cur_month "
                "GROUP BY ALL", params={"files": files}).to_arrow_table()
        finally:
            con.close()


def month_range(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of every month from ``start`` to ``end`` inclusive."""
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out



def _column(path: str, name: str) -> list[Any]:
    """One column of a Parquet file, read with ``ParquetFile`` (``pq.read_table`` imports ``pyarrow.dataset``, and
    with it pandas: 0.2 s of a load's start-up)."""
    return pq.ParquetFile(path).read(columns=[name]).column(0).to_pylist()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
