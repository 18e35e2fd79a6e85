"""Data-sharing agreements: who shares which dataset kinds, why, on what lawful basis, for how long, with whom.

An agreement is in force from ``start_date`` to ``end_date`` inclusive (open-ended without one). An upload is
accepted only under an agreement in force for the uploader's organisation and the file's kind; otherwise it is
refused with :class:`AgreementMissing`, whose message names the organisation, the kind and the agreements the
organisation does have. The ICO's *Data sharing code of practice* (2021) lists what an agreement records: the
parties, purpose, lawful basis, the data items shared, retention and deletion, and who may access the data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from vrhub.domain.errors import AgreementMissing, Conflict, NotFound, UsageError
from vrhub.domain.kinds import KINDS
from vrhub.governance.access.accounts import organisation, user
from vrhub.governance.access.roles import Role
from vrhub.ingest.source import code_key
from vrhub.store.catalogue import Catalogue
from vrhub.store.catalogue.models import Agreement, User

#: the kinds a partner can upload (boundaries and area attributes are reference data an analyst loads)
SHAREABLE = tuple(k for k, v in KINDS.items() if v.schema is not None)


def create_agreement(
    catalogue: Catalogue, name: str, *, organisation_name: str, kinds: Iterable[str], purpose: str,
    lawful_basis: str, retention_days: int, start: dt.date, end: dt.date | None = None,
    fields_allowed: Iterable[str] = (), analysts: Iterable[str] = (), supplies_for: Iterable[str] = (),
) -> Agreement:
    """Record an agreement; every problem with the arguments is reported at once.

    ``supplies_for`` names the forces, trusts, ED sites or services (as the rows name them: police.uk's "Falls
    within", the ED site code, the service) whose rows the organisation may upload under it besides its own.
    """
    kinds, fields_allowed, analysts = list(kinds), list(fields_allowed), list(analysts)
    supplies_for = [x.strip() for x in supplies_for if x.strip()]
    problems = []
    unknown = [k for k in kinds if k not in SHAREABLE]
    if not kinds:
        problems.append(f"name at least one dataset kind ({', '.join(SHAREABLE)})")
    if unknown:
        problems.append(f"unknown dataset kind(s) {', '.join(unknown)}: use {', '.join(SHAREABLE)}")
    known_fields = {f.name for k in kinds if k in SHAREABLE for f in KINDS[k].schema}  # type: ignore[union-attr]
    bad_fields = [f for f in fields_allowed if f not in known_fields]
    if bad_fields and not unknown:
        problems.append(f"field(s) {', '.join(bad_fields)} are not in {', '.join(kinds)}: use canonical field names "
                        f"({', '.join(sorted(known_fields))})")
    if not purpose.strip():
        problems.append("state the purpose")
    if not lawful_basis.strip():
        problems.append("state the lawful basis (e.g. UK GDPR Art. 6(1)(e) and the Serious Violence Duty)")
    if retention_days <= 0:
        problems.append("the retention period must be at least one day")
    if end is not None and end < start:
        problems.append(f"the end date {end} is before the start date {start}")
    named: list[User] = []
    for a in analysts:
        try:
            u = user(catalogue, a)
        except NotFound:
            problems.append(f"no user {a!r}")
            continue
        if u.role != Role.ANALYST:
            problems.append(f"{a!r} is a {u.role}, not an analyst: only analysts are named on agreements")
        named.append(u)
    if problems:
        raise UsageError("; ".join(problems))
    org = organisation(catalogue, organisation_name)
    try:
        with catalogue.session() as s:
            ag = Agreement(name=name, partner_id=org.id, kinds=kinds, purpose=purpose, lawful_basis=lawful_basis,
                           fields_allowed=fields_allowed, supplies_for=supplies_for,
                           retention_days=retention_days, start_date=start,
                           end_date=end, analysts=[s.get(User, u.id) for u in named])
            s.add(ag)
            s.flush()
    except IntegrityError as exc:
        raise Conflict(f"an agreement named {name!r} already exists", "choose another name") from exc
    return agreement(catalogue, name)


def agreement(catalogue: Catalogue, name_or_id: str | int) -> Agreement:
    with catalogue.session() as s:
        q = select(Agreement).options(selectinload(Agreement.analysts), selectinload(Agreement.partner))
        q = q.where(Agreement.id == name_or_id if isinstance(name_or_id, int) else Agreement.name == name_or_id)
        found = s.scalar(q)
    if found is None:
        raise NotFound(f"no agreement {name_or_id!r}", "list agreements with 'vrhub hub agreement list'")
    return found


def agreements(catalogue: Catalogue, partner_id: int | None = None) -> list[Agreement]:
    with catalogue.session() as s:
        q = select(Agreement).options(selectinload(Agreement.analysts), selectinload(Agreement.partner))
        if partner_id is not None:
            q = q.where(Agreement.partner_id == partner_id)
        return list(s.scalars(q.order_by(Agreement.name)))


def in_force(a: Agreement, on: dt.date) -> bool:
    return a.start_date <= on and (a.end_date is None or on <= a.end_date)


def covering(catalogue: Catalogue, partner_id: int, kind: str, on: dt.date, *, only: int | None = None
             ) -> Agreement:
    """The agreement in force on ``on`` that lets ``partner_id`` share ``kind`` (the newest if several; with
    ``only``, that agreement or none: the one the uploader chose).

    Raises :class:`AgreementMissing` naming the organisation, the kind and the agreements it has.
    """
    mine = agreements(catalogue, partner_id)
    fit = [a for a in mine if kind in a.kinds and in_force(a, on) and (only is None or a.id == only)]
    if fit:
        return max(fit, key=lambda a: (a.start_date, a.id))
    org = organisation(catalogue, partner_id).name
    label = KINDS[kind].label if kind in KINDS else kind
    chosen = next((a for a in mine if a.id == only), None)
    if only is not None and chosen is not None:
        why = "is not in force" if not in_force(chosen, on) else f"covers {', '.join(chosen.kinds)}, not {kind}"
        raise AgreementMissing(
            org, [kind], f"the agreement you chose, {chosen.name!r}, {why} ({label} on {on})",
            "choose the agreement that covers this kind of data, or ask the hub administrator to amend it")
    have = "; ".join(f"{a.name!r} ({', '.join(a.kinds)}, {a.start_date} to {a.end_date or 'open-ended'})"
                     for a in mine) or "none"
    raise AgreementMissing(
        org, [kind],
        f"no data-sharing agreement in force on {on} lets {org} share {kind} ({label}); "
        f"{org}'s agreements: {have}",
        f"ask the hub administrator to record an agreement for {org} covering {kind} "
        f"(vrhub hub agreement add --org {org!r} --kind {kind} ...), then upload again",
    )


def unit_keys(name: str) -> set[str]:
    """Spellings under which rows may name an organisation or unit: its name in the spelling-insensitive form
    (``code_key``) and, for a police force, without "Police", "Constabulary" or "Police Service" (police.uk's
    file names say "kent" for Kent Police, "metropolitan" for the Metropolitan Police Service)."""
    key = code_key(name)
    short = re.sub(r"\s+(police service|police|constabulary)$", "", key)
    return {key, short} - {""}


def supplier_units(catalogue: Catalogue, partner_id: int, kind: str, on: dt.date) -> list[str]:
    """Whose rows ``partner_id`` may upload as ``kind`` on ``on``: its own name and every unit its agreements in
    force for that kind name in ``supplies_for``."""
    units = [organisation(catalogue, partner_id).name]
    for a in agreements(catalogue, partner_id):
        if kind in a.kinds and in_force(a, on):
            units += [u for u in (a.supplies_for or []) if u not in units]
    return units


def foreign_units(owners: Iterable[str], units: Iterable[str]) -> list[str]:
    """The row owners (forces, trusts, sites, services) that are none of ``units``, compared by ``unit_keys``."""
    allowed = set().union(*(unit_keys(u) for u in units))
    return sorted({o for o in owners if not unit_keys(o) & allowed})


def analyst_partner_ids(catalogue: Catalogue, user_id: int, on: dt.date) -> dict[int, set[str]]:
    """partner id → dataset kinds of the agreements in force that name this analyst."""
    out: dict[int, set[str]] = {}
    for a in agreements(catalogue):
        if in_force(a, on) and any(u.id == user_id for u in a.analysts):
            out.setdefault(a.partner_id, set()).update(a.kinds)
    return out
