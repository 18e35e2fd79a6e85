"""The exceptions disclosure control raises on purpose.

    DisclosureError             every disclosure-control error; the message ends with what to do next
    ├── DisclosureRulesError    a rules configuration is invalid (lists every problem at once)
    ├── DisclosureInputError    a table handed in for protection cannot be protected as given
    ├── SuppressedRateError     a rate was asked for where its count is suppressed (rules say "raise")
    └── AuditInputError         published tables cannot be audited (inconsistent or malformed)

This module imports nothing from the rest of vrhub (the domain layer stays pure), so these do not derive
from ``vrhub.domain.errors.VrhubError``; they follow the same shape (``message`` and ``hint``).
"""

from __future__ import annotations


class DisclosureError(ValueError):
    """Base class. ``hint`` says what the user can do next."""

    def __init__(self, message: str, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(f"{message}\n  What to do: {hint}" if hint else message)


class DisclosureRulesError(DisclosureError):
    """Invalid rules. ``problems`` lists every problem found, not only the first."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        listing = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"disclosure rules are invalid ({len(self.problems)} problem(s)):\n{listing}",
            "fix every listed setting (see docs/methods/disclosure-control.md for the fields), "
            "or start from a preset such as {'preset': 'nhs-opensafely'}",
        )


class DisclosureInputError(DisclosureError):
    pass


class SuppressedRateError(DisclosureError):
    pass


class AuditInputError(DisclosureError):
    pass
