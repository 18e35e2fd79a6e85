"""Seeded synthetic ambulance call-outs for assault in Kent and Medway, shaped on the real police.uk data.

Every incident is invented. The files are ordinary ambulance CSVs (one per month, named
``ambulance-synthetic-<service>-<YYYY-MM>.csv``) loaded through the normal loader with ``synthetic=True``
(:func:`ingest_synthetic_ambulance`). Planted patterns:

- **Where**: incidents fall in each Kent and Medway LSOA in proportion to its police-recorded "Violence and sexual
  offences" in the shipped police.uk data (2018-10 to 2019-02; a floor of ``LSOA_FLOOR`` so that no LSOA is
  impossible), at one of that LSOA's own anonymised police.uk map points: the real spatial shape, never an address.
- **When**: the hour × weekday weights of the synthetic ED returns (:func:`vrhub.synth.ed.hour_weekday_weights`,
  Friday and Saturday night peaks) and a monthly ``SEASONALITY`` with a summer high and a December rise, as ED and
  ambulance assault data show in England (Sivarajasingam et al., Cardiff University NVSN annual reports). The
  factors are illustrative, not fitted: five months of police.uk data cannot show a season.
- **What**: ``STABBING_SHARE`` stabbings and ``GUNSHOT_SHARE`` gunshots (illustrative); Ambulance Response
  Programme categories by incident type; age band and sex as the synthetic ED returns.

The service code ``SYN-SECAmb`` is illustrative (South East Coast Ambulance Service covers Kent and Medway).
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from vrhub.data import kent
from vrhub.synth.ed import AGE_BANDS, AGE_P, SEX_P, SEXES, _month_starts, hour_weekday_weights, kent_lsoas
from vrhub.synth.files import write_csv

if TYPE_CHECKING:
    from vrhub.ingest.loader import IngestReport
    from vrhub.store.workspace import Workspace

CITATION = ("Synthetic ambulance call-outs: LSOA shares from police.uk Kent street-level "
            "'Violence and sexual offences' 2018-10 to 2019-02 (OGL v3.0); hour x weekday and seasonal "
            "shape as described by Cardiff University NVSN reports (Sivarajasingam et al.); Ambulance "
            "Response Programme categories (NHS England, 2017). Volumes and shares are illustrative.")
SERVICE = "SYN-SECAmb"
HEADER = ["Ambulance service", "Incident number", "Incident date time", "Incident LSOA", "Longitude", "Latitude",
          "Incident category", "Response category", "Age band", "Sex", "Conveyed"]
MONTHLY_MEAN = 600.0  # assault call-outs a month in Kent and Medway (illustrative)
SEASONALITY = (0.92, 0.88, 0.95, 0.98, 1.05, 1.08, 1.12, 1.08, 1.00, 0.98, 0.94, 1.02)  # Jan..Dec, mean 1
STABBING_SHARE = 0.07
GUNSHOT_SHARE = 0.003
CATEGORIES = ("assault", "stabbing", "gunshot")
CATEGORY_WORDS = {"assault": "Assault", "stabbing": "Stab wound", "gunshot": "Gunshot"}
RESPONSE = ("C1", "C2", "C3", "C4")
RESPONSE_P = {"assault": (0.05, 0.45, 0.45, 0.05), "stabbing": (0.6, 0.4, 0.0, 0.0), "gunshot": (1.0, 0, 0, 0)}
CONVEYED_SHARE = 0.65
NO_LOCATION_SHARE = 0.02
LSOA_FLOOR = 0.5
VIOLENCE = "Violence and sexual offences"


@dataclass(frozen=True)
class LsoaShape:
    """Kent and Medway LSOAs, their police.uk violence counts, and each one's anonymised map points."""

    codes: tuple[str, ...]
    counts: np.ndarray
    points: dict[str, np.ndarray]  # LSOA → (n, 2) lon/lat

    @property
    def weights(self) -> np.ndarray:
        w = self.counts + LSOA_FLOOR
        return w / w.sum()


#: the shipped police.uk archive whose violence gives the LSOA shape, by LSOA vintage
ARCHIVES = {2011: "kent-street-2018-10_2019-02.zip", 2021: "kent-street-2025-01_2025-12.zip"}


@cache
def police_uk_violence(vintage: int = 2011) -> LsoaShape:
    """Per-LSOA violence counts and map points from the shipped Kent police.uk archive (Kent and Medway LSOAs):
    2018-10 to 2019-02 on 2011 LSOAs, or 2025 on 2021 LSOAs."""
    area = set(kent_lsoas(tuple(_districts()), vintage=vintage)[0])
    tables = []
    with zipfile.ZipFile(kent() / "police-uk" / ARCHIVES[vintage]) as zf:
        for name in sorted(zf.namelist()):
            if name.endswith(".csv"):
                t = pacsv.read_csv(io.BytesIO(zf.read(name)), convert_options=pacsv.ConvertOptions(
                    include_columns=["LSOA code", "Longitude", "Latitude", "Crime type"]))
                tables.append(t.filter(pc.equal(t.column("Crime type"), VIOLENCE)))
    lsoa, lon, lat = [], [], []
    for t in tables:
        lsoa += t.column("LSOA code").to_pylist()
        lon += t.column("Longitude").to_pylist()
        lat += t.column("Latitude").to_pylist()
    points: dict[str, list[tuple[float, float]]] = {}
    for code, x, y in zip(lsoa, lon, lat, strict=True):
        if code in area and x is not None and y is not None:
            points.setdefault(code, []).append((x, y))
    codes = tuple(sorted(area))
    counts = np.array([len(points.get(c, ())) for c in codes], dtype=float)
    return LsoaShape(codes, counts, {c: np.unique(np.array(p), axis=0) for c, p in points.items()})


def _districts() -> list[str]:
    path = next((kent() / "imd2019").glob("File_2_*.csv"))
    with path.open(encoding="utf-8-sig", newline="") as f:
        return sorted({r["Local Authority District name (2019)"] for r in csv.DictReader(f)})


@dataclass
class AmbulanceSynthResult:
    """The files written, with the parameters and seed that made them."""

    paths: list[Path]
    seed: int
    start: str
    months: int
    rows: int
    citation: str = CITATION
    parameters: dict[str, Any] = field(default_factory=dict)


def _month(first: dt.date, rng: np.random.Generator, shape: LsoaShape, weights: np.ndarray,
           scale: float) -> list[list[str]]:
    days = calendar.monthrange(first.year, first.month)[1]
    slot_w = np.array([weights[(first + dt.timedelta(days=d)).weekday(), h] for d in range(days) for h in range(24)])
    n = int(rng.poisson(MONTHLY_MEAN * SEASONALITY[first.month - 1] * scale * days / 30.44))
    slots = np.sort(rng.choice(len(slot_w), size=n, p=slot_w / slot_w.sum()) * 60 + rng.integers(0, 60, size=n))
    where = rng.choice(len(shape.codes), size=n, p=shape.weights)
    kinds = rng.choice(3, size=n, p=(1 - STABBING_SHARE - GUNSHOT_SHARE, STABBING_SHARE, GUNSHOT_SHARE))
    ages = rng.choice(len(AGE_BANDS), size=n, p=AGE_P)
    sexes = rng.choice(len(SEXES), size=n, p=SEX_P)
    u = rng.random((n, 4))
    rows = []
    for i in range(n):
        d, minute = divmod(int(slots[i]), 24 * 60)
        when = dt.datetime.combine(first + dt.timedelta(days=d), dt.time(minute // 60, minute % 60))
        code = shape.codes[where[i]]
        pts = shape.points.get(code)
        lon = lat = ""
        if pts is not None:
            lon, lat = (f"{v:.6f}" for v in pts[int(u[i, 0] * len(pts))])
        category = CATEGORIES[kinds[i]]
        response = RESPONSE[int(np.searchsorted(np.cumsum(RESPONSE_P[category]), u[i, 1], side="right"))]
        located = u[i, 2] >= NO_LOCATION_SHARE
        rows.append([SERVICE, f"SYN{first:%y%m}{i + 1:05d}", when.strftime("%d/%m/%Y %H:%M"),
                     code if located else "", lon if located else "", lat if located else "",
                     CATEGORY_WORDS[category], response, AGE_BANDS[ages[i]], SEXES[sexes[i]].title(),
                     "Yes" if u[i, 3] < CONVEYED_SHARE else "No"])
    return rows


def generate_ambulance(out_dir: str | Path, *, seed: int = 20240101, start: str = "2023-04", months: int = 12,
                       scale: float = 1.0, lsoa_vintage: int = 2011) -> AmbulanceSynthResult:
    """Write one synthetic ambulance CSV per month to ``out_dir``; the same seed gives the same bytes.

    ``lsoa_vintage`` 2021 places call-outs by the 2025 police.uk violence on 2021 LSOAs (for months from 2022 on,
    which police.uk and partners code to 2021 LSOAs)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    shape, weights = police_uk_violence(lsoa_vintage), hour_weekday_weights()
    paths, total = [], 0
    for first in _month_starts(start, months):
        rows = _month(first, np.random.default_rng([seed, 7001, first.year, first.month]), shape, weights, scale)
        paths.append(write_csv(out / f"ambulance-synthetic-{SERVICE}-{first:%Y-%m}.csv", HEADER, rows))
        total += len(rows)
    params = {"monthly_mean": MONTHLY_MEAN, "seasonality": list(SEASONALITY), "stabbing_share": STABBING_SHARE,
              "gunshot_share": GUNSHOT_SHARE, "scale": scale, "lsoa_floor": LSOA_FLOOR, "lsoa_vintage": lsoa_vintage}
    return AmbulanceSynthResult(paths, seed, start, months, total, parameters=params)


def ingest_synthetic_ambulance(ws: Workspace, out_dir: str | Path, *, partner: str | None = "Synthetic ambulance",
                               **kw: Any) -> tuple[AmbulanceSynthResult, IngestReport]:
    """Generate synthetic call-outs into ``out_dir`` and load them through the ambulance source, marked synthetic."""
    from vrhub.ingest.ambulance import SOURCES
    from vrhub.ingest.loader import ingest
    from vrhub.store.geography import Geography

    made = generate_ambulance(out_dir, **kw)
    known = Geography(ws.engine()).known_lsoa_codes()
    return made, ingest(ws, made.paths, SOURCES, partner=partner, synthetic=True, known_lsoas=known)
