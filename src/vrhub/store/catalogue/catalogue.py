"""Catalogue access: open (and migrate), look up, and register dataset versions atomically."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from vrhub.domain.errors import WorkspaceError
from vrhub.store.catalogue.coverage import Conflict, CoverageRow, barely_covered, conflicts, current
from vrhub.store.catalogue.models import (
    CommissioningVersion,
    Dataset,
    DatasetCoverage,
    DatasetKind,
    GovernanceVersion,
    Partner,
    ReturnsFile,
)

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _normalise_url(url: str) -> str:
    # psycopg 3 is the driver we ship for PostgreSQL; accept plain postgresql:// URLs.
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://") :]
    return url


class Catalogue:
    """The catalogue database. ``Catalogue.open(url)`` creates or upgrades it to the latest migration."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str) -> Catalogue:
        url = _normalise_url(url)
        try:
            engine = create_engine(url, future=True, pool_pre_ping=True)
        except ModuleNotFoundError as exc:  # e.g. psycopg missing
            raise WorkspaceError(
                f"cannot open catalogue {url!r}: {exc}",
                "install the PostgreSQL driver with: pip install 'vrhub[postgres]'",
            ) from exc
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        catalogue = cls(engine)
        try:
            catalogue.migrate()
        except OperationalError as exc:
            raise WorkspaceError(
                f"cannot open catalogue database {engine.url.render_as_string(hide_password=True)}: "
                f"{exc.orig}",
                "check the --db URL (or VRHUB_DB) and that the database server is running",
            ) from exc
        return catalogue

    def migrate(self) -> None:
        """Upgrade the database to the newest Alembic revision (safe to run every time)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as s, s.begin():
            yield s

    # --- look-ups -------------------------------------------------------------------------------
    def partner_id(self, name: str, sector: str | None = None) -> int:
        """The id of partner ``name``, registering it on first use."""
        for _ in range(2):
            with self.session() as s:
                found = s.scalar(select(Partner).where(Partner.name == name))
                if found is not None:
                    return found.id
            try:
                with self.session() as s:
                    p = Partner(name=name, sector=sector)
                    s.add(p)
                    s.flush()
                    return p.id
            except IntegrityError:  # registered concurrently: read it again
                continue
        raise WorkspaceError(f"could not register partner {name!r}")

    def partners(self) -> list[Partner]:
        with self.session() as s:
            return list(s.scalars(select(Partner).order_by(Partner.name)))

    def ensure_kind(self, name: str, label: str, schema_version: int) -> None:
        for attempt in range(2):
            try:
                with self.session() as s:
                    kind = s.get(DatasetKind, name)
                    if kind is None:
                        s.add(DatasetKind(name=name, label=label, schema_version=schema_version))
                    elif (kind.label, kind.schema_version) != (label, schema_version):
                        kind.label, kind.schema_version = label, schema_version
                return
            except IntegrityError:  # registered concurrently: look again
                if attempt:
                    raise

    def by_sha256(self, sha256: str) -> Dataset | None:
        with self.session() as s:
            return s.scalar(select(Dataset).where(Dataset.sha256 == sha256))

    def get(self, dataset_id: str) -> Dataset | None:
        with self.session() as s:
            return s.scalar(
                select(Dataset)
                .where(Dataset.id == dataset_id)
                .options(selectinload(Dataset.coverage), selectinload(Dataset.partner))
            )

    def datasets(self, kind: str | None = None, *, include_withdrawn: bool = False) -> list[Dataset]:
        """Dataset versions, oldest first; withdrawn ones only when asked (they are never read)."""
        with self.session() as s:
            q = select(Dataset).options(selectinload(Dataset.coverage), selectinload(Dataset.partner))
            if kind:
                q = q.where(Dataset.kind == kind)
            if not include_withdrawn:
                q = q.where(Dataset.withdrawn_at.is_(None))
            return list(s.scalars(q.order_by(Dataset.received_at, Dataset.id)))

    def data_version(self) -> str:
        """A short hash of everything an analysis can read from the catalogue: the ids of the dataset versions in
        use (withdrawn ones left out) and the newest governance, commissioning and returns loads. It changes when
        any of them does, so a cache keyed on it never serves a result of older data (one query per table, ids
        only: cheap enough for every page request)."""
        h = hashlib.sha256()
        with self.session() as s:
            for (dataset_id,) in s.execute(select(Dataset.id).where(Dataset.withdrawn_at.is_(None))
                                           .order_by(Dataset.id)):
                h.update(dataset_id.encode() + b"\n")
            for model in (GovernanceVersion, CommissioningVersion, ReturnsFile):
                h.update(f"{model.__tablename__}:{s.scalar(select(func.max(model.id)))}\n".encode())
        return h.hexdigest()[:16]

    def withdraw(self, dataset_id: str, reason: str) -> Dataset:
        """Stop reading a version (e.g. a wrong partial re-issue of a month); its files and record are kept."""
        return self._set_withdrawn(dataset_id, dt.datetime.now(dt.UTC), reason)

    def restore(self, dataset_id: str) -> Dataset:
        """Read a withdrawn version again."""
        return self._set_withdrawn(dataset_id, None, None)

    def _set_withdrawn(self, dataset_id: str, when: dt.datetime | None, reason: str | None) -> Dataset:
        with self.session() as s:
            d = s.get(Dataset, dataset_id)
            if d is None:
                raise WorkspaceError(f"no dataset {dataset_id!r}", "list dataset ids with 'vrhub datasets --all'")
            d.withdrawn_at, d.withdrawn_reason = when, reason
        found = self.get(dataset_id)
        assert found is not None
        return found

    def coverage_rows(self, kind: str, *, session: Session | None = None) -> list[CoverageRow]:
        """Every force-month of every version of ``kind`` that is not withdrawn, with its supplier."""
        q = (select(DatasetCoverage.dataset_id, Dataset.partner_id, DatasetCoverage.force, DatasetCoverage.month,
                    DatasetCoverage.rows, Dataset.received_at, DatasetCoverage.supersedes)
             .join(Dataset).where(Dataset.kind == kind, Dataset.withdrawn_at.is_(None)))
        if session is not None:
            return [CoverageRow(*r) for r in session.execute(q).all()]
        with self.session() as s:
            return [CoverageRow(*r) for r in s.execute(q).all()]

    def current_coverage(self, kind: str) -> list[tuple[str, str, dt.date]]:
        """(dataset_id, force, month) of the version read for each force-month of ``kind``: the newest version of
        the supplier who supplied it first, never one that barely covers it (``vrhub.store.catalogue.coverage``)."""
        return sorted((r.dataset_id, force, month) for (force, month), r in current(self.coverage_rows(kind)).items())

    def conflicts(self, kind: str) -> list[Conflict]:
        """Force-months of ``kind`` that more than one supplier covers (the first supplier's version is read)."""
        return conflicts(self.coverage_rows(kind))

    def forces(self, kind: str) -> set[str]:
        """The forces (sites, services) that versions of ``kind`` not withdrawn cover."""
        return {r.force for r in self.coverage_rows(kind)}

    # --- registration ---------------------------------------------------------------------------
    def register(
        self, dataset: Dataset, publish: Callable[[], None], unpublish: Callable[[], None] | None = None,
    ) -> Dataset:
        """Insert ``dataset`` and run ``publish`` (which moves its files into place) in one transaction.

        A force-month the dataset barely covers, where its supplier's current version has many more rows, is marked
        ``supersedes = False`` (``vrhub.store.catalogue.coverage.barely_covered``): it never hides that version.

        If ``publish`` raises, nothing is registered. If the sha256 is already registered (a concurrent
        load of the same file won), raises ``IntegrityError`` and nothing is published by this call. If
        ``publish`` or the commit fails once files may have moved, ``unpublish`` takes them away again (unless
        the dataset turns out to be registered after all, e.g. the connection dropped after the commit); if even
        that cannot be checked, the files stay uncatalogued, are never read, and the next ``Workspace.open``
        sweeps them.
        """
        publishing = False
        try:
            with self.session() as s:
                new = {(c.force, c.month): c.rows for c in dataset.coverage}
                stray = barely_covered(new, dataset.partner_id, self.coverage_rows(dataset.kind, session=s))
                for c in dataset.coverage:
                    c.supersedes = (c.force, c.month) not in stray
                s.add(dataset)
                s.flush()  # unique constraint checked here, before files move
                publishing = True
                publish()
        except BaseException:
            if publishing and unpublish is not None:
                try:
                    registered = self.get(dataset.id) is not None
                except Exception:  # the database is unreachable: leave the files for the sweep
                    registered = True
                if not registered:
                    unpublish()
            raise
        return dataset
