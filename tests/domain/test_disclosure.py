"""Protecting count tables: suppression, rounding, views, rates, maps, linked tables and provenance.

All data are synthetic. Expected values are worked out by hand (the worked example is the one in
docs/methods/disclosure-control.md) or computed independently with pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vrhub.domain.disclosure import (
    NHS_OPENSAFELY,
    ONS_THRESHOLD_10,
    DisclosureInputError,
    DisclosureRules,
    SuppressedRateError,
    audit,
    protect_long,
    protect_series,
    protect_table,
    round_to_base,
)

C = "[c]"


def worked_example() -> pd.DataFrame:
    """Synthetic knife-enabled offences, 3 districts × 3 months (docs/methods/disclosure-control.md)."""
    return pd.DataFrame({
        "district": ["Ashford"] * 3 + ["Dover"] * 3 + ["Thanet"] * 3,
        "month": ["2024-01", "2024-02", "2024-03"] * 3,
        "offences": [12, 3, 9, 14, 11, 16, 23, 19, 6],
    })


def test_worked_example_matches_the_docs():
    protected = protect_long(worked_example(), dims=["district", "month"], count="offences")
    table = protected.wide(index="district", columns="month")
    expected = pd.DataFrame(
        [[10, C, C, 25], [15, 10, 15, 40], [25, C, C, 50], [50, 35, 30, 115]],
        index=pd.Index(["Ashford", "Dover", "Thanet", "Total"], name="district"),
        columns=pd.Index(["2024-01", "2024-02", "2024-03", "Total"], name="month"),
    )
    assert table.astype(str).equals(expected.astype(str))
    p = protected.provenance
    assert (p.primary_suppressed, p.secondary_suppressed, p.cells) == (2, 2, 16)
    assert p.statement == NHS_OPENSAFELY.statement()
    report = audit(protected)
    assert report.safe
    # Ranges worked out by hand from the published table (each rounded value ±2, suppressed ≥ 1).
    ranges = {(r.district, r.month): (r.lower, r.upper) for r in report.cells.itertuples()}
    assert ranges == {
        ("Ashford", "2024-02"): (1, 18), ("Ashford", "2024-03"): (1, 18),
        ("Thanet", "2024-02"): (3, 28), ("Thanet", "2024-03"): (1, 18),
    }


def test_primary_cells_and_small_margins_are_suppressed_and_the_rest_rounded():
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        [(d, m, int(rng.choice([0, 1, 3, 6, 8, 12, 25, 40]))) for d in "ABCDE" for m in range(6)],
        columns=["district", "month", "count"],
    )
    protected = protect_long(frame, dims=["district", "month"])
    published = protected.view()
    # Independent margins with pandas: inner cells, district totals, month totals, grand total.
    truth = {(r.district, r.month): r.count for r in frame.itertuples()}
    truth |= {(d, "Total"): v for d, v in frame.groupby("district")["count"].sum().items()}
    truth |= {("Total", m): v for m, v in frame.groupby("month")["count"].sum().items()}
    truth[("Total", "Total")] = frame["count"].sum()
    assert len(published) == len(truth)
    for row in published.itertuples():
        true = truth[(row.district, row.month)]
        if 1 <= true <= 7:
            assert pd.isna(row.count), (row, true)
        if not pd.isna(row.count):
            assert row.count == round_to_base([true], 5)[0]
            assert row.count == 0 or true >= 8


def test_zeros_are_published_unless_the_rules_suppress_them():
    table = pd.DataFrame({"x": [0, 9, 20], "y": [15, 0, 30]}, index=["A", "B", "C"])
    default = protect_table(table).wide(markers=False)
    assert default.loc["A", "x"] == 0 and default.loc["B", "y"] == 0
    zeros = DisclosureRules(name="zeros", suppress_zeros=True)
    hidden = protect_table(table, zeros).wide(markers=False)
    assert pd.isna(hidden.loc["A", "x"]) and pd.isna(hidden.loc["B", "y"])
    assert audit(protect_table(table, zeros)).safe


def test_a_lone_small_cell_gets_the_smallest_partner_in_its_line():
    protected = protect_series(pd.Series([3, 50, 40], index=pd.Index(["a", "b", "c"], name="ward")))
    shown = protected.series(markers=True)
    assert shown.tolist() == [C, 50, C, 95]
    assert (protected.provenance.primary_suppressed, protected.provenance.secondary_suppressed) == (1, 1)
    report = audit(protected)
    assert report.safe
    # Published total 95 means 93..97 and b = 50 means 48..52, so a + c lies in 41..49; with both ≥ 1,
    # each lies in 1..48.
    assert report.cells[["lower", "upper"]].to_numpy().tolist() == [[1.0, 48.0], [1.0, 48.0]]


def test_two_small_cells_whose_sum_is_small_get_a_third_suppression():
    # 3 + 2 = 5 would pin both to 1..4 (narrower than the threshold 9), so a third cell is suppressed.
    protected = protect_series(pd.Series([3, 2, 50, 60], index=list("abcd")), ONS_THRESHOLD_10)
    shown = protected.series(markers=True)
    assert shown.tolist() == [C, C, C, 60, 115]
    assert audit(protected).safe


def test_without_secondary_suppression_only_primary_cells_are_hidden_and_the_audit_says_so():
    rules = DisclosureRules(name="primary only", threshold=9, rounding_base=1, secondary_suppression=False)
    table = pd.DataFrame({"x": [3, 40], "y": [20, 30]}, index=["A", "B"])
    protected = protect_table(table, rules)
    assert protected.provenance.secondary_suppressed == 0
    assert protected.statement.endswith("no secondary suppression.")
    report = audit(protected)
    assert not report.safe
    assert report.recovered[["lower", "upper"]].to_numpy().tolist() == [[3.0, 3.0]]


def test_output_is_deterministic_and_independent_of_row_order():
    frame = worked_example()
    first = protect_long(frame, ["district", "month"], "offences").view(markers=True)
    shuffled = frame.sample(frac=1.0, random_state=3)
    second = protect_long(shuffled, ["district", "month"], "offences").view(markers=True)
    pd.testing.assert_frame_equal(first, second)


def test_categories_add_areas_with_no_rows_as_zeros():
    frame = worked_example()
    protected = protect_long(frame, ["district", "month"], "offences",
                             categories={"district": ["Ashford", "Dover", "Swale", "Thanet"]})
    by_district = protected.series("district", markers=True)
    assert by_district["Swale"] == 0
    assert by_district.index.tolist() == ["Ashford", "Dover", "Swale", "Thanet", "Total"]


# --- linked tables: differences between published tables -------------------------------------------

def _age_tables():
    under_25 = pd.Series({"D1": 3, "D2": 20, "D3": 30}, name="count").rename_axis("district")
    over_25 = pd.Series({"D1": 40, "D2": 50, "D3": 60}, name="count").rename_axis("district")
    return under_25, over_25


def _with_age(frame: pd.DataFrame, age: str | None) -> pd.DataFrame:
    frame = frame.copy()
    if age is not None:
        frame["age"] = age
    return frame


def test_tables_protected_separately_can_be_subtracted_to_reveal_a_cell():
    under_25, over_25 = _age_tables()
    rules = ONS_THRESHOLD_10
    young = protect_series(under_25, rules).view(markers=True)
    old = protect_series(over_25, rules).view(markers=True)
    everyone = protect_series(under_25 + over_25, rules).view(markers=True)
    assert young.loc[young.district == "D1", "count"].item() == C
    report = audit([_with_age(young, "0-24"), _with_age(old, "25+"), _with_age(everyone, None)],
                   rules, dims=["district", "age"])
    recovered = report.recovered
    assert not report.safe
    d1 = recovered[(recovered.district == "D1") & (recovered.age == "0-24")]
    assert d1[["lower", "upper"]].to_numpy().tolist() == [[3.0, 3.0]]  # 43 all ages - 40 aged 25+


def test_views_cut_from_one_protected_table_cannot_be_subtracted():
    under_25, over_25 = _age_tables()
    base = pd.concat([
        under_25.reset_index().assign(age="0-24"),
        over_25.reset_index().assign(age="25+"),
    ])
    protected = protect_long(base, dims=["district", "age"], rules=ONS_THRESHOLD_10)
    young = protected.view("district", where={"age": "0-24"}, markers=True)
    old = protected.view("district", where={"age": "25+"}, markers=True)
    everyone = protected.view("district", markers=True)
    assert young.loc[young.district == "D1", "count"].item() == C
    report = audit([young, old, everyone], ONS_THRESHOLD_10, dims=["district", "age"])
    assert report.safe, report.recovered


# --- views, maps, rates ------------------------------------------------------------------------------

def test_views_agree_with_each_other():
    protected = protect_long(worked_example(), ["district", "month"], "offences")
    wide = protected.wide(index="district", columns="month", markers=False)
    by_district = protected.series("district")
    assert wide["Total"].tolist() == by_district.tolist()
    by_month = protected.series("month")
    assert wide.loc["Total"].tolist() == by_month.tolist()
    inner = protected.view(totals=False)
    assert len(inner) == 9 and "Total" not in set(inner.district)
    flipped = protected.wide(index="month", columns="district", markers=False)
    assert flipped.T.astype(str).equals(wide.astype(str))


def test_map_values_show_nothing_for_suppressed_areas():
    protected = protect_long(worked_example(), ["district", "month"], "offences")
    values = protected.map_values("district", where={"month": "2024-02"})
    assert values.dtype == float
    assert values.index.tolist() == ["Ashford", "Dover", "Thanet"]
    assert np.isnan(values["Ashford"]) and np.isnan(values["Thanet"])
    assert values["Dover"] == 10.0
    counts = protected.series("district", where={"month": "2024-02"}, totals=False)
    assert (values.isna() == counts.isna()).all()


def test_rates_use_published_counts_and_are_suppressed_with_them():
    protected = protect_long(worked_example(), ["district", "month"], "offences")
    population = pd.Series({"Ashford": 132_000, "Dover": 118_000, "Thanet": 141_000})
    march = protected.rates(population, "district", per=100_000, where={"month": "2024-03"})
    by = march.set_index("district")["rate"]
    assert np.isnan(by["Ashford"]) and np.isnan(by["Thanet"])
    assert by["Dover"] == pytest.approx(15 / 118_000 * 100_000)  # 16 published as 15
    assert by["Total"] == pytest.approx(30 / 391_000 * 100_000)
    strict = DisclosureRules(name="strict", rates_from_suppressed="raise")
    strict_table = protect_long(worked_example(), ["district", "month"], "offences", rules=strict)
    with pytest.raises(SuppressedRateError, match="count is suppressed"):
        strict_table.rates(population, "district", where={"month": "2024-03"})
    with pytest.raises(DisclosureInputError, match="no value for"):
        protected.rates(population.drop("Dover"), "district")


def test_shares_are_suppressed_where_the_count_or_its_total_is():
    protected = protect_long(worked_example(), ["district", "month"], "offences")
    shares = protected.shares("month", within=["district"]).set_index(["district", "month"])["share"]
    assert shares[("Dover", "2024-01")] == pytest.approx(15 / 40 * 100)
    assert np.isnan(shares[("Ashford", "2024-02")])
    assert shares[("Thanet", "Total")] == pytest.approx(100.0)


# --- input problems ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ([3, -1, 5], "whole numbers ≥ 0"),
        ([3.0, np.nan, 5.0], "whole numbers ≥ 0"),
        ([3.5, 1.0, 5.0], "whole numbers ≥ 0"),
        (["3", "1", "5"], "numbers of people or events"),
    ],
)
def test_bad_counts_are_refused_with_what_to_do(counts, message):
    with pytest.raises(DisclosureInputError, match=message) as caught:
        protect_series(pd.Series(counts, index=list("abc")))
    assert "What to do" in str(caught.value)


def test_bad_tables_are_refused():
    frame = worked_example()
    with pytest.raises(DisclosureInputError, match="repeat a combination"):
        protect_long(pd.concat([frame, frame.head(1)]), ["district", "month"], "offences")
    with pytest.raises(DisclosureInputError, match="already has a category named 'Total'"):
        protect_series(pd.Series([10, 20], index=["A", "Total"]))
    with pytest.raises(DisclosureInputError, match="missing"):
        protect_long(frame, ["district", "area"], "offences")
    with pytest.raises(DisclosureInputError, match="not in the list given"):
        protect_long(frame, ["district", "month"], "offences", categories={"district": ["Ashford"]})
    protected = protect_long(frame, ["district", "month"], "offences")
    with pytest.raises(DisclosureInputError, match="not a category"):
        protected.view("district", where={"month": "2025-01"})
    with pytest.raises(DisclosureInputError, match="cannot show dims"):
        protected.view("ward")


def test_every_view_carries_the_provenance_and_the_result_is_read_only():
    protected = protect_long(worked_example(), ["district", "month"], "offences")
    population = pd.Series({"Ashford": 132_000, "Dover": 118_000, "Thanet": 141_000})
    outputs = [protected.view(), protected.wide(), protected.series("district"),
               protected.rates(population, "district"), protected.shares("month")]
    for out in outputs:
        assert out.attrs["disclosure"]["statement"] == protected.statement
        assert out.attrs["disclosure"]["rules_name"] == "nhs-opensafely"
    with pytest.raises(ValueError, match="read-only"):
        protected.published[0, 0] = 3


def test_public_api_is_curated():
    import vrhub.domain.disclosure as disclosure

    assert sorted(disclosure.__all__) == sorted([
        "CITATION", "NHS_OPENSAFELY", "ONS_THRESHOLD_10", "PRESETS", "AuditInputError", "AuditReport",
        "DisclosureError", "DisclosureInputError", "DisclosureProvenance", "DisclosureRules",
        "DisclosureRulesError", "ProtectedTable", "SuppressedRateError", "audit", "protect_long",
        "protect_series", "protect_table", "round_to_base", "rules_from_mapping",
        # issue 11: the rules for statistics released beside the counts
        "STATISTICS", "STATISTICS_CITATION", "MIN_RESIDUAL_DF", "SIGNIFICANT_FIGURES", "StatisticRule", "Treatment",
        "CountedText", "coarsen", "coarsen_p", "format_released_p", "model_gate", "rule_for", "statistics_statement",
    ])
    for name in disclosure.__all__:
        assert getattr(disclosure, name) is not None
