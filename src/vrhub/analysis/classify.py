"""Apply a serious-violence definition to the records of one source, on any Ibis backend.

:func:`classify` adds, per record:

- ``sv_category`` — the definition's category when a rule identifies it exactly, else NULL;
- ``sv_match`` — ``exact``, ``broader`` (the source value only says the record *may* be one of
  ``sv_candidates``, e.g. police.uk "Violence and sexual offences") or ``none`` (no rule matched);
- ``sv_candidates`` — for ``broader`` records, the categories the record may be (comma-separated);
- ``is_serious_violence`` — TRUE / FALSE, or NULL when the source cannot tell (a broader value, or a
  condition on a role the source lacks, such as the victim's age in police.uk data). Never a guess;
- ``strand_<key>`` — one boolean column per strand, three-valued like ``is_serious_violence``. One column per
  strand (rather than a list column or one row per strand) keeps the row count unchanged, sums directly into
  counts, and runs on every backend;
- ``measure_<key>`` (and ``measure_<key>_u<age>``) — Home Office success measures; NULL when this source has
  no recipe for the measure;
- ``harm_cchi_days`` and ``harm_css`` — harm weights (Cambridge Crime Harm Index; ONS Crime Severity Score)
  by offence code or police.uk category, NULL where no usable weight exists;
- ``sv_definition``, ``sv_definition_version``, ``sv_definition_sha256`` — which definition produced this.

NULLs follow SQL's three-valued (Kleene) logic: ``TRUE OR NULL`` is TRUE, ``FALSE AND NULL`` is FALSE, so a
record is classified whenever the known facts settle it. Method: docs/methods/serious-violence-definition.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import ibis
import ibis.expr.types as ir

from vrhub.domain.definitions import Definition, DefinitionError, Field, Membership, Predicate, Source
from vrhub.domain.harm import HarmWeights, load_harm_weights

__all__ = ["classification_columns", "classify"]

_NULL_BOOL = "boolean"


def _norm(col: ir.Value, f: Field) -> ir.StringValue:
    s = col.cast("string").strip()
    return s.upper().replace("/", ".") if f.kind == "code" else s.lower()


def _any(exprs: list[ir.BooleanValue]) -> ir.BooleanValue:
    if not exprs:
        return ibis.literal(False)
    out = exprs[0]
    for e in exprs[1:]:
        out = out | e
    return out


def _all(exprs: Iterable[ir.BooleanValue]) -> ir.BooleanValue:
    out: ir.BooleanValue = ibis.literal(True)
    for e in exprs:
        out = out & e
    return out


def _band_range(col: ir.Value, f: Field, p: Predicate) -> ir.BooleanValue:
    """Age-band column against a range: TRUE if the band lies inside, FALSE if outside, NULL if it straddles."""
    key = col.cast("string").strip().lower()
    inside = [b.label.strip().lower() for b in f.bands if b.status(p.low, p.high) is True]
    outside = [b.label.strip().lower() for b in f.bands if b.status(p.low, p.high) is False]
    branches = []
    if inside:
        branches.append((key.isin(inside), ibis.literal(True)))
    if outside:
        branches.append((key.isin(outside), ibis.literal(False)))
    if not branches:
        return ibis.null(_NULL_BOOL)
    return ibis.cases(*branches, else_=ibis.null(_NULL_BOOL))


def _field_predicate(t: ir.Table, f: Field, p: Predicate) -> ir.BooleanValue:
    col = t[f.name]
    if p.kind == "in":
        return _norm(col, f).isin(list(p.values))
    if p.kind == "is":
        return col.cast("boolean") == ibis.literal(bool(p.flag))
    if f.kind == "age_band":
        return _band_range(col, f, p)
    num = col.cast("float64")
    conds = []
    if p.low is not None:
        conds.append(num >= p.low)
    if p.high is not None:
        conds.append(num <= p.high)
    return _all(conds)


class _Classifier:
    def __init__(self, t: ir.Table, d: Definition, src: Source) -> None:
        self.t, self.d, self.src = t, d, src
        self.cols = set(t.columns)
        self.rules = src.rules
        branches = [(_all(_field_predicate(t, src.fields[k], p) for k, p in r.match.items()), ibis.literal(r.index))
                    for r in self.rules]
        self.rid = ibis.cases(*branches, else_=ibis.null("int64")) if branches else ibis.null("int64")

    def by_rule(self, values: Mapping[int, str | None], dtype: str) -> ir.Value:
        groups: dict[str, list[int]] = {}
        for rid, v in values.items():
            if v is not None:
                groups.setdefault(v, []).append(rid)
        if not groups:
            return ibis.null(dtype)
        return ibis.cases(*[(self.rid.isin(ids), ibis.literal(v, dtype)) for v, ids in groups.items()],
                          else_=ibis.null(dtype))

    def category_in(self, targets: set[str] | None) -> ir.BooleanValue:
        """TRUE if the record's category is in ``targets`` (None: any), NULL if it may be, FALSE otherwise."""
        yes, maybe = [], []
        for r in self.rules:
            cats = set(r.categories())
            hit = bool(cats) if targets is None else bool(cats & targets)
            if hit and r.exact:
                yes.append(r.index)
            elif hit:
                maybe.append(r.index)
        branches = []
        if yes:
            branches.append((self.rid.isin(yes), ibis.literal(True)))
        if maybe:
            branches.append((self.rid.isin(maybe), ibis.null(_NULL_BOOL)))
        return ibis.cases(*branches, else_=ibis.literal(False)) if branches else ibis.literal(False)

    def role(self, role: str, p: Predicate) -> ir.BooleanValue:
        for f in self.src.providers(role):
            if f.name not in self.cols:
                continue
            col = self.t[f.name]
            if role in f.sets:
                present = _norm(col, f).isin(list(f.sets[role]))
                return present == ibis.literal(bool(p.flag)) if p.kind == "is" else ibis.null(_NULL_BOOL)
            return _field_predicate(self.t, f, p)
        return ibis.null(_NULL_BOOL)

    def membership(self, m: Membership, serious: ir.BooleanValue | None) -> ir.BooleanValue:
        if not m.applies_to(self.src.key):
            return ibis.literal(False)
        if m.serious_violence:
            assert serious is not None
            cat = serious
        else:
            cat = self.category_in(None if m.any_category else set(m.categories))
        return _all([cat, *(self.role(r, p) for r, p in m.when.items())])


def classification_columns(definition: Definition) -> list[str]:
    """The names of the columns :func:`classify` adds, in order."""
    cols = ["sv_category", "sv_match", "sv_candidates", "is_serious_violence"]
    cols += [f"strand_{k}" for k in definition.strands]
    for m in definition.measures.values():
        cols.append(f"measure_{m.key}")
        if m.variant_key:
            cols.append(f"measure_{m.variant_key}")
    return [*cols, "harm_cchi_days", "harm_css", "sv_definition", "sv_definition_version", "sv_definition_sha256"]


def _harm(t: ir.Table, src: Source, weights: Mapping[str, float], kind: str) -> ir.Value:
    f = src.harm_field()
    if f is None or f.name not in t.columns or f.harm != kind or not weights:
        return ibis.null("float64")
    key = _norm(t[f.name], f)
    groups: dict[float, list[str]] = {}
    for k, w in weights.items():
        groups.setdefault(float(w), []).append(f.normalise(k))
    return ibis.cases(*[(key.isin(ks), ibis.literal(w, "float64")) for w, ks in groups.items()],
                      else_=ibis.null("float64"))


def classify(
    table: ir.Table,
    definition: Definition,
    source: str,
    *,
    harm: HarmWeights | None = None,
) -> ir.Table:
    """Classify every record of ``table`` (records of ``source``) under ``definition``; see the module docs.

    ``harm`` defaults to :func:`vrhub.domain.harm.load_harm_weights` (verified and secondary weights only).
    Rows are never dropped or duplicated. Raises :class:`DefinitionError` if the table lacks a column that the
    source's rules read.
    """
    src = definition.source(source)
    needed = sorted({f for r in src.rules for f in r.match} - set(table.columns))
    if needed:
        raise DefinitionError(
            f"the {source} table lacks column(s) {', '.join(needed)}, which the rules of definition "
            f"'{definition.name}' read",
            hint="load the column (renamed to the canonical name), or remove the rules that use it from the "
            "definition file",
        )
    c = _Classifier(table, definition, src)
    exact = {r.index: r.category for r in src.rules if r.exact}
    out: dict[str, ir.Value] = {
        "sv_category": c.by_rule(exact, "string"),
        "sv_match": ibis.cases(
            (c.rid.isin([r.index for r in src.rules if r.exact] or [-1]), ibis.literal("exact")),
            (c.rid.notnull(), ibis.literal("broader")),
            else_=ibis.literal("none"),
        ),
        "sv_candidates": c.by_rule({r.index: ",".join(r.may_be) for r in src.rules if not r.exact}, "string"),
    }
    serious = _any([c.membership(m, None) for m in definition.serious_violence])
    out["is_serious_violence"] = serious
    for key, strand in definition.strands.items():
        out[f"strand_{key}"] = _any([c.membership(m, serious) for m in strand.include])
    for m in definition.measures.values():
        recipes = [r for r in m.recipes if r.source == source]
        value = _any([c.membership(r.membership, serious) for r in recipes]) if recipes else ibis.null(_NULL_BOOL)
        out[f"measure_{m.key}"] = value
        if m.variant_key and m.under_age is not None:
            young = c.role(m.age_role, Predicate("range", high=float(m.under_age - 1)))
            out[f"measure_{m.variant_key}"] = (value & young) if recipes else ibis.null(_NULL_BOOL)
    hw = harm if harm is not None else load_harm_weights()
    for scheme, col in (("cchi", "harm_cchi_days"), ("css", "harm_css")):
        s = hw.schemes.get(scheme)
        f = src.harm_field()
        if s is None or f is None:
            out[col] = ibis.null("float64")
        elif f.harm == "ho_offence_code":
            out[col] = _harm(table, src, s.offence_weights(), "ho_offence_code")
        else:
            out[col] = _harm(table, src, s.category_weights(), "police_uk_category")
    prov = definition.provenance()
    out["sv_definition"] = ibis.literal(prov["definition_name"])
    out["sv_definition_version"] = ibis.literal(prov["definition_version"])
    out["sv_definition_sha256"] = ibis.literal(prov["definition_sha256"])
    return table.mutate(**out)
