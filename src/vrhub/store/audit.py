"""The append-only, hash-chained audit log of the hub (who did what, when, to which data version).

Each row's ``hash`` is ``sha256(prev_hash + canonical_json(row))`` where the canonical JSON is the row's other
fields with sorted keys and no spaces (RFC 8785 in spirit: the values here are strings, integers and plain
JSON objects, for which ``json.dumps(sort_keys=True, separators=(",", ":"))`` is canonical). The first row's
``prev_hash`` is 64 zeros. This is the construction of Crosby & Wallach, "Efficient data structures for
tamper-evident logging" (USENIX Security 2009), in its simplest (linear) form: editing or deleting any row
breaks every hash after it; only the newest rows can be cut off unnoticed, so publish the head hash
(``vrhub audit verify`` prints it) somewhere the database's owner cannot rewrite, and verify against it
(``verify(expect_head=...)``: a chain that no longer contains the recorded head was cut short or emptied).

Rows are appended, never updated: ``prev_hash`` is unique, so two concurrent writers cannot both extend the same
row (the loser retries on the new head), and migration 0005 adds triggers that refuse UPDATE and DELETE
(0006 also TRUNCATE, on PostgreSQL). With each event, in the same transaction, go the organisations whose data
it touched (``hub_audit_partners``: its ``partner_id`` and the owners of its data versions), which is what an
organisation's own view of the log reads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from vrhub.store.catalogue import Catalogue
from vrhub.store.catalogue.models import AuditEvent, AuditPartner, Dataset

GENESIS = "0" * 64
HASHED_FIELDS = ("id", "at", "actor", "actor_role", "action", "object_type", "object_id", "partner_id",
                 "data_version", "outcome", "details")
_LOCK = threading.Lock()  # one writer at a time per process; the unique prev_hash serialises processes
RETRIES = 50


def canonical_json(fields: dict[str, Any]) -> str:
    """The fields as canonical JSON (sorted keys, no whitespace, UTF-8 kept, timestamps as ISO 8601 UTC)."""

    def default(value: object) -> str:
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
        if isinstance(value, dt.date):
            return value.isoformat()
        raise TypeError(f"not JSON: {type(value).__name__}")

    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=default)


def row_fields(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in HASHED_FIELDS}


def chain_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """sha256 of the previous hash followed by the row's canonical JSON, as hex."""
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


def record(
    catalogue: Catalogue, *, actor: str, action: str, actor_role: str = "", object_type: str = "",
    object_id: str = "", partner_id: int | None = None, data_version: str | Iterable[str] = "",
    outcome: str = "ok", details: dict[str, Any] | None = None, at: dt.datetime | None = None,
) -> AuditEvent:
    """Append one event and return it. ``data_version`` is the dataset version id(s) the event read or wrote."""
    if not isinstance(data_version, str):
        data_version = ",".join(sorted(data_version))
    when = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    # JSON round trip: the stored details are exactly what was hashed (tuples become lists, and so on)
    details = json.loads(canonical_json(details or {}))
    partners = _partners_touched(catalogue, partner_id, data_version)
    for attempt in range(RETRIES):
        try:
            with _LOCK, catalogue.session() as s:
                head = s.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
                event = AuditEvent(
                    id=(head.id + 1) if head else 1, at=when, actor=actor, actor_role=actor_role, action=action,
                    object_type=object_type, object_id=str(object_id), partner_id=partner_id,
                    data_version=data_version, outcome=outcome, details=details,
                    prev_hash=head.hash if head else GENESIS,
                )
                event.hash = chain_hash(event.prev_hash, row_fields(event))
                s.add(event)
                s.add_all([AuditPartner(event_id=event.id, partner_id=p) for p in partners])
            return event
        except (IntegrityError, OperationalError):  # another process extended the chain first: try on the new head
            if attempt == RETRIES - 1:
                raise
            time.sleep(0.005 * (attempt + 1))
    raise AssertionError("unreachable")


#: (catalogue, dataset version id) → its organisation: a version's organisation never changes, so it is looked up once
_OWNERS: dict[tuple[str, str], int | None] = {}
_OWNERS_MAX = 100_000


def _partners_touched(catalogue: Catalogue, partner_id: int | None, data_version: str) -> list[int]:
    """The event's organisation and the owners of the data versions it names (looked up before the chain's lock is
    taken, so that indexing an event does not lengthen the time the log is held)."""
    found = {partner_id} if partner_id is not None else set()
    where = str(catalogue.engine.url)
    ids = [d for d in data_version.split(",") if d]
    unknown = [d for d in ids if (where, d) not in _OWNERS]
    if unknown:
        with catalogue.session() as s:
            rows = s.execute(select(Dataset.id, Dataset.partner_id).where(Dataset.id.in_(unknown))).all()
        if len(_OWNERS) > _OWNERS_MAX:
            _OWNERS.clear()
        _OWNERS.update({(where, d): p for d, p in rows})
    found |= {p for d in ids if (p := _OWNERS.get((where, d))) is not None}
    return sorted(found)


@dataclass(frozen=True)
class Verification:
    """The result of :func:`verify`: rows checked, the head hash, and the first bad row (if any) and why."""

    rows: int
    head: str
    bad_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.bad_id is None


def events(catalogue: Catalogue, *, partner_id: int | None = None, batch: int = 1000) -> Iterator[AuditEvent]:
    """Every event in chain order (oldest first, read in batches); only those about ``partner_id``'s data when
    given."""
    last = 0
    while True:
        with catalogue.session() as s:
            q = select(AuditEvent).where(AuditEvent.id > last).order_by(AuditEvent.id).limit(batch)
            if partner_id is not None:
                q = q.where(_about(partner_id))
            rows = list(s.scalars(q))
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def latest(catalogue: Catalogue, *, limit: int, partner_id: int | None = None) -> list[AuditEvent]:
    """The newest ``limit`` events (about ``partner_id``'s data when given), in chain order."""
    with catalogue.session() as s:
        q = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
        if partner_id is not None:
            q = q.where(_about(partner_id))
        return list(reversed(list(s.scalars(q))))


def _about(partner_id: int):  # type: ignore[no-untyped-def]
    """Events that touched ``partner_id``'s data (its own, or a read of one of its data versions)."""
    return AuditEvent.id.in_(select(AuditPartner.event_id).where(AuditPartner.partner_id == partner_id))


def verify(catalogue: Catalogue, *, expect_head: str | None = None) -> Verification:
    """Recompute the chain from the first row; stop at the first row whose links or hash do not hold.

    With ``expect_head`` (a head hash recorded earlier, outside the database), the chain must still contain a row
    with that hash: otherwise rows were cut off its end, or the log was emptied, since it was recorded. This is
    what a hash chain alone cannot show (Crosby and Wallach 2009, section 3: the auditor keeps a commitment).
    """
    prev, expected_id, n, seen = GENESIS, 1, 0, expect_head is None
    for e in events(catalogue):
        if e.id != expected_id:
            return Verification(n, prev, e.id, f"row {expected_id} is missing (the next row is {e.id})")
        if e.prev_hash != prev:
            return Verification(n, prev, e.id, "its prev_hash is not the hash of the row before it")
        if chain_hash(e.prev_hash, row_fields(e)) != e.hash:
            return Verification(n, prev, e.id, "its content does not match its hash (the row was edited)")
        prev, expected_id, n = e.hash, expected_id + 1, n + 1
        seen = seen or e.hash == expect_head
    if not seen:
        return Verification(n, prev, n + 1, f"the recorded head hash {expect_head} is not in the log: "
                            f"{'the log is empty' if n == 0 else f'it ends at row {n}'}, so rows were cut off its "
                            "end (or the log was emptied) after the head was recorded")
    return Verification(n, prev)


def count(catalogue: Catalogue, *, action: str, object_id: str, outcome: str, since: dt.datetime) -> int:
    """How many events of ``action`` on ``object_id`` with ``outcome`` happened at or after ``since``."""
    with catalogue.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == action, AuditEvent.object_id == object_id, AuditEvent.outcome == outcome,
            AuditEvent.at >= since)) or 0


def to_json(e: AuditEvent) -> dict[str, Any]:
    return {**json.loads(canonical_json(row_fields(e))), "prev_hash": e.prev_hash, "hash": e.hash}
