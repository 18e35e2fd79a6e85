"""The catalogue on SQLite and on PostgreSQL: migrations, models vs migrations, registration, concurrency."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vrhub.domain.errors import WorkspaceError
from vrhub.store.catalogue import Catalogue, Dataset, DatasetCoverage
from vrhub.store.catalogue.catalogue import MIGRATIONS
from vrhub.store.catalogue.models import Base

TABLES = {"partners", "dataset_kinds", "datasets", "dataset_coverage", "alembic_version"}


@pytest.fixture
def catalogue(catalogue_url: str) -> Iterator[Catalogue]:
    cat = Catalogue.open(catalogue_url)
    cat.ensure_kind("police_uk_street", "police.uk street-level crime", 1)
    yield cat
    cat.engine.dispose()


def make_dataset(dataset_id: str, sha: str, *, received: dt.datetime | None = None,
                 coverage: list[tuple[str, dt.date, int]] = (), partner_id: int | None = None) -> Dataset:
    return Dataset(
        id=dataset_id, kind="police_uk_street", partner_id=partner_id, source_file=f"{dataset_id}.csv",
        source_path=f"/in/{dataset_id}.csv", sha256=sha, received_at=received or dt.datetime.now(dt.UTC),
        rows_read=10, rows_accepted=9, rows_quarantined=1, schema_version=1, vrhub_version="test",
        lake_path=f"police_uk_street/{dataset_id}", encoding="utf-8", attributes={"a": 1}, warnings=["w"],
        coverage=[DatasetCoverage(force=f, month=m, rows=n) for f, m, n in coverage],
    )


def head_revision() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()


def test_migrations_upgrade_an_empty_database_to_head(catalogue_url: str) -> None:
    cat = Catalogue.open(catalogue_url)
    try:
        assert set(inspect(cat.engine).get_table_names()) >= TABLES
        with cat.engine.connect() as con:
            assert con.execute(text("select version_num from alembic_version")).scalar_one() == head_revision()
        cat.migrate()  # opening an up-to-date catalogue again changes nothing
        with cat.engine.connect() as con:
            assert con.execute(text("select count(*) from alembic_version")).scalar_one() == 1
    finally:
        cat.engine.dispose()


def test_models_match_the_migrations(catalogue: Catalogue) -> None:
    """Alembic's autogenerate finds no difference between the models and the migrated database."""
    with catalogue.engine.connect() as con:
        diffs = compare_metadata(MigrationContext.configure(con), Base.metadata)
    assert diffs == []


def test_compare_metadata_would_see_a_model_change(catalogue: Catalogue) -> None:
    """The check above can fail: a column missing from the database is reported."""
    with catalogue.engine.begin() as con:
        con.execute(text("alter table partners drop column sector"))
    with catalogue.engine.connect() as con:
        diffs = compare_metadata(MigrationContext.configure(con), Base.metadata)
    assert any(d[0] == "add_column" and d[3].name == "sector" for d in diffs)


def test_register_and_look_up(catalogue: Catalogue) -> None:
    pid = catalogue.partner_id("Kent Police", "police")
    assert catalogue.partner_id("Kent Police") == pid
    assert [p.name for p in catalogue.partners()] == ["Kent Police"]
    oct_ = dt.date(2018, 10, 1)
    catalogue.register(make_dataset("a", "1" * 64, partner_id=pid, coverage=[("Kent Police", oct_, 9)]),
                       lambda: None)
    got = catalogue.get("a")
    assert got is not None and got.partner is not None and got.partner.name == "Kent Police"
    assert [(c.force, c.month, c.rows) for c in got.coverage] == [("Kent Police", oct_, 9)]
    assert got.attributes == {"a": 1} and got.warnings == ["w"]
    assert catalogue.by_sha256("1" * 64).id == "a"
    assert catalogue.by_sha256("2" * 64) is None
    assert catalogue.get("nope") is None
    assert [d.id for d in catalogue.datasets("police_uk_street")] == ["a"]
    assert catalogue.datasets("police_uk_outcomes") == []


def test_current_coverage_takes_the_newest_version_of_each_force_month(catalogue: Catalogue) -> None:
    oct_, nov = dt.date(2018, 10, 1), dt.date(2018, 11, 1)
    t0 = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    catalogue.register(make_dataset("old", "1" * 64, received=t0, coverage=[("K", oct_, 5), ("K", nov, 5)]),
                       lambda: None)
    catalogue.register(make_dataset("new", "2" * 64, received=t0 + dt.timedelta(days=1),
                                    coverage=[("K", nov, 7)]), lambda: None)
    assert catalogue.current_coverage("police_uk_street") == [("new", "K", nov), ("old", "K", oct_)]


def test_a_failed_publish_registers_nothing(catalogue: Catalogue) -> None:
    def publish() -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        catalogue.register(make_dataset("a", "1" * 64), publish)
    assert catalogue.datasets() == []


def test_a_failed_commit_after_publish_unpublishes(catalogue: Catalogue) -> None:
    """The files were moved into place but the transaction did not commit: they are taken away again."""
    calls: list[str] = []

    def fail(_session: Session) -> None:
        if "failed" not in calls:  # once: the database is back for the check that follows
            calls.append("failed")
            raise RuntimeError("connection lost before commit")

    event.listen(Session, "before_commit", fail)
    try:
        with pytest.raises(RuntimeError, match="connection lost"):
            catalogue.register(make_dataset("a", "1" * 64), lambda: calls.append("publish"),
                               lambda: calls.append("unpublish"))
    finally:
        event.remove(Session, "before_commit", fail)
    assert calls == ["publish", "failed", "unpublish"]
    assert catalogue.datasets() == []


def test_registering_a_known_sha256_raises_and_publishes_nothing(catalogue: Catalogue) -> None:
    catalogue.register(make_dataset("a", "1" * 64), lambda: None)
    published: list[str] = []
    with pytest.raises(IntegrityError):
        catalogue.register(make_dataset("b", "1" * 64), lambda: published.append("b"))
    assert published == []
    assert [d.id for d in catalogue.datasets()] == ["a"]


def test_concurrent_registration_of_one_sha256_yields_one_dataset(catalogue_url: str) -> None:
    """Four writers, each with its own connection pool (as separate processes would be), register the same
    file's sha256 at once: exactly one wins and publishes; the others get IntegrityError."""
    n = 4
    cats = [Catalogue.open(catalogue_url) for _ in range(n)]
    barrier = threading.Barrier(n)
    published: list[str] = []
    outcomes: dict[int, str] = {}

    def work(i: int) -> None:
        barrier.wait()
        try:
            cats[i].register(make_dataset(f"d{i}", "f" * 64), lambda: published.append(f"d{i}"))
            outcomes[i] = "registered"
        except IntegrityError:
            outcomes[i] = "duplicate"

    try:
        cats[0].ensure_kind("police_uk_street", "police.uk street-level crime", 1)
        threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert sorted(outcomes.values()) == ["duplicate"] * (n - 1) + ["registered"]
        assert len(published) == 1
        with cats[0].session() as s:
            rows = s.scalars(select(Dataset.id).where(Dataset.sha256 == "f" * 64)).all()
        assert rows == published
    finally:
        for c in cats:
            c.engine.dispose()


def test_concurrent_first_use_of_a_kind_and_partner(catalogue_url: str) -> None:
    """Two loads that both see a new dataset kind and partner must not fail on each other's insert."""
    n = 4
    cats = [Catalogue.open(catalogue_url) for _ in range(n)]
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []
    ids: list[int] = []

    def work(i: int) -> None:
        barrier.wait()
        try:
            cats[i].ensure_kind("police_uk_outcomes", "police.uk outcomes", 1)
            ids.append(cats[i].partner_id("Medway Council"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    try:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert errors == []
        assert len(set(ids)) == 1 and len(ids) == n
    finally:
        for c in cats:
            c.engine.dispose()


def test_an_unreachable_database_says_what_to_do() -> None:
    with pytest.raises(WorkspaceError) as info:
        Catalogue.open("postgresql://nobody@127.0.0.1:9/none?connect_timeout=2")
    assert "--db" in str(info.value) and "What to do" in str(info.value)


def test_current_coverage_is_per_supplier_and_ignores_a_barely_covered_month(catalogue: Catalogue) -> None:
    """On both databases: the first supplier of a force-month stays read (the other is a conflict), and a version
    with a few stray rows in a month is registered as not superseding it."""
    oct_, nov = dt.date(2019, 10, 1), dt.date(2019, 11, 1)
    t0 = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    essex, medway = catalogue.partner_id("Essex Police"), catalogue.partner_id("Medway Council")
    catalogue.register(make_dataset("oct", "1" * 64, received=t0, partner_id=essex,
                                    coverage=[("Essex Police", oct_, 17_791)]), lambda: None)
    catalogue.register(make_dataset("nov", "2" * 64, received=t0 + dt.timedelta(days=1), partner_id=essex,
                                    coverage=[("Essex Police", oct_, 1), ("Essex Police", nov, 16_000)]),
                       lambda: None)
    assert {c.month: c.supersedes for c in catalogue.get("nov").coverage} == {oct_: False, nov: True}
    catalogue.register(make_dataset("other", "3" * 64, received=t0 + dt.timedelta(days=2), partner_id=medway,
                                    coverage=[("Essex Police", nov, 5)]), lambda: None)
    assert catalogue.current_coverage("police_uk_street") == [("nov", "Essex Police", nov),
                                                              ("oct", "Essex Police", oct_)]
    [conflict] = catalogue.conflicts("police_uk_street")
    assert (conflict.month, conflict.read.dataset_id, conflict.other.dataset_id) == (nov, "nov", "other")
