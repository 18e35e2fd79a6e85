"""Harm weights per Home Office offence code, and derived weights for police.uk's broad categories.

Two published schemes, held as CSV data files beside this module (never in code):

- **Cambridge Crime Harm Index (CCHI)**: Sherman, L., Neyroud, P. & Neyroud, E. (2016) "The Cambridge Crime
  Harm Index: measuring total harm from crime based on sentencing guidelines", *Policing* 10(3): 171-183.
  Weight = days of imprisonment at the starting point of the Sentencing Council guideline for a first offender.
- **ONS Crime Severity Score (CSS)**: ONS (2016) "Research outputs: developing a Crime Severity Score for
  England and Wales using data on crimes recorded by the police". Weight per offence code from sentencing data;
  ONS updates the weights periodically.

Every row says where its figure was seen (``evidence``) and how sure we are (``verification``):
``verified`` (checked against the primary publication), ``secondary`` (seen for this offence in a secondary
source quoting the primary), ``unverified`` (inferred or from an unclear copy; or no figure at all, weight
blank). Unverified weights are NOT used unless asked for (``include_unverified=True``).

A police.uk category covers many offence codes, so its weight is derived (:func:`derive_category_weights`):
when every member offence has the same weight, that weight; otherwise the mean of member weights weighted by
national recorded-crime volumes, which the caller supplies. This is an approximation: a local mix of offences
differs from the national one. Where a member weight is missing the category weight is None, with the reason.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal

from vrhub.domain.definitions.model import normalise_code

Verification = Literal["verified", "secondary", "unverified"]
VERIFICATIONS: tuple[str, ...] = ("verified", "secondary", "unverified")
_PACKAGE = "vrhub.domain.harm"
_COLUMNS = ("ho_offence_code", "offence", "weight", "unit", "source", "source_edition", "verification", "evidence")


@dataclass(frozen=True)
class OffenceWeight:
    ho_offence_code: str
    offence: str
    weight: float | None
    unit: str
    source: str
    source_edition: str
    verification: str
    evidence: str


@dataclass(frozen=True)
class CategoryWeight:
    """A police.uk category's derived weight; ``weight`` is None when it cannot be derived (see ``reason``)."""

    category: str
    weight: float | None
    method: str
    members: tuple[str, ...]
    reason: str = ""


@dataclass(frozen=True)
class HarmScheme:
    key: str
    label: str
    unit: str
    citation: str
    offences: Mapping[str, OffenceWeight]
    categories: Mapping[str, CategoryWeight]
    include_unverified: bool = False

    def usable(self, w: OffenceWeight) -> bool:
        return w.weight is not None and (self.include_unverified or w.verification != "unverified")

    def offence_weights(self) -> dict[str, float]:
        """Offence code -> weight, for the weights this scheme may use."""
        return {c: float(w.weight) for c, w in self.offences.items() if self.usable(w) and w.weight is not None}

    def category_weights(self) -> dict[str, float]:
        """police.uk category -> derived weight, where one could be derived."""
        return {c: w.weight for c, w in self.categories.items() if w.weight is not None}


@dataclass(frozen=True)
class HarmWeights:
    schemes: Mapping[str, HarmScheme]
    include_unverified: bool = False
    volumes_source: str = ""
    category_members: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __getitem__(self, key: str) -> HarmScheme:
        return self.schemes[key]


SCHEMES: dict[str, tuple[str, str, str, str]] = {
    "cchi": (
        "cchi_offence_weights.csv",
        "Cambridge Crime Harm Index",
        "days",
        "Sherman, Neyroud & Neyroud (2016), The Cambridge Crime Harm Index, Policing 10(3):171-183",
    ),
    "css": (
        "css_offence_weights.csv",
        "ONS Crime Severity Score",
        "css_weight",
        "ONS (2016), Research outputs: developing a Crime Severity Score for England and Wales using data on "
        "crimes recorded by the police",
    ),
}


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def read_offence_weights(text: str, origin: str = "<text>") -> dict[str, OffenceWeight]:
    """Parse a weights CSV (columns: ``ho_offence_code, offence, weight, unit, source, source_edition,
    verification, evidence``). Raises ValueError naming every bad row."""
    rows = list(csv.DictReader(io.StringIO(text)))
    problems: list[str] = []
    out: dict[str, OffenceWeight] = {}
    if rows and set(_COLUMNS) - set(rows[0]):
        raise ValueError(f"{origin}: missing column(s) {sorted(set(_COLUMNS) - set(rows[0]))}; "
                         f"the header must be {','.join(_COLUMNS)}")
    for i, r in enumerate(rows, start=2):
        code = normalise_code(r["ho_offence_code"] or "")
        raw = (r["weight"] or "").strip()
        weight: float | None = None
        if raw:
            try:
                weight = float(raw)
            except ValueError:
                problems.append(f"line {i}: weight {raw!r} is not a number")
        ver = (r["verification"] or "").strip()
        if ver not in VERIFICATIONS:
            problems.append(f"line {i}: verification {ver!r} must be one of {', '.join(VERIFICATIONS)}")
        if weight is not None and weight < 0:
            problems.append(f"line {i}: weight must not be negative")
        if weight is None and ver != "unverified":
            problems.append(f"line {i}: a row without a weight must be marked unverified")
        if not code:
            problems.append(f"line {i}: ho_offence_code is empty")
        elif code in out:
            problems.append(f"line {i}: offence code {code} appears twice")
        out[code] = OffenceWeight(code, r["offence"], weight, r["unit"], r["source"], r["source_edition"], ver,
                                  r["evidence"])
    if problems:
        raise ValueError(f"{origin}: " + "; ".join(problems) + ". Correct these rows and load again.")
    return out


def police_uk_category_members() -> dict[str, tuple[str, ...]]:
    """police.uk category -> the Home Office offence codes it contains (shipped mapping; see
    docs/methods/harm-weights.md)."""
    members: dict[str, list[str]] = {}
    for r in _read("police_uk_category_offences.csv"):
        members.setdefault(r["police_uk_category"], []).append(normalise_code(r["ho_offence_code"]))
    return {k: tuple(v) for k, v in members.items()}


def derive_category_weights(
    offence_weights: Mapping[str, float],
    members: Mapping[str, tuple[str, ...]],
    volumes: Mapping[str, float] | None = None,
) -> dict[str, CategoryWeight]:
    """Weight of each broad category from the weights of the offence codes it contains.

    - every member has a weight and all are equal: that weight (no volumes needed);
    - members differ and ``volumes`` (recorded offences per code, e.g. the Home Office police recorded crime
      open data tables for England and Wales for one year) covers every member: the volume-weighted mean
      ``sum(v_i * w_i) / sum(v_i)``;
    - otherwise None, with the reason (a missing weight is never filled in).
    """
    out: dict[str, CategoryWeight] = {}
    for cat, codes in members.items():
        missing = [c for c in codes if c not in offence_weights]
        if missing:
            out[cat] = CategoryWeight(cat, None, "none", codes,
                                      f"no usable weight for offence code(s) {', '.join(missing)}")
            continue
        ws = [offence_weights[c] for c in codes]
        if len(set(ws)) == 1:
            out[cat] = CategoryWeight(cat, ws[0], "single weight shared by every member offence", codes)
            continue
        if volumes is None or any(c not in volumes for c in codes):
            lacking = [c for c in codes if volumes is None or c not in volumes]
            out[cat] = CategoryWeight(
                cat, None, "none", codes,
                "member weights differ; supply national volumes for code(s) " + ", ".join(lacking),
            )
            continue
        total = sum(volumes[c] for c in codes)
        if total <= 0:
            out[cat] = CategoryWeight(cat, None, "none", codes, "the volumes of the member offences sum to zero")
            continue
        mean = sum(volumes[c] * offence_weights[c] for c in codes) / total
        out[cat] = CategoryWeight(cat, mean, "volume-weighted mean over member offences", codes)
    return out


def load_harm_weights(
    include_unverified: bool = False,
    volumes: Mapping[str, float] | None = None,
    volumes_source: str = "",
) -> HarmWeights:
    """The shipped CCHI and CSS weight tables, with police.uk category weights derived from them.

    ``include_unverified`` also uses weights marked ``unverified`` (off by default). ``volumes`` maps offence
    code -> national recorded volume for the volume-weighted category means; name where they came from in
    ``volumes_source``.
    """
    members = police_uk_category_members()
    norm_vol = {normalise_code(k): float(v) for k, v in (volumes or {}).items()} if volumes else None
    schemes: dict[str, HarmScheme] = {}
    for key, (fname, label, unit, citation) in SCHEMES.items():
        text = resources.files(_PACKAGE).joinpath(fname).read_text(encoding="utf-8")
        offences = read_offence_weights(text, f"vrhub:{fname}")
        partial = HarmScheme(key, label, unit, citation, offences, {}, include_unverified)
        cats = derive_category_weights(partial.offence_weights(), members, norm_vol)
        schemes[key] = HarmScheme(key, label, unit, citation, offences, cats, include_unverified)
    return HarmWeights(schemes, include_unverified, volumes_source, members)
