"""Harm weights (Cambridge Crime Harm Index; ONS Crime Severity Score) as data tables with their sources.

See :mod:`.weights` and docs/methods/harm-weights.md.
"""

from .weights import (
    SCHEMES,
    VERIFICATIONS,
    CategoryWeight,
    HarmScheme,
    HarmWeights,
    OffenceWeight,
    derive_category_weights,
    load_harm_weights,
    police_uk_category_members,
    read_offence_weights,
)

__all__ = [
    "SCHEMES",
    "VERIFICATIONS",
    "CategoryWeight",
    "HarmScheme",
    "HarmWeights",
    "OffenceWeight",
    "derive_category_weights",
    "load_harm_weights",
    "police_uk_category_members",
    "read_offence_weights",
]
