"""Which data a signed-in user reaches (the row-level half of authorisation; roles say which actions).

- a partner uploader: every dataset version of their own organisation (whatever the kind);
- an analyst: the versions of the organisations and kinds of the agreements in force that name them;
- a board viewer or an administrator: no dataset version (board viewers read released aggregates only).

An analyst sees unreleased (unsuppressed) aggregates only when named, for that kind, on agreements with every
organisation whose data the aggregate reads; otherwise the aggregate is released (disclosure-controlled).
"""

from __future__ import annotations

import datetime as dt

from vrhub.governance.access.agreements import analyst_partner_ids
from vrhub.governance.access.roles import Role
from vrhub.store.catalogue import Catalogue, Dataset
from vrhub.store.catalogue.models import User


def can_see(catalogue: Catalogue, user: User, dataset: Dataset, on: dt.date) -> bool:
    """Whether ``user`` may read ``dataset``'s rows (its quarantine, its report)."""
    if user.role == Role.PARTNER_UPLOADER:
        return user.partner_id is not None and dataset.partner_id == user.partner_id
    if user.role == Role.ANALYST:
        return dataset.kind in analyst_partner_ids(catalogue, user.id, on).get(dataset.partner_id or -1, set())
    return False


def visible_datasets(catalogue: Catalogue, user: User, on: dt.date, *, include_withdrawn: bool = False
                     ) -> list[Dataset]:
    if user.role == Role.PARTNER_UPLOADER:
        return [d for d in catalogue.datasets(include_withdrawn=include_withdrawn)
                if user.partner_id is not None and d.partner_id == user.partner_id]
    if user.role == Role.ANALYST:
        named = analyst_partner_ids(catalogue, user.id, on)
        return [d for d in catalogue.datasets(include_withdrawn=include_withdrawn)
                if d.kind in named.get(d.partner_id or -1, set())]
    return []


def unreleased_allowed(catalogue: Catalogue, user: User, kind: str, on: dt.date) -> tuple[bool, list[str]]:
    """Whether ``user`` may see unreleased aggregates of ``kind``, and the organisations they lack agreements with."""
    if user.role != Role.ANALYST:
        return False, []
    named = analyst_partner_ids(catalogue, user.id, on)
    missing = sorted({(d.partner.name if d.partner else "(no organisation)") for d in catalogue.datasets(kind)
                      if kind not in named.get(d.partner_id or -1, set())})
    return not missing, missing
