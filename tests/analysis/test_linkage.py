"""Probabilistic linkage of partners without a shared identifier (vrhub link), checked against the synthetic truth.

One link of 5,000 synthetic young people (three partners, own identifiers, realistic errors) is shared by the
module. The F1 floors are the published figures of docs/methods/linkage.md: the tests fail if linkage gets worse.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from vrhub.analysis.linkage import clerical_sample, link_partners
from vrhub.analysis.linkage.cohort import linked_cohort_risk_factors, odds_ratio_bias
from vrhub.analysis.linkage.model import BF_COLUMNS, bloom_words, dice_sql, records_frame
from vrhub.analysis.linkage.quality import estimated_error, linkage_rates, pair_accuracy
from vrhub.ingest.linkage_encoding import LinkageEncoder, dice
from vrhub.ingest.linkage_files import read_partner_files, source_files
from vrhub.ingest.pseudonymise import PseudonymKey
from vrhub.synth.linkage import SOURCES, generate_linkage_partners

# published in docs/methods/linkage.md (5,000 people, seed 20240101, threshold 0.9)
F1_FLOOR = {("education", "youth_justice"): 0.97, ("ed_istv", "education"): 0.975,
            ("ed_istv", "youth_justice"): 0.95}
PRECISION_FLOOR = 0.99


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    root = tmp_path_factory.mktemp("linkage")
    made = generate_linkage_partners(root / "inputs", root / "key" / "k", people=5_000)
    files = read_partner_files(source_files(list(SOURCES), root / "inputs"))
    result = link_partners(files.frames, truth=made.truth)
    return made, files, result


def test_f1_per_source_pair_at_least_published(linked):
    _, _, result = linked
    acc = {(r["source_a"], r["source_b"]): r for r in result.report["accuracy"]}
    for pair, floor in F1_FLOOR.items():
        assert acc[pair]["f1"] >= floor, (pair, acc[pair])
        assert acc[pair]["precision"] >= PRECISION_FLOOR, (pair, acc[pair])
        assert acc[pair]["true_pairs"] > 50


def test_every_record_has_one_cluster_and_nothing_is_dropped(linked):
    made, _, result = linked
    links = result.person_links
    assert len(links) == sum(made.records.values()) == links["unique_id"].nunique()
    assert links.groupby("partner").size().to_dict() == made.records
    sizes = links.groupby("cluster_id")["unique_id"].transform("size")
    assert (sizes == links["cluster_size"]).all()
    assert links.loc[links["cluster_size"] == 1, "match_probability"].isna().all()


def test_differential_linkage_is_reported_by_group(linked):
    _, _, result = linked
    rates = pd.DataFrame(result.report["linkage_rates"]["youth_justice->education"])
    eth = rates[rates["group"] == "ethnicity"].set_index("value")
    assert set(eth.index) == {"White", "Asian", "Black", "Mixed", "Other"}
    # the generator gives minority-group names twice the errors: their linkage rate is lower
    minority = eth.drop("White")
    assert (minority["linked"].sum() / minority["records"].sum()) < eth.loc["White", "linkage_rate"]
    assert set(rates["group"]) == {"age_band", "sex", "ethnicity"}


def test_estimated_error_is_close_to_the_measured(linked):
    _, _, result = linked
    est = result.report["estimated_error"]
    measured = pd.DataFrame(result.report["accuracy"])
    cross = measured[measured["source_a"] != measured["source_b"]]
    recall = cross["true_positives"].sum() / cross["true_pairs"].sum()
    assert est["estimated_precision"] > 0.98
    assert abs(est["estimated_recall_upper_bound"] - recall) < 0.05


def test_odds_ratio_bias_from_linkage_error(linked):
    made, files, result = linked
    bias = pd.DataFrame(result.report["odds_ratio_bias"]).set_index("exposure")
    # published: adjusted OR of permanent exclusion 3.28 on the true links, 2.77 on the estimated (−15.5%)
    assert bias.loc["permanent_exclusion", "adjusted_or_true"] == pytest.approx(3.28, abs=0.01)
    assert bias.loc["permanent_exclusion", "adjusted_or_bias"] == pytest.approx(-0.155, abs=0.01)
    assert (bias["adjusted_or_bias"].abs() < 0.2).all()
    # independent check of the true-link odds ratio: a 2x2 table from the truth by hand
    t = made.truth.assign(unique_id=made.truth["source"] + ":" + made.truth["record_id"])
    edu = files.frames["education"].assign(unique_id=lambda d: "education:" + d["Record number"])
    yj = files.frames["youth_justice"]
    violent_people = set(t.merge(yj.assign(unique_id="youth_justice:" + yj["Record number"]), on="unique_id")
                         .query("`Offence type` in ['Violence against the person', 'Robbery', "
                                "'Possession of weapons']")["person"])
    pupils = edu.merge(t, on="unique_id")
    exposed = pupils["Persistent absence"] == "Yes"
    outcome = pupils["person"].isin(violent_people)
    a, b = (exposed & outcome).sum(), (exposed & ~outcome).sum()
    c, d = (~exposed & outcome).sum(), (~exposed & ~outcome).sum()
    assert bias.loc["persistent_absence", "crude_or_true"] == pytest.approx(a * d / (b * c), abs=1e-4)
    again = odds_ratio_bias(result.person_links, t, files.frames["education"], yj)
    assert again["adjusted_or_bias"].tolist() == pytest.approx(bias["adjusted_or_bias"].tolist(), abs=1e-4)


def test_linked_cohort_states_linkage_and_release_protects_it(linked):
    from vrhub.report.release import release

    _, files, result = linked
    cohort = linked_cohort_risk_factors(result.person_links, files.frames["education"],
                                        files.frames["youth_justice"], estimated=result.report["estimated_error"],
                                        synthetic=True)
    assert cohort.notes[0].startswith("linked without a shared identifier")
    assert "estimated linkage error" in cohort.notes[1]
    linked_n = cohort.notes[0].counts["linked"]
    released = release(cohort).result
    assert released.released and released.notes[0] != cohort.notes[0]
    shown = int(released.notes[0].split(": ")[1].split(" of ")[0].replace(",", ""))
    assert shown % 5 == 0 and abs(shown - linked_n) <= 2


def test_rerunning_gives_the_same_links(linked):
    _, files, _ = linked
    small = {k: v.head(400) for k, v in files.frames.items()}
    a = link_partners(small, seed=3).person_links
    b = link_partners(small, seed=3).person_links
    pd.testing.assert_frame_equal(a, b)


def test_dice_sql_equals_the_python_dice():
    enc = LinkageEncoder(PseudonymKey(bytes(range(32))))
    names = [("jonathan", "richardson"), ("jonathon", "richardsen"), ("amira", "patel"), ("amir", "patel")]
    filters = pd.Series([enc.bloom(g, f) for g, f in names])
    words, bits = bloom_words(filters)
    assert bits.tolist() == [int(h, 16).bit_count() for h in filters]
    frame = pd.DataFrame(words, columns=list(BF_COLUMNS)).assign(bf_bits=bits, i=range(len(names)))
    con = duckdb.connect()
    con.register("f", frame)
    cols = ", ".join(f"l.{c} AS {c}_l, r.{c} AS {c}_r" for c in [*BF_COLUMNS, "bf_bits"])
    got = con.execute(f"SELECT li, ri, {dice_sql()} FROM (SELECT l.i AS li, r.i AS ri, {cols} FROM f l, f r)"
                      ).fetchall()
    assert len(got) == 16
    for i, j, value in got:
        assert value == pytest.approx(dice(filters[i], filters[j]), abs=1e-12)


def test_pair_accuracy_on_a_hand_checked_case():
    truth = pd.DataFrame({"unique_id": ["a:1", "a:2", "b:1", "b:2", "b:3"], "person": [1, 2, 1, 2, 3]})
    # found: a:1-b:1 (right), a:2-b:3 (wrong); missed a:2-b:2
    clusters = pd.DataFrame({"unique_id": ["a:1", "a:2", "b:1", "b:2", "b:3"], "cluster_id": [10, 20, 10, 30, 20]})
    acc = pair_accuracy(clusters, truth).set_index(["source_a", "source_b"]).loc[("a", "b")]
    assert (acc["true_pairs"], acc["linked_pairs"], acc["true_positives"]) == (2, 2, 1)
    assert acc["precision"] == 0.5 and acc["recall"] == 0.5 and acc["f1"] == 0.5
    groups = truth.assign(source=["a", "a", "b", "b", "b"], record_id="x", sex=["f", "m", "f", "m", "m"],
                          age_band="10-12", ethnicity="White")
    rates = linkage_rates(clusters, groups, "b", "a").set_index(["group", "value"])
    assert rates.loc[("sex", "f"), "linkage_rate"] == 1.0 and rates.loc[("sex", "m"), "linked"] == 0


def test_estimated_error_by_hand():
    pairs = pd.DataFrame({"match_probability": [0.99, 0.95, 0.5, 0.1]})
    e = estimated_error(pairs, 0.9)
    assert e["accepted_pairs"] == 2 and e["expected_false_links"] == pytest.approx(0.06)
    assert e["expected_missed_links"] == pytest.approx(0.6)
    assert e["estimated_precision"] == pytest.approx(1.94 / 2)
    assert e["estimated_recall_upper_bound"] == pytest.approx(1.94 / 2.54, abs=1e-4)


def test_clerical_sample_holds_no_identifier_and_is_seeded():
    rng = np.random.default_rng(0)
    pairs = pd.DataFrame({"unique_id_l": [f"a:{i}" for i in range(300)], "unique_id_r": [f"b:{i}" for i in range(300)],
                          "partner_l": "a", "partner_r": "b", "record_id_l": [str(i) for i in range(300)],
                          "record_id_r": [str(i) for i in range(300)], "match_probability": rng.random(300),
                          "match_weight": 0.0})
    s1, s2 = clerical_sample(pairs, 0.9, seed=4), clerical_sample(pairs, 0.9, seed=4)
    pd.testing.assert_frame_equal(s1, s2)
    assert not any(c.startswith("lk_") for c in s1.columns)
    assert (s1["match_probability"] >= 0.5).all() and (s1["decision_by_model"] == "rejected").sum() == 50


def test_records_frame_turns_empty_encodings_into_nulls():
    frame = pd.DataFrame({"Record number": ["1"], **{c: [""] for c in ("lk_given", "lk_family", "lk_bloom")}})
    rec = records_frame({"x": frame})
    assert rec.loc[0, "unique_id"] == "x:1" and pd.isna(rec.loc[0, "lk_given"]) and pd.isna(rec.loc[0, "bf_bits"])
