"""The lake: staging, atomic publication, and the sweep of what killed loads leave behind."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vrhub.store.lake import OWNER_FILE, Lake


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def set_owner(path: Path, pid: int, host: str | None = None) -> None:
    (path / OWNER_FILE).write_text(json.dumps({"pid": pid, "host": host or socket.gethostname()}), encoding="utf-8")


def test_stage_write_and_publish(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    staged = lake.stage()
    assert staged.path.parent == lake.staging_root
    owner = json.loads((staged.path / OWNER_FILE).read_text(encoding="utf-8"))
    assert owner["host"] == socket.gethostname() and isinstance(owner["pid"], int)
    t = pa.table({"x": [1, 2, 3]})
    staged.writer("data", t.schema).write_table(t)
    rel = lake.publish(staged, "k", "k-1")
    assert rel == "k/k-1" and staged.published
    assert pq.read_table(lake.files(rel, "data")[0]).column("x").to_pylist() == [1, 2, 3]
    assert list(lake.staging_root.iterdir()) == []
    assert lake.files(rel, "quarantine") == []


def test_publishing_over_an_existing_version_is_refused(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    lake.publish(lake.stage(), "k", "k-1")
    second = lake.stage()
    with pytest.raises(FileExistsError):
        lake.publish(second, "k", "k-1")
    assert not second.published and second.path.exists()


def test_an_exception_inside_a_staged_version_removes_it(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    with pytest.raises(RuntimeError), lake.stage() as staged:
        path = staged.path
        raise RuntimeError("boom")
    assert not path.exists()


def test_unpublish_removes_a_published_version(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    rel = lake.publish(lake.stage(), "k", "k-1")
    lake.unpublish(rel)
    assert not lake.path(rel).exists()


def test_sweep_removes_dead_staging_only_and_never_a_published_folder(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    dead = dead_pid()
    dead_staging = lake.stage()
    set_owner(dead_staging.path, dead)
    live_staging = lake.stage()  # this process is alive: another thread may be writing it
    other_host = lake.stage()
    set_owner(other_host.path, dead, host="another-machine")
    catalogued = lake.publish(lake.stage(), "k", "k-catalogued")
    orphan_staged = lake.stage()
    set_owner(orphan_staged.path, dead)
    orphan = lake.publish(orphan_staged, "k", "k-orphan")  # published, but its registration never committed
    no_owner = lake.staging_root / "no-owner"
    no_owner.mkdir()

    removed = lake.sweep()

    assert sorted(removed) == sorted([f"_staging/{dead_staging.path.name}", "_staging/no-owner"])
    assert live_staging.path.exists() and other_host.path.exists() and lake.path(catalogued).exists()
    assert not dead_staging.path.exists() and not no_owner.exists()
    assert lake.path(orphan).exists()
    assert lake.orphans({catalogued}) == [orphan]


def test_duplicate_count_equals_pandas_duplicated_with_and_without_ids(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The count looks at rows whose id repeats only; pandas' ``duplicated`` over every row says what it must be."""
    import random

    import pyarrow as pa
    import pyarrow.parquet as pq

    from vrhub.store.lake import count_duplicate_rows

    rng = random.Random(7)
    path = tmp_path / "data.parquet"
    for _ in range(20):
        n = rng.randint(0, 200)
        t = pa.table({"crime_id": pa.array([rng.choice([None, "a", "b", str(rng.randint(0, 150))]) for _ in range(n)],
                                           pa.string()),
                      "v": pa.array([rng.choice(["x", "y", None]) for _ in range(n)], pa.string()),
                      "w": [rng.randint(0, 2) for _ in range(n)], "source_row": list(range(n))})
        pq.write_table(t, path)
        df = t.drop(["source_row"]).to_pandas()
        with_id = df[df["crime_id"].notna()]
        by_id = len(with_id) > 0
        basis = with_id if by_id else df
        expected = (int(basis.duplicated().sum()), len(basis), by_id)
        assert count_duplicate_rows(str(path), id_field="crime_id") == expected
        assert count_duplicate_rows(str(path)) == (int(df.duplicated().sum()), len(df), False)
