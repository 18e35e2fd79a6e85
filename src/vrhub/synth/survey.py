"""A seeded SYNTHETIC engagement survey of young people and residents in Kent and Medway (perceived safety).

Every respondent and answer is invented; the survey's name and every response id say SYNTHETIC. The file is an
ordinary engagement-survey CSV (docs/sources/engagement-survey.md) loaded through the normal loader with
``synthetic=True`` (:func:`ingest_synthetic_survey`). Planted patterns:

- **Who**: age bands 11-15, 16-17, 18-24 and 25+ in ``AGE_P`` (a schools-and-youth-services survey with an adult
  booster); each lives in a Kent and Medway LSOA (2021) drawn uniformly.
- **Where named as unsafe**: the places of the demo gazetteer (real public places: town centres, high streets,
  stations, bus stations, parks), each weighted by the police.uk "Violence and sexual offences" of its LSOA in
  2025 (plus one), by ``TYPE_FACTOR`` (stations and parks are named more often than their recorded violence alone
  suggests: young people's surveys report fear where few crimes are recorded) and by a seeded log-normal factor
  (``PLACE_NOISE``): the two rankings agree broadly, not exactly. Places in the respondent's own district are
  ``OWN_DISTRICT`` times likelier.
- **Perceived safety**: each rating is about the respondent's local town centre (a gazetteer place in their
  district) or, where the district has none, their home area (its LSOA code); the chance of "fairly" or "very
  unsafe" rises with the place's weight (a logistic in its standardised log weight, ``SLOPE``) from a base by age
  band (``UNSAFE_BASE``). The shares are illustrative, not fitted.
- **Comments**: ``COMMENT_SHARE`` of respondents write one or two short phrases from ``PHRASES`` (themes: groups
  and gangs, knives, lighting, drugs, alcohol and night-time, transport, police presence, social media, school);
  the phrases contain no names.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vrhub.data import kent
from vrhub.synth.ambulance import police_uk_violence
from vrhub.synth.ed import lsoa_districts
from vrhub.synth.files import write_csv

if TYPE_CHECKING:
    from vrhub.ingest.loader import IngestReport
    from vrhub.store.workspace import Workspace

SURVEY = "SYNTHETIC Kent and Medway youth and community safety survey"
CITATION = ("SYNTHETIC engagement survey: places from the demo gazetteer weighted by police.uk Kent 'Violence and "
            "sexual offences' 2025 by LSOA (OGL v3.0), place-type factors and seeded noise; every respondent, "
            "rating and comment invented. Shares are illustrative.")
HEADER = ["Survey", "Response ID", "Wave", "Survey month", "Age band", "Residence area", "Place", "Safety rating",
          "Unsafe place", "Comment"]
AGE_BANDS = ("11-15", "16-17", "18-24", "25+")
AGE_P = (0.40, 0.22, 0.18, 0.20)
UNSAFE_BASE = {"11-15": -1.0, "16-17": -0.8, "18-24": -0.9, "25+": -1.2}  # logit of P(unsafe) at an average place
SLOPE = 0.6
RATING_WORDS = ("Very safe", "Fairly safe", "Neither safe nor unsafe", "Fairly unsafe", "Very unsafe", "Don't know")
TYPE_FACTOR = {"station": 2.0, "bus_station": 1.8, "park": 2.5, "town_centre": 1.3, "street": 1.0, "venue": 0.8,
               "other": 1.0}
PLACE_NOISE = 0.6  # sd of the log-normal factor on each place's weight
OWN_DISTRICT = 4.0
NAME_SHARE = 0.55  # respondents who name a place as unsafe
CODE_SHARE = 0.1  # of those, the share who give their home area (as a code) instead of a named place
COMMENT_SHARE = 0.4
WAVES = (("W1", "2025-03"), ("W2", "2025-10"))
PHRASES = (
    "groups of older boys hang around", "gangs outside the shops", "people carry knives", "heard about a stabbing",
    "the street lights are broken", "too dark walking home", "people dealing drugs", "smell of weed everywhere",
    "drunk people at night", "fights when the pubs close", "waiting for the bus at night", "the station feels scary",
    "never see any police", "more police would help", "videos of fights on social media", "threats on snapchat",
    "bullying after school", "trouble on the way home from school", "it is fine in the day", "feel safe with friends",
)


@dataclass(frozen=True)
class Place:
    name: str
    place_type: str
    lsoa: str
    district: str


def gazetteer_places() -> list[Place]:
    """The demo gazetteer's places (name, type, LSOA, district)."""
    path = kent() / "gazetteer" / "kent-places-lsoa2021.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return [Place(r["Name"], r["Type"], r["LSOA code"], r["District"]) for r in csv.DictReader(f)]


def place_weights(places: list[Place], rng: np.random.Generator) -> np.ndarray:
    """Each place's weight: its LSOA's recorded violence (+1) × its type's factor × a seeded log-normal factor."""
    shape = police_uk_violence(2021)
    count = dict(zip(shape.codes, shape.counts, strict=True))
    base = np.array([(count.get(p.lsoa, 0.0) + 1.0) * TYPE_FACTOR.get(p.place_type, 1.0) for p in places])
    return base * rng.lognormal(0.0, PLACE_NOISE, size=len(places))


@dataclass
class SurveySynthResult:
    """The file written, with the parameters and seed that made it."""

    paths: list[Path]
    seed: int
    rows: int
    citation: str = CITATION
    parameters: dict[str, Any] = field(default_factory=dict)


def _respondent(rng: np.random.Generator, lsoa: str, district: str, places: list[Place], w: np.ndarray,
                z: np.ndarray, by_district: dict[str, list[int]]) -> list[str]:
    """Age band, residence, place rated, rating, unsafe place and comment of one respondent."""
    age = AGE_BANDS[rng.choice(len(AGE_BANDS), p=AGE_P)]
    local = by_district.get(district)
    if local:
        i = local[int(rng.integers(len(local)))]
        rated, logit = places[i].name, UNSAFE_BASE[age] + SLOPE * z[i]
    else:
        rated, logit = lsoa, UNSAFE_BASE[age] - 0.5
    p_unsafe = 1.0 / (1.0 + np.exp(-logit))
    u = rng.random()
    if u < 0.04:
        rating = RATING_WORDS[5]
    elif u < 0.04 + p_unsafe * 0.96:
        rating = RATING_WORDS[3 + int(rng.random() < 0.4)]
    else:
        rating = RATING_WORDS[int(rng.choice(3, p=(0.3, 0.5, 0.2)))]
    unsafe = ""
    if rng.random() < NAME_SHARE:
        if rng.random() < CODE_SHARE:
            unsafe = lsoa
        else:
            pw = w * np.array([OWN_DISTRICT if p.district == district else 1.0 for p in places])
            unsafe = places[int(rng.choice(len(places), p=pw / pw.sum()))].name
    comment = ""
    if rng.random() < COMMENT_SHARE:
        picked = rng.choice(len(PHRASES), size=int(rng.integers(1, 3)), replace=False)
        comment = "; ".join(PHRASES[int(k)] for k in picked)
    return [age, lsoa, rated, rating, unsafe, comment]


def generate_survey(out_dir: str | Path, *, seed: int = 20250301, respondents: int = 1200) -> SurveySynthResult:
    """Write the synthetic survey (``respondents`` per wave, two waves of 2025) to one CSV in ``out_dir``; the same
    seed gives the same bytes."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    places = gazetteer_places()
    w = place_weights(places, np.random.default_rng([seed, 9101]))
    z = (np.log(w) - np.log(w).mean()) / np.log(w).std()
    by_district: dict[str, list[int]] = {}
    for i, p in enumerate(places):
        if p.place_type in ("street", "town_centre"):
            by_district.setdefault(p.district, []).append(i)
    homes = sorted(lsoa_districts(2021).items())
    rows = []
    for k, (wave, month) in enumerate(WAVES):
        rng = np.random.default_rng([seed, 9102, k])
        for n in range(respondents):
            lsoa, district = homes[int(rng.integers(len(homes)))]
            rows.append([SURVEY, f"SYN-{wave}-{n + 1:05d}", wave, month,
                         *_respondent(rng, lsoa, district, places, w, z, by_district)])
    path = write_csv(out / "engagement-survey-synthetic-2025.csv", HEADER, rows)
    params = {"respondents_per_wave": respondents, "waves": [list(x) for x in WAVES], "age_p": list(AGE_P),
              "type_factor": TYPE_FACTOR, "place_noise": PLACE_NOISE, "slope": SLOPE, "name_share": NAME_SHARE,
              "comment_share": COMMENT_SHARE}
    return SurveySynthResult([path], seed, len(rows), parameters=params)


def ingest_synthetic_survey(ws: Workspace, out_dir: str | Path, *, partner: str | None = "Synthetic survey",
                            **kw: Any) -> tuple[SurveySynthResult, IngestReport]:
    """Generate the synthetic survey into ``out_dir`` and load it through the engagement-survey source, marked
    synthetic."""
    from vrhub.ingest.engagement_survey import SOURCES
    from vrhub.ingest.loader import ingest

    made = generate_survey(out_dir, **kw)
    return made, ingest(ws, made.paths, SOURCES, partner=partner, synthetic=True)
