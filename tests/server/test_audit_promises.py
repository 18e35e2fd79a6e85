"""What the audit trail now records and how it defends itself (issue 12, items 9 and 10): refused tokens, CSRF
refusals, refused and failed uploads, failed administrative calls; an organisation's own view includes analysts'
and the board's reads of its data; TRUNCATE is refused on PostgreSQL; verify fails on an emptied or shortened
chain when a head hash was recorded."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from vrhub_hubkit import PASSWORD, street_csv
from vrhub_testkit import run_cli

from vrhub.governance.access import accounts
from vrhub.store import audit
from vrhub.store.catalogue.models import ApiToken


def new_events(world, start: int) -> list:  # type: ignore[no-untyped-def]
    return list(audit.events(world.ws.catalogue))[start:]


def test_refused_tokens_and_csrf_refusals_are_audited(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    w = sqlite_world
    cat = w.ws.catalogue
    expired = accounts.create_token(cat, "analyst", "old")
    revoked = accounts.create_token(cat, "analyst", "gone")
    with cat.session() as s:
        s.get(ApiToken, expired.token.id).expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    accounts.revoke_token(cat, revoked.token.id)
    start = audit.verify(cat).rows
    for secret in ("vrh_forged-token-value", expired.secret, revoked.secret):
        assert w.client.get("/api/datasets", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    csrf = w.client.post("/api/session", json={"username": "admin", "password": PASSWORD})
    assert w.client.post("/api/admin/organisations", json={"name": "X"}).status_code == 403  # no CSRF token
    got = [(e.actor, e.action, e.outcome, e.object_type, e.object_id, e.details.get("reason"))
           for e in new_events(w, start)]
    assert got == [
        ("anonymous", "auth", "denied", "token", "", "unknown token"),
        ("analyst", "auth", "denied", "token", str(expired.token.id), "expired"),
        ("analyst", "auth", "denied", "token", str(revoked.token.id), "revoked"),
        ("admin", "login", "ok", "user", "admin", None),
        ("admin", "auth", "denied", "csrf", "admin", "CSRF token missing or wrong"),
    ]
    assert csrf.status_code == 200
    assert "vrh_forged" not in json.dumps([audit.to_json(e) for e in audit.events(cat)])  # a token is never logged


def test_refused_empty_and_failed_uploads_and_failed_admin_calls_are_audited(sqlite_world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    w = sqlite_world
    start = audit.verify(w.ws.catalogue).rows
    assert w.upload("uploader_a", street_csv("2018-12"), filename="data.json").status_code == 415
    assert w.upload("uploader_a", b"").status_code == 422
    assert w.client.post("/api/admin/organisations", json={"name": "Kent Police"},
                         headers=w.as_("admin")).status_code == 409  # already exists
    assert w.client.post("/api/admin/users", json={"username": "x", "role": "superuser"},
                         headers=w.as_("admin")).status_code == 422
    assert w.client.post("/api/admin/tokens", json={"username": "board", "name": "t", "days": None},
                         headers=w.as_("admin")).status_code == 422

    from vrhub.store import geography

    def broken(*a, **k):  # type: ignore[no-untyped-def]
        raise RuntimeError("the geography table is unreadable")

    monkeypatch.setattr(geography.Geography, "known_lsoa_codes", broken)
    assert w.upload("uploader_a", street_csv("2018-12", crime_id="err")).status_code == 500
    got = [(e.actor, e.action, e.outcome, e.object_id if e.action == "request" else e.details.get("reason", ""))
           for e in new_events(w, start) if e.action != "upload.start"]
    assert got[:5] == [
        ("uploader_a", "upload", "refused", "not a file type the sources read"),
        ("uploader_a", "upload", "refused", "empty"),
        ("admin", "request", "failed", "POST /api/admin/organisations"),
        ("admin", "request", "failed", "POST /api/admin/users"),
        ("admin", "request", "failed", "POST /api/admin/tokens"),
    ]
    assert [(a, b, c) for a, b, c, _ in got[5:]] == [("uploader_a", "upload", "failed"),
                                                     ("uploader_a", "request", "failed")]
    assert "already exists" in new_events(w, start)[2].details["error"]
    assert audit.verify(w.ws.catalogue).ok


def test_an_organisations_trail_includes_analysts_and_the_boards_reads_of_its_data(world) -> None:  # type: ignore[no-untyped-def]
    c = world.client
    assert c.get("/api/profile", headers=world.as_("analyst")).status_code == 200
    assert c.get("/api/profile/tables/when_monthly", headers=world.as_("board")).status_code == 200
    trail = c.get("/api/audit/mine", headers=world.as_("uploader_a")).json()
    reads = {(e["actor"], e["action"], e["object_type"]) for e in trail}
    assert {("analyst", "query", "profile"), ("board", "export", "profile_table")} <= reads
    for e in trail:  # the versions shown are Kent Police's own, never Medway Council's
        assert world.datasets["b"] not in e["data_version"]
    assert any(world.datasets["a"] in e["data_version"] for e in trail if e["actor"] == "board")
    medway = c.get("/api/audit/mine", headers=world.as_("uploader_b")).json()
    assert ("board", "export", "profile_table") in {(e["actor"], e["action"], e["object_type"]) for e in medway}
    assert not any(e["object_id"] == world.uploads["a"] for e in medway)


@pytest.mark.postgres
def test_truncate_is_refused_on_postgresql(pg_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from vrhub_hubkit import build_world

    world = build_world(tmp_path / "home", pg_url)
    try:
        n = audit.verify(world.ws.catalogue).rows
        for table in ("hub_audit_log", "hub_audit_partners"):
            with pytest.raises(DBAPIError, match="append-only"), world.ws.catalogue.engine.begin() as con:
                con.execute(text(f"TRUNCATE {table}"))
        v = audit.verify(world.ws.catalogue)
        assert v.ok and v.rows == n
    finally:
        world.client.close()
        world.ws.catalogue.engine.dispose()


def drop_guards_and_cut(engine, keep: int) -> None:  # type: ignore[no-untyped-def]
    """What the database's owner could do: drop the guards and cut rows off the end of the log."""
    with engine.begin() as con:
        if engine.dialect.name == "postgresql":
            con.execute(text("DROP TRIGGER hub_audit_log_append_only ON hub_audit_log"))
            con.execute(text("DROP TRIGGER hub_audit_log_no_truncate ON hub_audit_log"))
        else:
            con.execute(text("DROP TRIGGER hub_audit_log_no_delete"))
        con.execute(text(f"DELETE FROM hub_audit_log WHERE id > {keep}"))


def test_verify_fails_on_a_shortened_or_emptied_chain_against_a_recorded_head(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cat = world.ws.catalogue
    db = str(cat.engine.url.render_as_string(hide_password=False))
    head_file = tmp_path / "audit-head.txt"

    def verify(*args: str):  # type: ignore[no-untyped-def]
        return run_cli("--home", str(world.ws.home), "--db", db, "audit", "verify", *args)

    assert verify("--head-file", str(head_file)).exit_code == 0
    assert head_file.read_text().strip() == audit.verify(cat).head
    world.client.get("/api/datasets", headers=world.as_("uploader_a"))  # the log grows: still fine
    assert verify("--head-file", str(head_file)).exit_code == 0
    recorded = head_file.read_text().strip()
    drop_guards_and_cut(cat.engine, 3)
    for keep in (3, 0):  # shortened, then emptied
        if keep == 0:
            with cat.engine.begin() as con:
                con.execute(text("DELETE FROM hub_audit_log"))
        assert audit.verify(cat).ok  # the chain alone cannot tell ...
        v = audit.verify(cat, expect_head=recorded)
        assert not v.ok and recorded in v.problem and ("empty" if keep == 0 else f"ends at row {keep}") in v.problem
        for args in (["--expect-head", recorded], ["--head-file", str(head_file)]):  # ... the recorded head can
            r = verify(*args)
            assert r.exit_code == 1 and "cut off" in r.output
        assert head_file.read_text().strip() == recorded  # a failed verify never overwrites the recorded head
