"""The audit log: every login, upload, read, query, export and administrative change is recorded; the chain
verifies and detects an edited or deleted row (SQLite and PostgreSQL); an organisation reads its own trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from vrhub_hubkit import PASSWORD, street_csv
from vrhub_testkit import run_cli

from vrhub.store import audit
from vrhub.store.catalogue.models import AuditEvent


def more_events(world, n: int = 4) -> None:  # type: ignore[no-untyped-def]
    for _ in range(n):
        world.client.get("/api/datasets", headers=world.as_("uploader_a"))


def drop_guards(engine) -> None:  # type: ignore[no-untyped-def]
    """What someone with the database owner's rights could do before editing the log."""
    with engine.begin() as con:
        if engine.dialect.name == "postgresql":
            con.execute(text("DROP TRIGGER hub_audit_log_append_only ON hub_audit_log"))
        else:
            con.execute(text("DROP TRIGGER hub_audit_log_no_update"))
            con.execute(text("DROP TRIGGER hub_audit_log_no_delete"))


def test_each_hash_is_sha256_of_the_previous_hash_and_the_canonical_row(world) -> None:  # type: ignore[no-untyped-def]
    rows = list(audit.events(world.ws.catalogue))
    assert rows[0].prev_hash == "0" * 64
    for before, e in itertools.pairwise(rows):
        assert e.prev_hash == before.hash
    e = rows[-1]
    fields = {"id": e.id, "at": e.at.astimezone(dt.UTC).isoformat(timespec="microseconds"), "actor": e.actor,
              "actor_role": e.actor_role, "action": e.action, "object_type": e.object_type, "object_id": e.object_id,
              "partner_id": e.partner_id, "data_version": e.data_version, "outcome": e.outcome, "details": e.details}
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert e.hash == hashlib.sha256((e.prev_hash + canonical).encode()).hexdigest()
    assert audit.verify(world.ws.catalogue).ok


def test_the_log_refuses_updates_and_deletes(world) -> None:  # type: ignore[no-untyped-def]
    for sql in ("UPDATE hub_audit_log SET actor = 'someone else' WHERE id = 1",
                "DELETE FROM hub_audit_log WHERE id = 1"):
        with pytest.raises(DBAPIError, match="append-only"), world.ws.catalogue.engine.begin() as con:
            con.execute(text(sql))


def test_verify_detects_an_edited_row_and_names_it(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cat = world.ws.catalogue
    more_events(world)
    n = audit.verify(cat).rows
    assert n >= 5
    drop_guards(cat.engine)
    with cat.engine.begin() as con:
        con.execute(text("UPDATE hub_audit_log SET actor = 'someone else' WHERE id = 3"))
    v = audit.verify(cat)
    assert (v.ok, v.bad_id, v.rows) == (False, 3, 2) and "edited" in v.problem
    db = str(cat.engine.url.render_as_string(hide_password=False))
    args = ["--home", str(world.ws.home), "--db", db]
    result = run_cli(*args, "audit", "verify")
    assert result.exit_code == 1 and "row 3" in result.output


def test_verify_detects_a_deleted_row_and_a_rehashed_row(world) -> None:  # type: ignore[no-untyped-def]
    cat = world.ws.catalogue
    more_events(world)
    drop_guards(cat.engine)
    with cat.engine.begin() as con:
        con.execute(text("DELETE FROM hub_audit_log WHERE id = 4"))
    v = audit.verify(cat)
    assert (v.ok, v.bad_id) == (False, 5) and "row 4 is missing" in v.problem
    # an editor who recomputes the edited row's own hash still breaks the link to the next row
    with cat.session() as s:
        e = s.get(AuditEvent, 2)
        e.actor = "someone else"
        e.hash = audit.chain_hash(e.prev_hash, audit.row_fields(e))
    v = audit.verify(cat)
    assert (v.ok, v.bad_id) == (False, 3) and "prev_hash" in v.problem


def test_verify_passes_from_the_cli(world) -> None:  # type: ignore[no-untyped-def]
    db = str(world.ws.catalogue.engine.url.render_as_string(hide_password=False))
    result = run_cli("--home", str(world.ws.home), "--db", db, "audit", "verify", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ok"] is True


def test_every_kind_of_access_is_audited(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    w = sqlite_world
    c = w.client
    start = audit.verify(w.ws.catalogue).rows
    c.post("/api/session", json={"username": "analyst", "password": PASSWORD})
    c.post("/api/session", json={"username": "analyst", "password": "wrong"})
    c.cookies.clear()
    w.upload("uploader_a", street_csv("2018-12", crime_id="audited"))
    c.get("/api/datasets", headers=w.as_("analyst"))
    c.get("/api/profile", headers=w.as_("board"))
    c.get("/api/profile/tables/when_monthly", headers=w.as_("board"))
    c.get(f"/api/datasets/{w.datasets['a']}/quarantine", params={"format": "csv"}, headers=w.as_("uploader_a"))
    c.post("/api/admin/organisations", json={"name": "Kent Fire"}, headers=w.as_("admin"))
    c.get("/api/audit", headers=w.as_("board"))  # refused: recorded as denied
    got = [(e.actor, e.action, e.outcome, e.object_type) for e in audit.events(w.ws.catalogue)][start:]
    assert got == [
        ("analyst", "login", "ok", "user"),
        ("anonymous", "login", "denied", "user"),
        ("uploader_a", "upload.start", "started", "upload"),  # before anything is published (issue 12, item 7)
        ("uploader_a", "upload", "ok", "upload"),
        ("analyst", "read", "ok", "datasets"),
        ("board", "query", "ok", "profile"),
        ("board", "export", "ok", "profile_table"),
        ("uploader_a", "export", "ok", "quarantine"),
        ("admin", "admin.organisation.add", "ok", "organisation"),
        ("board", "denied", "denied", "endpoint"),
    ]
    upload = [e for e in audit.events(w.ws.catalogue) if e.action == "upload"][-1]
    assert upload.data_version.startswith("street-")  # the data version written
    assert audit.verify(w.ws.catalogue).ok


def test_an_organisation_reads_only_its_own_data_trail(world) -> None:  # type: ignore[no-untyped-def]
    c = world.client
    c.get(f"/api/datasets/{world.datasets['a']}/quarantine", headers=world.as_("analyst"))  # the analyst reads A
    trail_a = c.get("/api/audit/mine", headers=world.as_("uploader_a")).json()
    trail_b = c.get("/api/audit/mine", headers=world.as_("uploader_b")).json()
    a_id = trail_a[0]["partner_id"]
    assert {e["partner_id"] for e in trail_a} == {a_id}
    assert a_id not in {e["partner_id"] for e in trail_b}
    assert any(e["actor"] == "analyst" and e["object_id"] == world.datasets["a"] for e in trail_a)
    assert not any(e["actor"] == "analyst" for e in trail_b)
    assert world.datasets["b"] not in json.dumps(trail_a)


def test_purge_withdraws_expired_versions_and_records_it(world) -> None:  # type: ignore[no-untyped-def]
    from vrhub.governance.access.purge import purge

    cat = world.ws.catalogue
    today = dt.date.today()
    assert purge(world.ws, today=today + dt.timedelta(days=365)) == []  # retention is 365 days: still kept
    found = purge(world.ws, today=today + dt.timedelta(days=367), dry_run=True)
    assert sorted(e.dataset_id for e in found) == sorted(world.datasets.values())
    assert {d.id for d in cat.datasets()} >= set(world.datasets.values())  # a dry run changes nothing
    db = str(cat.engine.url.render_as_string(hide_password=False))
    result = run_cli("--home", str(world.ws.home), "--db", db, "hub", "purge", "--today",
                     str(today + dt.timedelta(days=367)))
    assert result.exit_code == 0, result.output
    assert not {d.id for d in cat.datasets()} & set(world.datasets.values())
    withdrawn = {d.id: d.withdrawn_reason for d in cat.datasets(include_withdrawn=True)}
    assert "retention period of agreement 'Kent Police street crime'" in withdrawn[world.datasets["a"]]
    purges = [e for e in audit.events(cat) if e.action == "purge"]
    assert sorted(e.data_version for e in purges) == sorted(world.datasets.values())
    assert audit.verify(cat).ok
    assert purge(world.ws, today=today + dt.timedelta(days=400)) == []  # running it again changes nothing


def test_concurrent_writers_keep_one_chain(catalogue_url) -> None:  # type: ignore[no-untyped-def]
    import threading

    from vrhub.store.catalogue import Catalogue

    cats = [Catalogue.open(catalogue_url) for _ in range(2)]  # two "processes" (separate engines)
    try:
        def write(i: int) -> None:
            for j in range(10):
                audit.record(cats[i % 2], actor=f"w{i}", action="test", details={"j": j})

        threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        v = audit.verify(cats[0])
        assert v.ok and v.rows == 40
    finally:
        for c in cats:
            c.engine.dispose()


def test_the_api_returns_the_newest_rows(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    more_events(sqlite_world)
    every = [e.id for e in audit.events(sqlite_world.ws.catalogue)]
    got = sqlite_world.client.get("/api/audit", params={"limit": 3}, headers=sqlite_world.as_("admin")).json()
    assert [r["id"] for r in got] == every[-3:]
