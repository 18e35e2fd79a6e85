"""Youth Endowment Fund Toolkit impact bands as planning priors when there is no local evaluation.

The YEF Toolkit (youthendowmentfund.org.uk/toolkit) summarises international evidence on approaches to
preventing children's involvement in violence: high impact ≥ 30% less violence, moderate 10–30%, low 2–9%;
mentoring averages about 21%. These are averages across studies elsewhere, not a measurement of a local
service, so every output that uses them carries :data:`PLANNING_LABEL`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from vrhub.analysis.value.prices import ValueInputError

PLANNING_LABEL = "planning assumption from the YEF Toolkit, not a local evaluation"
YEF_FILE = "yef_toolkit_bands.csv"


@dataclass(frozen=True)
class PlanningPrior:
    """A planned reduction in violence (fractions: 0.21 = 21% less), with the range used for uncertainty.

    ``reduction_high`` is ``None`` for an open band (YEF "high": 30% or more); draws then stay at the floor.
    """

    key: str
    label: str
    reduction_low: float
    reduction_central: float
    reduction_high: float | None
    source: str
    note: str
    evidence_label: str = PLANNING_LABEL

    @property
    def central_ratio(self) -> float:
        """Rate ratio implied by the central reduction (0.21 → 0.79)."""
        return 1.0 - self.reduction_central

    def sample_ratios(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Rate ratios drawn from a triangular distribution over the band (constant for an open band)."""
        if self.reduction_high is None or self.reduction_high == self.reduction_low:
            return np.full(n, 1.0 - self.reduction_low)
        reductions = rng.triangular(self.reduction_low, self.reduction_central, self.reduction_high, size=n)
        return 1.0 - reductions

    def describe(self) -> str:
        if self.reduction_high is None:
            band = f"{self.reduction_low:.0%} or more less violence (planned at {self.reduction_low:.0%})"
        else:
            band = (
                f"about {self.reduction_central:.0%} less violence "
                f"(range {self.reduction_low:.0%} to {self.reduction_high:.0%})"
            )
        return f"{self.label}: {band} - {self.evidence_label}"


@lru_cache(maxsize=1)
def _load() -> dict[str, PlanningPrior]:
    text = resources.files("vrhub.analysis.value").joinpath("data", YEF_FILE).read_text(encoding="utf-8")
    out = {}
    for r in csv.DictReader(io.StringIO(text)):
        high = r["reduction_high"].strip()
        out[r["key"]] = PlanningPrior(
            key=r["key"],
            label=r["label"],
            reduction_low=float(r["reduction_low"]),
            reduction_central=float(r["reduction_central"]),
            reduction_high=float(high) if high else None,
            source=r["source"],
            note=r["note"],
        )
    return out


def yef_prior(key: str) -> PlanningPrior:
    """A YEF planning prior: ``"high"``, ``"moderate"``, ``"low"`` or an approach such as ``"mentoring"``."""
    priors = _load()
    if key not in priors:
        raise ValueInputError(f"no YEF Toolkit prior called {key!r}", f"use one of: {', '.join(priors)}")
    return priors[key]


def yef_priors() -> tuple[PlanningPrior, ...]:
    return tuple(_load().values())
