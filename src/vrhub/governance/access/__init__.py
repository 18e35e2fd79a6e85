"""Access to shared data: roles, accounts and tokens, data-sharing agreements, uploads and retention.

Library functions only (no HTTP): ``vrhub.server`` and ``vrhub hub ...`` call them. The audit log they write to
is ``vrhub.store.audit``.
"""

from vrhub.governance.access.errors import AccessError, AgreementMissing, Conflict, NotFound
from vrhub.governance.access.roles import GRANTS, Permission, Role, allowed, parse_role, released_only

__all__ = ["GRANTS", "AccessError", "AgreementMissing", "Conflict", "NotFound", "Permission", "Role", "allowed",
           "parse_role", "released_only"]
