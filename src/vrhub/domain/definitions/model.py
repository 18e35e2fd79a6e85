"""The parsed, validated form of a serious-violence definition file.

A definition file (TOML, or YAML) is the partnership's shared definition of serious violence under the
Serious Violence Duty (Police, Crime, Sentencing and Courts Act 2022, Part 2, Chapter 1; Home Office,
*Serious Violence Duty: statutory guidance*, 2022, which asks each partnership to agree its own definition).
It says, in data and not in code:

- which **sources** the partnership loads and which **fields** each has (kind, and the **role** a field plays:
  a knife flag, the victim's age, ...);
- which **categories** of serious violence exist, and **rules** mapping each source's values to them
  (``category`` when the value identifies the category exactly; ``may_be`` when the source value is broader
  and only tells that the record *may* be one of several categories);
- what counts as **serious violence** and as each strategy **strand** (memberships: categories plus
  conditions on roles);
- the Home Office VRU **success measures**, each with per-source recipes and the fields they need.

Every object here is immutable; build one with :func:`vrhub.domain.definitions.load_definition`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

FieldKind = Literal["code", "category", "flag", "age", "age_band", "date", "text", "geography", "other"]
RoleKind = Literal["flag", "age"]
FIELD_KINDS: tuple[str, ...] = ("code", "category", "flag", "age", "age_band", "date", "text", "geography", "other")
ROLE_KINDS: tuple[str, ...] = ("flag", "age")
HARM_KEYS: tuple[str, ...] = ("ho_offence_code", "police_uk_category")

#: ``categories = "*"`` in a membership: any category the source's rules map to.
ANY_CATEGORY = "*"
#: ``categories = "serious_violence"`` in a membership: the row is serious violence under this definition.
SERIOUS_VIOLENCE = "serious_violence"


def normalise_code(value: str) -> str:
    """Canonical form of a Home Office offence code: trimmed, upper case, ``/`` written as ``.``.

    The Home Office Counting Rules write sub-classifications as ``4/1``; the recorded-crime open data tables
    write ``4.1``. Both become ``4.1``.
    """
    return value.strip().upper().replace("/", ".")


def normalise_category(value: str) -> str:
    """Canonical form of a categorical value (police.uk crime type, ED assault method ...): trimmed, lower case."""
    return value.strip().lower()


@dataclass(frozen=True)
class Predicate:
    """A condition on one field or role.

    ``kind`` is ``"in"`` (value is one of ``values``), ``"is"`` (flag equals ``flag``) or ``"range"``
    (``low <= value <= high``, either bound optional, inclusive).
    """

    kind: Literal["in", "is", "range"]
    values: tuple[str, ...] = ()
    flag: bool | None = None
    low: float | None = None
    high: float | None = None

    def describe(self) -> str:
        if self.kind == "in":
            return "one of " + ", ".join(repr(v) for v in self.values)
        if self.kind == "is":
            return "true" if self.flag else "false"
        parts = []
        if self.low is not None:
            parts.append(f">= {self.low:g}")
        if self.high is not None:
            parts.append(f"<= {self.high:g}")
        return " and ".join(parts)


@dataclass(frozen=True)
class AgeBand:
    label: str
    low: float
    high: float

    def status(self, low: float | None, high: float | None) -> bool | None:
        """True if the whole band lies in [low, high], False if none of it does, None if it straddles a bound."""
        lo = float("-inf") if low is None else low
        hi = float("inf") if high is None else high
        if self.low >= lo and self.high <= hi:
            return True
        if self.high < lo or self.low > hi:
            return False
        return None


@dataclass(frozen=True)
class Field:
    """A field of a source as the definition sees it."""

    name: str
    kind: str
    label: str = ""
    role: str | None = None
    """The role this field's value plays (flag or age fields), e.g. ``knife`` for a knife flag."""
    sets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Flag roles this categorical field sets: role -> values (normalised) that make the role true."""
    bands: tuple[AgeBand, ...] = ()
    harm: str | None = None
    """How harm weights are looked up from this field: ``ho_offence_code`` or ``police_uk_category``."""

    def band(self, label: str) -> AgeBand | None:
        key = normalise_category(label)
        for b in self.bands:
            if normalise_category(b.label) == key:
                return b
        return None

    def normalise(self, value: str) -> str:
        return normalise_code(value) if self.kind == "code" else normalise_category(value)

    def provides(self) -> tuple[str, ...]:
        roles = [self.role] if self.role else []
        return (*roles, *self.sets)


@dataclass(frozen=True)
class Rule:
    """Maps the records of one source whose fields match ``match`` to a category.

    Exactly one of ``category`` (the records are that category) or ``may_be`` (the records are one of these
    categories, or something outside the definition: the source cannot tell) is set. Within a source the
    first rule that matches a record wins.
    """

    index: int
    source: str
    match: Mapping[str, Predicate]
    category: str | None = None
    may_be: tuple[str, ...] = ()
    note: str = ""

    @property
    def exact(self) -> bool:
        return self.category is not None

    def categories(self) -> tuple[str, ...]:
        return (self.category,) if self.category is not None else self.may_be


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    fields: Mapping[str, Field]
    rules: tuple[Rule, ...] = ()
    limitations: str = ""

    def providers(self, role: str) -> tuple[Field, ...]:
        """Fields of this source that give ``role``, in file order."""
        return tuple(f for f in self.fields.values() if role in f.provides())

    def harm_field(self) -> Field | None:
        for f in self.fields.values():
            if f.harm:
                return f
        return None


@dataclass(frozen=True)
class Role:
    key: str
    kind: str
    label: str = ""


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Membership:
    """One way a record can belong to serious violence, a strand or a measure.

    The record's category must be in ``categories`` (or any mapped category if ``any_category``; or the record
    must be serious violence if ``serious_violence``) and every condition in ``when`` (on roles) must hold.
    If ``sources`` is set, this alternative applies only to records of those sources.
    """

    categories: tuple[str, ...] = ()
    any_category: bool = False
    serious_violence: bool = False
    when: Mapping[str, Predicate] = field(default_factory=dict)
    sources: tuple[str, ...] | None = None
    note: str = ""

    def applies_to(self, source: str) -> bool:
        return self.sources is None or source in self.sources

    def describe(self) -> str:
        if self.serious_violence:
            what = "serious violence"
        elif self.any_category:
            what = "any mapped category"
        else:
            what = ", ".join(self.categories)
        conds = [f"{k} {p.describe()}" for k, p in self.when.items()]
        text = what + (" when " + " and ".join(conds) if conds else "")
        if self.sources is not None:
            text += " (only for " + ", ".join(self.sources) + ")"
        return text


@dataclass(frozen=True)
class Strand:
    key: str
    label: str
    include: tuple[Membership, ...]
    board_lead: str = ""
    description: str = ""


@dataclass(frozen=True)
class Recipe:
    """How one source computes a measure; ``needs`` lists the source fields the recipe reads."""

    source: str
    membership: Membership
    needs: tuple[str, ...]
    approximate: str = ""


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    recipes: tuple[Recipe, ...]
    description: str = ""
    citation: str = ""
    under_age: int | None = None
    """If set, the measure also has a variant for victims aged under this age (``<key>_u<age>``)."""
    age_role: str = "victim_age"

    @property
    def variant_key(self) -> str | None:
        return f"{self.key}_u{self.under_age}" if self.under_age is not None else None


@dataclass(frozen=True)
class Definition:
    """A validated serious-violence definition. ``sha256`` identifies its content (see :mod:`.canonical`)."""

    name: str
    version: str
    sha256: str
    origin: str
    roles: Mapping[str, Role]
    categories: Mapping[str, Category]
    sources: Mapping[str, Source]
    serious_violence: tuple[Membership, ...]
    strands: Mapping[str, Strand]
    measures: Mapping[str, Measure]
    partnership: str = ""
    description: str = ""
    content: Mapping[str, object] = field(default_factory=dict, repr=False, compare=False)

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]

    def provenance(self) -> dict[str, str]:
        """What every output records about the definition it used."""
        return {
            "definition_name": self.name,
            "definition_version": self.version,
            "definition_sha256": self.sha256,
            "definition_origin": self.origin,
        }

    def source(self, key: str) -> Source:
        try:
            return self.sources[key]
        except KeyError:
            from .errors import DefinitionError

            raise DefinitionError(
                f"the definition '{self.name}' ({self.origin}) has no source '{key}'",
                hint="use one of: " + ", ".join(self.sources) + "; or add [sources." + key + "] to the file",
            ) from None
