"""One signed-in user's reading of the hub's data, as the JSON API serves it: the dataset versions they may see, a
version's quarantined rows, their organisation's uploads, and the audit log (whole, or the events about their
organisation's data).

:class:`Viewer` serves every role: what a user may see is decided by ``vrhub.governance.access.scope`` (an uploader
their organisation's versions, an analyst those of the agreements naming them). Each read is audited here with the
format asked (``read``, or ``export`` for a CSV), and a refusal is audited as ``denied`` before the ``NotFound`` is
raised, so the API's routes only translate HTTP. A partner's own pages use :class:`~vrhub.library.sharing.Sharing`,
which writes the same actions.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pyarrow as pa

from vrhub.domain.errors import NotFound
from vrhub.governance.access import uploads as hub_uploads
from vrhub.governance.access.scope import can_see, visible_datasets
from vrhub.report.csv_safe import write_rows, write_table
from vrhub.store import audit
from vrhub.store.catalogue import Dataset
from vrhub.store.catalogue.models import Upload, User
from vrhub.store.workspace import Workspace

#: the audit log's columns, in a CSV export's order
AUDIT_COLUMNS = ["id", "at", "actor", "actor_role", "action", "object_type", "object_id", "partner_id",
                 "data_version", "outcome", "details", "prev_hash", "hash"]


class Viewer:
    """What ``user`` may read; ``today`` decides which agreements are in force (default: today)."""

    def __init__(self, ws: Workspace, user: User, *, today: dt.date | None = None) -> None:
        self.ws, self.user, self.today = ws, user, today

    def _audit(self, action: str, **kw: Any) -> None:
        audit.record(self.ws.catalogue, actor=self.user.username, actor_role=self.user.role, action=action, **kw)

    # --- dataset versions ---------------------------------------------------------------------------------------
    def datasets(self, *, include_withdrawn: bool = False) -> list[Dataset]:
        """The versions the user may see, oldest first."""
        found = visible_datasets(self.ws.catalogue, self.user, self.today or dt.date.today(),
                                 include_withdrawn=include_withdrawn)
        self._audit("read", object_type="datasets", partner_id=self.user.partner_id,
                    data_version=[d.id for d in found])
        return found

    def quarantine(self, dataset_id: str, *, limit: int, format: str = "json") -> tuple[Dataset, pa.Table]:
        """A version the user may see and its first ``limit`` quarantined rows, by line in the file; audited as an
        ``export`` when ``format`` is ``csv``."""
        d = self.ws.catalogue.get(dataset_id)
        if d is None or not can_see(self.ws.catalogue, self.user, d, self.today or dt.date.today()):
            self._audit("read", outcome="denied", object_type="quarantine", object_id=dataset_id)
            raise NotFound(f"no dataset {dataset_id!r} that you may see", "list yours with GET /api/datasets")
        t = self.ws.engine().quarantine(dataset_id).order_by("_source_row").limit(limit).to_pyarrow()
        self._audit("export" if format == "csv" else "read", object_type="quarantine", object_id=d.id,
                    partner_id=d.partner_id, data_version=d.id, details={"rows": t.num_rows, "format": format})
        return d, t

    # --- uploads ------------------------------------------------------------------------------------------------
    def uploads(self) -> list[Upload]:
        """The organisation's uploads, oldest first (none for a user of no organisation)."""
        pid = self.user.partner_id
        found = hub_uploads.uploads(self.ws, pid if pid is not None else -1)
        self._audit("read", object_type="uploads", partner_id=pid)
        return found

    def upload(self, upload_id: str) -> Upload:
        """One upload of the organisation, with its load report."""
        u = hub_uploads.get_upload(self.ws, upload_id)
        if u is None or u.partner_id != self.user.partner_id:
            self._audit("read", outcome="denied", object_type="upload", object_id=upload_id)
            raise NotFound(f"no upload {upload_id!r} of your organisation", "list yours with GET /api/uploads")
        self._audit("read", object_type="upload", object_id=u.id, partner_id=u.partner_id,
                    data_version=u.dataset_ids)
        return u

    # --- the audit log ------------------------------------------------------------------------------------------
    def audit_log(self, *, limit: int, format: str = "json", own: bool = False) -> list[dict[str, Any]]:
        """The newest ``limit`` events of the whole log, oldest first; with ``own``, only those about the user's
        organisation's data (its uploads; anyone's reads, exports and purges of it), the data versions each names
        limited to the organisation's own. Audited as an ``export`` when ``format`` is ``csv``."""
        pid = (self.user.partner_id if self.user.partner_id is not None else -1) if own else None
        rows = [audit.to_json(e) for e in audit.latest(self.ws.catalogue, partner_id=pid, limit=limit)]
        if pid is not None:
            mine = {d.id for d in self.ws.catalogue.datasets(include_withdrawn=True) if d.partner_id == pid}
            rows = [{**r, "data_version": ",".join(v for v in r["data_version"].split(",") if v in mine)}
                    for r in rows]
        self._audit("export" if format == "csv" else "read", object_type="audit_log",
                    object_id="all" if pid is None else f"organisation {pid}", partner_id=pid,
                    details={"rows": len(rows), "format": format})
        return rows


def table_csv(t: pa.Table) -> str:
    """A table as CSV text, cells a spreadsheet would run as a formula neutralised."""
    buf = io.StringIO()
    write_table(buf, t)
    return buf.getvalue()


def audit_csv(rows: list[dict[str, Any]]) -> str:
    """Audit events (``audit.to_json``) as CSV text, ``details`` as JSON, formula injection neutralised."""
    buf = io.StringIO()
    write_rows(buf, AUDIT_COLUMNS, ([json.dumps(r[c]) if c == "details" else r[c] for c in AUDIT_COLUMNS]
                                    for r in rows))
    return buf.getvalue()
