"""A load that dies part-way leaves nothing unaccounted for (issue 12, item 7): the upload's record and its audit row
exist before anything is published, and a restart attaches what was published to the record (or withdraws a
version that has none), so that it is listed, audited and purged under its agreement. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from vrhub_hubkit import street_csv
from vrhub_testkit import police_uk_ingest

from vrhub.governance.access import accounts
from vrhub.governance.access import uploads as hub_uploads
from vrhub.server import HubSettings, create_app
from vrhub.store import audit


class Killed(BaseException):
    """The process dying (nothing after this point runs: no except clause catches it)."""


def received(world, name: str, data: bytes) -> tuple[str, Path]:  # type: ignore[no-untyped-def]
    """A file as the upload route leaves it in incoming/ before calling the library."""
    upload_id = hub_uploads.new_upload_id()
    incoming = world.ws.home / "incoming"
    incoming.mkdir(exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f"{upload_id}-", dir=incoming)) / name
    path.write_bytes(data)
    return upload_id, path


def test_a_load_killed_after_publishing_is_recorded_then_reconciled_and_purged(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from vrhub.governance.access.purge import purge

    real = hub_uploads.ingest

    def ingest_then_die(*a, **kw):  # type: ignore[no-untyped-def]
        real(*a, **kw)  # the version is published ...
        raise Killed  # ... and the process dies before the upload's record is completed

    monkeypatch.setattr(hub_uploads, "ingest", ingest_then_die)
    data = street_csv("2019-01", 4, crime_id="killed")
    upload_id, path = received(world, "2019-01-kent-street.csv", data)
    before = {d.id for d in world.ws.catalogue.datasets()}
    with pytest.raises(Killed):
        hub_uploads.receive(world.ws, accounts.user(world.ws.catalogue, "uploader_a"), path, upload_id=upload_id,
                            filename=path.name, sha256="0" * 64, size=len(data))
    [published] = {d.id for d in world.ws.catalogue.datasets()} - before
    u = hub_uploads.get_upload(world.ws, upload_id)
    assert u is not None and u.status == "loading" and u.agreement_id is not None  # recorded before publishing
    assert any(e.action == "upload.start" and e.object_id == upload_id for e in audit.events(world.ws.catalogue))

    monkeypatch.undo()
    restarted = create_app(HubSettings(workspace=world.ws.settings), workspace=world.ws)  # the hub starts again
    u = hub_uploads.get_upload(world.ws, upload_id)
    assert (u.status, u.dataset_ids) == ("interrupted", [published])
    rec = [e for e in audit.events(world.ws.catalogue) if e.action == "upload.reconcile"]
    assert [(e.object_id, e.outcome, e.data_version) for e in rec] == [(upload_id, "interrupted", published)]
    assert audit.verify(world.ws.catalogue).ok
    trail = {e.object_id for e in audit.latest(world.ws.catalogue, partner_id=u.partner_id, limit=100)}
    assert upload_id in trail  # Kent Police sees it in its own trail
    gone = purge(world.ws, today=dt.date.today() + dt.timedelta(days=367))
    assert published in {e.dataset_id for e in gone}  # purged under the upload's agreement, like any other
    assert restarted is not None


def test_a_live_load_is_left_alone(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    from vrhub.governance.access.reconcile import reconcile

    w = sqlite_world
    upload_id, path = received(w, "2019-02-kent-street.csv", street_csv("2019-02", crime_id="live"))
    uploader = accounts.user(w.ws.catalogue, "uploader_a")
    from vrhub.store.catalogue.models import Upload

    u = Upload(id=upload_id, partner_id=uploader.partner_id, user_id=uploader.id, filename=path.name, sha256="0" * 64,
               size=1, received_at=dt.datetime.now(dt.UTC), status="loading", dataset_ids=[],
               report={"incoming": str(path.relative_to(w.ws.home))})
    hub_uploads.save(w.ws, u)
    with hub_uploads.holding(path):  # another hub process is loading it
        assert reconcile(w.ws) == []
        assert hub_uploads.get_upload(w.ws, upload_id).status == "loading"
    assert [r.outcome for r in reconcile(w.ws)] == ["interrupted"]  # that process died


def test_a_version_published_through_the_hub_with_no_record_is_withdrawn(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    """What a crash left before records were written first (today's main): no record, so no agreement, never
    purged. The restart withdraws it, audited."""
    w = sqlite_world
    upload_id, path = received(w, "2019-03-kent-street.csv", street_csv("2019-03", crime_id="orphan"))
    [r] = police_uk_ingest(w.ws, [path], partner="Kent Police").results
    assert r.ok and hub_uploads.get_upload(w.ws, upload_id) is None
    create_app(HubSettings(workspace=w.ws.settings), workspace=w.ws)
    d = w.ws.catalogue.get(r.dataset_id)
    assert d.withdrawn_at is not None and upload_id in d.withdrawn_reason
    assert r.dataset_id not in {x.id for x in w.ws.catalogue.datasets()}
    last = list(audit.events(w.ws.catalogue))[-1]
    assert (last.action, last.outcome, last.data_version) == ("upload.reconcile", "withdrawn", r.dataset_id)
