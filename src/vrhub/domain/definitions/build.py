"""Validate parsed definition content and build a :class:`~.model.Definition`.

Validation collects EVERY problem before raising one :class:`~.errors.DefinitionError`, so a partnership
fixing its file sees the whole list at once, each with the key path and what to do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .canonical import content_hash
from .errors import DefinitionError, Problem
from .model import (
    ANY_CATEGORY,
    FIELD_KINDS,
    HARM_KEYS,
    ROLE_KINDS,
    SERIOUS_VIOLENCE,
    AgeBand,
    Category,
    Definition,
    Field,
    Measure,
    Membership,
    Predicate,
    Recipe,
    Role,
    Rule,
    Source,
    Strand,
    normalise_category,
    normalise_code,
)

SCHEMA_VERSION = 1
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TOP = {"schema", "definition", "roles", "categories", "serious_violence", "strands", "sources", "measures"}
_MATCHABLE = {"code", "category", "flag", "age", "age_band"}


def membership_fields(source: Source, m: Membership, serious: tuple[Membership, ...]) -> set[str]:
    """Fields of ``source`` that deciding ``m`` reads: the fields of the rules mapping to its categories, and
    the fields giving the roles its conditions use (recursively through ``serious_violence``)."""
    if not m.applies_to(source.key):
        return set()
    used: set[str] = set()
    if m.serious_violence:
        for alt in serious:
            used |= membership_fields(source, alt, serious)
    else:
        for rule in source.rules:
            if m.any_category or set(rule.categories()) & set(m.categories):
                used |= set(rule.match)
    for role in m.when:
        used |= {f.name for f in source.providers(role)}
    return used


class _Builder:
    def __init__(self, content: Mapping[str, Any], origin: str) -> None:
        self.c = content
        self.file = origin
        self.problems: list[Problem] = []

    # -- helpers -------------------------------------------------------------------------------------------
    def bad(self, path: str, message: str, fix: str = "") -> None:
        self.problems.append(Problem(self.file, path, message, fix))

    def table(self, value: Any, path: str, required: bool = True) -> dict[str, Any]:
        if value is None:
            if required:
                self.bad(path, "is missing", f"add a [{path}] table")
            return {}
        if not isinstance(value, Mapping):
            self.bad(path, f"must be a table, found {type(value).__name__}", f"write it as [{path}] with keys")
            return {}
        return dict(value)

    def text(self, t: Mapping[str, Any], key: str, path: str, required: bool = False) -> str:
        v = t.get(key)
        if v is None:
            if required:
                self.bad(f"{path}.{key}", "is missing", f'add {key} = "..."')
            return ""
        if not isinstance(v, str) or (required and not v.strip()):
            self.bad(f"{path}.{key}", f"must be a non-empty string, found {v!r}", f'write {key} = "..."')
            return ""
        return v

    def unknown_keys(self, t: Mapping[str, Any], allowed: set[str], path: str) -> None:
        for k in t:
            if k not in allowed:
                self.bad(
                    f"{path}.{k}" if path else k,
                    "is not a key this file format knows",
                    "remove it or correct the spelling; allowed: " + ", ".join(sorted(allowed)),
                )

    def key_ok(self, key: str, path: str) -> bool:
        if not _KEY.match(key):
            self.bad(path, f"the name '{key}' is not allowed",
                     "use lower-case letters, digits and _ (it becomes a column name)")
            return False
        return True

    def string_list(self, v: Any, path: str) -> tuple[str, ...]:
        if not isinstance(v, list) or not v or not all(isinstance(x, str) and x.strip() for x in v):
            self.bad(path, f"must be a non-empty list of strings, found {v!r}", 'write ["a", "b"]')
            return ()
        return tuple(v)

    # -- predicates ----------------------------------------------------------------------------------------
    def predicate(self, raw: Any, kind: str, path: str, field: Field | None = None) -> Predicate | None:
        if kind in ("code", "category"):
            values: Any = raw.get("in") if isinstance(raw, Mapping) and set(raw) == {"in"} else raw
            vals = self.string_list(values, path)
            if not vals:
                return None
            norm = normalise_code if kind == "code" else normalise_category
            return Predicate("in", values=tuple(norm(v) for v in vals))
        if kind == "flag":
            if not isinstance(raw, bool):
                self.bad(path, f"a flag condition must be true or false, found {raw!r}", "write true or false")
                return None
            return Predicate("is", flag=raw)
        if kind in ("age", "age_band"):
            if not isinstance(raw, Mapping) or not raw or set(raw) - {"min", "max"}:
                self.bad(path, f"an age condition must be a table with min and/or max, found {raw!r}",
                         "write { max = 24 }")
                return None
            bounds = {}
            for b in ("min", "max"):
                v = raw.get(b)
                if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
                    self.bad(f"{path}.{b}", f"must be a number, found {v!r}", f"write {b} = 24")
                    return None
                bounds[b] = None if v is None else float(v)
            if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] > bounds["max"]:
                self.bad(path, "min is greater than max", "swap them")
                return None
            return Predicate("range", low=bounds["min"], high=bounds["max"])
        self.bad(path, f"a field of kind '{kind}' cannot be used in a condition",
                 "match on a code, category, flag, age or age_band field")
        return None

    # -- sections --------------------------------------------------------------------------------------------
    def roles(self) -> dict[str, Role]:
        out: dict[str, Role] = {}
        for key, raw in self.table(self.c.get("roles"), "roles").items():
            path = f"roles.{key}"
            t = self.table(raw, path)
            if not self.key_ok(key, path) or not t:
                continue
            self.unknown_keys(t, {"kind", "label"}, path)
            kind = t.get("kind")
            if kind not in ROLE_KINDS:
                self.bad(f"{path}.kind", f"must be one of {', '.join(ROLE_KINDS)}, found {kind!r}",
                         'write kind = "flag"')
                continue
            out[key] = Role(key, kind, self.text(t, "label", path))
        return out

    def categories(self) -> dict[str, Category]:
        out: dict[str, Category] = {}
        for key, raw in self.table(self.c.get("categories"), "categories").items():
            path = f"categories.{key}"
            t = self.table(raw, path)
            if not self.key_ok(key, path) or not t:
                continue
            if key in (ANY_CATEGORY, SERIOUS_VIOLENCE):
                self.bad(path, f"'{key}' is a reserved word", "choose another category name")
                continue
            self.unknown_keys(t, {"label", "description"}, path)
            out[key] = Category(key, self.text(t, "label", path, required=True), self.text(t, "description", path))
        if not out and "categories" in self.c:
            self.bad("categories", "defines no category", "add at least one, e.g. homicide = { label = \"Homicide\" }")
        return out

    def field(self, name: str, raw: Any, path: str, roles: Mapping[str, Role]) -> Field | None:
        t = self.table(raw, path)
        if not t:
            return None
        if not _FIELD.match(name):
            self.bad(path, f"the field name '{name}' is not a column name", "use letters, digits and _")
        self.unknown_keys(t, {"kind", "label", "role", "sets", "bands", "harm"}, path)
        kind = t.get("kind")
        if kind not in FIELD_KINDS:
            self.bad(f"{path}.kind", f"must be one of {', '.join(FIELD_KINDS)}, found {kind!r}",
                     'write kind = "category"')
            return None
        role = t.get("role")
        if role is not None:
            if role not in roles:
                self.bad(f"{path}.role", f"names the role '{role}', which [roles] does not define",
                         "add it to [roles] or correct the name; defined: " + ", ".join(roles))
                role = None
            else:
                want = {"flag": ("flag",), "age": ("age", "age_band")}[roles[role].kind]
                if kind not in want:
                    self.bad(f"{path}.role", f"a {kind} field cannot give the {roles[role].kind} role '{role}'",
                             f"give it from a field of kind {' or '.join(want)}")
                    role = None
        sets: dict[str, tuple[str, ...]] = {}
        if "sets" in t:
            st = self.table(t["sets"], f"{path}.sets")
            if kind not in ("code", "category"):
                self.bad(f"{path}.sets", "only code or category fields can set roles", "use role = ... on flag fields")
            for r, vals in st.items():
                if r not in roles or roles[r].kind != "flag":
                    self.bad(f"{path}.sets.{r}", f"'{r}' is not a flag role in [roles]",
                             "define it with kind = \"flag\"")
                    continue
                vs = self.string_list(vals, f"{path}.sets.{r}")
                norm = normalise_code if kind == "code" else normalise_category
                sets[r] = tuple(norm(v) for v in vs)
        bands: list[AgeBand] = []
        if kind == "age_band":
            bt = self.table(t.get("bands"), f"{path}.bands")
            for label, lh in bt.items():
                ok = (isinstance(lh, list) and len(lh) == 2
                      and all(isinstance(x, int | float) and not isinstance(x, bool) for x in lh))
                if not ok or lh[0] > lh[1]:
                    self.bad(f"{path}.bands.{label}", f"must be [lowest age, highest age], found {lh!r}",
                             f'write "{label}" = [18, 24]')
                    continue
                bands.append(AgeBand(label, float(lh[0]), float(lh[1])))
        elif "bands" in t:
            self.bad(f"{path}.bands", "only age_band fields have bands", 'set kind = "age_band" or remove bands')
        harm = t.get("harm")
        if harm is not None and harm not in HARM_KEYS:
            self.bad(f"{path}.harm", f"must be one of {', '.join(HARM_KEYS)}, found {harm!r}",
                     'write harm = "ho_offence_code"')
            harm = None
        return Field(name, kind, self.text(t, "label", path), role, sets, tuple(bands), harm)

    def sources(self, roles: Mapping[str, Role], categories: Mapping[str, Category]) -> dict[str, Source]:
        out: dict[str, Source] = {}
        for key, raw in self.table(self.c.get("sources"), "sources").items():
            path = f"sources.{key}"
            t = self.table(raw, path)
            if not self.key_ok(key, path) or not t:
                continue
            self.unknown_keys(t, {"label", "limitations", "fields", "rules"}, path)
            fields: dict[str, Field] = {}
            for fname, fraw in self.table(t.get("fields"), f"{path}.fields").items():
                f = self.field(fname, fraw, f"{path}.fields.{fname}", roles)
                if f is not None:
                    fields[fname] = f
            if sum(1 for f in fields.values() if f.harm) > 1:
                self.bad(f"{path}.fields", "more than one field has harm = ...", "keep harm on one field")
            rules = self.rules(key, t.get("rules", []), path, fields, categories)
            out[key] = Source(key, self.text(t, "label", path, required=True), fields, rules,
                              self.text(t, "limitations", path))
        return out

    def rules(self, source: str, raw: Any, path: str, fields: Mapping[str, Field],
              categories: Mapping[str, Category]) -> tuple[Rule, ...]:
        if not isinstance(raw, list):
            self.bad(f"{path}.rules", "must be a list of tables", f"write each rule as [[{path}.rules]]")
            return ()
        out: list[Rule] = []
        seen: dict[tuple[str, str], int] = {}
        for i, r in enumerate(raw):
            rpath = f"{path}.rules[{i}]"
            t = self.table(r, rpath)
            if not t:
                continue
            self.unknown_keys(t, {"category", "may_be", "match", "note"}, rpath)
            category = t.get("category")
            may_be: tuple[str, ...] = ()
            if (category is None) == ("may_be" not in t):
                self.bad(rpath, "needs exactly one of category = \"...\" (exact) or may_be = [...] (broader)",
                         "use category when the source value identifies the category, may_be when it is broader")
                continue
            if category is not None and category not in categories:
                self.bad(f"{rpath}.category", f"'{category}' is not defined in [categories]",
                         "add it to [categories] or correct the name")
            if "may_be" in t:
                may_be = self.string_list(t["may_be"], f"{rpath}.may_be")
                for c in may_be:
                    if c not in categories:
                        self.bad(f"{rpath}.may_be", f"'{c}' is not defined in [categories]",
                                 "add it to [categories] or correct the name")
                if may_be and not str(t.get("note", "")).strip():
                    self.bad(f"{rpath}.note", "a may_be rule must say what the source cannot separate",
                             'add note = "police.uk ... includes ...; cannot separate ..."')
            match: dict[str, Predicate] = {}
            mt = self.table(t.get("match"), f"{rpath}.match")
            for fname, praw in mt.items():
                if fname not in fields:
                    self.bad(f"{rpath}.match.{fname}", f"'{fname}' is not a field of source '{source}'",
                             f"declare it under [{path}.fields] or correct the name; fields: " + ", ".join(fields))
                    continue
                p = self.predicate(praw, fields[fname].kind, f"{rpath}.match.{fname}", fields[fname])
                if p is not None:
                    match[fname] = p
                    if p.kind == "in" and len(mt) == 1:
                        for v in p.values:
                            first = seen.setdefault((fname, v), i)
                            if first != i:
                                self.bad(f"{rpath}.match.{fname}",
                                         f"the value '{v}' is already matched by rules[{first}]; "
                                         "only the first applies",
                                         "remove it from one of the two rules")
            if not match:
                continue
            out.append(Rule(i, source, match, category if isinstance(category, str) else None, may_be,
                            str(t.get("note", ""))))
        return tuple(out)

    def membership(self, raw: Any, path: str, roles: Mapping[str, Role], categories: Mapping[str, Category],
                   sources: Mapping[str, Source], allow_sv: bool = True,
                   extra: frozenset[str] = frozenset()) -> Membership | None:
        t = self.table(raw, path)
        if not t:
            return None
        self.unknown_keys(t, {"categories", "when", "sources", "note", *extra}, path)
        cats = t.get("categories")
        any_cat = sv = False
        listed: tuple[str, ...] = ()
        if cats == ANY_CATEGORY:
            any_cat = True
        elif cats == SERIOUS_VIOLENCE:
            if not allow_sv:
                self.bad(f"{path}.categories", "serious violence cannot be defined in terms of itself",
                         "list the categories instead")
                return None
            sv = True
        else:
            listed = self.string_list(cats, f"{path}.categories")
            for c in listed:
                if c not in categories:
                    self.bad(f"{path}.categories", f"'{c}' is not defined in [categories]",
                             f'add it to [categories], correct the name, '
                             f'or use "{ANY_CATEGORY}" / "{SERIOUS_VIOLENCE}"')
            if not listed:
                return None
        when: dict[str, Predicate] = {}
        for role, praw in self.table(t.get("when"), f"{path}.when", required=False).items():
            if role not in roles:
                self.bad(f"{path}.when.{role}", f"'{role}' is not defined in [roles]",
                         "add it to [roles] or correct the name; defined: " + ", ".join(roles))
                continue
            p = self.predicate(praw, roles[role].kind, f"{path}.when.{role}")
            if p is not None:
                when[role] = p
        only: tuple[str, ...] | None = None
        if "sources" in t:
            only = self.string_list(t["sources"], f"{path}.sources")
            for s in only:
                if s not in sources:
                    self.bad(f"{path}.sources", f"'{s}' is not defined in [sources]", "add it or correct the name")
        return Membership(listed, any_cat, sv, when, only, str(t.get("note", "")))

    def memberships(self, raw: Any, path: str, *args: Any, allow_sv: bool = True) -> tuple[Membership, ...]:
        if not isinstance(raw, list) or not raw:
            self.bad(path, "must list at least one membership", f"add [[{path}]] with categories = [...]")
            return ()
        out = []
        for i, r in enumerate(raw):
            m = self.membership(r, f"{path}[{i}]", *args, allow_sv=allow_sv)  # type: ignore[misc]  # args: 3 maps
            if m is not None:
                out.append(m)
        return tuple(out)

    def strands(self, *args: Any) -> dict[str, Strand]:
        out: dict[str, Strand] = {}
        for key, raw in self.table(self.c.get("strands"), "strands", required=False).items():
            path = f"strands.{key}"
            t = self.table(raw, path)
            if not self.key_ok(key, path) or not t:
                continue
            self.unknown_keys(t, {"label", "board_lead", "description", "include"}, path)
            inc = self.memberships(t.get("include"), f"{path}.include", *args)
            out[key] = Strand(key, self.text(t, "label", path, required=True), inc,
                              self.text(t, "board_lead", path), self.text(t, "description", path))
        return out

    def measures(self, roles: Mapping[str, Role], categories: Mapping[str, Category],
                 sources: Mapping[str, Source], serious: tuple[Membership, ...]) -> dict[str, Measure]:
        out: dict[str, Measure] = {}
        for key, raw in self.table(self.c.get("measures"), "measures", required=False).items():
            path = f"measures.{key}"
            t = self.table(raw, path)
            if not self.key_ok(key, path) or not t:
                continue
            self.unknown_keys(t, {"label", "description", "citation", "under_age", "age_role", "recipes"}, path)
            under = t.get("under_age")
            if under is not None and (isinstance(under, bool) or not isinstance(under, int) or under <= 0):
                self.bad(f"{path}.under_age", f"must be a positive whole number, found {under!r}",
                         "write under_age = 25")
                under = None
            age_role = t.get("age_role", "victim_age")
            if under is not None and (age_role not in roles or roles[age_role].kind != "age"):
                self.bad(f"{path}.age_role", f"'{age_role}' is not an age role in [roles]",
                         'define it in [roles] with kind = "age" or set age_role')
            recipes: list[Recipe] = []
            raw_recipes = t.get("recipes")
            if not isinstance(raw_recipes, list) or not raw_recipes:
                self.bad(f"{path}.recipes", "must list at least one recipe",
                         f"add [[{path}.recipes]] with source = ...")
                raw_recipes = []
            for i, r in enumerate(raw_recipes):
                rpath = f"{path}.recipes[{i}]"
                m = self.membership(r, rpath, roles, categories, sources,
                                    extra=frozenset({"source", "needs", "approximate"}))
                if m is None:
                    continue
                src = r.get("source")
                if src not in sources:
                    self.bad(f"{rpath}.source", f"'{src}' is not defined in [sources]",
                             "use one of: " + ", ".join(sources))
                    continue
                needs = self.string_list(r.get("needs"), f"{rpath}.needs") if "needs" in r else ()
                if "needs" not in r:
                    self.bad(f"{rpath}.needs", "is missing: a recipe must declare the fields it needs",
                             "add needs = [...] listing the source fields")
                derived = membership_fields(sources[src], m, serious)
                if needs and set(needs) != derived:
                    self.bad(f"{rpath}.needs",
                             f"declares {sorted(needs)} but the rules and roles it uses read {sorted(derived)}",
                             f"write needs = {sorted(derived)!r}".replace("'", '"'))
                recipes.append(Recipe(src, m, tuple(needs), str(r.get("approximate", ""))))
            out[key] = Measure(key, self.text(t, "label", path, required=True), tuple(recipes),
                               self.text(t, "description", path), self.text(t, "citation", path), under,
                               age_role if isinstance(age_role, str) else "victim_age")
        return out

    def build(self) -> Definition:
        c = self.c
        self.unknown_keys(c, _TOP, "")
        schema = c.get("schema")
        if schema != SCHEMA_VERSION:
            self.bad("schema", f"must be {SCHEMA_VERSION} (the file-format version), found {schema!r}",
                     f"put schema = {SCHEMA_VERSION} at the top of the file")
        meta = self.table(c.get("definition"), "definition")
        self.unknown_keys(meta, {"name", "version", "partnership", "description", "adopted", "documents"}, "definition")
        name = self.text(meta, "name", "definition", required=True)
        version = meta.get("version")
        if not isinstance(version, str) or not version.strip():
            self.bad("definition.version", f"must be a non-empty string, found {version!r}",
                     'write version = "2024.1" (as a string, so 2024.10 stays 2024.10)')
            version = ""
        roles = self.roles()
        categories = self.categories()
        sources = self.sources(roles, categories)
        sv_raw = self.table(c.get("serious_violence"), "serious_violence")
        self.unknown_keys(sv_raw, {"include", "description"}, "serious_violence")
        serious = self.memberships(sv_raw.get("include"), "serious_violence.include", roles, categories, sources,
                                   allow_sv=False) if sv_raw else ()
        strands = self.strands(roles, categories, sources)
        measures = self.measures(roles, categories, sources, serious)
        for m in measures.values():
            if m.variant_key in measures:
                self.bad(f"measures.{m.variant_key}", f"clashes with the under-{m.under_age} variant of '{m.key}'",
                         "rename the measure")
        if self.problems:
            n = len(self.problems)
            raise DefinitionError(
                f"the serious-violence definition {self.file} has {n} problem{'s' if n > 1 else ''}",
                hint="fix each listed key in the file and load it again; docs/methods/serious-violence-definition.md "
                "describes every key",
                problems=self.problems,
            )
        return Definition(
            name=name, version=str(version), sha256=content_hash(c), origin=self.file, roles=roles,
            categories=categories, sources=sources, serious_violence=serious, strands=strands, measures=measures,
            partnership=str(meta.get("partnership", "")), description=str(meta.get("description", "")), content=c,
        )


def build_definition(content: Mapping[str, Any], origin: str) -> Definition:
    """Validate parsed content and build the :class:`Definition`; raises :class:`DefinitionError` listing
    every problem found."""
    return _Builder(content, origin).build()
