"""The exceptions disclosure control raises on purpose (re-exported from :mod:`vrhub.domain.errors`).

    VrhubError
    └── DisclosureError             every disclosure-control error; the message ends with what to do next
        ├── DisclosureRulesError    a rules configuration is invalid (lists every problem at once)
        ├── DisclosureInputError    a table handed in for protection cannot be protected as given
        ├── SuppressedRateError     a rate was asked for where its count is suppressed (rules say "raise")
        └── AuditInputError         published tables cannot be audited (inconsistent or malformed)
"""

from __future__ import annotations

from vrhub.domain.errors import AuditInputError as AuditInputError
from vrhub.domain.errors import DisclosureError as DisclosureError
from vrhub.domain.errors import DisclosureInputError as DisclosureInputError
from vrhub.domain.errors import DisclosureRulesError as DisclosureRulesError
from vrhub.domain.errors import SuppressedRateError as SuppressedRateError
