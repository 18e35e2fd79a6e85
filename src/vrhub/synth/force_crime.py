"""A seeded synthetic force crime extract built on the real police.uk records, with planted signals.

Real record-level crime data are never public. This generator keeps what police.uk publishes — each real crime's
month, category and LSOA (and its anonymised map point) — and invents what it does not: a Home Office offence code,
times, victim, suspect, flags and outcome, drawn from published national shares (rounded; illustrative, not fitted):

- **Offence mix within a police.uk category**: ONS, *Crime in England and Wales: year ending March 2024*, Appendix
  table A4 (police recorded crime by offence): within "Violence and sexual offences" about 27% violence with injury,
  33% violence without injury, 32% stalking and harassment, 3% rape, 5% other sexual offences; robbery about 89%
  personal; weapons possession mostly articles with a blade or point.
- **Flags**: about a third of violence against the person is flagged domestic abuse (ONS, *Domestic abuse in England
  and Wales overview: November 2023*); knife or sharp instrument shares by offence as in ONS's "Offences involving
  the use of weapons" tables (about 1 in 5 robberies, 1 in 3 attempted murders, 1 in 8 assaults with intent).
- **Victims**: age and sex by offence group as described in the ONS *Nature of crime: violence* and *sexual
  offences* tables (sexual offences mostly against women and girls; robbery mostly against young men); ethnicity
  in Kent's Census 2021 shares (about 87% White, 5% Asian, 3% Black, 3% Mixed, 2% other).
- **Outcomes**: Home Office, *Crime outcomes in England and Wales 2023 to 2024*: about 7% charged or summonsed,
  ~40% evidential difficulties, ~25% no suspect identified.

Planted signals that tests recover (and that the analyses must find):

1. **A night-time-economy cluster** in the ``NTE_LSOAS`` (3) Maidstone LSOAs with the most violence: most of their
   non-domestic violence happens on Friday and Saturday nights (22:00–03:00), flagged night-time economy and alcohol.
2. **A rise in knife-enabled youth violence in Thanet**: in Thanet, the share of violence and robbery whose victim is
   under 25 and whose flag is knife rises steadily from the first month to the last.
3. **A repeat-victim group**: ``REPEAT_VICTIMS`` (12) people each the victim of ``REPEAT_TIMES`` (6) domestic-abuse
   crimes within 365 days; no other synthetic victim appears more than twice.

With ``signals=False`` none is planted (a null run). Victim and suspect ids are HMAC-SHA256 pseudonyms under the
synthetic partnership key (:func:`vrhub.synth.cohort.synthetic_key`), as a force would send them after
``vrhub pseudonymise``; every person is invented. The force is ``SYN-Kent Police``: marked synthetic everywhere.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from vrhub.domain.schemas import ETHNICITY_CODES
from vrhub.ingest.force_crime import FLAG_COLUMNS
from vrhub.ingest.pseudonymise import PseudonymKey
from vrhub.synth.cohort import synthetic_key
from vrhub.synth.ed import hour_weekday_weights
from vrhub.synth.files import write_csv

if TYPE_CHECKING:
    from vrhub.ingest.loader import IngestReport
    from vrhub.store.engine import Engine
    from vrhub.store.workspace import Workspace

FORCE = "SYN-Kent Police"
CITATION = ("Synthetic force crime extract: crimes are the real police.uk Kent records (month, category, LSOA; OGL "
            "v3.0); offence codes, times, victims, suspects, flags and outcomes invented from rounded national shares "
            "(ONS Crime in England and Wales YE March 2024 table A4; ONS Domestic abuse overview Nov 2023; ONS "
            "offences involving weapons; Home Office Crime outcomes 2023/24; Census 2021 Kent ethnicity). "
            "Illustrative, not fitted; planted signals documented in docs/sources/synthetic-force-crime.md.")
CATEGORIES = ("Violence and sexual offences", "Robbery", "Possession of weapons")
NTE_DISTRICT, NTE_LSOAS = "Maidstone", 3
KNIFE_DISTRICT = "Thanet"
REPEAT_VICTIMS, REPEAT_TIMES = 12, 6
HEADER = ["Crime reference", "Force", "Offence code", "Committed from", "Committed to", "Recorded date", "Longitude",
          "Latitude", "LSOA code", "Victim ID", "Victim age", "Victim sex", "Victim ethnicity", "Suspect ID",
          "Suspect age", "Suspect sex", "Suspect ethnicity", *FLAG_COLUMNS.values(), "Outcome", "Outcome date"]

# Offence code mix within each police.uk category (shares; see the module docs).
CODE_MIX: dict[str, dict[str, float]] = {
    "Violence and sexual offences": {
        "8N": 0.215, "5D": 0.02, "8S": 0.012, "8T": 0.004, "8P": 0.006, "5E": 0.004, "2": 0.0012, "1": 0.0003,
        "4.1": 0.0001, "105A": 0.25, "104": 0.03, "105B": 0.018, "3B": 0.022, "11A": 0.012, "36": 0.003,
        "8R": 0.13, "8L": 0.09, "8Q": 0.05, "8U": 0.04, "8M": 0.01,
        "19C": 0.018, "19D": 0.005, "19E": 0.003, "19F": 0.002, "19G": 0.001, "19H": 0.001,
        "20A": 0.02, "20B": 0.004, "17A": 0.003, "88E": 0.01, "22B": 0.005, "88A": 0.003, "22A": 0.0045,
    },
    "Robbery": {"34B": 0.89, "34A": 0.11},
    "Possession of weapons": {"10D": 0.52, "10C": 0.33, "10B": 0.08, "90": 0.05, "10A": 0.02},
}
KNIFE_BASE = {"1": 0.4, "4.1": 0.2, "2": 0.35, "5D": 0.12, "5E": 0.05, "8N": 0.015, "3B": 0.08, "34B": 0.2,
              "34A": 0.15, "19C": 0.005, "20A": 0.003, "10D": 1.0, "90": 1.0}
FIREARM_CODES = ("10A", "10B")
NO_VICTIM = ("10A", "10B", "10C", "10D", "90")
HATE_CODES = ("8P", "105B", "8M")
#: the codes of the planted repeat victims' crimes (each serious violence when flagged domestic abuse)
REPEAT_CODES = ("8N", "105A", "5D", "3B", "8L", "8Q")
SEXUAL = {"19C", "19D", "19E", "19F", "19G", "19H", "20A", "20B", "17A", "88E", "22B", "88A", "22A"}
HARASSMENT = {"8R", "8L", "8Q", "8U", "8M"}
# victim ages a code implies: (lowest, highest) and the victim's sex where the code names it
CODE_AGES = {"19C": (16, 90), "19D": (13, 15), "19E": (5, 12), "19F": (16, 80), "19G": (13, 15), "19H": (5, 12),
             "20A": (13, 90), "20B": (4, 12), "17A": (13, 80), "22B": (13, 15), "11A": (0, 15)}
CODE_SEX = {"19C": "F", "19D": "F", "19E": "F", "20A": "F", "20B": "F", "19F": "M", "19G": "M", "19H": "M",
            "17A": "M"}
AGE_BANDS = ((10, 15), (16, 17), (18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 85))
AGE_P = (0.08, 0.06, 0.2, 0.24, 0.18, 0.13, 0.07, 0.04)
ETHNICITY_P = {"W1": 0.8, "W2": 0.005, "W3": 0.004, "W9": 0.06, "M1": 0.008, "M2": 0.004, "M3": 0.008, "M9": 0.006,
               "A1": 0.02, "A2": 0.004, "A3": 0.002, "A4": 0.005, "A9": 0.012, "B1": 0.004, "B2": 0.022,
               "B9": 0.002, "O1": 0.002, "O9": 0.008, "NS": 0.024}
OUTCOME_P = {"18": 0.25, "14": 0.2, "16": 0.12, "15": 0.08, "1": 0.07, "8": 0.03, "21": 0.03, "20": 0.02, "": 0.2}
assert set(ETHNICITY_P) == set(ETHNICITY_CODES)


@dataclass
class ForceCrimeSynthResult:
    """The file written, the seed and parameters that made it, and the planted truth (pseudonyms only)."""

    path: Path
    seed: int
    rows: int
    signals: bool
    nte_lsoas: tuple[str, ...]
    knife_lsoas: tuple[str, ...]
    repeat_victims: tuple[str, ...]
    months: tuple[dt.date, ...]
    citation: str = CITATION
    parameters: dict[str, Any] = field(default_factory=dict)


def street_records(engine: Engine, *, categories: tuple[str, ...] = CATEGORIES) -> pa.Table:
    """The loaded police.uk street records of ``categories`` that have an LSOA, in a stable order."""
    t = engine.table("police_uk_street")
    t = t.filter(t.crime_type.isin(list(categories)) & t.lsoa_code.notnull())
    cols = ["crime_id", "month", "crime_type", "lsoa_code", "lsoa_name", "longitude", "latitude", "dataset_id",
            "source_row"]
    return t.select(*cols).order_by(["month", "dataset_id", "source_row"]).to_pyarrow()


def _district(names: pa.Array) -> np.ndarray:
    return np.array([(n or "").rsplit(" ", 1)[0] for n in names.to_pylist()], dtype=object)


def _choice(rng: np.random.Generator, mix: dict[str, float], n: int) -> np.ndarray:
    keys = list(mix)
    p = np.array([mix[k] for k in keys])
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def generate_force_crime(street: pa.Table, out_dir: str | Path, *, seed: int = 20181001,
                         signals: bool = True) -> ForceCrimeSynthResult:
    """Write one synthetic force crime CSV (canonical layout) for the police.uk ``street`` records; the same records
    and seed give the same bytes."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 16])
    key = PseudonymKey(bytes.fromhex(synthetic_key(seed)))
    n = street.num_rows
    cat = np.array(street.column("crime_type").to_pylist(), dtype=object)
    lsoa = np.array(street.column("lsoa_code").to_pylist(), dtype=object)
    district = _district(street.column("lsoa_name"))
    months = np.array(street.column("month").to_pylist(), dtype=object)
    month_list = tuple(sorted(set(months)))
    k = np.array([month_list.index(m) for m in months]) / max(len(month_list) - 1, 1)  # 0 first month .. 1 last
    code = np.empty(n, dtype=object)
    for c, mix in CODE_MIX.items():
        idx = np.flatnonzero(cat == c)
        code[idx] = _choice(rng, mix, len(idx))
    violent = ~np.isin(code, list(SEXUAL | HARASSMENT | set(NO_VICTIM)))

    # --- victims ------------------------------------------------------------------------------------------------
    has_victim = ~np.isin(code, NO_VICTIM)
    band = rng.choice(len(AGE_BANDS), size=n, p=AGE_P)
    lo, hi = np.array([b[0] for b in AGE_BANDS])[band], np.array([b[1] for b in AGE_BANDS])[band]
    age = rng.integers(lo, hi + 1)
    for c, (a0, a1) in CODE_AGES.items():
        idx = np.flatnonzero(code == c)
        age[idx] = rng.integers(a0, a1 + 1, size=len(idx))
    robbery = np.isin(code, ("34A", "34B"))
    age[robbery] = np.where(rng.random(robbery.sum()) < 0.55, rng.integers(12, 25, robbery.sum()), age[robbery])
    female_p = np.where(np.isin(code, list(SEXUAL)), 0.88, np.where(robbery, 0.2, 0.5))
    sex = np.where(rng.random(n) < female_p, "F", "M").astype(object)
    for c, s in CODE_SEX.items():
        sex[code == c] = s
    ethnicity = _choice(rng, ETHNICITY_P, n)

    # --- flags --------------------------------------------------------------------------------------------------
    vap = ~np.isin(code, list(SEXUAL)) & ~robbery & has_victim
    da = rng.random(n) < np.where(vap, 0.33, np.where(np.isin(code, list(SEXUAL)), 0.15, 0.0))
    knife_p = np.array([KNIFE_BASE.get(c, 0.0) for c in code])
    youth_knife_area = (district == KNIFE_DISTRICT) & (violent | robbery) & ~da
    if signals:  # Thanet: victims get younger and knives commoner, month by month
        young = youth_knife_area & (rng.random(n) < 0.3 + 0.45 * k)
        age[young] = rng.integers(13, 25, young.sum())
        knife_p = np.where(youth_knife_area & (age < 25), np.maximum(knife_p, 0.05 + 0.5 * k), knife_p)
    knife = rng.random(n) < knife_p
    firearm = np.isin(code, FIREARM_CODES) | ((violent | robbery) & (rng.random(n) < 0.004))
    alcohol = rng.random(n) < np.where(violent, 0.2, 0.06)
    drugs = rng.random(n) < 0.06
    hate = np.isin(code, HATE_CODES) | (rng.random(n) < 0.01)
    gang = rng.random(n) < 0.008
    cce = rng.random(n) < np.where(age < 18, 0.03, 0.002)

    # --- when ---------------------------------------------------------------------------------------------------
    w = hour_weekday_weights()
    nte_rank = {}
    if signals:
        vio = (district == NTE_DISTRICT) & (cat == CATEGORIES[0])
        codes_here, counts = np.unique(lsoa[vio], return_counts=True)
        order = sorted(zip(-counts, codes_here, strict=True))[:NTE_LSOAS]
        nte_rank = {c: i for i, (_, c) in enumerate(order)}
    in_nte = np.isin(lsoa, list(nte_rank)) & violent & ~da
    planted_nte = in_nte & (rng.random(n) < 0.75)
    nte = np.where(planted_nte, rng.random(n) < 0.85, rng.random(n) < 0.03)
    alcohol |= planted_nte & (rng.random(n) < 0.7)
    committed = np.empty(n, dtype="datetime64[s]")
    recorded = np.empty(n, dtype="datetime64[s]")
    window_h = np.zeros(n)
    long_window = rng.random(n) < 0.05
    some_window = ~long_window & (rng.random(n) < 0.3)
    window_h[some_window] = rng.uniform(0.25, 8, some_window.sum())
    window_h[long_window] = rng.uniform(25, 240, long_window.sum())
    lag_h = rng.exponential(10, n)
    flat = w.ravel() / w.sum()
    for m in month_list:
        idx = np.flatnonzero(months == m)
        days = calendar.monthrange(m.year, m.month)[1]
        first = np.datetime64(m, "s")
        end = first + np.timedelta64(days * 86400 - 1, "s")
        slot = rng.choice(168, size=len(idx), p=flat)
        wd, hour = slot // 24, slot % 24
        # a day of the month with that weekday
        first_wd = m.weekday()
        offset = (wd - first_wd) % 7
        n_weeks = (days - 1 - offset) // 7 + 1
        day = offset + 7 * (rng.random(len(idx)) * n_weeks).astype(int)
        sel = planted_nte[idx]
        if sel.any():  # Friday or Saturday from 22:00 to 03:00
            fri = (4 - first_wd) % 7
            weeks = (days - 2 - fri) // 7 + 1
            night = fri + 7 * (rng.random(sel.sum()) * weeks).astype(int) + (rng.random(sel.sum()) < 0.5)
            nh = rng.choice([22, 23, 24, 25, 26], size=sel.sum(), p=[0.15, 0.25, 0.25, 0.2, 0.15])
            day[sel], hour[sel] = night + nh // 24, nh % 24
        day = np.minimum(day, days - 1)
        t = first + (day * 86400 + hour * 3600 + rng.integers(0, 60, len(idx)) * 60).astype("timedelta64[s]")
        committed[idx] = t
        rec = t + (lag_h[idx] * 3600).astype("timedelta64[s]")
        recorded[idx] = np.minimum(rec, end)
    committed_to = committed
    committed_from = committed - (window_h * 3600).astype("timedelta64[s]")

    # --- people -------------------------------------------------------------------------------------------------
    victim_key = np.array([f"victim-{i}" for i in range(n)], dtype=object)
    repeat_ids: list[str] = []
    da_idx = np.flatnonzero(da & np.isin(code, REPEAT_CODES))
    pool = rng.permutation(da_idx)
    used = 0
    if signals and len(pool) >= REPEAT_VICTIMS * REPEAT_TIMES:
        for g in range(REPEAT_VICTIMS):
            group = pool[used:used + REPEAT_TIMES]
            used += REPEAT_TIMES
            victim_key[group] = f"repeat-victim-{g}"
            age[group], sex[group], ethnicity[group] = age[group[0]], sex[group[0]], ethnicity[group[0]]
            repeat_ids.append(key.pseudonym("crime_victim", f"repeat-victim-{g}"))
    rest = pool[used:]
    pairs = rest[: (len(rest) // 10) * 2].reshape(-1, 2)  # a tenth of other DA victims: a second crime
    for a, b in pairs:
        victim_key[b] = victim_key[a]
        age[b], sex[b], ethnicity[b] = age[a], sex[a], ethnicity[a]
    has_suspect = rng.random(n) < np.where(da, 0.95, np.where(np.isin(code, NO_VICTIM), 1.0, 0.5))
    s_age = np.clip(np.where(youth_knife_area & (age < 25), age + rng.integers(-2, 4, n),
                             rng.integers(14, 60, n)), 10, 90)
    s_sex = np.where(rng.random(n) < 0.82, "M", "F").astype(object)
    s_eth = _choice(rng, ETHNICITY_P, n)
    suspect_key = np.array([f"suspect-{i}" for i in range(n)], dtype=object)
    again = np.flatnonzero(has_suspect & (rng.random(n) < 0.08))
    suspect_key[again] = [f"suspect-{j}" for j in rng.choice(max(n // 50, 1), size=len(again))]

    outcome = _choice(rng, OUTCOME_P, n)
    out_days = rng.integers(7, 150, n)
    rows = []
    fmt = "%d/%m/%Y %H:%M"
    for i in range(n):
        cf = committed_from[i].astype(dt.datetime)
        ct = committed_to[i].astype(dt.datetime)
        rec = recorded[i].astype(dt.datetime)
        lon, lat = street.column("longitude")[i].as_py(), street.column("latitude")[i].as_py()
        oc = outcome[i]
        rows.append([
            f"SYN/{months[i]:%y%m}/{i + 1:06d}", FORCE, code[i], cf.strftime(fmt),
            ct.strftime(fmt) if window_h[i] > 0 else "", rec.strftime(fmt),
            "" if lon is None else f"{lon:.6f}", "" if lat is None else f"{lat:.6f}", lsoa[i],
            key.pseudonym("crime_victim", victim_key[i]) if has_victim[i] else "",
            str(age[i]) if has_victim[i] else "", sex[i] if has_victim[i] else "",
            ethnicity[i] if has_victim[i] else "",
            key.pseudonym("crime_suspect", suspect_key[i]) if has_suspect[i] else "",
            str(s_age[i]) if has_suspect[i] else "", s_sex[i] if has_suspect[i] else "",
            s_eth[i] if has_suspect[i] else "",
            *("Y" if f[i] else "N" for f in (da, knife, firearm, alcohol, drugs, nte, cce, gang, hate)),
            oc, (rec + dt.timedelta(days=int(out_days[i]))).strftime("%d/%m/%Y") if oc else "",
        ])
    lo_m, hi_m = month_list[0], month_list[-1]
    path = write_csv(out / f"force-crime-synthetic-{lo_m:%Y-%m}_{hi_m:%Y-%m}.csv", HEADER, rows)
    knife_lsoas = tuple(sorted(set(lsoa[district == KNIFE_DISTRICT]))) if signals else ()
    params = {"nte_district": NTE_DISTRICT, "nte_lsoas": NTE_LSOAS, "knife_district": KNIFE_DISTRICT,
              "repeat_victims": REPEAT_VICTIMS, "repeat_times": REPEAT_TIMES}
    return ForceCrimeSynthResult(path, seed, n, signals, tuple(nte_rank), knife_lsoas, tuple(repeat_ids),
                                 month_list, parameters=params)


def ingest_synthetic_force_crime(ws: Workspace, out_dir: str | Path, *, seed: int = 20181001, signals: bool = True,
                                 partner: str | None = FORCE) -> tuple[ForceCrimeSynthResult, IngestReport]:
    """Generate the synthetic extract for the loaded police.uk records and load it marked synthetic."""
    from vrhub.domain.errors import NoDataError
    from vrhub.ingest.force_crime import SOURCES
    from vrhub.ingest.loader import ingest
    from vrhub.store.geography import Geography

    engine = ws.engine()
    if not engine.has("police_uk_street"):
        raise NoDataError("no police.uk street records are loaded: the synthetic force extract is built on them",
                          "load them first: 'vrhub ingest police-uk PATH' (or run 'vrhub demo')")
    made = generate_force_crime(street_records(engine), out_dir, seed=seed, signals=signals)
    known = Geography(engine).known_lsoa_codes()
    return made, ingest(ws, [made.path], SOURCES, partner=partner, kind="force_crime", synthetic=True,
                        known_lsoas=known)


