"""Persistence of top places, on a hand-worked example."""

from __future__ import annotations

import pandas as pd
import pytest

from vrhub.analysis.hotspots import HotspotInputError, persistence_of_top_places


def test_hand_worked_persistence():
    last = pd.Series({"A": 50, "B": 40, "C": 5, "D": 1, "E": 0})
    this = pd.Series({"A": 30, "B": 2, "C": 60, "D": 8, "F": 1})  # E missing this year, F missing last
    res = persistence_of_top_places(this, last, top_n=2)
    assert res.top_this == ("C", "A") and res.top_last == ("A", "B")
    assert res.persistent_places == ("A",)
    assert res.persistence_share == pytest.approx(30 / 90)  # A's 30 of the top pair's 60 + 30
    assert res.place_overlap_share == pytest.approx(0.5)
    assert res.concentration_this == pytest.approx(90 / 101)
    assert res.concentration_last == pytest.approx(90 / 96)
    assert res.n_places == 6


def test_top_share_rounds_up_ties_are_reported_and_zeros_are_never_top():
    last = pd.Series({"A": 5, "B": 5, "C": 5, "D": 0, "E": 0})
    this = pd.Series({"A": 0, "B": 3, "C": 3, "D": 0, "E": 0})
    res = persistence_of_top_places(this, last, top_share=0.2)  # ceil(0.2 * 5) = 1 place
    assert res.n_top == 1
    assert res.top_last == ("A",) and res.tied_at_cutoff_last == 3  # A, B, C tie; broken by id
    assert res.top_this == ("B",) and res.tied_at_cutoff_this == 2
    assert res.persistence_share == 0.0
    wide = persistence_of_top_places(this, last, top_n=4)
    assert wide.top_this == ("B", "C")  # zero-count places never count as top
    assert wide.persistence_share == 1.0


def test_bad_arguments_are_refused():
    s = pd.Series({"A": 1})
    with pytest.raises(HotspotInputError, match="exactly one"):
        persistence_of_top_places(s, s)
    with pytest.raises(HotspotInputError, match="non-negative"):
        persistence_of_top_places(pd.Series({"A": -1}), s, top_n=1)
    with pytest.raises(HotspotInputError, match="no place"):
        persistence_of_top_places(pd.Series({"A": 0}), s, top_n=1)
