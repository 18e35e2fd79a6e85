"""Errors of the hub's access layer (re-exported from :mod:`vrhub.domain.errors`).

    VrhubError
    └── AccessError            an account, token or agreement problem
        ├── NotFound           an organisation, user, agreement or token that does not exist
        ├── Conflict           a name that is already taken, or a change that would lock everyone out
        ├── AgreementMissing   an upload no data-sharing agreement in force covers (names what is missing)
        │   └── NotOwner       an upload with rows of another organisation (force, trust, site, service)
        └── Unreadable         an upload with a member that cannot be read or classified (nothing loaded)
"""

from __future__ import annotations

from vrhub.domain.errors import AccessError as AccessError
from vrhub.domain.errors import AgreementMissing as AgreementMissing
from vrhub.domain.errors import Conflict as Conflict
from vrhub.domain.errors import NotFound as NotFound
from vrhub.domain.errors import NotOwner as NotOwner
from vrhub.domain.errors import Unreadable as Unreadable
