"""Errors of the hub's access layer (all are ``VrhubError``: a message and what to do).

    VrhubError
    └── AccessError            an account, token or agreement problem
        ├── NotFound           an organisation, user, agreement or token that does not exist
        ├── Conflict           a name that is already taken, or a change that would lock everyone out
        ├── AgreementMissing   an upload no data-sharing agreement in force covers (names what is missing)
        │   └── NotOwner       an upload with rows of another organisation (force, trust, site, service)
        └── Unreadable         an upload with a member that cannot be read or classified (nothing loaded)
"""

from __future__ import annotations

from vrhub.domain.errors import VrhubError


class AccessError(VrhubError):
    pass


class NotFound(AccessError):
    pass


class Conflict(AccessError):
    pass


class AgreementMissing(AccessError):
    def __init__(self, organisation: str, kinds: list[str], message: str, hint: str) -> None:
        self.organisation = organisation
        self.kinds = kinds
        super().__init__(message, hint)


class NotOwner(AgreementMissing):
    pass


class Unreadable(AccessError):
    pass
