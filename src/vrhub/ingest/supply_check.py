"""The supply check: find months whose count breaks from the source's own history, and files with records twice.

A gap in a partner's supply (a month half-extracted, a system migration) looks exactly like a fall in
violence. For each source kind, force and category (and the all-categories total), every month's count is
compared with what that series' own history predicts, so that such a month is flagged and never read as a
real change.

The rule (documented in docs/methods/supply-check.md):

1. Counts are turned into rates per day, so that February's 28 days are not read as a 10% fall.
2. The expected rate for month *m* is the **median** daily rate of the other months of the same series within
   12 months either side (at least 3 such months are needed; the median is not pulled by other broken months).
3. Expected count = expected rate × days in *m*. Series where that is below 20 are not judged.
4. The month is flagged when observed / expected is below 0.6 (a shortfall) or above 1/0.6 ≈ 1.67 (an excess,
   e.g. a month supplied twice) **and** chance cannot explain it: the Poisson probability of a count at least
   that far from the expected one (one tail) is below ``ALPHA`` = 0.001. For large series the band decides;
   for small ones the Poisson test does, so that a category with 20–60 expected records is not flagged for a
   departure that chance alone gives often (30 expected, 17 observed: p = 0.008).
5. A month missing between the first and last month of a force's data is flagged as a gap.
6. A file in which at least ``DUPLICATE_SHARE`` of the rows (of the rows with a record id, for a kind that has
   one, at least ``DUPLICATE_SHARE_WITH_ID``) are exact copies of another row of the same file is flagged as
   ``duplicates`` (a month supplied twice inside one file).
"""

from __future__ import annotations

import calendar
import datetime as dt
import statistics
from dataclasses import asdict, dataclass
from typing import Any

from vrhub.domain.kinds import kind as kind_info
from vrhub.store.lake_reader import LakeReader, month_range

WINDOW_MONTHS = 12
MIN_HISTORY = 3
MIN_EXPECTED = 20.0
LOW_RATIO = 0.6
HIGH_RATIO = 1 / LOW_RATIO
ALPHA = 0.001
#: exact copies among all rows (police.uk: 2.6–2.8% in Met stop-and-search months, 3.0–7.5% in Kent street months,
#: from anti-social behaviour rows snapped to the same points) and among rows with a record id (Kent: at most 0.01%)
DUPLICATE_SHARE = 0.10
DUPLICATE_SHARE_WITH_ID = 0.01
ALL = "(all categories)"


@dataclass(frozen=True)
class SupplyWarning:
    kind: str
    force: str
    category: str
    month: dt.date
    observed: int
    expected: float
    ratio: float | None
    problem: str  # 'shortfall' | 'excess' | 'gap' | 'duplicates'
    p_value: float | None = None  # chance of a count this far from the expected one (Poisson, one tail)
    dataset_id: str | None = None  # for 'duplicates': the file (version) that has them

    @property
    def message(self) -> str:
        m = self.month.strftime("%Y-%m")
        if self.problem == "gap":
            what = "" if self.category == ALL else f"{self.category} "
            return f"{m}: no {what}data supplied for {self.force} (a gap)"
        if self.problem == "duplicates":
            return (f"{m} {self.force}: {self.observed:,} of the {self.expected:,.0f} rows of {self.dataset_id} "
                    f"({self.ratio or 0:.0%}) are exact copies of another row of the same file: records supplied "
                    "twice? Check with the partner before counting them")
        pct = round(100 * (self.ratio or 0))
        what = "below" if self.problem == "shortfall" else "above"
        chance = "" if self.p_value is None else ", p < 1e-6" if self.p_value < 1e-6 else f", p = {self.p_value:.1g}"
        return (f"{m} {self.force}, {self.category}: {self.observed:,} rows is {pct}% of the {self.expected:,.0f} "
                f"expected from the series' own history ({what} the {LOW_RATIO:.0%}–{HIGH_RATIO:.0%} band, and "
                f"beyond chance{chance}): check supply before reading this as a real change")

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["month"] = self.month.strftime("%Y-%m")
        d["message"] = self.message
        return d


def judge_series(counts: dict[dt.date, int]) -> dict[dt.date, tuple[float, float | None, str | None]]:
    """Judge one monthly series. Returns month → (expected count, ratio, problem or None).

    Months not judged (too little history, too small) are left out.
    """
    out: dict[dt.date, tuple[float, float | None, str | None]] = {}
    rates = {m: c / calendar.monthrange(m.year, m.month)[1] for m, c in counts.items()}
    for m, c in counts.items():
        others = [r for o, r in rates.items() if o != m and abs((o.year - m.year) * 12 + o.month - m.month)
                  <= WINDOW_MONTHS]
        if len(others) < MIN_HISTORY:
            continue
        expected = statistics.median(others) * calendar.monthrange(m.year, m.month)[1]
        if expected < MIN_EXPECTED:
            continue
        ratio = c / expected
        problem = "shortfall" if ratio < LOW_RATIO else "excess" if ratio > HIGH_RATIO else None
        if problem and chance(c, expected) >= ALPHA:
            problem = None
        out[m] = (expected, ratio, problem)
    return out


def chance(observed: int, expected: float) -> float:
    """The Poisson probability of a count at least as far from ``expected`` as ``observed``, on its side (one tail):
    P(X ≤ observed) below the expected count, P(X ≥ observed) above it.

    SciPy's Poisson distribution functions (``scipy.special.pdtr``: P(X ≤ k), ``pdtrc``: P(X > k)), the same Cephes
    routines ``scipy.stats.poisson`` calls, without importing ``scipy.stats`` (1–2 s of every ingest's start-up)."""
    from scipy.special import pdtr, pdtrc

    if observed <= expected:
        return float(pdtr(observed, expected))
    return float(pdtrc(observed - 1, expected))


def warnings_for(dataset: Any, warnings: list[SupplyWarning]) -> list[SupplyWarning]:
    """The warnings that concern one dataset version: those of the force-months it covers, and every gap in the
    series of a force it covers (a gap is a month nobody covers, so it belongs to the force, not to a version)."""
    covered = {(c.force, c.month) for c in dataset.coverage}
    forces = {c.force for c in dataset.coverage}
    return [w for w in warnings if w.kind == dataset.kind and (
        w.dataset_id == dataset.id if w.problem == "duplicates"
        else (w.force, w.month) in covered or (w.problem == "gap" and w.force in forces))]


def supply_warnings(engine: LakeReader, kind: str) -> list[SupplyWarning]:
    """Every supply warning for the current data of ``kind`` in the engine's workspace (an ``Engine``, or the
    load's ``LakeReader``: the counts are DuckDB SQL over the current versions, without Ibis)."""
    info = kind_info(kind)
    if not info.force_field or not info.supply_check or not engine.has(kind):
        return []
    counts = engine.current_counts(kind, info.category_field, ALL).to_pylist()
    series: dict[tuple[str, str], dict[dt.date, int]] = {}
    for row in counts:
        series.setdefault((row["force"], row["category"]), {})[row["month"]] = row["n"]
        total = series.setdefault((row["force"], ALL), {})
        total[row["month"]] = total.get(row["month"], 0) + row["n"]
    warnings: list[SupplyWarning] = []
    for (force_name, category), months in sorted(series.items()):
        for m, (expected, ratio, problem) in sorted(judge_series(months).items()):
            if problem:
                warnings.append(SupplyWarning(kind, force_name, category, m, months[m], expected, ratio, problem,
                                              chance(months[m], expected)))
        if category == ALL:
            first, last = min(months), max(months)
            for m in month_range(first, last):
                if m not in months:
                    warnings.append(SupplyWarning(kind, force_name, ALL, m, 0, 0.0, None, "gap"))
    warnings += duplicate_warnings(engine, kind)
    return sorted(warnings, key=lambda w: (w.force, w.month, w.category != ALL, w.category, w.problem))


def duplicate_warnings(engine: LakeReader, kind: str) -> list[SupplyWarning]:
    """A warning for each version read for some force-month whose share of exact duplicate rows (counted when it
    was loaded: ``attributes['duplicate_rows']`` of ``attributes['duplicate_basis']`` rows, those with a record id
    when ``attributes['duplicate_basis_field']`` names it) reaches the threshold."""
    read = {c[0] for c in engine.current_coverage(kind)}
    out = []
    for d in engine.datasets(kind):
        attributes = d.attributes or {}
        dup, basis = attributes.get("duplicate_rows", 0), attributes.get("duplicate_basis", 0)
        with_id = bool(attributes.get("duplicate_basis_field"))
        if d.id not in read or not basis or dup / basis < (DUPLICATE_SHARE_WITH_ID if with_id else DUPLICATE_SHARE):
            continue
        first = min(d.coverage, key=lambda c: (c.month, c.force))
        out.append(SupplyWarning(kind, first.force, ALL, first.month, dup, float(basis), dup / basis, "duplicates",
                                 dataset_id=d.id))
    return out
