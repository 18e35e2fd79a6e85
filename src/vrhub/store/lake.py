"""The data lake: immutable dataset versions stored as Parquet folders, published atomically.

A load writes into ``lake/_staging/<uuid>/`` and becomes visible only when the catalogue transaction
that registers it also renames the folder to ``lake/<kind>/<dataset_id>/`` (``os.rename`` is atomic on
one file system). A process killed at any point leaves at most a staging folder or an uncatalogued
folder; neither is ever read (the engine reads only catalogued versions). ``Lake.sweep`` removes dead
staging folders only: a published folder is never deleted automatically, so opening a lake with the wrong
catalogue loses nothing.
"""

from __future__ import annotations

import errno
import json
import os
import queue
import shutil
import socket
import threading
import uuid
from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

OWNER_FILE = "_owner.json"
#: errno values of a full disk or an exhausted quota
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_DISK_FULL_TEXT = ("no space left on device", "database or disk is full", "disk quota exceeded",
                   "could not extend file")
PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 1}
DUPLICATE_COUNT_MEMORY = "512MB"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps) says the disk is full: ``OSError`` ENOSPC/EDQUOT (also Arrow's IO errors,
    which carry only the text), SQLite's ``SQLITE_FULL`` ("database or disk is full") or PostgreSQL's SQLSTATE 53100
    (``disk_full``), as SQLAlchemy wraps them."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS:
            return True
        if getattr(exc, "sqlstate", None) == "53100" or getattr(exc, "pgcode", None) == "53100":
            return True
        if any(t in str(exc).casefold() for t in _DISK_FULL_TEXT):
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


class BackgroundParquetWriter:
    """A Parquet writer that encodes and compresses on a background thread (Arrow releases the GIL there),
    so that reading and checking the next batch overlaps writing this one. At most ``depth`` batches wait,
    which bounds memory. ``close`` waits for the last batch and raises any error the thread met."""

    def __init__(self, path: Path, schema: pa.Schema, depth: int = 2) -> None:
        self._writer = pq.ParquetWriter(path, schema, **PARQUET_OPTIONS)
        self._queue: queue.Queue[pa.Table | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"parquet-{path.name}", daemon=True)
        self._thread.start()
        self._closed = False

    def _run(self) -> None:
        while (table := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._writer.write_table(table)
                except BaseException as exc:  # surfaced by write_table/close in the caller's thread
                    self._error = exc

    def write_table(self, table: pa.Table) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(table)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._thread.join()
        self._writer.close()
        if self._error is not None:
            raise self._error


class StagedVersion:
    """A dataset version being written. Use as a context manager: an exception removes it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writers: dict[str, BackgroundParquetWriter] = {}
        self.published = False

    def writer(self, name: str, schema: pa.Schema) -> BackgroundParquetWriter:
        if name not in self._writers:
            self._writers[name] = BackgroundParquetWriter(self.path / f"{name}.parquet", schema)
        return self._writers[name]

    def write_json(self, name: str, payload: object) -> None:
        (self.path / name).write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")

    def close_writers(self) -> None:
        for w in self._writers.values():
            w.close()
        self._writers.clear()

    def discard(self) -> None:
        self.close_writers()
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> StagedVersion:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self.published:
            self.discard()


class Lake:
    """The folder of immutable dataset versions."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.staging_root = root / "_staging"
        self.staging_root.mkdir(parents=True, exist_ok=True)

    def stage(self) -> StagedVersion:
        path = self.staging_root / uuid.uuid4().hex
        path.mkdir(parents=True)
        try:
            (path / OWNER_FILE).write_text(
                json.dumps({"pid": os.getpid(), "host": socket.gethostname()}), encoding="utf-8"
            )
        except BaseException:  # e.g. the disk is full: leave no folder behind
            shutil.rmtree(path, ignore_errors=True)
            raise
        return StagedVersion(path)

    def relative_path(self, kind: str, dataset_id: str) -> str:
        return f"{kind}/{dataset_id}"

    def publish(self, staged: StagedVersion, kind: str, dataset_id: str) -> str:
        """Move a staged version into place. Raises FileExistsError if that version already exists."""
        staged.close_writers()
        rel = self.relative_path(kind, dataset_id)
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            raise FileExistsError(str(target))
        os.rename(staged.path, target)
        staged.published = True
        staged.path = target
        return rel

    def unpublish(self, rel: str) -> None:
        """Remove a published version whose registration failed (it was never visible: it is not catalogued)."""
        shutil.rmtree(self.root / rel, ignore_errors=True)

    def path(self, rel: str) -> Path:
        return self.root / rel

    def manifest(self, rel: str) -> dict:
        """A version's ``manifest.json`` (provenance), or ``{}`` if it has none."""
        try:
            return json.loads((self.root / rel / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def files(self, rel: str, name: str) -> list[str]:
        p = self.root / rel / f"{name}.parquet"
        return [str(p)] if p.exists() else []

    def orphans(self, catalogued: set[str]) -> list[str]:
        """Published version folders the catalogue does not list. They are never read and never deleted."""
        out = []
        for kind_dir in sorted(self.root.iterdir()):
            if kind_dir.is_dir() and not kind_dir.name.startswith("_"):
                out += [f"{kind_dir.name}/{p.name}" for p in sorted(kind_dir.iterdir())
                        if p.is_dir() and f"{kind_dir.name}/{p.name}" not in catalogued]
        return out

    def set_aside(self, rel: str) -> Path:
        """Move an uncatalogued version folder to ``_orphans/`` (kept, never read), freeing its path."""
        target = self.root / "_orphans" / f"{rel.replace('/', '__')}-{uuid.uuid4().hex[:8]}"
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(self.root / rel, target)
        return target

    def sweep(self) -> list[str]:
        """Remove staging folders that no live process is writing.

        Only ``_staging`` is ever cleaned. A published folder the catalogue does not list (a load killed between
        the rename and the commit, or a lake opened with the wrong catalogue) is left alone: it is never read,
        ``orphans`` lists it, and loading the same file again sets it aside and publishes afresh.
        """
        removed: list[str] = []
        here = socket.gethostname()
        for path in [p for p in self.staging_root.iterdir() if p.is_dir()]:
            try:
                owner = json.loads((path / OWNER_FILE).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                owner = {}
            if owner.get("host") == here and _pid_alive(int(owner.get("pid", -1))):
                continue  # a live process on this machine (this one too: another thread) may still be writing it
            if owner.get("host") not in (None, here):
                continue  # written by another machine sharing the lake: not ours to judge
            shutil.rmtree(path, ignore_errors=True)
            removed.append(str(path.relative_to(self.root)))
        return removed


def count_duplicate_rows(path: str, ignore: tuple[str, ...] = ("dataset_id", "source_row"),
                         id_field: str | None = None) -> tuple[int, int, bool]:
    """(rows that are exact copies of an earlier row, rows considered, whether only rows with ``id_field`` were
    considered) in one Parquet file, comparing every column but ``ignore`` (provenance). Rows with ``id_field`` set
    are the ones considered when it is given and some have it.

    Run on a staged version before it is registered (the supply check's duplicate warning). Queries go through the
    engine (``vrhub.store.engine``); this one counts inside one unpublished file at load time, so it uses DuckDB's
    own SQL: the load does not pay for Ibis, and DuckDB works beyond memory.
    """

    def quote(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    columns = [c for c in pq.read_schema(path).names if c not in ignore]
    con = _duplicate_counter()
    try:
        has_id = bool(id_field and id_field in columns)
        key = quote(id_field) if has_id and id_field else "NULL"
        n_all, n_id, repeated_ids = _one(con.execute(
            f"SELECT count(*), count({key}), count({key}) - count(DISTINCT {key}) FROM read_parquet($1)",
            [path]).fetchone())
        by_id = bool(has_id and n_id)
        n = n_id if by_id else n_all
        if by_id and not repeated_ids:
            distinct = n  # rows that are copies share their id: with every id once, no row is a copy
        else:
            # With ids, only rows whose id repeats can be copies: count distinct rows among them alone
            # (n - distinct is the same, and the DISTINCT is over a few rows, not the whole file).
            where = (f"WHERE {key} IN (SELECT {key} FROM read_parquet($1) WHERE {key} IS NOT NULL GROUP BY ALL "
                     "HAVING count(*) > 1)") if by_id else ""
            in_groups, distinct_in_groups = _one(con.execute(
                f"SELECT count(*), (SELECT count(*) FROM (SELECT DISTINCT {', '.join(map(quote, columns))} "
                f"FROM read_parquet($1) {where})) FROM read_parquet($1) {where}", [path]).fetchone())
            distinct = n - in_groups + distinct_in_groups
    finally:
        con.close()
    return n - distinct, n, by_id


_COUNTERS: dict[int, Any] = {}
_COUNTERS_LOCK = threading.Lock()


def _duplicate_counter() -> Any:
    """A cursor on this process's in-memory DuckDB for the duplicate count (memory-limited). Opening a database
    costs 20–40 ms, which a load of 660 monthly files paid 660 times; a cursor costs under 2 ms. Keyed by process,
    so a forked child opens its own instead of using its parent's."""
    import duckdb

    with _COUNTERS_LOCK:
        con = _COUNTERS.get(os.getpid())
        if con is None:
            _COUNTERS.clear()
            con = _COUNTERS[os.getpid()] = duckdb.connect(config={"memory_limit": DUPLICATE_COUNT_MEMORY})
    return con.cursor()


def _one(row: tuple[Any, ...] | None) -> tuple[Any, ...]:
    """The row an aggregate query always returns (``fetchone`` is typed as possibly ``None``)."""
    assert row is not None, "an aggregate query returns one row"
    return row
