"""Receive a partner's file under a data-sharing agreement and load it with the same loader as the CLI.

Before anything is loaded, each file's kind is read from its header (the loader's own ``choose_source``) and
checked against the organisation's agreements in force: a kind no agreement covers, or columns outside the
agreement's ``fields_allowed``, refuses the whole upload (nothing is loaded) with a message naming what is
missing. Then ``vrhub.ingest.loader.ingest`` loads it exactly as ``vrhub ingest`` does (quarantine, de-duplication,
atomic publication), and the load report is kept with the upload.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from vrhub.domain.errors import VrhubError
from vrhub.governance.access.agreements import covering
from vrhub.governance.access.errors import AgreementMissing
from vrhub.ingest.ambulance import SOURCES as AMBULANCE_SOURCES
from vrhub.ingest.csv_stream import sniff
from vrhub.ingest.education import SOURCES as EDUCATION_SOURCES
from vrhub.ingest.files import discover
from vrhub.ingest.istv import SOURCES as ISTV_SOURCES
from vrhub.ingest.loader import choose_source, ingest
from vrhub.ingest.police_uk import SOURCES as POLICE_UK_SOURCES
from vrhub.ingest.youth_justice import SOURCES as YOUTH_JUSTICE_SOURCES
from vrhub.store.catalogue.models import Agreement, Upload, User
from vrhub.store.geography import Geography
from vrhub.store.workspace import Workspace

#: every partner feed a file can be uploaded as: the same sources as ``vrhub ingest``
SOURCES = (*POLICE_UK_SOURCES, *ISTV_SOURCES, *AMBULANCE_SOURCES, *YOUTH_JUSTICE_SOURCES, *EDUCATION_SOURCES)
#: the names a client may give for ``kind`` (the CLI's short names and the canonical kind names)
KIND_NAMES = {"street": "police_uk_street", "outcomes": "police_uk_outcomes", "stop-search": "police_uk_stop_search",
              "istv": "ed_istv", "youth-justice": "youth_justice", **{s.kind: s.kind for s in SOURCES}}


def new_upload_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(6)


@dataclass
class UploadOutcome:
    upload: Upload
    refused: AgreementMissing | None = None


def _kinds_in(path: Path, kind: str | None) -> dict[str, list[tuple[str, set[str]]]]:
    """kind → [(file shown, canonical columns it has)] for every file that can be recognised."""
    files, _ = discover([path])
    out: dict[str, list[tuple[str, set[str]]]] = {}
    for f in files:
        try:
            header, _enc = sniff(f)
            source = choose_source(header, f, SOURCES, kind)
            columns = set(source.map_columns(header, f))
        except VrhubError:  # the loader reports the file's problem in the load report
            continue
        out.setdefault(source.kind, []).append((f.name, columns))
    return out


def receive(ws: Workspace, uploader: User, path: Path, *, upload_id: str, filename: str, sha256: str, size: int,
            kind: str | None = None, today: dt.date | None = None) -> UploadOutcome:
    """Check ``path`` (a file or zip archive received for ``uploader``'s organisation) against the agreements
    and load it; the returned upload's ``report`` is the load report (or the refusal)."""
    today = today or dt.date.today()
    if uploader.partner_id is None:
        raise ValueError(f"user {uploader.username!r} belongs to no organisation and cannot upload")
    kind_name = KIND_NAMES.get(kind, kind) if kind else None
    if kind_name is not None and kind_name not in KIND_NAMES.values():
        raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(sorted(KIND_NAMES))}")
    catalogue = ws.catalogue
    org = uploader.partner.name if uploader.partner else str(uploader.partner_id)
    upload = Upload(id=upload_id, partner_id=uploader.partner_id, user_id=uploader.id, filename=filename,
                    sha256=sha256, size=size, received_at=dt.datetime.now(dt.UTC), status="received",
                    dataset_ids=[], report={})
    found = _kinds_in(path, kind_name)
    agreement: Agreement | None = None
    try:
        for k, members in sorted(found.items()):
            agreement = covering(catalogue, uploader.partner_id, k, today)
            if agreement.fields_allowed:
                allowed = set(agreement.fields_allowed)
                for shown, columns in members:
                    extra = sorted(columns - allowed)
                    if extra:
                        raise AgreementMissing(
                            org, [k],
                            f"{shown}: agreement {agreement.name!r} does not allow the field(s) {', '.join(extra)} "
                            f"of {k} (it allows {', '.join(sorted(allowed))})",
                            "remove those columns from the file before uploading, or ask the hub administrator "
                            "to amend the agreement")
    except AgreementMissing as refusal:
        upload.status = "refused"
        upload.report = {"refused": refusal.message, "what_to_do": refusal.hint}
        _save(ws, upload)
        return UploadOutcome(upload, refusal)
    upload.agreement_id = agreement.id if agreement else None
    known = Geography(ws.engine()).known_lsoa_codes()
    report = ingest(ws, [path], SOURCES, partner=org, kind=kind_name, known_lsoas=known)
    results = [r.to_json() for r in report.results]
    for r in results:  # people know the file by the name they sent, never the server's temporary path
        r["source_file"] = r["source_file"].replace(str(path), filename)
        r["error"] = r["error"].replace(str(path), filename) if r["error"] else r["error"]
        r["warnings"] = [w.replace(str(path), filename) for w in r["warnings"]]
    upload.dataset_ids = sorted({r["dataset_id"] or r["duplicate_of"] for r in results
                                 if (r["dataset_id"] or r["duplicate_of"]) and not r["error"]})
    upload.status = "loaded" if report.ok and results else "failed"
    upload.report = {"results": results,
                     "skipped": [{"file": s.display.replace(str(path), filename), "reason": s.reason}
                                 for s in report.skipped],
                     "rows_read": sum(r["rows_read"] for r in results),
                     "rows_accepted": sum(r["rows_accepted"] for r in results),
                     "rows_quarantined": sum(r["rows_quarantined"] for r in results)}
    if not results:
        upload.report["error"] = f"{filename}: no CSV file was found in the upload"
    _save(ws, upload)
    return UploadOutcome(upload)


def _save(ws: Workspace, upload: Upload) -> None:
    with ws.catalogue.session() as s:
        s.merge(upload)


def uploads(ws: Workspace, partner_id: int | None = None) -> list[Upload]:
    with ws.catalogue.session() as s:
        q = select(Upload).order_by(Upload.received_at, Upload.id)
        if partner_id is not None:
            q = q.where(Upload.partner_id == partner_id)
        return list(s.scalars(q))


def get_upload(ws: Workspace, upload_id: str) -> Upload | None:
    with ws.catalogue.session() as s:
        return s.get(Upload, upload_id)


def to_json(u: Upload) -> dict[str, Any]:
    return {"upload_id": u.id, "organisation_id": u.partner_id, "filename": u.filename, "sha256": u.sha256,
            "size": u.size, "received_at": u.received_at.isoformat() if u.received_at else None, "status": u.status,
            "agreement_id": u.agreement_id, "dataset_ids": u.dataset_ids, "report": u.report}
