"""Money and price years, HM Treasury GDP deflators, Home Office unit costs of crime."""

from __future__ import annotations

from itertools import pairwise

import pytest

from vrhub.analysis.value import (
    Money,
    PriceYearMismatchError,
    ValueInputError,
    financial_year,
    load_gdp_deflators,
    load_unit_costs,
    rebase,
    total,
)

# Heeks et al. (2018) Table 1, 2015/16 prices, as given in the project brief.
BRIEF_FIGURES = {
    "homicide": 3_217_740,
    "rape": 39_360,
    "violence_with_injury": 14_050,
    "robbery": 11_320,
    "theft_of_vehicle": 10_290,
    "arson": 8_420,
    "other_sexual_offences": 6_520,
    "other_criminal_damage": 1_350,
    "theft_from_vehicle": 870,
}


def test_financial_year_forms():
    assert financial_year("2015/16") == financial_year("2015-16") == financial_year(2015) == "2015/16"
    assert financial_year("1999-2000") == "1999/00"
    with pytest.raises(ValueInputError, match="second year must follow"):
        financial_year("2015/17")
    with pytest.raises(ValueInputError, match="not a financial year"):
        financial_year("March 2016")


def test_money_refuses_to_add_different_price_years():
    a, b = Money(100, "2015/16"), Money(50, "2015-16")
    assert (a + b).amount == 150 and (a + b).price_year == "2015/16"
    assert total([a, b, a]).amount == 250
    assert sum([a, b], Money(0, "2015/16")).amount == 150
    with pytest.raises(PriceYearMismatchError, match="2015/16 prices and 2024/25 prices") as err:
        a + Money(10, "2024/25")
    assert "rebase" in str(err.value)
    with pytest.raises(PriceYearMismatchError):
        total([a, Money(1, "2020/21")])
    assert (a * 3).amount == 300 and (a / 4).amount == 25
    assert a / b == 2.0
    assert str(Money(3217740, "2015/16")) == "£3,217,740 (2015/16 prices)"


def test_deflator_rebase_uses_the_index_ratio():
    table = load_gdp_deflators()
    assert table.base_year == "2024/25" and table.value("2024/25") == 100.0
    assert "March 2026" in table.edition
    # 2015/16 index 74.5804 in the March 2026 edition (2024/25 = 100)
    assert table.factor("2015/16", "2024/25") == pytest.approx(100.0 / 74.5804)
    rebased = rebase(Money(14_050, "2015/16"), "2024/25")
    assert rebased.price_year == "2024/25"
    assert rebased.amount == pytest.approx(14_050 * 100.0 / 74.5804)
    back = rebase(rebased, "2015/16")
    assert back.amount == pytest.approx(14_050)
    assert table.is_forecast("2026/27") and not table.is_forecast("2023/24")
    with pytest.raises(ValueInputError, match="no GDP deflator for 2040/41"):
        rebase(Money(1, "2015/16"), "2040/41")


def test_deflator_series_is_plausible():
    # the index rises every year in this edition; 2020/21 = 85.10 (cross-checked with a second extract)
    table = load_gdp_deflators()
    assert table.value("2020/21") == pytest.approx(85.1002)
    values = [table.value(y) for y in table.years]
    assert all(later > earlier for earlier, later in pairwise(values))


def test_unit_costs_hold_the_report_figures_in_2015_16_prices():
    costs = load_unit_costs()
    assert costs.price_year == "2015/16"
    for category, amount in BRIEF_FIGURES.items():
        assert costs.cost(category) == Money(amount, "2015/16")
    assert round(costs.cost("homicide").amount / 1e6, 1) == 3.2  # the report's rounded headline
    assert "Heeks" in costs.citation


def test_unverified_unit_costs_are_refused_not_invented():
    costs = load_unit_costs()
    entry = costs.entries["violence_without_injury"]
    assert entry.cost is None and entry.verification == "unverified"
    with pytest.raises(ValueInputError, match="not verified") as err:
        costs.cost("violence_without_injury")
    assert "Table 1" in str(err.value)
    with pytest.raises(ValueInputError, match="no unit cost for 'knife_crime'"):
        costs.cost("knife_crime")


def test_rebased_unit_cost_table():
    costs = load_unit_costs().rebased("2024/25")
    assert costs.price_year == "2024/25"
    assert costs.cost("rape").amount == pytest.approx(39_360 * 100.0 / 74.5804)
    assert "March 2026" in costs.rebased_with
