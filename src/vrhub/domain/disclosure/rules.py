"""Disclosure-control rules: what is suppressed, how the rest is rounded, and the presets in UK use.

Sources:
- NHS Digital, *Hospital Episode Statistics (HES) Analysis Guide*: counts of 1 to 7 are suppressed and
  other counts are rounded to the nearest 5 ("small number suppression").
- OpenSAFELY output checking (Bennett Institute, University of Oxford): redact counts ≤ 7 and round the
  rest to the nearest 5 before release.
- ONS Secure Research Service / Statistical Disclosure Control Principles Model: a frequency-table cell
  must count at least 10 units (the "threshold of 10"); cells with fewer than 10 are not released.
- Hundepool, A. et al. (2012) *Statistical Disclosure Control*. Wiley. (threshold rules, rounding,
  secondary suppression, protection intervals).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

import numpy as np

from .errors import DisclosureRulesError

RatesFromSuppressed = Literal["suppress", "raise"]
RATES_FROM_SUPPRESSED: tuple[str, ...] = ("suppress", "raise")

CITATION = (
    "Hundepool, A. et al. (2012) Statistical Disclosure Control. Wiley; NHS Digital HES Analysis Guide "
    "(suppress 1-7, round to 5); OpenSAFELY output checking; ONS SRS threshold of 10; "
    "tau-ARGUS (CBS/CASC) secondary cell suppression and interval protection."
)


@dataclass(frozen=True)
class DisclosureRules:
    """One disclosure-control policy.

    - ``threshold``: counts ``1..threshold`` are suppressed (primary suppression); 0 disables it.
    - ``rounding_base``: every published count and total is rounded to the nearest multiple of it, half
      up (``round_to_base``); 1 means no rounding.
    - ``suppress_zeros``: False (default) publishes a true zero as ``0`` and never suppresses it; True
      treats zeros as small counts.
    - ``secondary_suppression``: suppress further cells until no suppressed cell can be recovered from
      the published margins (see ``protection_width``).
    - ``marker``: the text shown in place of a suppressed value (ONS uses ``[c]``, "confidential").
    - ``rates_from_suppressed``: what a rate or percentage does when its count is suppressed:
      ``"suppress"`` (shown as suppressed / NaN) or ``"raise"`` (refuse, with an error).
    - ``protection_width``: the sliding protection range (Hundepool et al. 2012): an attacker who uses
      every published value must not narrow any suppressed cell to an integer range ``[lo, hi]`` with
      ``hi - lo < protection_width``. ``None`` means ``max(threshold, 1)``.
    - ``source``: where the policy comes from, printed with the provenance.
    """

    name: str
    threshold: int = 7
    rounding_base: int = 5
    suppress_zeros: bool = False
    secondary_suppression: bool = True
    marker: str = "[c]"
    rates_from_suppressed: RatesFromSuppressed = "suppress"
    protection_width: int | None = None
    source: str = ""

    def __post_init__(self) -> None:
        problems = _problems({f.name: getattr(self, f.name) for f in fields(self)})
        if problems:
            raise DisclosureRulesError(problems)

    @property
    def required_width(self) -> int:
        """The protection width actually required (``protection_width`` or ``max(threshold, 1)``)."""
        return self.protection_width if self.protection_width is not None else max(self.threshold, 1)

    @property
    def smallest_suppressed(self) -> int:
        """The lowest count that primary suppression hides (0 when zeros are suppressed)."""
        return 0 if self.suppress_zeros else 1

    def is_primary(self, values: np.ndarray) -> np.ndarray:
        """Mask of counts that the threshold rule suppresses."""
        values = np.asarray(values)
        return (values >= self.smallest_suppressed) & (values <= self.threshold)

    def statement(self, secondary_applied: bool | None = None) -> str:
        """A one-line statement for every page of a released report."""
        if self.threshold >= self.smallest_suppressed:
            low = self.smallest_suppressed
            span = f"of {low}" if low == self.threshold else f"{low}–{self.threshold}"
            first = f"counts {span} suppressed ({self.marker})"
            rest = "others"
        else:
            first, rest = "no small-count suppression", "counts"
        rounding = (
            f"{rest} rounded to the nearest {self.rounding_base}"
            if self.rounding_base > 1
            else f"{rest} shown unrounded"
        )
        secondary = self.secondary_suppression if secondary_applied is None else secondary_applied
        tail = "secondary suppression applied" if secondary else "no secondary suppression"
        return f"Disclosure control: {first}, {rounding}; {tail}."


def round_to_base(values: Any, base: int) -> np.ndarray:
    """Round non-negative integers to the nearest multiple of ``base``, halves up.

    ``r = base * floor((v + floor(base/2)) / base)``. A published ``r > 0`` therefore came from a true
    value in ``[r - floor(base/2), r + floor((base-1)/2)]`` (for base 5: ``r-2 .. r+2``; for base 10:
    ``r-5 .. r+4``). Base 1 returns the values unchanged.
    """
    v = np.asarray(values, dtype=np.int64)
    if base == 1:
        return v.copy()
    return ((v + base // 2) // base) * base


def rules_from_mapping(mapping: Mapping[str, Any]) -> DisclosureRules:
    """Build rules from configuration (e.g. a YAML section), reporting every problem at once.

    Keys are the fields of :class:`DisclosureRules` plus ``preset`` (``"nhs-opensafely"`` or
    ``"ons-threshold-10"``), whose values the other keys override. Without a preset, ``name`` is
    required and missing fields take the NHS/OpenSAFELY defaults. A customised preset without a new
    name is named ``"<preset> (customised)"``.
    """
    if not isinstance(mapping, Mapping):
        raise DisclosureRulesError([f"expected a mapping of settings, got {type(mapping).__name__}"])
    problems: list[str] = []
    known = [f.name for f in fields(DisclosureRules)]
    allowed = [*known, "preset"]
    for key in mapping:
        if key not in allowed:
            near = difflib.get_close_matches(str(key), allowed, n=1)
            problems.append(
                f"unknown setting '{key}'" + (f" (did you mean '{near[0]}'?)" if near else "")
                + f"; allowed: {', '.join(allowed)}"
            )
    values: dict[str, Any] = {}
    preset_name = mapping.get("preset")
    if preset_name is not None:
        if preset_name in PRESETS:
            base = PRESETS[preset_name]
            values = {f.name: getattr(base, f.name) for f in fields(base)}
        else:
            problems.append(f"unknown preset '{preset_name}'; choose one of: {', '.join(PRESETS)}")
    overrides = {k: v for k, v in mapping.items() if k in known}
    if preset_name in PRESETS and "name" not in overrides:
        base = PRESETS[preset_name]
        if any(overrides[k] != getattr(base, k) for k in overrides):
            overrides["name"] = f"{preset_name} (customised)"
    if preset_name is None and "name" not in overrides:
        problems.append("'name' is required (or give a 'preset' to start from)")
    values.update(overrides)
    values.setdefault("name", "unnamed")
    defaults = {f.name: f.default for f in fields(DisclosureRules) if f.name != "name"}
    for k, v in defaults.items():
        values.setdefault(k, v)
    problems.extend(_problems(values))
    if problems:
        raise DisclosureRulesError(problems)
    return DisclosureRules(**values)


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def _problems(v: Mapping[str, Any]) -> list[str]:
    """Every problem with a full set of rule values (all fields present)."""
    out: list[str] = []
    if not isinstance(v["name"], str) or not v["name"].strip():
        out.append(f"name must be a non-empty string, got {v['name']!r}")
    threshold_ok = _is_int(v["threshold"]) and v["threshold"] >= 0
    if not threshold_ok:
        out.append(f"threshold must be a whole number ≥ 0 (counts 1..threshold are suppressed), "
                   f"got {v['threshold']!r}")
    base_ok = _is_int(v["rounding_base"]) and v["rounding_base"] >= 1
    if not base_ok:
        out.append(f"rounding_base must be a whole number ≥ 1 (1 = no rounding), got {v['rounding_base']!r}")
    for flag in ("suppress_zeros", "secondary_suppression"):
        if not isinstance(v[flag], bool):
            out.append(f"{flag} must be true or false, got {v[flag]!r}")
    marker = v["marker"]
    if not isinstance(marker, str) or not marker.strip():
        out.append(f"marker must be non-empty text such as '[c]', got {marker!r}")
    elif marker.strip().lstrip("-").replace(".", "", 1).isdigit():
        out.append(f"marker {marker!r} looks like a number; use text such as '[c]' or '*'")
    if v["rates_from_suppressed"] not in RATES_FROM_SUPPRESSED:
        out.append(f"rates_from_suppressed must be one of {', '.join(RATES_FROM_SUPPRESSED)}, "
                   f"got {v['rates_from_suppressed']!r}")
    width = v["protection_width"]
    if width is not None and not (_is_int(width) and width >= 1):
        out.append(f"protection_width must be a whole number ≥ 1 or empty (= threshold), got {width!r}")
    if not isinstance(v["source"], str):
        out.append(f"source must be text, got {v['source']!r}")
    if threshold_ok and base_ok:
        smallest = v["threshold"] + 1
        base = v["rounding_base"]
        if smallest < base - base // 2:
            out.append(
                f"rounding_base {base} would publish counts from {smallest} upwards as 0 "
                f"(a count below {base - base // 2} rounds to 0); raise threshold to at least "
                f"{base - base // 2 - 1} or lower rounding_base"
            )
    return out


NHS_OPENSAFELY = DisclosureRules(
    name="nhs-opensafely",
    threshold=7,
    rounding_base=5,
    source="NHS Digital HES Analysis Guide; OpenSAFELY output checking (suppress 1-7, round to 5)",
)

# ONS's "threshold of 10" means every released cell counts at least 10 units, so counts 1-9 are
# suppressed: in this module's terms (counts 1..threshold suppressed) that is threshold=9.
ONS_THRESHOLD_10 = DisclosureRules(
    name="ons-threshold-10",
    threshold=9,
    rounding_base=1,
    source="ONS Secure Research Service output checking: cells must count at least 10 (threshold of 10)",
)

PRESETS: dict[str, DisclosureRules] = {r.name: r for r in (NHS_OPENSAFELY, ONS_THRESHOLD_10)}
