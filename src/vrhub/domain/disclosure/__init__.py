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
- :data:`STATISTICS` says, per kind of statistic released beside the tables (rates, ratios, trends, model
  coefficients, p-values…), whether it is recomputed from the released counts, coarsened, or withheld;
  :func:`model_gate`, :func:`coarsen`, :func:`coarsen_p` and :class:`CountedText` apply it.

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
from .statistics import (
    MIN_RESIDUAL_DF,
    SIGNIFICANT_FIGURES,
    STATISTICS,
    STATISTICS_CITATION,
    CountedText,
    StatisticRule,
    Treatment,
    coarsen,
    coarsen_p,
    format_released_p,
    model_gate,
    rule_for,
)
from .statistics import statement as statistics_statement

__all__ = [
    "CITATION",
    "MIN_RESIDUAL_DF",
    "NHS_OPENSAFELY",
    "ONS_THRESHOLD_10",
    "PRESETS",
    "SIGNIFICANT_FIGURES",
    "STATISTICS",
    "STATISTICS_CITATION",
    "AuditInputError",
    "AuditReport",
    "CountedText",
    "DisclosureError",
    "DisclosureInputError",
    "DisclosureProvenance",
    "DisclosureRules",
    "DisclosureRulesError",
    "ProtectedTable",
    "StatisticRule",
    "SuppressedRateError",
    "Treatment",
    "audit",
    "coarsen",
    "coarsen_p",
    "format_released_p",
    "model_gate",
    "protect_long",
    "protect_series",
    "protect_table",
    "round_to_base",
    "rule_for",
    "rules_from_mapping",
    "statistics_statement",
]
