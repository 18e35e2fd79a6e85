"""Seeded synthetic ISTV returns (NHS ISB 1594) for the Kent and Medway emergency departments.

Every person and attendance here is invented; no real patient data is used or imitated row by row. The files
are ordinary ISTV CSVs (one per site and month, named ``istv-synthetic-<site>-<YYYY-MM>.csv``) and go through the
normal loader (:func:`ingest_synthetic_ed` calls :func:`vrhub.ingest.loader.ingest` with ``synthetic=True``).

Planted patterns (what tests and tutorials can look for):

- **Night-time economy**: arrivals follow an hour × weekday weight table (``hour_weekday_weights``) whose peak
  is Friday and Saturday night (Fri 20:00 – Sat 04:00 and Sat 20:00 – Sun 04:00, ``NIGHT_TIME_ECONOMY``), the
  pattern ED assault data shows in England (Sivarajasingam et al., *Violence in England and Wales*, Cardiff
  University NVSN reports; Florence et al., BMJ 2011). The numbers are illustrative, not fitted.
- **Knife share**: ``KNIFE_SHARE`` of attendances are knife or sharp object assaults (illustrative).
- **Age and sex**: bands of the serious-violence definition, mostly 18–34 and male (illustrative).
- **Home LSOA**: drawn from the real Kent and Medway LSOAs (IoD 2019 File 2 shipped in ``vrhub.data``) of each
  site's illustrative catchment districts, with weight ``11 - IMD decile`` (decile 1, the most deprived, is ten
  times as likely as decile 10). ``spatially_random=True`` draws every home LSOA with equal probability from
  all Kent and Medway LSOAs instead (complete spatial randomness over LSOAs: the null for hot-spot tests).

Planted signals of stated size (:class:`PlantedSignals`, on by default as :data:`PLANTED`; :data:`NO_SIGNALS`
turns them all off for null runs). They are what the hot-spot, near-repeat and evaluation tests recover:

- **Hot spot**: the seven Medway LSOAs of :data:`HOTSPOT_LSOAS` (Medway 026B and its queen-contiguous
  neighbours, IMD deciles 3 to 8, so the cluster is not a deprivation effect) have ``hotspot_excess`` (5) times
  the home-LSOA draw weight their deprivation alone gives.
- **Intervention effect**: from ``intervention_start`` (default: the month halfway through the generated span)
  attendances of residents of ``intervention_district`` (Medway, one of the districts of the Gangs and County
  Lines service; the largest ED volume, and a rate near the middle of the districts', so that comparison areas
  and a synthetic control can match it) are thinned to
  ``1 - intervention_reduction`` (a 30% reduction, the YEF Toolkit's "high" band floor). Thinning each
  attendance independently makes the expected count exactly 70% of what it would have been: the rate ratio
  the evaluation designs should recover is 0.70.
- **Near repeats**: each attendance is followed, with probability ``repeat_share`` (0.15), by another
  attendance at the same site from the same home LSOA in one of the next ``repeat_max_days`` (7) days' hours,
  drawn with the hour × weekday weights (so the night-time peak holds) and kept when it falls in the same month
  (so the return's reporting period holds). A Knox test on dated ED
  data (home-LSOA centroids, days) finds the pairs in the same-LSOA, 0-7 day band.

Every file is still an ordinary ISTV return: the signals change only which rows exist, never a field's form.
Site codes are **illustrative** (``SYN-…``), not ODS codes; catchments are illustrative district lists.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vrhub.data import kent

if TYPE_CHECKING:
    from vrhub.ingest.loader import IngestReport
    from vrhub.store.workspace import Workspace

CITATION = ("Synthetic data shaped on NHS ISB 1594 Information Sharing to Tackle Violence (ISTV) minimum dataset; "
            "night-time-economy peak as described by Florence et al., BMJ 2011;343:d3313 and Cardiff University "
            "NVSN annual reports. Rates and shares are illustrative.")

HEADER = ["Reporting period start", "Reporting period end", "ED site code", "Arrival date time", "Assault date time",
          "Assault method", "Assault method other", "Assault location type", "Assault location description",
          "Age band", "Sex", "Home LSOA"]


@dataclass(frozen=True)
class EdSite:
    """A Kent and Medway emergency department (real hospital; illustrative code, catchment and volume)."""

    code: str
    name: str
    trust: str
    catchment: tuple[str, ...]  # local authority district names (IoD 2019)
    monthly_mean: float
    style: str = "words"  # "words": dd/mm/yyyy and ISTV words; "codes": ISO times and vrhub codes


SITES: tuple[EdSite, ...] = (
    EdSite("SYN-DVH", "Darent Valley Hospital, Dartford", "Dartford and Gravesham NHS Trust",
           ("Dartford", "Gravesham", "Sevenoaks"), 70, "codes"),
    EdSite("SYN-MMH", "Medway Maritime Hospital, Gillingham", "Medway NHS Foundation Trust",
           ("Medway", "Swale"), 110, "words"),
    EdSite("SYN-MGH", "Maidstone Hospital", "Maidstone and Tunbridge Wells NHS Trust",
           ("Maidstone",), 55, "words"),
    EdSite("SYN-TWH", "Tunbridge Wells Hospital at Pembury", "Maidstone and Tunbridge Wells NHS Trust",
           ("Tunbridge Wells", "Tonbridge and Malling"), 45, "codes"),
    EdSite("SYN-WHH", "William Harvey Hospital, Ashford", "East Kent Hospitals University NHS Foundation Trust",
           ("Ashford", "Folkestone and Hythe"), 65, "words"),
    EdSite("SYN-QEQM", "Queen Elizabeth The Queen Mother Hospital, Margate",
           "East Kent Hospitals University NHS Foundation Trust", ("Thanet",), 75, "words"),
    EdSite("SYN-KCH", "Kent and Canterbury Hospital", "East Kent Hospitals University NHS Foundation Trust",
           ("Canterbury", "Dover"), 40, "codes"),
)

METHOD_CODES = ("knife_or_sharp_object", "blunt_object", "body_part", "firearm", "other", "unknown")
METHOD_WORDS = dict(zip(METHOD_CODES, ("Knife/sharp object", "Blunt object", "Body part (hit/kick)", "Firearm",
                                       "Other", "Unknown"), strict=True))
KNIFE_SHARE = 0.10
METHOD_P = (KNIFE_SHARE, 0.15, 0.625, 0.005, 0.04, 0.08)
OTHER_TEXT = ("bitten", "pushed down stairs", "hot drink thrown", "strangled", "struck by car door")

LOCATION_CODES = ("street_public_place", "licensed_premises", "home", "school", "public_transport", "other",
                  "unknown")
LOCATION_WORDS = dict(zip(LOCATION_CODES, ("Street/public place", "Licensed premises", "Home", "School",
                                           "Public transport", "Other", "Unknown"), strict=True))
LOCATION_P_NIGHT = (0.40, 0.36, 0.12, 0.0, 0.04, 0.04, 0.04)
LOCATION_P_OTHER = (0.34, 0.07, 0.36, 0.06, 0.05, 0.07, 0.05)
PLACE_TEXT = {"street_public_place": ("High Street", "near taxi rank", "park"),
              "licensed_premises": ("outside nightclub", "in pub", "bar queue"),
              "public_transport": ("bus station", "train platform")}

AGE_BANDS = ("0-9", "10-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
AGE_P = (0.02, 0.12, 0.27, 0.25, 0.15, 0.10, 0.06, 0.03)
SEXES = ("male", "female", "unknown")
SEX_WORDS = {"male": "Male", "female": "Female", "unknown": "Not known"}
SEX_P = (0.72, 0.27, 0.01)

NIGHT_TIME_ECONOMY: frozenset[tuple[int, int]] = frozenset(
    {(4, h) for h in range(20, 24)} | {(5, h) for h in range(0, 4)}      # Friday night (Mon = 0)
    | {(5, h) for h in range(20, 24)} | {(6, h) for h in range(0, 4)}    # Saturday night
)
NTE_BOOST = 3.5
MISSING_ASSAULT_TIME = 0.03
MISSING_LSOA = 0.05

#: The planted hot spot: Medway 026B (E01016120) and its six queen-contiguous neighbours in the shipped LSOA 2011
#: boundaries (IMD 2019 deciles 3-8).
HOTSPOT_LSOAS: tuple[str, ...] = ("E01016116", "E01016119", "E01016120", "E01016121", "E01016122", "E01016127",
                                  "E01016128")


@dataclass(frozen=True)
class PlantedSignals:
    """The signals planted in the synthetic ED returns, with their stated sizes (module docstring)."""

    hotspot_lsoas: tuple[str, ...] = HOTSPOT_LSOAS
    hotspot_excess: float = 5.0
    intervention_district: str = "Medway"
    intervention_start: str | None = None  # "YYYY-MM"; None: the month halfway through the generated span
    intervention_reduction: float = 0.30
    repeat_share: float = 0.15
    repeat_max_days: float = 7.0

    def describe(self, start: str, months: int) -> dict[str, Any]:
        """The signals as stated parameters (the intervention start resolved for this span)."""
        return {"hotspot_lsoas": list(self.hotspot_lsoas), "hotspot_excess": self.hotspot_excess,
                "intervention_district": self.intervention_district,
                "intervention_start": self.start_month(start, months) if self.intervention_reduction else None,
                "intervention_reduction": self.intervention_reduction,
                "intervention_rate_ratio": 1.0 - self.intervention_reduction,
                "repeat_share": self.repeat_share, "repeat_max_days": self.repeat_max_days}

    def start_month(self, start: str, months: int) -> str:
        if self.intervention_start is not None:
            return self.intervention_start
        return f"{_month_starts(start, months // 2 + 1)[-1]:%Y-%m}"


PLANTED = PlantedSignals()
NO_SIGNALS = PlantedSignals(hotspot_lsoas=(), hotspot_excess=1.0, intervention_reduction=0.0, repeat_share=0.0)


def hour_weekday_weights() -> np.ndarray:
    """Relative arrival rate per (weekday Mon=0 .. Sun=6, hour 0..23): a daily curve, busier weekends, NTE peaks."""
    hourly = np.array([1.6, 1.4, 1.1, 0.8, 0.5, 0.35, 0.3, 0.35, 0.45, 0.55, 0.65, 0.75,
                       0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2, 1.3, 1.45, 1.6, 1.75, 1.8])
    weekday = np.array([0.85, 0.8, 0.85, 0.9, 1.1, 1.3, 1.15])
    w = weekday[:, None] * hourly[None, :]
    for d, h in NIGHT_TIME_ECONOMY:
        w[d, h] *= NTE_BOOST
    return w


@lru_cache(maxsize=2)
def _kent_lsoa_rows(vintage: int = 2011) -> tuple[tuple[str, str, int], ...]:
    """(LSOA code, district name, IMD decile) for every Kent and Medway LSOA of ``vintage``.

    2011: the shipped IoD 2019 File 2. 2021: the shipped Census 2021 file's LSOAs whose names begin with a Kent or
    Medway district name (ONS names an LSOA after its district: "Medway 015A"), with their IMD 2025 deciles.
    """
    path = next((kent() / "imd2019").glob("File_2_*.csv"))
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows_2011 = tuple((r["LSOA code (2011)"], r["Local Authority District name (2019)"],
                           int(r["Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"]))
                          for r in csv.DictReader(f))
    if vintage == 2011:
        return rows_2011
    if vintage != 2021:
        raise ValueError(f"no shipped LSOA {vintage} list: use 2011 or 2021")
    districts = {r[1] for r in rows_2011}
    g = kent() / "geography2021"
    names = {}
    census = _zip_text(g / "census2021_TS007A_age_five_year_bands_lsoa2021_england_wales.zip")
    for line in csv.reader(io.StringIO(census)):
        if len(line) > 1 and line[0][:-5] in districts:
            names[line[1]] = line[0][:-5]
    deciles = {r["lsoa21_code"]: int(float(r["IMD_decile"])) for r in csv.DictReader(io.StringIO(
        _zip_text(g / "imd2025_scores_ranks_deciles_all_domains_lsoa21.zip"))) if r["lsoa21_code"] in names}
    return tuple((code, names[code], deciles[code]) for code in sorted(names))


def _zip_text(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(next(n for n in zf.namelist() if n.endswith(".csv"))).decode("utf-8-sig")


@lru_cache(maxsize=1)
def best_fit_2021() -> dict[str, str]:
    """LSOA 2011 code → its best-fit LSOA 2021 code (the shipped ONS lookup, v2)."""
    text = _zip_text(kent() / "geography2021" / "lsoa11_to_lsoa21_best_fit_lookup_england_wales_v2.zip")
    return {r["LSOA11CD"]: r["LSOA21CD"] for r in csv.DictReader(io.StringIO(text))}


def kent_lsoas(catchment: tuple[str, ...], *, hotspot: tuple[str, ...] = (), excess: float = 1.0,
               spatially_random: bool = False, vintage: int = 2011) -> tuple[list[str], np.ndarray]:
    """LSOA codes (of ``vintage``) of the catchment districts and their draw probabilities (``11 - IMD decile``).

    ``spatially_random``: every LSOA of the Kent and Medway districts (all sites' catchments) with weight 1.
    LSOAs in ``hotspot`` have their weight multiplied by ``excess``.
    """
    districts = {d for s in SITES for d in s.catchment} if spatially_random else set(catchment)
    rows = [r for r in _kent_lsoa_rows(vintage) if r[1] in districts]
    if not rows:
        raise ValueError(f"no Kent LSOAs in districts {catchment}: use district names as in IoD 2019 File 2")
    codes = [r[0] for r in rows]
    p = np.array([1.0 if spatially_random else 11.0 - r[2] for r in rows])
    if hotspot:
        p *= np.where(np.isin(codes, list(hotspot)), excess, 1.0)
    return codes, p / p.sum()


def lsoa_districts(vintage: int = 2011) -> dict[str, str]:
    """LSOA code (of ``vintage``) → district name (IoD 2019 File 2; for 2021 the Census 2021 LSOA names)."""
    return {code: district for code, district, _ in _kent_lsoa_rows(vintage)}


@dataclass
class EdSynthResult:
    """The files written, with the parameters and seed that made them."""

    paths: list[Path]
    seed: int
    start: str
    months: int
    sites: tuple[str, ...]
    rows: int
    citation: str = CITATION
    parameters: dict[str, Any] = field(default_factory=dict)
    signals: PlantedSignals = PLANTED


def _month_starts(start: str, months: int) -> list[dt.date]:
    y, m = (int(x) for x in start.split("-"))
    out = []
    for _ in range(months):
        out.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _fmt(t: dt.datetime, style: str) -> str:
    return t.strftime("%Y-%m-%d %H:%M") if style == "codes" else t.strftime("%d/%m/%Y %H:%M")


def _site_month(site: EdSite, first: dt.date, rng: np.random.Generator, weights: np.ndarray,
                lsoas: tuple[list[str], np.ndarray], scale: float, signals: PlantedSignals = NO_SIGNALS,
                treated: np.ndarray | None = None) -> list[list[str]]:
    """One site-month of rows. ``treated``: per LSOA of ``lsoas``, whether the planted reduction applies this month."""
    days = calendar.monthrange(first.year, first.month)[1]
    last = first + dt.timedelta(days=days - 1)
    slot_w = np.array([weights[(first + dt.timedelta(days=d)).weekday(), h] for d in range(days) for h in range(24)])
    n = int(rng.poisson(site.monthly_mean * scale * days / 30.44))
    slots = rng.choice(len(slot_w), size=n, p=slot_w / slot_w.sum())
    start_min = slots * 60 + rng.integers(0, 60, size=n)  # minutes since the 1st of the month, 00:00
    homes = rng.choice(len(lsoas[0]), size=n, p=lsoas[1])
    if signals.repeat_share > 0 and n:  # near repeats: same home LSOA, in one of the next repeat_max_days' hours
        window = int(signals.repeat_max_days * 24)
        later, repeat_homes = [], []
        for i in np.flatnonzero(rng.random(n) < signals.repeat_share):
            w = slot_w[slots[i] + 1: slots[i] + 1 + window]  # the hour-weekday weights keep the NTE peak
            if len(w):
                later.append((slots[i] + 1 + rng.choice(len(w), p=w / w.sum())) * 60 + rng.integers(0, 60))
                repeat_homes.append(homes[i])
        start_min = np.concatenate([start_min, np.array(later, dtype=start_min.dtype)])
        homes = np.concatenate([homes, np.array(repeat_homes, dtype=homes.dtype)])
    if treated is not None and treated.any():  # planted reduction: thin the treated district's residents
        keep = ~(treated[homes] & (rng.random(len(homes)) < signals.intervention_reduction))
        start_min, homes = start_min[keep], homes[keep]
    n = len(start_min)
    delays = np.minimum(rng.gamma(1.5, 30.0, size=n), 24 * 60)  # minutes from assault to arrival
    methods = rng.choice(len(METHOD_CODES), size=n, p=METHOD_P)
    ages = rng.choice(len(AGE_BANDS), size=n, p=AGE_P)
    sexes = rng.choice(len(SEXES), size=n, p=SEX_P)
    u = rng.random((n, 4))
    words = site.style == "words"
    period = [_fmt(dt.datetime.combine(first, dt.time()), site.style)[:10],
              _fmt(dt.datetime.combine(last, dt.time()), site.style)[:10]]
    rows = []
    month_start = dt.datetime.combine(first, dt.time())
    for i in np.argsort(start_min, kind="stable"):
        arrival = month_start + dt.timedelta(minutes=int(start_min[i]))
        assault = arrival - dt.timedelta(minutes=int(delays[i]))
        night = (arrival.weekday(), arrival.hour) in NIGHT_TIME_ECONOMY
        loc = LOCATION_CODES[rng.choice(len(LOCATION_CODES), p=LOCATION_P_NIGHT if night else LOCATION_P_OTHER)]
        method = METHOD_CODES[methods[i]]
        place = PLACE_TEXT.get(loc, ("",))
        rows.append([
            *period, site.code, _fmt(arrival, site.style),
            "" if u[i, 0] < MISSING_ASSAULT_TIME else _fmt(assault, site.style),
            METHOD_WORDS[method] if words else method,
            OTHER_TEXT[int(u[i, 1] * len(OTHER_TEXT))] if method == "other" else "",
            LOCATION_WORDS[loc] if words else loc,
            place[int(u[i, 2] * len(place))],
            AGE_BANDS[ages[i]],
            SEX_WORDS[SEXES[sexes[i]]] if words else SEXES[sexes[i]],
            "" if u[i, 3] < MISSING_LSOA else lsoas[0][homes[i]],
        ])
    return rows


def generate_ed_returns(
    out_dir: str | Path,
    *,
    seed: int = 20240101,
    start: str = "2023-04",
    months: int = 12,
    sites: tuple[EdSite, ...] = SITES,
    scale: float = 1.0,
    signals: PlantedSignals = PLANTED,
    spatially_random: bool = False,
    lsoa_vintage: int = 2011,
) -> EdSynthResult:
    """Write one synthetic ISTV CSV per site and month to ``out_dir``; the same seed gives the same bytes.

    ``signals`` are the planted hot spot, intervention effect and near repeats (:data:`PLANTED` by default,
    :data:`NO_SIGNALS` for a null run); ``spatially_random`` draws home LSOAs uniformly (module docstring).
    ``lsoa_vintage`` is the LSOA vintage of the home LSOAs (2021 for returns from 2022 on, as a hospital records
    them); with 2021 the planted hot spot is the 2021 LSOAs the ONS best-fit lookup assigns its 2011 LSOAs to.
    """
    if not 0.0 <= signals.intervention_reduction < 1.0 or not 0.0 <= signals.repeat_share <= 1.0:
        raise ValueError("intervention_reduction must be in [0, 1) and repeat_share in [0, 1]")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    weights = hour_weekday_weights()
    paths: list[Path] = []
    total = 0
    district_of = lsoa_districts(lsoa_vintage)
    hotspot = signals.hotspot_lsoas
    if lsoa_vintage != 2011:
        hotspot = tuple(dict.fromkeys(best_fit_2021().get(c, c) for c in hotspot))
    effect_from = signals.start_month(start, months)
    for k, site in enumerate(sites):
        lsoas = kent_lsoas(site.catchment, hotspot=hotspot, excess=signals.hotspot_excess,
                           spatially_random=spatially_random, vintage=lsoa_vintage)
        in_district = np.array([district_of[c] == signals.intervention_district for c in lsoas[0]])
        for first in _month_starts(start, months):
            rng = np.random.default_rng([seed, k, first.year, first.month])
            treated = in_district if signals.intervention_reduction and f"{first:%Y-%m}" >= effect_from else None
            rows = _site_month(site, first, rng, weights, lsoas, scale, signals, treated)
            path = out / f"istv-synthetic-{site.code}-{first:%Y-%m}.csv"
            with path.open("w", encoding="utf-8", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(HEADER)
                w.writerows(rows)
            paths.append(path)
            total += len(rows)
    params = {"knife_share": KNIFE_SHARE, "nte_boost": NTE_BOOST, "scale": scale,
              "monthly_mean": {s.code: s.monthly_mean for s in sites}, "spatially_random": spatially_random,
              "planted": signals.describe(start, months) | {"hotspot_lsoas": list(hotspot)},
              "lsoa_vintage": lsoa_vintage}
    return EdSynthResult(paths, seed, start, months, tuple(s.code for s in sites), total, parameters=params,
                         signals=signals)


def ingest_synthetic_ed(ws: Workspace, out_dir: str | Path, *, partner: str | None = "Synthetic ED (ISTV)",
                        **kw: Any) -> tuple[EdSynthResult, IngestReport]:
    """Generate synthetic returns into ``out_dir`` and load them through the normal loader, marked synthetic."""
    from vrhub.ingest.istv import SOURCES
    from vrhub.ingest.loader import ingest

    made = generate_ed_returns(out_dir, **kw)
    return made, ingest(ws, made.paths, SOURCES, partner=partner, synthetic=True)
