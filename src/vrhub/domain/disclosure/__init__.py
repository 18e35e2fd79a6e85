"""Disclosure control (statistical output control) for every output that leaves an analyst's hands.

One module, used by the SNA report, board views, maps and exports:

- :class:`DisclosureRules` and the presets :data:`NHS_OPENSAFELY` (suppress 1–7, round to 5) and
  :data:`ONS_THRESHOLD_10` (cells must count at least 10); :func:`rules_from_mapping` loads rules from
  configuration and reports every problem at once.
- :func:`protect_series`, :func:`protect_table`, :func:`protect_long` apply primary suppression,
  secondary suppression (so that no margin or difference of published tables reveals a suppressed cell)
  and rounding, and return a :class:`ProtectedTable` from which every published view, rate, percentage
  and map value is cut; each carries a :class:`DisclosureProvenance` with a one-line statement.
- :func:`audit` attacks published tables with linear programming and reports any suppressed cell whose
  feasible range is narrower than the protection width.

Method, sources, assumptions and limits: docs/methods/disclosure-control.md.
"""

from .audit import AuditReport, audit
from .errors import (
    AuditInputError,
    DisclosureError,
    DisclosureInputError,
    DisclosureRulesError,
    SuppressedRateError,
)
from .protected import DisclosureProvenance, ProtectedTable, protect_long, protect_series, protect_table
from .rules import (
    CITATION,
    NHS_OPENSAFELY,
    ONS_THRESHOLD_10,
    PRESETS,
    DisclosureRules,
    round_to_base,
    rules_from_mapping,
)

__all__ = [
    "CITATION",
    "NHS_OPENSAFELY",
    "ONS_THRESHOLD_10",
    "PRESETS",
    "AuditInputError",
    "AuditReport",
    "DisclosureError",
    "DisclosureInputError",
    "DisclosureProvenance",
    "DisclosureRules",
    "DisclosureRulesError",
    "ProtectedTable",
    "SuppressedRateError",
    "audit",
    "protect_long",
    "protect_series",
    "protect_table",
    "round_to_base",
    "rules_from_mapping",
]
