"""Harm-weight tables (CCHI, ONS CSS) and the derivation of police.uk category weights."""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np
import pytest

from vrhub.domain.harm import (
    derive_category_weights,
    load_harm_weights,
    police_uk_category_members,
    read_offence_weights,
)

POLICE_UK_CATEGORIES = {
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs", "Other crime",
    "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting", "Theft from the person",
    "Vehicle crime", "Violence and sexual offences",
}


def raw_rows(name: str) -> list[dict[str, str]]:
    text = resources.files("vrhub.domain.harm").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@pytest.mark.parametrize("name", ["cchi_offence_weights.csv", "css_offence_weights.csv"])
def test_every_row_names_its_source_and_how_sure_we_are(name):
    rows = raw_rows(name)
    assert rows
    for r in rows:
        assert r["source"].strip(), r
        assert r["evidence"].strip(), r
        assert r["verification"] in {"verified", "secondary", "unverified"}, r
        if not r["weight"].strip():
            assert r["verification"] == "unverified", r
    # nothing is claimed as checked against the primary publication: we could not see it
    assert not [r for r in rows if r["verification"] == "verified"]


def test_published_figures_seen_in_sources():
    h = load_harm_weights()
    css = h["css"].offence_weights()
    # ONS CSS 2016 as reported: homicide 7,979; attempted murder 4,663; possession of cannabis 3
    assert css["1"] == pytest.approx(7979)
    assert css["2"] == pytest.approx(4663)
    assert css["92E"] == pytest.approx(3)
    cchi = h["cchi"].offence_weights()
    assert cchi["34B"] == 365 and cchi["46"] == 1


def test_unverified_weights_are_used_only_when_asked():
    default = load_harm_weights()
    assert "1" not in default["cchi"].offence_weights()  # 5475 days is inferred, not seen for code 1
    assert "34B" not in default["css"].offence_weights()
    opted = load_harm_weights(include_unverified=True)
    assert opted["cchi"].offence_weights()["1"] == 5475
    assert opted["css"].category_weights()["Robbery"] == 746


def test_derivation_equal_weights_need_no_volumes():
    got = derive_category_weights({"34A": 365.0, "34B": 365.0}, {"Robbery": ("34A", "34B")})
    assert got["Robbery"].weight == 365.0


def test_derivation_volume_weighted_mean_matches_numpy():
    weights = {"a": 10.0, "b": 2.0, "c": 500.0}
    volumes = {"a": 1200.0, "b": 30000.0, "c": 45.0}
    got = derive_category_weights(weights, {"cat": ("a", "b", "c")}, volumes)["cat"]
    expected = np.average([10.0, 2.0, 500.0], weights=[1200.0, 30000.0, 45.0])
    assert got.weight == pytest.approx(expected, rel=1e-12)
    assert got.method.startswith("volume-weighted")


def test_derivation_never_fills_a_gap():
    got = derive_category_weights({"a": 10.0}, {"cat": ("a", "b")}, {"a": 1.0, "b": 1.0})["cat"]
    assert got.weight is None and "b" in got.reason
    no_vol = derive_category_weights({"a": 10.0, "b": 2.0}, {"cat": ("a", "b")})["cat"]
    assert no_vol.weight is None and "supply national volumes" in no_vol.reason


def test_shipped_category_weights():
    h = load_harm_weights()
    cchi = h["cchi"].category_weights()
    assert cchi == {"Robbery": 365.0, "Shoplifting": 1.0, "Theft from the person": 2.0, "Bicycle theft": 2.0}
    vso = h["cchi"].categories["Violence and sexual offences"]
    assert vso.weight is None and "no usable weight" in vso.reason


def test_category_mapping_uses_real_police_uk_categories_and_unique_codes():
    members = police_uk_category_members()
    assert set(members) <= POLICE_UK_CATEGORIES
    for cat, codes in members.items():
        assert len(codes) == len(set(codes)), cat
    every = [c for codes in members.values() for c in codes]
    assert len(every) == len(set(every)), "an offence code belongs to one police.uk category"
    assert "10D" in members["Possession of weapons"]


def test_bad_weight_rows_are_all_reported():
    text = (
        "ho_offence_code,offence,weight,unit,source,source_edition,verification,evidence\n"
        "1,Murder,lots,days,x,,secondary,e\n"
        "2,Attempted murder,,days,x,,secondary,e\n"
        "3B,Threats,5,days,x,,maybe,e\n"
    )
    with pytest.raises(ValueError) as err:
        read_offence_weights(text, "w.csv")
    msg = str(err.value)
    assert "line 2" in msg and "line 3" in msg and "line 4" in msg and msg.startswith("w.csv")
