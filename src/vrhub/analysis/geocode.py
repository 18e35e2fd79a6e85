"""Geocoding free-text locations against the workspace's place gazetteer, with a confidence and the rule used.

ISTV returns describe where an assault happened in free text ("outside Chatham station", "High St Margate").
:func:`geocode` matches each text to a place of the gazetteer (:mod:`vrhub.ingest.gazetteer`) by these rules, in
order, and stops at the first that finds any candidate:

1. ``exact``: the normalised text equals a place's normalised name or alias (confidence 1.0);
2. ``token``: every word of a place's name or alias of two or more words is in the text ("taxi rank by Chatham
   station" holds "chatham station"); the longest such names win (confidence 0.9);
3. ``fuzzy``: the best rapidfuzz ``token_sort_ratio`` (a Levenshtein ratio of the sorted words: typos and word
   order, Bachmann, *RapidFuzz*, https://github.com/rapidfuzz/RapidFuzz) of at least ``fuzzy_min_score``; places
   within ``margin`` points of the best are all candidates (confidence ``0.95 × score / 100``).

When the candidates are several places (a bare "High Street" is a street of many towns), and a **context
district** is given for the row (the district of the patient's home LSOA, for ED data), the candidates in that
district are kept; if exactly one remains it is assigned with the confidence multiplied by ``context_factor`` and
the rule marked ``+home_district``. Otherwise the text is **unmatched** and the note says why (no candidate,
ambiguous between N places, or best below the threshold). Nothing is assigned below ``threshold``: the best
candidate is still reported (``best_place``, ``best_confidence``) so that an analyst can extend the gazetteer.

Normalisation (:func:`normalise_place`): case-folded, ``&`` → ``and``, punctuation removed, common abbreviations
expanded (``st`` → street, or saint as a first word; ``rd`` road; ``stn`` station; ``ctr`` centre; ``sq`` square),
and position words dropped (``outside``, ``near``, ``opposite``, ``o/s``, ``in``, ``at``, ``the`` …).
Method page: docs/sources/gazetteer.md.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
from rapidfuzz import fuzz, process

from vrhub.analysis.districts import district_map
from vrhub.domain.errors import NoDataError
from vrhub.store.engine import Engine

EXACT_CONFIDENCE = 1.0
TOKEN_CONFIDENCE = 0.9
FUZZY_FACTOR = 0.95

POSITION_WORDS = frozenset({
    "outside", "near", "nr", "opposite", "opp", "by", "at", "in", "on", "the", "of", "around", "behind", "inside",
    "front", "rear", "back", "next", "to", "just", "off", "area", "vicinity", "close", "a", "an",
})
ABBREVIATIONS = {"rd": "road", "stn": "station", "ctr": "centre", "cntr": "centre", "center": "centre",
                 "sq": "square", "ave": "avenue", "rly": "railway", "pde": "parade", "ln": "lane", "tc": "town centre",
                 "intl": "international", "int": "international"}


def normalise_place(text: object) -> str:
    """A place text as words for matching ("O/S Chatham Stn." → "chatham station")."""
    if not isinstance(text, str):  # None, or NaN from a pandas column
        return ""
    t = text.casefold().replace("&", " and ").replace("o/s", " outside ").replace("'", "").replace("’", "")
    words = re.sub(r"[^a-z0-9]+", " ", t).split()
    out = []
    for i, w in enumerate(words):
        if w == "st":
            w = "saint" if i == 0 and len(words) > 1 else "street"
        w = ABBREVIATIONS.get(w, w)
        out.extend(w.split())
    return " ".join(w for w in out if w not in POSITION_WORDS)


@dataclass(frozen=True)
class GeocodeRules:
    """The parameters of :func:`geocode`, recorded with every result."""

    threshold: float = 0.85
    fuzzy_min_score: float = 80.0
    margin: float = 5.0
    context_factor: float = 0.85

    def as_dict(self) -> dict[str, float]:
        return {"threshold": self.threshold, "fuzzy_min_score": self.fuzzy_min_score, "margin": self.margin,
                "context_factor": self.context_factor, "exact_confidence": EXACT_CONFIDENCE,
                "token_confidence": TOKEN_CONFIDENCE, "fuzzy_factor": FUZZY_FACTOR}


RESULT_COLUMNS = ["location_text", "normalised", "geocode_status", "geocode_rule", "geocode_confidence", "place_name",
                  "place_type", "incident_lsoa", "place_longitude", "place_latitude", "place_district", "candidates",
                  "best_place", "best_confidence", "geocode_note"]


class _Index:
    """The gazetteer's names and aliases, normalised, each pointing at its place (row of ``places``)."""

    def __init__(self, places: pd.DataFrame) -> None:
        self.places = places.reset_index(drop=True)
        keys: list[str] = []
        owners: list[int] = []
        for i, (name, aliases) in enumerate(zip(self.places["name"], self.places["aliases"], strict=True)):
            names = [name, *(str(aliases).split("|") if isinstance(aliases, str) and aliases else [])]
            for n in dict.fromkeys(normalise_place(x) for x in names):
                if n:
                    keys.append(n)
                    owners.append(i)
        self.keys, self.owners = keys, owners
        self.exact: dict[str, set[int]] = {}
        for k, o in zip(keys, owners, strict=True):
            self.exact.setdefault(k, set()).add(o)
        self.multi = [(set(k.split()), len(k.split()), o) for k, o in zip(keys, owners, strict=True)
                      if len(k.split()) >= 2]


def _candidates(norm: str, index: _Index, rules: GeocodeRules) -> tuple[str, float, dict[int, float]]:
    """(rule, base confidence, {place: confidence}) of the first rule that finds anything."""
    if norm in index.exact:
        return "exact", EXACT_CONFIDENCE, dict.fromkeys(index.exact[norm], EXACT_CONFIDENCE)
    words = set(norm.split())
    held = [(n, o) for ws, n, o in index.multi if ws <= words]
    if held:
        longest = max(n for n, _ in held)
        return "token", TOKEN_CONFIDENCE, dict.fromkeys({o for n, o in held if n == longest}, TOKEN_CONFIDENCE)
    found = process.extract(norm, index.keys, scorer=fuzz.token_sort_ratio, limit=20,
                            score_cutoff=rules.fuzzy_min_score)
    if found:
        best = max(score for _, score, _ in found)
        scores: dict[int, float] = {}
        for _, score, k in found:
            if score >= best - rules.margin:
                o = index.owners[k]
                scores[o] = max(scores.get(o, 0.0), FUZZY_FACTOR * score / 100)
        return "fuzzy", FUZZY_FACTOR * best / 100, scores
    return "", 0.0, {}


def geocode(
    texts: Sequence[str | None],
    places: pd.DataFrame,
    *,
    context_districts: Sequence[str | None] | None = None,
    place_districts: Sequence[str | None] | None = None,
    rules: GeocodeRules | None = None,
) -> pd.DataFrame:
    """Geocode each text against ``places`` (columns name, aliases, place_type, lsoa_code, longitude, latitude).

    ``context_districts`` (one per text) and ``place_districts`` (one per place, same codes or names) enable the
    ``+home_district`` narrowing of ambiguous candidates. Returns one row per text, in order, with
    ``RESULT_COLUMNS``. Each distinct (text, context) is matched once.
    """
    rules = rules or GeocodeRules()
    index = _Index(places)
    pdist = list(place_districts) if place_districts is not None else [None] * len(index.places)
    ctx = list(context_districts) if context_districts is not None else [None] * len(texts)
    memo: dict[tuple[str, str | None], dict[str, object]] = {}
    rows = []
    for text, district in zip(texts, ctx, strict=True):
        norm = normalise_place(text)
        key = (norm, district)
        if key not in memo:
            memo[key] = _one(norm, district, index, pdist, rules)
        rows.append({"location_text": text if isinstance(text, str) else None, "normalised": norm, **memo[key]})
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def _one(norm: str, district: str | None, index: _Index, pdist: list[str | None],
         rules: GeocodeRules) -> dict[str, object]:
    empty: dict[str, object] = {c: None for c in RESULT_COLUMNS[2:]}
    if not norm:
        return empty | {"geocode_status": "no_text", "candidates": 0,
                        "geocode_note": "no location words (blank, or only words such as 'outside', 'near')"}
    rule, _, scores = _candidates(norm, index, rules)
    if not scores:
        return empty | {"geocode_status": "unmatched", "candidates": 0,
                        "geocode_note": "no place of the gazetteer matches"}
    n = len(scores)
    chosen, conf = None, 0.0
    if n == 1:
        chosen, conf = next(iter(scores.items()))
    elif district is not None:
        local = {o: s for o, s in scores.items() if pdist[o] is not None and pdist[o] == district}
        if len(local) == 1:
            chosen, conf = next(iter(local.items()))
            conf *= rules.context_factor
            rule += "+home_district"
    best_o = max(scores, key=lambda o: (scores[o], -o)) if chosen is None else chosen
    best_c = conf if chosen is not None else scores[best_o]
    out = empty | {"geocode_rule": rule, "candidates": n, "best_place": index.places.at[best_o, "name"],
                   "best_confidence": round(best_c, 4)}
    if chosen is None:
        examples = ", ".join(sorted(index.places.loc[list(scores), "name"])[:3])
        if district is None:
            why = "no home district to choose between them"
        else:
            k = sum(1 for o in scores if pdist[o] is not None and pdist[o] == district)
            why = f"{k} of them in the home district"
        return out | {"geocode_status": "unmatched",
                      "geocode_note": f"ambiguous: {rule} match to {n} places (e.g. {examples}); {why}"}
    if conf < rules.threshold:
        return out | {"geocode_status": "unmatched",
                      "geocode_note": f"best match '{index.places.at[chosen, 'name']}' ({rule}, confidence "
                                      f"{conf:.2f}) is below the threshold {rules.threshold:.2f}"}
    p = index.places.loc[chosen]
    return out | {"geocode_status": "matched", "geocode_confidence": round(conf, 4), "place_name": p["name"],
                  "place_type": p["place_type"], "incident_lsoa": p["lsoa_code"],
                  "place_longitude": p.get("longitude"), "place_latitude": p.get("latitude"),
                  "place_district": pdist[chosen]}


# ---------------------------------------------------------------------------------------------------------
# ED attendances through the engine seam

ED_KIND = "ed_istv"
GAZETTEER_KIND = "gazetteer"
ED_COLUMNS = ["dataset_id", "source_row", "site_code", "month", "arrival_datetime", "assault_location_type",
              "assault_location_description", "home_lsoa"]


@dataclass
class GeocodedEd:
    """ED attendances with their free-text location geocoded: one row per attendance, nothing dropped."""

    rows: pd.DataFrame  # ED_COLUMNS + RESULT_COLUMNS
    gazetteer_dataset: str
    rules: GeocodeRules
    ed_datasets: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, Any]:
        """Attendances by status and rule, and the unmatched texts with how often each occurs."""
        status = self.rows["geocode_status"].value_counts()
        matched = self.rows[self.rows["geocode_status"] == "matched"]
        unmatched = self.rows[self.rows["geocode_status"] == "unmatched"]
        return {
            "attendances": len(self.rows),
            "matched": int(status.get("matched", 0)),
            "unmatched": int(status.get("unmatched", 0)),
            "no_text": int(status.get("no_text", 0)),
            "by_rule": {str(k): int(v) for k, v in matched["geocode_rule"].value_counts().items()},
            "unmatched_texts": {str(k): int(v) for k, v in
                                unmatched["normalised"].value_counts().items()},
        }

    def table(self) -> ir.Table:
        """The rows as an Ibis table, to join with other engine tables."""
        return ibis.memtable(self.rows)


def gazetteer_places(engine: Engine) -> tuple[pd.DataFrame, str]:
    """The newest loaded gazetteer (a later file replaces an earlier one whole) and its dataset id."""
    versions = engine.datasets(GAZETTEER_KIND)
    if not versions:
        raise NoDataError("no place gazetteer is loaded",
                          "load one with 'vrhub ingest gazetteer PATH' (the Kent demo: 'vrhub ingest gazetteer "
                          "--demo')")
    newest = versions[-1]
    return engine.table(GAZETTEER_KIND, dataset_ids=[newest.id]).to_pandas(), newest.id


def geocode_ed(
    engine: Engine, *, start: dt.date | None = None, end: dt.date | None = None, rules: GeocodeRules | None = None,
) -> GeocodedEd:
    """Geocode the assault location description of every ED attendance (months ``start``..``end``).

    The context district of a row is the district of its home LSOA, and a place's district that of its LSOA,
    both from the workspace's LSOA → district lookup (boundaries or IMD files); without one, there is no
    ``+home_district`` narrowing.
    """
    rules = rules or GeocodeRules()
    places, gazetteer_id = gazetteer_places(engine)
    t = engine.table(ED_KIND)
    if start is not None:
        t = t.filter(t.month >= start)
    if end is not None:
        t = t.filter(t.month <= end)
    ed = t.select(*ED_COLUMNS).order_by(["dataset_id", "source_row"]).to_pandas()
    try:
        district = district_map(engine)["district_name"]
        home = ed["home_lsoa"].map(district).astype(object).where(lambda s: s.notna(), None).tolist()
        pdist = places["lsoa_code"].map(district).astype(object).where(lambda s: s.notna(), None).tolist()
    except NoDataError:
        home, pdist = None, None
    coded = geocode(ed["assault_location_description"].tolist(), places, context_districts=home,
                    place_districts=pdist, rules=rules)
    rows = pd.concat([ed.reset_index(drop=True), coded.drop(columns=["location_text"])], axis=1)
    return GeocodedEd(rows, gazetteer_id, rules, sorted(ed["dataset_id"].unique().tolist()))
