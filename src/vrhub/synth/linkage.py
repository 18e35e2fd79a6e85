"""Synthetic partner files for linkage without a shared identifier, with the true person known.

Every person is invented. The generator plays three partners — a local authority's education team (UPN), a youth
justice service (PNC id) and an emergency department (hospital number) — who each hold their own identifier and
their own copy of the person's name, date of birth, sex and postcode, written down with the errors real files have
(rates per record, multiplied by ``ERROR_MULTIPLIER`` for names of ethnic-minority groups, whose spellings vary
more between services — the differential linkage error that Harron et al. 2017 and Bohensky et al. 2010 describe):

* typing errors in a name (``TYPO``), a nickname or spelling variant of the given name (``VARIANT``), given and
  family name swapped (``SWAP``), a changed family name (``NEW_SURNAME``);
* day and month of birth transposed (``DOB_TRANSPOSED``), a typing error in the day (``DOB_TYPO``), the year one
  off (``DOB_YEAR``), no date of birth (``DOB_MISSING``);
* a postcode of a later address (``MOVED``) or none (``POSTCODE_MISSING``), sex missing (``SEX_MISSING``).

Each partner's clear file is written in a private temporary folder, pseudonymised with
``vrhub pseudonymise --linkage`` (:func:`vrhub.ingest.pseudonymise.pseudonymise_file`) under the partnership's key,
and deleted; only the pseudonymised files reach ``out_dir``: ``education.csv``, ``youth_justice.csv``,
``ed_istv.csv``. ``synthetic-truth.csv`` beside them gives, for each record, the synthetic person it belongs to and
the person's age band, sex and ethnic group (synthetic data only: real linkage has no truth).

The education file is the cohort: one row per pupil aged 10–16 at the start of the period, with the school risk
factors; the youth justice file has one row per offence; the ED file one row per assault attendance. Risk factors
are planted as in :mod:`vrhub.synth.cohort` (odds of a violent offence × ``OR_PERMANENT_EXCLUSION``,
``OR_PERSISTENT_ABSENCE``, ``OR_MALE``); ``NOT_IN_EDUCATION`` of the young people known to youth justice or the ED
are not on the education roll (moved in, educated elsewhere).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vrhub.ingest.pseudonymise import IdentifierColumns, pseudonymise_file
from vrhub.synth.cohort import (
    BASE_RISK,
    OR_MALE,
    OR_PERMANENT_EXCLUSION,
    OR_PERSISTENT_ABSENCE,
    _nc_year,
    _write_synthetic_key,
    _year_of,
)
from vrhub.synth.files import write_csv

CITATION = ("Synthetic partners for linkage; error types after Christen P, Data Matching (Springer 2012), ch. 3; "
            "differential error by ethnic group as described by Harron K et al., 'Challenges in administrative data "
            "linkage for research', Big Data & Society 2017, and Bohensky MA et al., BMC Health Serv Res 2010;10:346.")
SOURCES = ("education", "youth_justice", "ed_istv")
TYPO = 0.03
VARIANT = 0.05
SWAP = 0.01
NEW_SURNAME = 0.01
DOB_TRANSPOSED = 0.01
DOB_TYPO = 0.01
DOB_YEAR = 0.005
DOB_MISSING = 0.01
MOVED = 0.12
POSTCODE_MISSING = 0.05
SEX_MISSING = 0.02
ERROR_MULTIPLIER = {"White": 1.0, "Mixed": 1.5, "Asian": 2.0, "Black": 2.0, "Other": 2.0}
ETHNIC_GROUPS = {"White": 0.78, "Asian": 0.08, "Black": 0.05, "Mixed": 0.05, "Other": 0.04}
NOT_IN_EDUCATION = 0.05
PERMANENT_EXCLUSION_SHARE = 0.04
PERSISTENT_ABSENCE_SHARE = 0.18
ED_ATTENDANCE_SHARE = 0.05
OTHER_OFFENCE_RISK = 0.03
VIOLENT = ("Violence against the person", "Robbery", "Possession of weapons")
OTHER = ("Theft and handling stolen goods", "Criminal damage", "Drugs offences", "Public order")

_GIVEN = {
    "White": [
        "oliver", "george", "harry", "jack", "jacob", "noah", "charlie", "thomas", "oscar", "william", "james",
        "henry", "leo", "alfie", "joshua", "freddie", "archie", "ethan", "isaac", "alexander", "joseph", "edward",
        "samuel", "max", "logan", "lucas", "daniel", "theo", "arthur", "mason", "harrison", "benjamin", "tyler",
        "jake", "finley", "riley", "dylan", "connor", "callum", "kyle", "luke", "liam", "ryan", "owen", "nathan",
        "matthew", "olivia", "amelia", "isla", "ava", "emily", "isabella", "mia", "poppy", "ella", "lily", "sophia",
        "sophie", "grace", "evie", "jessica", "ruby", "chloe", "daisy", "freya", "florence", "millie", "phoebe",
        "rosie", "evelyn", "matilda", "willow", "ivy", "harper", "megan", "lucy", "hannah", "lauren", "amy", "katie",
        "charlotte", "alice", "sienna"
    ],
    "Asian": [
        "mohammed", "muhammad", "ali", "ahmed", "hamza", "yusuf", "ibrahim", "omar", "aryan", "arjun", "rohan",
        "aisha", "fatima", "maryam", "zara", "amira", "hafsa", "inaya", "priya", "anaya", "simran"
    ],
    "Black": [
        "kofi", "kwame", "tobi", "david", "daniel", "samuel", "joshua", "elijah", "emmanuel", "michael", "precious",
        "blessing", "grace", "amara", "chidinma", "abena", "esther", "ruth", "favour"
    ],
    "Other": [
        "mateusz", "jakub", "filip", "adam", "oskar", "wiktor", "zofia", "julia", "maja", "lena", "hanna", "amelia",
        "nikola", "ali", "leyla"
    ],
}
_FAMILY = {
    "White": [
        "smith", "jones", "williams", "taylor", "brown", "davies", "evans", "wilson", "thomas", "johnson", "roberts",
        "robinson", "thompson", "wright", "walker", "white", "edwards", "hughes", "green", "hall", "lewis", "harris",
        "clarke", "patterson", "jackson", "wood", "turner", "martin", "cooper", "hill", "ward", "morris", "moore",
        "clark", "lee", "king", "baker", "harrison", "morgan", "allen", "james", "scott", "phillips", "watson",
        "davis", "parker", "price", "bennett", "young", "griffiths", "mitchell", "kelly", "cook", "carter",
        "richardson", "bailey", "collins", "bell", "shaw", "murphy", "miller", "cox", "richards", "khan", "marshall",
        "anderson", "simpson", "ellis", "adams", "singh", "begum", "wilkinson", "foster", "chapman", "powell", "webb",
        "rogers", "gray", "mason", "ali", "hunt", "hussain", "campbell", "matthews", "owen", "palmer", "holmes",
        "mills", "barnes", "knight", "lloyd", "butler", "russell", "barker", "fisher", "stevens", "jenkins", "murray",
        "dixon", "harvey"
    ],
    "Asian": [
        "khan", "ahmed", "ali", "hussain", "patel", "begum", "rahman", "akhtar", "iqbal", "shah", "singh", "kaur",
        "mahmood", "uddin", "islam", "choudhury", "miah", "sharma"
    ],
    "Black": [
        "okafor", "adeyemi", "mensah", "osei", "boateng", "johnson", "williams", "campbell", "brown", "smith",
        "okoro", "adebayo", "asante", "nwosu", "eze"
    ],
    "Other": [
        "nowak", "kowalski", "wisniewski", "wojcik", "kaminski", "lewandowski", "zielinski", "popescu", "ionescu",
        "yilmaz", "kaya", "demir", "silva", "santos"
    ],
}
# a long tail of rarer English surnames, as real registers have
_TAIL = [a + b for a in ("ash", "brad", "car", "dun", "els", "fair", "gold", "har", "kings", "lang", "mar", "north",
                         "pem", "ray", "stan", "thorn", "wes", "whit", "brook", "hather", "cole", "ather")
         for b in ("ford", "ley", "ton", "wood", "well", "by", "ham", "field", "worth", "more", "combe", "den")]
# and of rarer given names, in every group (real registers have thousands of names, not a list of the commonest)
_GIVEN_TAIL = [a + b for a in ("al", "am", "ar", "da", "el", "ja", "ka", "la", "ma", "na", "ra", "sa", "ta", "za",
                               "be", "ko", "mi", "ro")
               for b in ("ia", "an", "on", "ell", "ira", "yn", "ah", "en", "ie", "o", "ani", "umi")]
_FAMILY_TAIL = {"Asian": [a + b for a in ("cha", "dha", "gil", "jha", "kap", "meh", "nai", "pra", "qur", "raj", "sid")
                          for b in ("war", "ani", "oor", "wal", "ak", "ri", "dar", "ood")],
                "Black": [a + b for a in ("ade", "oke", "nwa", "aki", "obi", "ose", "asa", "eze", "kwa")
                          for b in ("yemi", "kola", "nna", "ntola", "wusi", "for", "mah", "chi")],
                "Other": [a + b for a in ("kow", "nov", "pet", "sok", "mar", "dra", "yil", "kar")
                          for b in ("alski", "enko", "escu", "ovic", "idis", "maz", "sson", "ova")]}
NICKNAMES = {"william": "will", "thomas": "tom", "alexander": "alex", "joseph": "joe", "samuel": "sam",
             "benjamin": "ben", "daniel": "dan", "matthew": "matt", "michael": "mike", "jessica": "jess",
             "edward": "ed", "muhammad": "mohammed", "mohammed": "muhammad", "isabella": "bella", "joshua": "josh",
             "jacob": "jake", "nathan": "nate", "katie": "kate", "sophie": "sophia", "sophia": "sophie",
             "theo": "theodore", "alfie": "alfred", "freddie": "frederick", "elijah": "eli", "zara": "sara",
             "aisha": "ayesha", "fatima": "fatimah", "yusuf": "yousef", "ibrahim": "ebrahim", "chidinma": "chidi"}
_OUTWARD = ([f"ME{i}" for i in range(1, 21)] + [f"CT{i}" for i in range(1, 22)] + [f"TN{i}" for i in range(1, 41)]
            + [f"DA{i}" for i in range(1, 19)])
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass
class LinkagePartners:
    """The pseudonymised partner files, the key file and the truth (synthetic only)."""

    paths: dict[str, Path]
    truth_path: Path
    key_file: Path
    seed: int
    people: int
    records: dict[str, int]
    truth: pd.DataFrame
    parameters: dict[str, Any] = field(default_factory=dict)
    citation: str = CITATION


def _postcode(rng: np.random.Generator) -> str:
    letters = rng.choice(list(_INWARD_LETTERS), size=2)
    return f"{_OUTWARD[int(rng.integers(len(_OUTWARD)))]} {int(rng.integers(10))}{letters[0]}{letters[1]}"


def _typo(rng: np.random.Generator, s: str) -> str:
    if len(s) < 3:
        return s + _LETTERS[int(rng.integers(26))]
    i = int(rng.integers(1, len(s)))
    kind = int(rng.integers(4))
    if kind == 0:
        return s[:i] + _LETTERS[int(rng.integers(26))] + s[i + 1:]
    if kind == 1:
        return s[:i] + s[i + 1:]
    if kind == 2:
        return s[:i] + _LETTERS[int(rng.integers(26))] + s[i:]
    i = min(i, len(s) - 2)
    return s[:i] + s[i + 1] + s[i] + s[i + 2:]


def _people(rng: np.random.Generator, n: int, start: dt.date) -> pd.DataFrame:
    groups = list(ETHNIC_GROUPS)
    eth = rng.choice(groups, size=n, p=list(ETHNIC_GROUPS.values()))
    # aged 10-16 on the first day of the period
    born = [start - dt.timedelta(days=int(d)) for d in rng.integers(10 * 365 + 3, 17 * 365 - 3, size=n)]
    given, family = [], []
    for g in eth:
        gg, gf = (str(rng.choice(["White", "Black", "Asian"])), "White") if g == "Mixed" else (g, g)
        given.append(str(rng.choice(_GIVEN_TAIL if rng.random() < 0.2 else _GIVEN[gg])))
        if rng.random() < 0.35:
            family.append(str(rng.choice(_TAIL if gf == "White" else _FAMILY_TAIL[gf])))
        else:
            family.append(str(rng.choice(_FAMILY[gf])))
    return pd.DataFrame({"person": np.arange(n), "ethnicity": eth, "born": born, "male": rng.random(n) < 0.51,
                         "given": given, "family": family,
                         "postcode": [_postcode(rng) for _ in range(n)]})


def _copy(rng: np.random.Generator, p: Any, mult: float) -> dict[str, Any]:
    """One partner's copy of a person's identifiers, with errors."""
    given, family, born = p.given, p.family, p.born
    if rng.random() < VARIANT * mult and given in NICKNAMES:
        given = NICKNAMES[given]
    if rng.random() < TYPO * mult:
        given = _typo(rng, given)
    if rng.random() < TYPO * mult:
        family = _typo(rng, family)
    if rng.random() < NEW_SURNAME:
        family = str(rng.choice(_FAMILY["White"]))
    if rng.random() < SWAP * mult:
        given, family = family, given
    dob: str | None = born.isoformat()
    u = rng.random()
    if u < DOB_MISSING:
        dob = None
    elif u < DOB_MISSING + DOB_TRANSPOSED * mult and born.day <= 12 and born.day != born.month:
        dob = dt.date(born.year, born.day, born.month).isoformat()
    elif u < DOB_MISSING + (DOB_TRANSPOSED + DOB_TYPO) * mult:
        day = min(28, max(1, born.day + int(rng.choice([-10, -1, 1, 10]))))
        dob = born.replace(day=day).isoformat()
    elif u < DOB_MISSING + (DOB_TRANSPOSED + DOB_TYPO + DOB_YEAR) * mult:
        dob = _replace_year(born, born.year + int(rng.choice([-1, 1]))).isoformat()
    postcode = p.postcode
    if rng.random() < MOVED:
        postcode = _postcode(rng)
    if rng.random() < POSTCODE_MISSING:
        postcode = ""
    sex = "" if rng.random() < SEX_MISSING else ("M" if p.male else "F")
    return {"given": given.title(), "family": family.title(), "dob": dob or "", "sex": sex, "postcode": postcode}


def _replace_year(born: dt.date, year: int) -> dt.date:
    try:
        return born.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)


def _uk(iso: str) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}" if iso else ""


def generate_linkage_partners(out_dir: str | Path, key_file: str | Path, *, seed: int = 20240101,
                              people: int = 5_000, start: str = "2023-09") -> LinkagePartners:
    """Write the three pseudonymised partner files and the truth for ``people`` synthetic young people (module
    docstring) into ``out_dir``, with the seed's synthetic key in ``key_file`` (outside ``out_dir``)."""
    out, key_path = Path(out_dir), Path(key_file)
    _write_synthetic_key(key_path, out, seed)
    out.mkdir(parents=True, exist_ok=True)
    first = dt.date.fromisoformat(f"{start}-01")
    last = _replace_year(first, first.year + 1) - dt.timedelta(days=1)
    rng = np.random.default_rng([seed, 7019])
    pp = _people(rng, people, first)
    edu_rows: list[list[Any]] = []
    yj_rows: list[list[Any]] = []
    ed_rows: list[list[Any]] = []
    truth: list[tuple[str, str, int]] = []
    for p in pp.itertuples(index=False):
        mult = ERROR_MULTIPLIER[p.ethnicity]
        in_education = rng.random() >= NOT_IN_EDUCATION
        persistent = bool(rng.random() < PERSISTENT_ABSENCE_SHARE)
        excluded = bool(rng.random() < PERMANENT_EXCLUSION_SHARE * (1.8 if persistent else 0.8))
        suspended = bool(rng.random() < 0.05 + 0.3 * persistent + 0.6 * excluded)
        logit = (np.log(BASE_RISK / (1 - BASE_RISK)) + np.log(OR_PERMANENT_EXCLUSION) * excluded
                 + np.log(OR_PERSISTENT_ABSENCE) * persistent + np.log(OR_MALE) * bool(p.male))
        violent = bool(rng.random() < 1 / (1 + np.exp(-logit)))
        nc_year = _nc_year(p.born, _year_of(first))
        if in_education:
            c = _copy(rng, p, mult)
            rid = f"E{len(edu_rows) + 1:07d}"
            edu_rows.append([rid, f"upn-{p.person:07d}", c["given"], c["family"], _uk(c["dob"]), c["sex"],
                             c["postcode"], p.ethnicity, nc_year, _yn(excluded), _yn(suspended), _yn(persistent)])
            truth.append(("education", rid, p.person))
        offences = []
        if violent:
            offences += [str(rng.choice(VIOLENT, p=(0.7, 0.2, 0.1))) for _ in range(1 + int(rng.poisson(0.3)))]
        if rng.random() < OTHER_OFFENCE_RISK * (2 if persistent else 1):
            offences.append(str(rng.choice(OTHER)))
        pnc = f"pnc-{p.person:07d}"
        for offence in offences:
            c = _copy(rng, p, mult)
            rid = f"Y{len(yj_rows) + 1:07d}"
            day = first + dt.timedelta(days=int(rng.integers(0, (last - first).days + 1)))
            yj_rows.append([rid, pnc, c["given"], c["family"], _uk(c["dob"]), c["sex"], c["postcode"], p.ethnicity,
                            day.strftime("%d/%m/%Y"), offence])
            truth.append(("youth_justice", rid, p.person))
        attends = rng.random() < ED_ATTENDANCE_SHARE * (4 if violent else 1)
        for _ in range((1 + int(rng.poisson(0.2))) if attends else 0):
            c = _copy(rng, p, mult)
            rid = f"A{len(ed_rows) + 1:07d}"
            day = first + dt.timedelta(days=int(rng.integers(0, (last - first).days + 1)))
            name = f"{c['family'].upper()} {c['given']}" if c["family"] else c["given"]
            ed_rows.append([rid, f"H{p.person:08d}", name, _uk(c["dob"]), c["sex"], c["postcode"], p.ethnicity,
                            day.strftime("%d/%m/%Y"), str(rng.choice(["Street", "Home", "Pub/club", "School",
                                                                     "Other"]))])
            truth.append(("ed_istv", rid, p.person))
    layouts = {
        "education": (["Record number", "UPN", "Forename", "Surname", "Date of birth", "Sex", "Postcode", "Ethnicity",
                       "NC year", "Permanent exclusion", "Suspension", "Persistent absence"], edu_rows,
                      IdentifierColumns(upn="UPN", given_name="Forename", family_name="Surname",
                                        date_of_birth="Date of birth", postcode=("Postcode",))),
        "youth_justice": (["Record number", "PNC ID", "Forename", "Surname", "Date of birth", "Sex", "Postcode",
                           "Ethnicity", "Offence date", "Offence type"], yj_rows,
                          IdentifierColumns(pseudonymise=("PNC ID",), given_name="Forename", family_name="Surname",
                                            date_of_birth="Date of birth", postcode=("Postcode",))),
        "ed_istv": (["Record number", "Hospital number", "Patient name", "Date of birth", "Sex", "Postcode",
                     "Ethnicity", "Arrival date", "Assault location"], ed_rows,
                    IdentifierColumns(pseudonymise=("Hospital number",), full_name="Patient name",
                                      date_of_birth="Date of birth", postcode=("Postcode",))),
    }
    partner_side = Path(tempfile.mkdtemp(prefix="vrhub-synthetic-partner-"))
    paths = {}
    try:
        for source, (header, rows, columns) in layouts.items():
            clear = write_csv(partner_side / f"{source}.csv", header, rows)
            paths[source] = out / f"{source}.csv"
            pseudonymise_file(clear, paths[source], key_file=key_path, columns=columns, overwrite=True, today=last,
                              linkage=True, sex="Sex")
    finally:
        shutil.rmtree(partner_side, ignore_errors=True)
    t = pd.DataFrame(truth, columns=["source", "record_id", "person"])
    people_frame = pp.assign(sex=np.where(pp["male"], "male", "female"),
                             age_band=[_age_band(b, first) for b in pp["born"]])[
        ["person", "sex", "ethnicity", "age_band"]]
    t = t.merge(people_frame, on="person", how="left")
    truth_path = out / "synthetic-truth.csv"
    t.to_csv(truth_path, index=False)
    return LinkagePartners(paths, truth_path, key_path, seed, people, {s: len(v[1]) for s, v in layouts.items()}, t,
                           parameters={"start": start, "error_multiplier": ERROR_MULTIPLIER})


def _age_band(born: dt.date, on: dt.date) -> str:
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return "10-12" if age <= 12 else ("13-14" if age <= 14 else "15-16")


def _yn(flag: bool) -> str:
    return "Yes" if flag else "No"
