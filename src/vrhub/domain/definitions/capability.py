"""What the loaded sources can and cannot tell: for each category, strand and measure, whether it can be
computed (``yes``), only ``partial``-ly, or ``no``, and why.

A source that cannot express a category says so instead of guessing: police.uk street-level data has no
offence code, weapon flag or victim age, so ``is serious violence`` is unknown for its "Violence and sexual
offences" rows, a strand that needs the victim's age is ``no``, and the reasons say exactly that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from .model import Definition, Membership, Predicate, Source

Status = Literal["yes", "partial", "no"]
_RANK = {"no": 0, "partial": 1, "yes": 2}


def _worst(*s: Status) -> Status:
    return min(s, key=_RANK.__getitem__)


def _best(*s: Status) -> Status:
    return max(s, key=_RANK.__getitem__)


def _combine(statuses: list[Status]) -> Status:
    """Alternatives joined by OR: all yes -> yes, all no -> no, otherwise partial."""
    if not statuses or all(s == "no" for s in statuses):
        return "no"
    if all(s == "yes" for s in statuses):
        return "yes"
    return "partial"


@dataclass(frozen=True)
class SourceCapability:
    source: str
    status: Status
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Capability:
    """Whether one category, strand or measure can be computed from the loaded sources."""

    kind: Literal["serious_violence", "category", "strand", "measure"]
    key: str
    label: str
    status: Status
    by_source: Mapping[str, SourceCapability] = field(default_factory=dict)

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(f"{s}: {r}" for s, c in self.by_source.items() for r in c.reasons)


@dataclass(frozen=True)
class CapabilityReport:
    definition: Mapping[str, str]
    available: Mapping[str, tuple[str, ...]]
    items: tuple[Capability, ...]

    def get(self, kind: str, key: str) -> Capability:
        for c in self.items:
            if c.kind == kind and c.key == key:
                return c
        raise KeyError(f"{kind} '{key}' is not in this report")

    def rows(self) -> list[dict[str, str]]:
        """One row per item and source, for a table or a CSV."""
        out = []
        for c in self.items:
            for s, sc in c.by_source.items() or {"": SourceCapability("", c.status)}.items():
                out.append({"kind": c.kind, "key": c.key, "label": c.label, "overall": c.status, "source": s,
                            "status": sc.status, "reasons": "; ".join(sc.reasons)})
        return out

    def to_text(self) -> str:
        lines = [f"Definition {self.definition['definition_name']} {self.definition['definition_version']} "
                 f"(sha256 {self.definition['definition_sha256'][:12]})"]
        for c in self.items:
            lines.append(f"[{c.status:>7}] {c.kind} {c.key}: {c.label}")
            for r in c.reasons:
                lines.append(f"            {r}")
        return "\n".join(lines)


class _Assessor:
    def __init__(self, d: Definition, available: Mapping[str, tuple[str, ...]]) -> None:
        self.d = d
        self.available = available

    def _has(self, source: str, fieldname: str) -> bool:
        return fieldname in self.available.get(source, ())

    def categories_status(self, src: Source, targets: set[str] | None) -> tuple[Status, list[str]]:
        """Can ``src`` tell, row by row, whether the category is in ``targets`` (None: any mapped category)?"""
        relevant = [r for r in src.rules if targets is None or set(r.categories()) & targets]
        if not relevant:
            what = "any category" if targets is None else ", ".join(sorted(targets))
            why = f"no rule maps its values to {what}"
            return "no", [why + (f" ({src.limitations})" if src.limitations else "")]
        usable = [r for r in relevant if all(self._has(src.key, f) for f in r.match)]
        missing = sorted({f for r in relevant for f in r.match if not self._has(src.key, f)})
        if not usable:
            return "no", [f"the rules need field(s) {', '.join(missing)}, which are not loaded"]
        reasons: list[str] = []
        status: Status = "yes"
        for r in usable:
            if not r.exact:
                status = "partial"
                reasons.append(r.note)
        if missing:
            status = "partial"
            reasons.append(f"some rules need field(s) {', '.join(missing)}, which are not loaded")
        return status, reasons

    def role_status(self, src: Source, role: str, pred: Predicate) -> tuple[Status, list[str]]:
        providers = src.providers(role)
        loaded = [f for f in providers if self._has(src.key, f.name)]
        if not loaded:
            if providers:
                names = ", ".join(f.name for f in providers)
                return "no", [f"'{role}' comes from field(s) {names}, which are not loaded"]
            return "no", [f"has no field giving '{role}'" + (f" ({src.limitations})" if src.limitations else "")]
        f = loaded[0]
        if f.kind == "age_band" and pred.kind == "range":
            straddle = [b.label for b in f.bands if b.status(pred.low, pred.high) is None]
            if straddle:
                return "partial", [f"age band(s) {', '.join(straddle)} of field {f.name} straddle the limit "
                                   f"({pred.describe()}); those records are unknown"]
        return "yes", []

    def membership_status(self, src: Source, m: Membership) -> tuple[Status, list[str]] | None:
        if not m.applies_to(src.key):
            return None
        if m.serious_violence:
            status, reasons = self.serious_status(src)
        else:
            status, reasons = self.categories_status(src, None if m.any_category else set(m.categories))
        for role, pred in m.when.items():
            s, r = self.role_status(src, role, pred)
            status = _worst(status, s)
            reasons += r
        return status, reasons

    def alternatives(self, src: Source, ms: Iterable[Membership]) -> SourceCapability:
        statuses: list[Status] = []
        reasons: list[str] = []
        for m in ms:
            res = self.membership_status(src, m)
            if res is None:
                continue
            statuses.append(res[0])
            reasons += [r for r in res[1] if r not in reasons]
        if not statuses:
            return SourceCapability(src.key, "no", ("the definition has no rule for this source",))
        return SourceCapability(src.key, _combine(statuses), tuple(reasons))

    def serious_status(self, src: Source) -> tuple[Status, list[str]]:
        sc = self.alternatives(src, self.d.serious_violence)
        return sc.status, list(sc.reasons)

    def overall(self, by_source: dict[str, SourceCapability]) -> Status:
        return _best(*(c.status for c in by_source.values())) if by_source else "no"

    def loaded_sources(self) -> list[Source]:
        return [self.d.sources[s] for s in self.available if s in self.d.sources]

    def run(self) -> tuple[Capability, ...]:
        items: list[Capability] = []
        srcs = self.loaded_sources()
        by = {s.key: self.alternatives(s, self.d.serious_violence) for s in srcs}
        items.append(Capability("serious_violence", "serious_violence", "Serious violence (this definition)",
                                self.overall(by), by))
        for key, cat in self.d.categories.items():
            by = {}
            for s in srcs:
                st, rs = self.categories_status(s, {key})
                by[s.key] = SourceCapability(s.key, st, tuple(rs))
            items.append(Capability("category", key, cat.label, self.overall(by), by))
        for key, strand in self.d.strands.items():
            by = {s.key: self.alternatives(s, strand.include) for s in srcs}
            items.append(Capability("strand", key, strand.label, self.overall(by), by))
        for key, measure in self.d.measures.items():
            variants: list[tuple[str, str, Membership | None]] = [(key, measure.label, None)]
            if measure.variant_key and measure.under_age is not None:
                variant = Membership(when={measure.age_role: Predicate("range", high=measure.under_age - 1)})
                variants.append((measure.variant_key, f"{measure.label}, victims under {measure.under_age}", variant))
            for vkey, label, extra in variants:
                by = {}
                for recipe in measure.recipes:
                    if recipe.source not in self.available:
                        continue
                    src = self.d.sources[recipe.source]
                    res = self.membership_status(src, recipe.membership) or ("no", ["recipe does not apply"])
                    status, reasons = res[0], list(res[1])
                    if extra is not None:
                        for role, pred in extra.when.items():
                            s2, r2 = self.role_status(src, role, pred)
                            status = _worst(status, s2)
                            reasons += r2
                    if recipe.approximate and status != "no":
                        status = _worst(status, "partial")
                        reasons.append(recipe.approximate)
                    prev = by.get(src.key)
                    if prev is None or _RANK[status] > _RANK[prev.status]:
                        by[src.key] = SourceCapability(src.key, status, tuple(reasons))
                if not by:
                    wanted = "; ".join(f"{r.source} with {', '.join(r.needs)}" for r in measure.recipes)
                    by = {"(none loaded)": SourceCapability("(none loaded)", "no", (f"needs one of: {wanted}",))}
                    status = "no"
                else:
                    status = self.overall(by)
                items.append(Capability("measure", vkey, label, status, by))
        return tuple(items)


def assess_capability(definition: Definition, available: Mapping[str, Iterable[str]]) -> CapabilityReport:
    """For each category, strand and measure: can it be computed from these sources and fields?

    ``available`` maps each loaded source (a key of ``[sources]``) to the fields that are actually present,
    e.g. ``{"police_uk_street": ["crime_type", "month", "lsoa_code"]}``. Sources the definition does not
    know are ignored. Returns a :class:`CapabilityReport`; each item has ``status`` ``yes``, ``partial`` or
    ``no`` overall (the best source) and per source, with the reasons.
    """
    avail = {k: tuple(v) for k, v in available.items()}
    return CapabilityReport(definition.provenance(), avail, _Assessor(definition, avail).run())
