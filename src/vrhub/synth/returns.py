"""Seeded synthetic providers' returns and before/after surveys for the commissioned services of a register.

Every number here is invented. The files are ordinary providers' returns (``vrhub services returns FILE``:
service, provider, period_start, period_end, measure, value, qualifier, note) with one row per service, provider,
quarter and measure, for the quarters of the span that fall inside the service's contract; each row's note says
``SYNTHETIC (vrhub synth)`` and the file is named ``returns-synthetic-<start>-<months>m.csv``, so every statement
built from them names a synthetic source. Volumes are illustrative, drawn as Poisson counts around quarterly means
(``MEANS``), and surveys agreeing never exceed surveys completed.

Planted for the pre/post survey design (``vrhub evaluate survey``): one ``survey-synthetic-<service>.csv`` per
service, ``id, before, after`` on a 1–5 scale for ``SURVEY_PEOPLE`` invented young people (ids ``SYN-…``), with a
mean change of ``PLANTED_SURVEY_SHIFT[service]`` points (0 for the services listed with 0: a null run) and
person-level noise (sd ``SURVEY_NOISE``), so that the paired test recovers the planted change within its interval
and claims nothing where none was planted. The sizes are illustrative, not estimates of the real services.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vrhub.governance.commissioning import Register

SYNTHETIC_NOTE = "SYNTHETIC (vrhub synth): invented for testing and training"
#: illustrative quarterly means per provider
MEANS: dict[str, float] = {"sessions": 40, "workshops": 12, "young_people_reached": 600, "young_people_engaged": 90,
                           "referrals": 25, "mentoring_1to1": 60, "surveys_completed": 150}
AGREE_SHARE = 0.72  # illustrative share of surveys agreeing or strongly agreeing
SURVEY_PEOPLE = 120
SURVEY_NOISE = 0.6
#: planted mean change (points on a 1–5 scale) per service key; services not listed get DEFAULT_SURVEY_SHIFT
PLANTED_SURVEY_SHIFT: dict[str, float] = {"buddi-tags": 0.0}  # electronic tags: no survey change planted
DEFAULT_SURVEY_SHIFT = 0.5


@dataclass
class ReturnsSynthResult:
    returns_file: Path
    surveys: dict[str, Path]
    rows: int
    seed: int
    parameters: dict[str, object] = field(default_factory=dict)


def _quarters(start: dt.date, months: int) -> list[tuple[dt.date, dt.date]]:
    out = []
    first = dt.date(start.year, start.month, 1)
    for q in range(0, months, 3):
        m = first.month - 1 + q
        lo = dt.date(first.year + m // 12, m % 12 + 1, 1)
        m_end = m + min(3, months - q)
        hi = dt.date(first.year + m_end // 12, m_end % 12 + 1, 1) - dt.timedelta(days=1)
        out.append((lo, hi))
    return out


def generate_returns(out_dir: str | Path, register: Register, *, seed: int = 20240101, start: str = "2023-04",
                     months: int = 12, scale: float = 1.0) -> ReturnsSynthResult:
    """Write the synthetic returns file and one survey file per service to ``out_dir``; same seed, same bytes."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    first = dt.date.fromisoformat(f"{start}-01")
    path = out / f"returns-synthetic-{start}-{months}m.csv"
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["service", "provider", "period_start", "period_end", "measure", "value", "qualifier", "note"])
        for s in register.services:
            for lo, hi in _quarters(first, months):
                if (s.contract_start and hi < s.contract_start) or (s.contract_end and lo > s.contract_end):
                    continue
                for p in s.providers:
                    values = {k: int(rng.poisson(v * scale)) for k, v in MEANS.items()}
                    values["surveys_agree_or_strongly_agree"] = int(rng.binomial(values["surveys_completed"],
                                                                                  AGREE_SHARE))
                    for measure, value in values.items():
                        w.writerow([s.key, p.name, lo.isoformat(), hi.isoformat(), measure, value, "",
                                    SYNTHETIC_NOTE])
                        rows += 1
    surveys = {}
    for s in register.services:
        shift = PLANTED_SURVEY_SHIFT.get(s.key, DEFAULT_SURVEY_SHIFT)
        before = np.clip(rng.normal(2.6, 0.5, SURVEY_PEOPLE), 1, 5)
        after = np.clip(before + shift + rng.normal(0, SURVEY_NOISE, SURVEY_PEOPLE), 1, 5)
        sp = out / f"survey-synthetic-{s.key}.csv"
        with sp.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["id", "before", "after"])
            for i, (b, a) in enumerate(zip(before, after, strict=True), start=1):
                w.writerow([f"SYN-{s.key[:12]}-{i:04d}", f"{b:.2f}", f"{a:.2f}"])
        surveys[s.key] = sp
    params = {"means_per_quarter": MEANS, "agree_share": AGREE_SHARE, "scale": scale, "survey_people": SURVEY_PEOPLE,
              "survey_noise_sd": SURVEY_NOISE,
              "planted_survey_shift": {s.key: PLANTED_SURVEY_SHIFT.get(s.key, DEFAULT_SURVEY_SHIFT)
                                       for s in register.services}}
    return ReturnsSynthResult(path, surveys, rows, seed, params)
