"""Synthetic ISTV returns: deterministic for a seed, loaded through the normal loader, with the planted
Friday/Saturday-night peak, knife share and deprivation gradient recoverable by independent counts."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pytest
from vrhub_testkit import KENT, open_workspace

from vrhub.analysis.classify import classify
from vrhub.domain.definitions import load_definition
from vrhub.synth.ed import (
    KNIFE_SHARE,
    NIGHT_TIME_ECONOMY,
    SITES,
    generate_ed_returns,
    hour_weekday_weights,
    ingest_synthetic_ed,
)

SEED = 7


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("synth-ed")
    ws = open_workspace(root / "home")
    made, report = ingest_synthetic_ed(ws, root / "returns", seed=SEED)
    rows = [r for p in made.paths for r in csv.DictReader(p.open(encoding="utf-8", newline=""))]
    return ws, made, report, rows


def arrival(text: str) -> dt.datetime:
    fmt = "%Y-%m-%d %H:%M" if text[4] == "-" else "%d/%m/%Y %H:%M"
    return dt.datetime.strptime(text, fmt)


def test_every_synthetic_row_loads_and_is_marked_synthetic(loaded) -> None:  # type: ignore[no-untyped-def]
    ws, made, report, rows = loaded
    assert report.ok and len(report.results) == len(SITES) * 12 == len(made.paths)
    for r in report.results:
        assert r.rows_read == r.rows_accepted + r.rows_quarantined
        assert r.rows_quarantined == 0, r.warnings
    assert sum(r.rows_read for r in report.results) == len(rows) == made.rows
    assert all("synthetic" in p.name for p in made.paths)
    datasets = ws.catalogue.datasets("ed_istv")
    assert len(datasets) == len(made.paths) and all(d.synthetic for d in datasets)
    assert {c.force for d in datasets for c in d.coverage} == {s.code for s in SITES}
    assert made.seed == SEED and made.citation


def test_the_generator_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    kw = {"months": 2, "sites": SITES[:2]}
    a = generate_ed_returns(tmp_path / "a", seed=SEED, **kw)
    b = generate_ed_returns(tmp_path / "b", seed=SEED, **kw)
    c = generate_ed_returns(tmp_path / "c", seed=SEED + 1, **kw)
    assert [p.read_bytes() for p in a.paths] == [p.read_bytes() for p in b.paths]
    assert [p.read_bytes() for p in a.paths] != [p.read_bytes() for p in c.paths]


def test_the_planted_peak_is_friday_and_saturday_night(loaded) -> None:  # type: ignore[no-untyped-def]
    _, _, _, rows = loaded
    cells = Counter((t.weekday(), t.hour) for t in (arrival(r["Arrival date time"]) for r in rows))
    top = [cell for cell, _ in cells.most_common(6)]
    assert all(cell in NIGHT_TIME_ECONOMY for cell in top), top
    # rate per NTE cell over rate per other cell: the planted ratio of weights, within 15%
    w = hour_weekday_weights()
    nte = [(d, h) for d in range(7) for h in range(24) if (d, h) in NIGHT_TIME_ECONOMY]
    other = [(d, h) for d in range(7) for h in range(24) if (d, h) not in NIGHT_TIME_ECONOMY]
    expected = np.mean([w[c] for c in nte]) / np.mean([w[c] for c in other])
    observed = np.mean([cells[c] for c in nte]) / np.mean([cells[c] for c in other])
    assert expected > 3
    assert observed == pytest.approx(expected, rel=0.15)


def test_knife_measure_equals_an_independent_count(loaded) -> None:  # type: ignore[no-untyped-def]
    ws, _, _, rows = loaded
    t = classify(ws.engine().table("ed_istv"), load_definition(), "ed_istv").to_pyarrow()
    assert t.num_rows == len(rows)
    knife_words = {"knife_or_sharp_object", "Knife/sharp object"}
    knife = [r for r in rows if r["Assault method"] in knife_words]
    under_25 = [r for r in knife if r["Age band"] in {"0-9", "10-17", "18-24"}]
    assert pc.sum(t.column("measure_hospital_knife_assault")).as_py() == len(knife)
    assert pc.sum(t.column("measure_hospital_knife_assault_u25")).as_py() == len(under_25)
    assert pc.sum(pc.equal(t.column("sv_category"), "assault_knife")).as_py() == len(knife)
    # the planted knife share, within 2 percentage points (binomial sd is about 0.4 points here)
    assert len(knife) / len(rows) == pytest.approx(KNIFE_SHARE, abs=0.02)


def test_home_lsoas_are_kent_lsoas_weighted_towards_deprivation(loaded) -> None:  # type: ignore[no-untyped-def]
    _, _, _, rows = loaded
    path = next((KENT / "imd2019").glob("File_2_*.csv"))
    with path.open(encoding="utf-8-sig", newline="") as f:
        decile = {r["LSOA code (2011)"]: int(r["Index of Multiple Deprivation (IMD) Decile "
                                                 "(where 1 is most deprived 10% of LSOAs)"]) for r in csv.DictReader(f)}
    homes = [r["Home LSOA"] for r in rows if r["Home LSOA"]]
    assert homes and set(homes) <= set(decile)
    drawn = np.mean([decile[h] for h in homes])
    kent_mean = np.mean(list(decile.values()))
    assert drawn < kent_mean - 1.0, (drawn, kent_mean)
