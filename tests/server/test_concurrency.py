"""20 uploads at once on PostgreSQL: each lands (or a repeat is recognised), and afterwards the catalogue, the lake,
the uploads table and the audit chain agree."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from vrhub_hubkit import build_world, street_csv
from vrhub_testkit import lake_folders

N = 20
DISTINCT = 16  # the last 4 uploads repeat earlier files byte for byte


@pytest.mark.postgres
def test_twenty_concurrent_uploads_land_consistently(pg_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    world = build_world(tmp_path / "home", pg_url)
    ws = world.ws
    months = [f"{2015 + i // 12}-{i % 12 + 1:02d}" for i in range(DISTINCT)]
    files = [street_csv(m, 5, crime_id=f"p{i}") for i, m in enumerate(months)]
    bodies = files + files[:N - DISTINCT]

    def send(i: int):  # type: ignore[no-untyped-def]
        with TestClient(world.app, base_url="https://testserver") as c:
            return c.post("/api/uploads", params={"filename": f"{months[i % DISTINCT]}-kent-street.csv"},
                          content=bodies[i], headers={**world.as_("uploader_a"),
                                                      "Content-Type": "application/octet-stream"})

    with ThreadPoolExecutor(N) as pool:
        responses = list(pool.map(send, range(N)))
    assert [r.status_code for r in responses] == [201] * N, [r.text for r in responses if r.status_code != 201]
    ids = [r.json()["dataset_ids"] for r in responses]
    assert all(len(i) == 1 for i in ids)
    assert ids[DISTINCT:] == ids[:N - DISTINCT]  # a repeat names the version the first upload made
    new = {i[0] for i in ids}
    assert len(new) == DISTINCT

    catalogued = ws.catalogue.datasets(include_withdrawn=True)
    assert {d.id for d in catalogued} == new | set(world.datasets.values())
    assert lake_folders(ws) == {d.lake_path for d in catalogued}  # nothing half-published, nothing staged left
    assert ws.orphans() == []
    engine = ws.engine()
    t = engine.table("police_uk_street", current=False)
    counts = {r["dataset_id"]: r["n"] for r in t.group_by("dataset_id").agg(n=t.count()).to_pyarrow().to_pylist()}
    assert counts == {d.id: d.rows_accepted for d in catalogued}
    assert all(counts[i] == 5 for i in new)

    from vrhub.governance.access.uploads import uploads
    from vrhub.store import audit

    hub_uploads = [u for u in uploads(ws) if u.id not in world.uploads.values()]
    assert len(hub_uploads) == N and {u.status for u in hub_uploads} == {"loaded"}
    v = audit.verify(ws.catalogue)
    assert v.ok
    assert sum(1 for e in audit.events(ws.catalogue) if e.action == "upload") == N + 2
    assert not any((ws.home / "incoming").iterdir())
    world.client.close()
    ws.catalogue.engine.dispose()
