"""A full disk (issue 13.9): with ENOSPC injected while the lake is written, or SQLite's "database or disk is full" at
the catalogue commit, the file is reported as "disk full" (not blamed on the input), its staging folder is removed,
no raw SQLAlchemy traceback appears, and the call stops cleanly: later files are reported as not attempted."""

from __future__ import annotations

import datetime as dt
import errno
import json
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import event
from vrhub_testkit import police_uk_ingest, run_cli, street_row

from vrhub.store.workspace import Workspace


def three_months(tmp_path: Path, write_street) -> list[Path]:  # type: ignore[no-untyped-def]
    return [write_street(tmp_path / "in" / f"2019-0{m}-kent-street.csv",
                         [street_row(Month=f"2019-0{m}", **{"Crime ID": f"{m}-{i}"}) for i in range(20)])
            for m in (1, 2, 3)]


def staging(ws: Workspace) -> list[Path]:
    return list(ws.lake.staging_root.iterdir())


def test_enospc_while_writing_the_lake_says_disk_full_cleans_up_and_stops(
        ws: Workspace, tmp_path: Path, write_street, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    paths = three_months(tmp_path, write_street)
    real_write = pq.ParquetWriter.write_table

    def full_after_the_first_file(self, table, *a, **kw):  # type: ignore[no-untyped-def]
        if table.num_rows and table.column("month")[0].as_py() >= dt.date(2019, 2, 1):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, table, *a, **kw)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", full_after_the_first_file)
    report = police_uk_ingest(ws, paths)
    first, second, third = report.results
    assert first.ok and first.rows_accepted == 20
    assert "disk is full" in second.error and "could not be read" not in second.error and second.disk_full
    assert "nothing of this file was stored" in second.error
    assert third.disk_full and "not attempted" in third.error and "2019-02" in third.error
    assert staging(ws) == []
    assert [d.id for d in ws.catalogue.datasets()] == [first.dataset_id]


def test_disk_full_at_the_catalogue_commit_is_not_a_raw_traceback(
        ws: Workspace, tmp_path: Path, write_street) -> None:  # type: ignore[no-untyped-def]
    paths = three_months(tmp_path, write_street)

    def sqlite_full(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT INTO DATASETS"):
            raise sqlite3.OperationalError("database or disk is full")

    event.listen(ws.catalogue.engine, "before_cursor_execute", sqlite_full)
    try:
        report = police_uk_ingest(ws, paths)
    finally:
        event.remove(ws.catalogue.engine, "before_cursor_execute", sqlite_full)
    first, second, third = report.results
    assert "disk is full" in first.error and "sqlalchemy" not in first.error.lower() and first.disk_full
    assert second.disk_full and third.disk_full and "not attempted" in second.error
    assert staging(ws) == [] and ws.catalogue.datasets() == []
    assert not any(p.is_dir() for p in ws.lake.root.glob("police_uk_street/*"))
    # once there is room again, the same command loads everything
    assert police_uk_ingest(ws, paths).ok and len(ws.catalogue.datasets()) == 3


def test_the_cli_prints_disk_full_in_json_and_exits_1(tmp_path: Path, write_street,  # type: ignore[no-untyped-def]
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    paths = three_months(tmp_path, write_street)

    def always_full(self, table, *a, **kw):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", always_full)
    r = run_cli("--home", str(tmp_path / "home"), "ingest", "police-uk", *map(str, paths), "--json")
    assert r.exit_code == 1 and "Traceback" not in r.output
    got = json.loads(r.stdout)
    assert [x["disk_full"] for x in got] == [True, True, True]


def test_is_disk_full_recognises_the_forms_a_full_disk_takes() -> None:
    from sqlalchemy.exc import OperationalError

    from vrhub.store.lake import is_disk_full

    assert is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    assert is_disk_full(OSError(errno.EDQUOT, "Disk quota exceeded"))
    assert is_disk_full(OSError("IOError: No space left on device. Detail: [errno 28]"))  # Arrow: text only
    assert is_disk_full(OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full")))
    assert not is_disk_full(OSError(errno.ENOENT, "No such file or directory"))
    assert not is_disk_full(OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x")))
