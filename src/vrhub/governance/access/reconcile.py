"""After a crash: account for every dataset version an upload published, before anyone relies on it.

An upload's record and its ``upload.start`` audit row are written before anything is published
(``vrhub.governance.access.uploads``), but a process killed during the load leaves the record ``loading`` with
the versions it had already published not yet listed. ``reconcile`` (run when the hub starts, and by
``vrhub hub reconcile``) finds them by the received file's folder, which the loader records as each version's
source path (``incoming/<upload id>-…/``):

- a record no live process holds (its lock is free, see ``uploads.still_loading``) gets the versions its upload
  published and the status ``interrupted``, and an ``upload.reconcile`` audit row: they are then listed, read
  and purged under the upload's agreement like any other;
- a version published through the hub with no record at all (possible only before records were written first)
  is withdrawn (``Catalogue.withdraw``), with an audit row: nobody can say under which agreement it came.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vrhub.governance.access.uploads import UNFINISHED, get_upload, save, still_loading, uploads
from vrhub.store import audit
from vrhub.store.catalogue.models import Upload
from vrhub.store.workspace import Workspace

#: the folder of a received file inside the workspace: ``incoming/<upload id>-<random>/``
INCOMING = re.compile(r"[/\\]incoming[/\\](?P<upload>\d{14}-[0-9a-f]{12})-[^/\\]*[/\\]")


@dataclass(frozen=True)
class Reconciled:
    """What ``reconcile`` did: an upload marked ``interrupted`` with its versions, or a version withdrawn."""

    upload_id: str
    outcome: str  # "interrupted" | "withdrawn"
    dataset_ids: list[str]


def reconcile(ws: Workspace, *, actor: str = "system") -> list[Reconciled]:
    """Attach to each dead upload the versions it published; withdraw hub versions that have no upload record."""
    published: dict[str, list[str]] = {}
    withdrawn = set()
    for d in ws.catalogue.datasets(include_withdrawn=True):
        m = INCOMING.search(d.source_path or "")
        if m:
            published.setdefault(m["upload"], []).append(d.id)
            if d.withdrawn_at is not None:
                withdrawn.add(d.id)
    done = []
    for u in uploads(ws):
        if u.status in UNFINISHED and not still_loading(ws, u):
            done.append(_interrupted(ws, u, published.get(u.id, []), actor))
    for upload_id, ids in sorted(published.items()):
        live = [i for i in sorted(ids) if i not in withdrawn]
        if live and get_upload(ws, upload_id) is None:
            for dataset_id in live:
                d = ws.catalogue.withdraw(dataset_id, f"published by hub upload {upload_id}, which has no record "
                                          "(the hub stopped during the load): send the file again")
                audit.record(ws.catalogue, actor=actor, actor_role="system", action="upload.reconcile",
                             outcome="withdrawn", object_type="upload", object_id=upload_id,
                             partner_id=d.partner_id, data_version=dataset_id,
                             details={"reason": "a version published with no upload record"})
            done.append(Reconciled(upload_id, "withdrawn", live))
    return done


def _interrupted(ws: Workspace, u: Upload, published: list[str], actor: str) -> Reconciled:
    ids = sorted(set(u.dataset_ids) | set(published))
    u.dataset_ids, u.status = ids, "interrupted"
    u.report = {**(u.report or {}), "error": "the hub stopped before this upload finished; the versions it had "
                "published are listed (send the file again to load the rest: a repeat loads nothing twice)"}
    save(ws, u)
    audit.record(ws.catalogue, actor=actor, actor_role="system", action="upload.reconcile", outcome="interrupted",
                 object_type="upload", object_id=u.id, partner_id=u.partner_id, data_version=ids,
                 details={"agreement_id": u.agreement_id, "versions": len(ids)})
    return Reconciled(u.id, "interrupted", ids)
