"""A load is published whole or not at all: a killed process, a failure between publish and commit, and
concurrent loads of the same file (SQLite and PostgreSQL)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import delete
from vrhub_testkit import STREET_HEADER, csv_bytes, lake_folders, open_workspace, police_uk_ingest, street_row

from vrhub.domain.errors import NoDataError
from vrhub.ingest.files import SourceFile
from vrhub.ingest.loader import load_file
from vrhub.ingest.police_uk import SOURCES
from vrhub.store.catalogue import Catalogue, Dataset, DatasetCoverage
from vrhub.store.lake import Lake
from vrhub.store.workspace import Settings, Workspace

# The child loads a file larger than two read blocks; its progress callback (called by the reader as bytes
# arrive) lets the first block through and then holds the load still, mid-write, until the test kills it.
CHILD = textwrap.dedent("""
    import sys, time
    from vrhub.ingest.loader import ingest
    from vrhub.ingest.police_uk import SOURCES
    from vrhub.store.workspace import Settings, Workspace

    class HoldAfterFirstBlock:
        calls = 0
        def start(self, name, total): pass
        def finish(self): pass
        def advance(self, n):
            HoldAfterFirstBlock.calls += 1
            if HoldAfterFirstBlock.calls >= 2:
                time.sleep(600)

    ws = Workspace.open(Settings.resolve(sys.argv[1], None, environ={}))
    ingest(ws, [sys.argv[2]], SOURCES, progress=HoldAfterFirstBlock())
""")


def big_street_file(path: Path, min_bytes: int) -> int:
    body = csv_bytes(STREET_HEADER, [street_row(**{"Crime ID": f"{i:064x}"}) for i in range(5_000)])
    header, rows = body.split(b"\n", 1)
    copies = min_bytes // len(rows) + 1
    with open(path, "wb") as f:
        f.write(header + b"\n")
        for _ in range(copies):
            f.write(rows)
    return 5_000 * copies


def test_a_process_killed_mid_load_leaves_nothing(tmp_path: Path) -> None:
    from vrhub.ingest.csv_stream import BLOCK_SIZE

    home = tmp_path / "home"
    open_workspace(home)  # the catalogue exists before the child starts
    p = tmp_path / "2018-10-kent-street.csv"
    n_rows = big_street_file(p, 3 * BLOCK_SIZE)
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(home), str(p)], stderr=subprocess.PIPE)
    staging = home / "lake" / "_staging"
    deadline = time.monotonic() + 120
    try:
        while True:  # wait until the child is writing its Parquet file in the staging folder
            written = [f for f in staging.glob("*/data.parquet") if f.stat().st_size > 0]
            if written:
                break
            if proc.poll() is not None:
                pytest.fail(f"the loading process ended before it could be killed: {proc.stderr.read().decode()}")
            if time.monotonic() > deadline:
                pytest.fail("the loading process never started writing")
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert [d.name for d in staging.iterdir()], "the killed load left its staging folder (swept below)"

    ws = open_workspace(home)
    assert ws.catalogue.datasets() == []
    assert list(staging.iterdir()) == []
    assert lake_folders(ws) == set()
    with pytest.raises(NoDataError):
        ws.engine().table("police_uk_street")

    [r] = police_uk_ingest(ws, [p]).results  # loading again works
    assert r.ok and r.duplicate_of is None and r.rows_accepted == n_rows
    assert ws.engine().table("police_uk_street").count().to_pyarrow().as_py() == n_rows


def test_a_failure_between_publish_and_commit_leaves_nothing_visible(ws: Workspace, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, [street_row()] * 5))
    publish = Lake.publish

    def publish_then_fail(self: Lake, *args: object) -> str:
        publish(self, *args)  # the folder is in place ...
        raise RuntimeError("power cut before the catalogue commit")  # ... and the transaction never commits

    monkeypatch.setattr(Lake, "publish", publish_then_fail)
    # An unforeseen error fails this file only, reported with what to do (issue 13's rule: the call goes on).
    [failed] = police_uk_ingest(ws, [p]).results
    assert failed.error is not None and "RuntimeError: power cut" in failed.error and str(p) in failed.error
    monkeypatch.setattr(Lake, "publish", publish)

    assert ws.catalogue.datasets() == []
    assert lake_folders(ws) == set()  # the published folder was taken away again
    with pytest.raises(NoDataError):
        ws.engine().table("police_uk_street")
    [r] = police_uk_ingest(ws, [p]).results  # same workspace, no restart: loading again works
    assert r.ok and r.duplicate_of is None and r.rows_accepted == 5
    assert lake_folders(ws) == {f"police_uk_street/{r.dataset_id}"}


def test_a_crash_right_after_the_rename_is_never_read_never_deleted_and_reloads(tmp_path: Path) -> None:
    """If the process dies after publishing and before committing, the folder is uncatalogued: never read, never
    deleted (a lake opened with the wrong catalogue must lose nothing), and loading the file again sets it aside
    and publishes a fresh, catalogued copy."""
    home = tmp_path / "home"
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, [street_row()] * 3))
    ws = open_workspace(home)
    [first] = police_uk_ingest(ws, [p]).results
    # simulate the crash: the folder is published but the catalogue row never committed
    with ws.catalogue.session() as s:
        s.execute(delete(DatasetCoverage))
        s.execute(delete(Dataset))
    rel = f"police_uk_street/{first.dataset_id}"
    with pytest.raises(NoDataError):
        ws.engine().table("police_uk_street")
    ws2 = open_workspace(home)  # opening sweeps staging only
    assert ws2.lake.path(rel).exists()
    assert ws2.orphans() == [rel]
    [again] = police_uk_ingest(ws2, [p]).results
    assert again.ok and again.duplicate_of is None and again.dataset_id == first.dataset_id
    assert ws2.engine().table("police_uk_street").count().to_pyarrow().as_py() == 3
    assert ws2.orphans() == []
    assert len(list((ws2.lake.root / "_orphans").iterdir())) == 1  # the old copy is kept, set aside


def test_opening_a_lake_with_another_catalogue_deletes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, [street_row()] * 3))
    police_uk_ingest(open_workspace(home), [p])
    before = lake_folders(open_workspace(home))
    other = Workspace.open(Settings(home=home, db_url=f"sqlite:///{tmp_path / 'empty.sqlite'}"))
    assert other.catalogue.datasets() == []
    assert lake_folders(open_workspace(home)) == before and before


def test_concurrent_loads_of_one_file_make_one_dataset(catalogue_url: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Four loaders (own workspace objects and connection pools) all find the file new, then race to register
    it: one dataset, one lake folder; the others report it as a duplicate."""
    n = 4
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, [street_row(**{"Crime ID": str(i)}) for i in range(500)]))
    home = tmp_path / "home"
    workspaces = [open_workspace(home, catalogue_url) for _ in range(n)]
    for s in SOURCES:
        workspaces[0].catalogue.ensure_kind(s.kind, s.label, s.schema_version)
    barrier = threading.Barrier(n)
    seen = threading.local()
    by_sha256 = Catalogue.by_sha256

    def racing_lookup(self: Catalogue, sha: str):  # type: ignore[no-untyped-def]
        found = by_sha256(self, sha)
        if not getattr(seen, "done", False):  # the first look-up of each loader: all of them see "new"
            seen.done = True
            barrier.wait(timeout=60)
        return found

    monkeypatch.setattr(Catalogue, "by_sha256", racing_lookup)
    results = []

    def work(w: Workspace) -> None:
        results.append(load_file(w, SourceFile(p), SOURCES))

    threads = [threading.Thread(target=work, args=(w,)) for w in workspaces]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert len(results) == n and all(r.error is None for r in results), [r.error for r in results]
        winners = [r for r in results if r.duplicate_of is None]
        assert len(winners) == 1
        assert all(r.duplicate_of == winners[0].dataset_id for r in results if r is not winners[0])
        assert all(r.rows_read == 500 for r in results)
        assert [d.id for d in workspaces[0].catalogue.datasets()] == [winners[0].dataset_id]
        assert lake_folders(workspaces[0]) == {f"police_uk_street/{winners[0].dataset_id}"}
    finally:
        for w in workspaces:
            w.catalogue.engine.dispose()
