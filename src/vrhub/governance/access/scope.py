"""Which data a signed-in user reaches (the row-level half of authorisation; roles say which actions).

- a partner uploader: every dataset version of their own organisation (whatever the kind);
- an analyst: the versions of the organisations and kinds of the agreements in force that name them;
- a board viewer or an administrator: no dataset version (board viewers read released aggregates only).

Whether an output leaves exact or released (disclosure-controlled) is decided in one place, :func:`release_decision`,
from the data versions the output read: an analyst gets the exact output only when named, for each kind, on an
agreement in force with every organisation whose data it read; everyone else (board viewers, and analysts
without such agreements) gets it released. Reference data (boundaries, area attributes, the place gazetteer)
is published data and needs no agreement. The release itself is ``vrhub.report.release``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from vrhub.domain.kinds import KINDS
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


#: kinds whose rows come from a partner under an agreement (the others are reference data)
PARTNER_KINDS = frozenset(k for k, v in KINDS.items() if v.force_field is not None)


@dataclass(frozen=True)
class ReleaseDecision:
    """Whether an output must be released (disclosure-controlled) for this user, and why."""

    released: bool
    missing: tuple[str, ...] = ()  # "organisation (kind)" the analyst is not named on an agreement for

    @property
    def why(self) -> str | None:
        if not self.missing:
            return None
        return "you are not named on an agreement in force covering: " + ", ".join(self.missing)


def release_decision(catalogue: Catalogue, user: User, dataset_ids: Iterable[str], on: dt.date) -> ReleaseDecision:
    """Exact or released, for ``user``, of an output that read ``dataset_ids`` (every kind it read counts).

    Analysts: exact only if named, for the kind of each partner data version read, on an agreement in force with
    its organisation (a version with no organisation cannot be covered, so it is released). Every other role:
    released. An unknown version id counts as not covered.
    """
    if user.role != Role.ANALYST:
        return ReleaseDecision(True)
    ids = set(dataset_ids)
    named = analyst_partner_ids(catalogue, user.id, on)
    found = {d.id: d for d in catalogue.datasets(include_withdrawn=True) if d.id in ids}
    missing = {f"an unknown data version {i}" for i in ids - set(found)}
    for d in found.values():
        if d.kind in PARTNER_KINDS and d.kind not in named.get(d.partner_id or -1, set()):
            missing.add(f"{d.partner.name if d.partner else '(no organisation)'} ({d.kind})")
    return ReleaseDecision(bool(missing), tuple(sorted(missing)))


def current_partner_datasets(catalogue: Catalogue) -> list[str]:
    """Every current partner data version: what an output built now may read at most."""
    return [d.id for d in catalogue.datasets() if d.kind in PARTNER_KINDS]
