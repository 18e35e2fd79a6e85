"""Roles and permissions of the hub: who may do what (the Five Safes' "safe people" and "safe outputs").

    partner_uploader   uploads its own organisation's data; sees those uploads' load reports and quarantine,
                       its own organisation's datasets and the audit trail of its own data; withdraws its own
                       organisation's dataset versions
    analyst            row-level (pseudonymised) data of the agreements naming them; unreleased profile and SNA;
                       keeps the action plans and the services register up to date (the VRU team owns them)
    board_viewer       released, disclosure-controlled aggregates only (profile and SNA)
    admin              organisations, users, agreements, tokens and the whole audit log; no data by default;
                       the action plans and the services register too (a partnership's governance officer)

Which *rows* a permitted user reaches (own organisation, agreements naming them) is decided per request in
``vrhub.governance.access.scope``; this module only says which actions a role may attempt at all.
"""

from __future__ import annotations

from enum import StrEnum

from vrhub.domain.errors import UsageError


class Role(StrEnum):
    PARTNER_UPLOADER = "partner_uploader"
    ANALYST = "analyst"
    BOARD_VIEWER = "board_viewer"
    ADMIN = "admin"


class Permission(StrEnum):
    PUBLIC = "public"  # no sign-in needed (login, health, the OpenAPI document)
    SIGNED_IN = "signed_in"  # any signed-in user (who am I, log out)
    UPLOAD = "upload"
    UPLOADS_READ = "uploads.read"
    DATASETS_WITHDRAW = "datasets.withdraw"  # a partner stops the hub reading one of its own versions
    DATASETS_READ = "datasets.read"
    QUARANTINE_READ = "quarantine.read"
    PROFILE_READ = "profile.read"
    SNA_READ = "sna.read"
    AUDIT_READ_OWN = "audit.read_own"
    AUDIT_READ_ALL = "audit.read_all"
    ACTIONS_EDIT = "actions.edit"  # the strategy's action plans: status, evidence, due date
    SERVICES_EDIT = "services.edit"  # the commissioned services' contract dates
    ADMIN = "admin"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.PARTNER_UPLOADER: frozenset({Permission.UPLOAD, Permission.UPLOADS_READ, Permission.DATASETS_READ,
                                      Permission.QUARANTINE_READ, Permission.AUDIT_READ_OWN,
                                      Permission.DATASETS_WITHDRAW}),
    Role.ANALYST: frozenset({Permission.DATASETS_READ, Permission.QUARANTINE_READ, Permission.PROFILE_READ,
                             Permission.SNA_READ, Permission.ACTIONS_EDIT, Permission.SERVICES_EDIT}),
    Role.BOARD_VIEWER: frozenset({Permission.PROFILE_READ, Permission.SNA_READ}),
    Role.ADMIN: frozenset({Permission.ADMIN, Permission.AUDIT_READ_ALL, Permission.ACTIONS_EDIT,
                           Permission.SERVICES_EDIT}),
}


def parse_role(text: str) -> Role:
    """``text`` as a role, or a :class:`UsageError` that lists the roles."""
    try:
        return Role(text)
    except ValueError:
        raise UsageError(f"unknown role {text!r}: use one of {', '.join(r.value for r in Role)}") from None


def allowed(role: str, permission: Permission) -> bool:
    """Whether ``role`` may attempt ``permission`` (PUBLIC and SIGNED_IN are every role's)."""
    if permission in (Permission.PUBLIC, Permission.SIGNED_IN):
        return True
    try:
        return permission in GRANTS[Role(role)]
    except ValueError:
        return False


def released_only(role: str) -> bool:
    """Whether ``role`` sees only released (disclosure-controlled) outputs."""
    return role != Role.ANALYST
