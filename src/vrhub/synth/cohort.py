"""A seeded synthetic cohort of young people (0–25) with education and youth justice records, pseudonymised at source.

Every person is invented. The generator plays both partners: it writes, in a private temporary folder, the files
a local authority's education team and a youth justice service would hold *with identifiers in clear* (synthetic
names, dates of birth, UPNs with valid check letters, PNC ids with valid check characters), runs each through
:func:`vrhub.ingest.pseudonymise.pseudonymise_file` with the partnership key, writes only the pseudonymised files
to ``out_dir`` and deletes the clear ones. Both partners hash name + date of birth, so their ``person_id``\\ s link.

The key is derived from the seed (``SHA-256("vrhub-synthetic-partnership-key|<seed>")``) so that a seed always
gives the same bytes; it is written to ``key_file``, which must be outside ``out_dir`` (the pseudonymise tool
refuses a key beside the data). A real partnership key is random (``vrhub pseudonymise-key``), never derived.

Planted risk factors (what tests recover; illustrative sizes, chosen to be detectable in a small cohort, not
estimates): among pupils in NC years 6–11 (``MIN_NC_YEAR``..``MAX_NC_YEAR``) in every academic year of the period
(so aged 10–17, at risk of a youth justice record, for all of it), the odds of at least one violent youth justice
offence (``VIOLENT_OFFENCE_TYPES``) in the period are multiplied by ``OR_PERMANENT_EXCLUSION`` (4.0) for a pupil
permanently excluded in the period, by ``OR_PERSISTENT_ABSENCE`` (2.0) for a pupil persistently absent in any year
of it, and by ``OR_MALE`` (2.5) for boys; suspensions have **no** effect of their own (odds ratio 1) once those are
known. Children outside that population (younger, older, or in school for only part of the period) offend by the
same model scaled by their share of the period at risk, so that the monthly youth justice series has no artificial
peak at either end. Exposure rates are far above England's (DfE: about 0.1% of pupils permanently excluded a year)
so that a cohort of thousands shows the signal. The direction of the associations follows Ministry of Justice and
DfE, *Education, children's social care and offending* (2022).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from vrhub.domain.identifiers import COMMON_NAMES, pnc_check_letter, upn_check_letter
from vrhub.ingest.pseudonymise import IdentifierColumns, pseudonymise_file
from vrhub.synth.files import write_csv

if TYPE_CHECKING:
    from vrhub.ingest.loader import IngestReport
    from vrhub.store.workspace import Workspace

CITATION = ("Synthetic cohort: planted odds ratios are illustrative; direction of associations as in Ministry of "
            "Justice and Department for Education, 'Education, children's social care and offending' (2022). "
            "Identifiers pseudonymised with vrhub pseudonymise (HMAC-SHA256, RFC 2104).")
OR_PERMANENT_EXCLUSION = 4.0
OR_PERSISTENT_ABSENCE = 2.0
OR_MALE = 2.5
BASE_RISK = 0.015  # probability of a violent offence in the period for a girl with neither exposure
PERMANENT_EXCLUSION_SHARE = 0.04
PERSISTENT_ABSENCE_SHARE = 0.18
MIN_NC_YEAR = 6
MAX_NC_YEAR = 11
VIOLENT_OFFENCE_TYPES = ("Violence against the person", "Robbery", "Possession of weapons")
OTHER_OFFENCE_TYPES = ("Theft and handling stolen goods", "Criminal damage", "Drugs offences", "Public order",
                       "Burglary")
OTHER_OFFENCE_RISK = 0.02
SERVICES = (("Kent Youth Justice Service", 886, 0.85), ("Medway Youth Justice Service", 887, 0.15))
OUTCOMES = (("Community resolution", 0.3), ("Youth caution", 0.15), ("Youth conditional caution", 0.1),
            ("Referral order", 0.3), ("Youth rehabilitation order", 0.12), ("Detention and training order", 0.03))
SUSPENSION_REASONS = ("PP", "PA", "VA", "VP", "DB", "DA", "OW", "DM", "BU")
SESSIONS_POSSIBLE = 380  # a school year: 190 days, two sessions a day
EDUCATION_HEADER = ["UPN", "Forename", "Surname", "Date of birth", "School URN", "NC year", "Sex", "Record type",
                    "Academic year", "Term", "Start date", "Sessions", "Reason", "Sessions possible",
                    "Sessions missed", "Persistent absence"]
YJ_HEADER = ["PNC ID", "Forename", "Surname", "Date of birth", "Youth justice service", "Sex", "Offence date",
             "Offence type", "Gravity score", "Outcome", "Outcome date"]
NAMES = tuple(sorted(COMMON_NAMES))


def synthetic_key(seed: int) -> str:
    """The synthetic partnership key for ``seed``, as 64 hex digits (synthetic data only: it is guessable)."""
    return hashlib.sha256(f"vrhub-synthetic-partnership-key|{seed}".encode()).hexdigest()


@dataclass
class CohortSynthResult:
    """The pseudonymised files written, the planted parameters, and the person-level truth (pseudonyms only)."""

    education: list[Path]
    youth_justice: list[Path]
    key_file: Path
    seed: int
    start: str
    months: int
    people: int
    rows: int
    truth: pd.DataFrame  # one row per person in the analysis population: person_id and the planted variables
    citation: str = CITATION
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def paths(self) -> list[Path]:
        return self.education + self.youth_justice


def _academic_years(first: dt.date, last: dt.date) -> list[int]:
    """Start years of the academic years (1 Aug – 31 Jul) that overlap ``first``..``last``."""
    lo = first.year if first.month >= 8 else first.year - 1
    hi = last.year if last.month >= 8 else last.year - 1
    return list(range(lo, hi + 1))


def _random_day(rng: np.random.Generator, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=int(rng.integers(0, (hi - lo).days + 1)))


def _school_day(rng: np.random.Generator, lo: dt.date, hi: dt.date) -> dt.date | None:
    """A weekday in ``lo``..``hi`` outside August (schools are closed), or None if there is none."""
    for _ in range(100 if lo <= hi else 0):
        d = _random_day(rng, lo, hi)
        if d.weekday() < 5 and d.month != 8:
            return d
    return None


def _people(rng: np.random.Generator, n: int, first: dt.date) -> pd.DataFrame:
    born = [first - dt.timedelta(days=int(x)) for x in rng.integers(0, 26 * 365, size=n)]
    male = rng.random(n) < 0.51
    seen: set[tuple[str, str, dt.date]] = set()
    given, family = [], []
    for b in born:
        while True:
            g, f = NAMES[int(rng.integers(len(NAMES)))], NAMES[int(rng.integers(len(NAMES)))]
            if (g, f, b) not in seen:
                seen.add((g, f, b))
                given.append(g.title())
                family.append(f.title())
                break
    service = rng.choice(len(SERVICES), size=n, p=[s[2] for s in SERVICES])
    return pd.DataFrame({"born": born, "male": male, "given": given, "family": family, "service": service,
                         "school_primary": 990001 + rng.integers(0, 60, size=n),
                         "school_secondary": 995001 + rng.integers(0, 30, size=n),
                         "serial": rng.permutation(n)})


def _nc_year(born: dt.date, year: int) -> int:
    cohort = born.year if born.month >= 9 else born.year - 1
    return year - cohort - 5


def generate_cohort(
    out_dir: str | Path,
    key_file: str | Path,
    *,
    seed: int = 20240101,
    start: str = "2023-04",
    months: int = 12,
    people: int = 20_000,
) -> CohortSynthResult:
    """Write pseudonymised synthetic education files (one per academic year) and youth justice files (one per
    service) for ``people`` young people aged 0–25, over ``months`` months from ``start`` (``YYYY-MM``)."""
    from vrhub.synth.ed import _month_starts

    out, key_path = Path(out_dir), Path(key_file)
    _write_synthetic_key(key_path, out, seed)
    out.mkdir(parents=True, exist_ok=True)
    month_starts = _month_starts(start, months)
    first = month_starts[0]
    last = (month_starts[-1] + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    rng = np.random.default_rng([seed, 7002])
    p = _people(rng, people, first)
    years = _academic_years(first, last)
    edu_rows: dict[int, list[list[Any]]] = {y: [] for y in years}
    yj_rows: dict[int, list[list[Any]]] = {i: [] for i in range(len(SERVICES))}
    truth = []
    for r in p.itertuples(index=False):
        upn_body = (f"{SERVICES[r.service][1]:03d}{r.school_secondary % 10000:04d}{r.born.year % 100:02d}"
                    f"{r.serial % 1000:03d}")
        upn = upn_check_letter(upn_body) + upn_body
        ident = [upn, r.given, r.family, r.born.isoformat()]
        sex = "Male" if r.male else "Female"
        ncs = {y: _nc_year(r.born, y) for y in years}
        school_years = [y for y in years if 0 <= ncs[y] <= 11]
        # the analysis population: in NC years MIN_NC_YEAR..MAX_NC_YEAR in every academic year of the period, so at
        # risk of a youth justice record (aged 10-17) for the whole period
        in_population = all(MIN_NC_YEAR <= ncs[y] <= MAX_NC_YEAR for y in years)
        secondary = [y for y in school_years if ncs[y] >= 7]
        pa_years = set()
        persistent = bool(rng.random() < PERSISTENT_ABSENCE_SHARE)
        if persistent and school_years:
            pa_years = {y for y in school_years if rng.random() < 0.6} or {school_years[-1]}
        excluded_on = None
        if secondary and rng.random() < PERMANENT_EXCLUSION_SHARE * (1.8 if persistent else 0.8):
            y = secondary[int(rng.integers(len(secondary)))]
            excluded_on = _school_day(rng, max(first, dt.date(y, 9, 1)), min(last, dt.date(y + 1, 7, 20)))
        n_susp = int(rng.poisson(0.05 + 0.4 * persistent + 1.5 * (excluded_on is not None)))
        suspended = False
        for y in school_years:
            urn = r.school_secondary if ncs[y] >= 7 else r.school_primary
            if excluded_on is not None and (y > _year_of(excluded_on)):
                urn = 990999  # a pupil referral unit after a permanent exclusion
            missed = int(rng.integers(38, 120)) if y in pa_years else int(rng.integers(0, 37))
            edu_rows[y].append([*ident, urn, ncs[y] or "R", sex, "Attendance", _ay(y), "", "", "", "",
                                SESSIONS_POSSIBLE, missed, "Yes" if y in pa_years else "No"])
        for _ in range(n_susp if school_years else 0):
            y = school_years[int(rng.integers(len(school_years)))]
            day = _school_day(rng, max(first, dt.date(y, 9, 1)), min(last, dt.date(y + 1, 7, 20)))
            if day is None or (excluded_on is not None and day > excluded_on):
                continue
            suspended = True
            urn = r.school_secondary if ncs[y] >= 7 else r.school_primary
            reason = SUSPENSION_REASONS[int(rng.integers(len(SUSPENSION_REASONS)))]
            edu_rows[y].append([*ident, urn, ncs[y] or "R", sex, "Suspension", _ay(y), "", day.strftime("%d/%m/%Y"),
                                int(rng.integers(1, 11)), reason, "", "", ""])
        if excluded_on is not None:
            y = _year_of(excluded_on)
            reason = ("PP", "PA", "OW", "DB", "DA")[int(rng.integers(5))]
            edu_rows[y].append([*ident, r.school_secondary, ncs[y], sex, "Permanent exclusion", _ay(y), "",
                                excluded_on.strftime("%d/%m/%Y"), "", reason, "", "", ""])
        # youth justice: only ages 10-17 at the offence
        lo = max(first, _birthday(r.born, 10))
        hi = min(last, _birthday(r.born, 18) - dt.timedelta(days=1))
        violent = False
        if lo <= hi:
            # children outside the education population (older, or not in these years) offend by the same model,
            # with an exclusion history the education data do not show
            excluded = excluded_on is not None if in_population else bool(rng.random() < PERMANENT_EXCLUSION_SHARE)
            logit = (np.log(BASE_RISK / (1 - BASE_RISK)) + np.log(OR_PERMANENT_EXCLUSION) * excluded
                     + np.log(OR_PERSISTENT_ABSENCE) * persistent + np.log(OR_MALE) * r.male)
            risk = 1 / (1 + np.exp(-logit))
            if not in_population:  # at risk for part of the period only: a share of the period's risk
                risk *= ((hi - lo).days + 1) / ((last - first).days + 1)
            violent = bool(rng.random() < risk)
        offences = []
        if violent:
            after = max(lo, excluded_on) if excluded_on is not None and excluded_on < hi else lo
            for _ in range(1 + int(rng.poisson(0.4))):
                kind = VIOLENT_OFFENCE_TYPES[int(rng.choice(3, p=(0.7, 0.2, 0.1)))]
                offences.append((_random_day(rng, after, hi), kind))
        span = ((hi - lo).days + 1) / ((last - first).days + 1)
        if lo <= hi and rng.random() < OTHER_OFFENCE_RISK * (2 if persistent else 1) * span:
            kind = OTHER_OFFENCE_TYPES[int(rng.integers(len(OTHER_OFFENCE_TYPES)))]
            offences.append((_random_day(rng, lo, hi), kind))
        if offences:
            year = (r.born.year + 10) % 100
            serial = f"{r.serial:07d}"
            pnc = f"{year:02d}/{serial}{pnc_check_letter(f'{year:02d}', serial)}"
        for day, offence in offences:
            outcome = OUTCOMES[int(rng.choice(len(OUTCOMES), p=[o[1] for o in OUTCOMES]))][0]
            outcome_day = day + dt.timedelta(days=int(rng.integers(7, 120)))
            yj_rows[r.service].append([pnc, r.given, r.family, r.born.isoformat(), SERVICES[r.service][0], sex,
                                       day.strftime("%d/%m/%Y"), offence,
                                       int(rng.integers(4, 8)) if offence in VIOLENT_OFFENCE_TYPES else
                                       int(rng.integers(1, 5)),
                                       outcome if outcome_day <= last else "",
                                       outcome_day.strftime("%d/%m/%Y") if outcome_day <= last else ""])
        if in_population:
            truth.append({"given": r.given, "family": r.family, "born": r.born, "male": bool(r.male),
                          "permanent_exclusion": excluded_on is not None, "persistent_absence": persistent,
                          "suspension": suspended, "violent_offence": violent})

    partner_side = Path(tempfile.mkdtemp(prefix="vrhub-synthetic-partner-"))
    try:
        education, youth_justice, rows = [], [], 0
        for y, erows in edu_rows.items():
            clear = partner_side / f"education-{y}.csv"
            write_csv(clear, EDUCATION_HEADER, erows)
            target = out / f"education-synthetic-{y}-{(y + 1) % 100:02d}.csv"
            pseudonymise_file(clear, target, key_file=key_path, overwrite=True, today=last, columns=IdentifierColumns(
                upn="UPN", given_name="Forename", family_name="Surname", date_of_birth="Date of birth"))
            education.append(target)
            rows += len(erows)
        for i, yrows in yj_rows.items():
            clear = partner_side / f"youth-justice-{i}.csv"
            write_csv(clear, YJ_HEADER, yrows)
            name = SERVICES[i][0].split()[0]
            target = out / f"youth-justice-synthetic-{name}-{first:%Y-%m}_{last:%Y-%m}.csv"
            pseudonymise_file(clear, target, key_file=key_path, overwrite=True, today=last, columns=IdentifierColumns(
                pnc_id="PNC ID", given_name="Forename", family_name="Surname", date_of_birth="Date of birth",
                age_at="Offence date"))
            youth_justice.append(target)
            rows += len(yrows)
    finally:
        shutil.rmtree(partner_side, ignore_errors=True)
    truth_frame = _pseudonymised_truth(pd.DataFrame(truth), key_path)
    params = {"or_permanent_exclusion": OR_PERMANENT_EXCLUSION, "or_persistent_absence": OR_PERSISTENT_ABSENCE,
              "or_male": OR_MALE, "or_suspension": 1.0, "base_risk": BASE_RISK, "min_nc_year": MIN_NC_YEAR,
              "max_nc_year": MAX_NC_YEAR,
              "violent_offence_types": list(VIOLENT_OFFENCE_TYPES), "people": people}
    return CohortSynthResult(education, youth_justice, key_path, seed, start, months, people, rows, truth_frame,
                             parameters=params)


def _write_synthetic_key(key_path: Path, out: Path, seed: int) -> None:
    """Write the seed's synthetic key to ``key_path``: never inside ``out``, never over another key."""
    from vrhub.ingest.pseudonymise import KeyFileError

    key, data = key_path.absolute(), out.absolute()
    if data == key.parent or data in key.parents:
        raise KeyFileError(f"the key file {key_path} is inside the data folder {out}; keys never sit beside the data",
                           "give a key file outside the output folder")
    if key_path.exists():
        if key_path.read_text(errors="replace").strip() != synthetic_key(seed):
            raise KeyFileError(f"{key_path} already exists and is not the synthetic key of seed {seed}; a key is "
                               "never overwritten", "give another key file path (a synthetic key is made from the "
                               "seed; never use a real partnership key for synthetic data)")
        return
    key_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(synthetic_key(seed) + "\n")


def _pseudonymised_truth(truth: pd.DataFrame, key_path: Path) -> pd.DataFrame:
    """The truth table keyed by the same pseudonym the files carry (names and dates of birth dropped)."""
    from vrhub.domain.identifiers import normalise_person_name
    from vrhub.ingest.pseudonymise import load_key

    if truth.empty:
        return truth
    key = load_key(key_path)
    ids = [key.pseudonym("name_dob", f"{normalise_person_name(g, f).value}|{b.isoformat()}")
           for g, f, b in zip(truth["given"], truth["family"], truth["born"], strict=True)]
    return truth.drop(columns=["given", "family", "born"]).assign(person_id=ids)


def _ay(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def _year_of(day: dt.date) -> int:
    return day.year if day.month >= 8 else day.year - 1


def _birthday(born: dt.date, age: int) -> dt.date:
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # 29 February
        return dt.date(born.year + age, 3, 1)


def ingest_synthetic_cohort(ws: Workspace, out_dir: str | Path, key_file: str | Path, *,
                            partner: str | None = "Synthetic cohort (education, youth justice)",
                            **kw: Any) -> tuple[CohortSynthResult, IngestReport, IngestReport]:
    """Generate the cohort into ``out_dir`` and load it through the education and youth justice sources, marked
    synthetic: (what was made, the education load, the youth justice load)."""
    from vrhub.ingest import education, youth_justice
    from vrhub.ingest.loader import ingest

    made = generate_cohort(out_dir, key_file, **kw)
    edu = ingest(ws, made.education, education.SOURCES, partner=partner, kind="education", synthetic=True)
    yj = ingest(ws, made.youth_justice, youth_justice.SOURCES, partner=partner, kind="youth_justice", synthetic=True)
    return made, edu, yj
