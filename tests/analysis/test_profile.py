"""The problem profile on the real Kent data, against DuckDB SQL straight over the shipped raw files.

The independent side (``kent_sql``, see conftest.py) reads the five police.uk CSVs extracted from the zip and the
IMD 2019 File_2 (LSOA → district, IMD decile) and File_6 (mid-2015 population) CSVs. It shares no code with vrhub.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics

import numpy as np
import pytest

from vrhub.analysis.profile import Profile, build_profile, concentration, parse_month
from vrhub.analysis.profile.trend import days_in
from vrhub.domain.definitions import load_definition
from vrhub.domain.errors import NoDataError, PeriodError, UsageError

#: what a reader of the Kent definition expects in scope for police.uk (serious violence, or possibly so)
EXPECTED_SCOPE = {"Violence and sexual offences", "Robbery", "Possession of weapons"}


def scope_of(p: Profile) -> list[str]:
    """The crime types the profile's own 'what' table marks as definite or possible serious violence."""
    rows = p.sections["what"].tables["what_by_category"].to_pylist()
    return sorted({r["crime_type"] for r in rows if r["sv_status"] in ("definite", "possible") and r["records"]})


def in_list(values: list[str]) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def sql_by_district(kent_sql, scope: list[str], months: tuple[str, str] | None = None) -> dict[str, dict]:
    when = f"and c.\"Month\" between '{months[0]}' and '{months[1]}'" if months else ""
    rows = kent_sql.rows(f"""
        with per_lsoa as (
            select l.lsoa, l.district_code, l.district_name, l.population, count(c."Crime ID") as n
            from lsoa l left join crimes c
              on c."LSOA code" = l.lsoa and c."Crime type" in {in_list(scope)} {when}
            group by all)
        select district_code, district_name, sum(n), sum(population), count(*) from per_lsoa group by all""")
    return {code: {"name": name, "records": n, "population": pop, "lsoas": k} for code, name, n, pop, k in rows}


def test_scope_is_derived_from_the_definition(kent_profile):
    assert set(scope_of(kent_profile)) == EXPECTED_SCOPE
    rows = kent_profile.sections["what"].tables["what_by_category"].to_pylist()
    # police.uk cannot say which records are serious: all of them are 'possible', none 'definite'
    assert {r["sv_status"] for r in rows if r["crime_type"] in EXPECTED_SCOPE} == {"possible"}
    assert kent_profile.headline["definite"] == 0


def test_district_counts_and_rates_match_sql_over_the_raw_files(kent_profile, kent_sql):
    scope = scope_of(kent_profile)
    expected = sql_by_district(kent_sql, scope)
    got = {r["area_code"]: r for r in kent_profile.sections["where"].tables["where_by_area"].to_pylist()}
    assert set(got) == set(expected) and len(got) == 13
    for code, e in expected.items():
        g = got[code]
        assert g["area_name"] == e["name"]
        assert g["records"] == e["records"], code
        assert g["possible"] == e["records"] and g["definite"] == 0
        assert g["population"] == e["population"] and g["lsoas"] == e["lsoas"]
        assert g["rate_per_1000"] == pytest.approx(e["records"] * 1000 / e["population"], abs=0.005 + 1e-9)
    ranks = sorted(got.values(), key=lambda r: r["rank"])
    assert [r["records"] for r in ranks] == sorted((e["records"] for e in expected.values()), reverse=True)
    assert sum(e["population"] for e in expected.values()) == 1_795_251  # File_6 total (kent/README.md)


def test_headline_and_unplaced_records_match_sql(kent_profile, kent_sql):
    scope = in_list(scope_of(kent_profile))
    total = kent_sql.scalar(f'select count(*) from crimes where "Crime type" in {scope}')
    no_location = kent_sql.scalar(f'select count(*) from crimes where "Crime type" in {scope} and "LSOA code" is null')
    outside = kent_sql.scalar(f"""select count(*) from crimes where "Crime type" in {scope}
                                  and "LSOA code" not in (select lsoa from lsoa)""")
    assert kent_profile.headline["possible"] + kent_profile.headline["definite"] == total
    where = kent_profile.sections["where"]
    assert where.figures == {"no_location": no_location, "outside_geography": outside}
    assert f"{no_location:,} records have no location and {outside:,} are in LSOAs outside" in where.notes[0]
    placed = sum(where.tables["where_by_area"].column("records").to_pylist())
    assert placed == total - no_location - outside


def test_imd_decile_gradient_matches_sql(kent_profile, kent_sql):
    scope = in_list(scope_of(kent_profile))
    rows = kent_sql.rows(f"""
        select imd_decile, count(distinct l.lsoa), count(c."Crime ID")
        from lsoa l left join crimes c on c."LSOA code" = l.lsoa and c."Crime type" in {scope}
        group by imd_decile order by imd_decile""")
    # population is summed once per LSOA (not once per crime): separately
    pops = dict(kent_sql.rows("select imd_decile, sum(population) from lsoa group by imd_decile"))
    got = kent_profile.sections["where"].tables["by_imd_decile"].to_pylist()
    assert [r["imd_decile"] for r in got] == list(range(1, 11))
    for g, (decile, lsoas, records) in zip(got, rows, strict=True):
        assert (g["imd_decile"], g["lsoas"], g["records"], g["population"]) == (decile, lsoas, records, pops[decile])
        assert g["rate_per_1000"] == pytest.approx(records * 1000 / pops[decile], abs=0.005 + 1e-9)
    # the gradient the summary reports: decile 1 rate / decile 10 rate
    ratio = (got[0]["records"] / got[0]["population"]) / (got[9]["records"] / got[9]["population"])
    assert f"is {ratio:.1f} times that" in " ".join(kent_profile.summary)


def test_concentration_matches_numpy_on_per_lsoa_counts_including_zeros(kent_profile, kent_sql):
    scope = in_list(scope_of(kent_profile))
    per_lsoa = np.array([n for (n,) in kent_sql.rows(f"""
        select count(c."Crime ID") from lsoa l
        left join crimes c on c."LSOA code" = l.lsoa and c."Crime type" in {scope} group by l.lsoa""")])
    assert len(per_lsoa) == 1065
    ordered = np.sort(per_lsoa)[::-1]
    got = kent_profile.sections["where"].tables["concentration"].to_pylist()
    for row, share in zip(got, (0.01, 0.05, 0.10), strict=True):
        k = math.ceil(share * len(ordered))
        assert row["top_share_of_areas"] == share and row["areas"] == k and row["all_areas"] == len(ordered)
        assert row["records"] == int(ordered[:k].sum())
        assert row["total_records"] == int(ordered.sum())
        assert row["share_of_records"] == pytest.approx(ordered[:k].sum() / ordered.sum(), abs=5e-5)


def test_concentration_counts_areas_with_no_records():
    # 200 areas, 20 with records: the top 1% is 2 areas; dropping the zeros would make it 1 area of 20
    counts = [50, 30] + [10] * 18 + [0] * 180
    table = {r["top_share_of_areas"]: r for r in concentration(counts).to_pylist()}
    assert table[0.01]["areas"] == 2 and table[0.01]["records"] == 80
    assert table[0.01]["share_of_records"] == pytest.approx(80 / 260, abs=5e-5)
    assert table[0.05]["areas"] == 10 and table[0.05]["records"] == 50 + 30 + 80
    assert table[0.10]["areas"] == 20 and table[0.10]["share_of_records"] == 1.0
    assert table[0.10]["all_areas"] == 200
    assert concentration([0, 0, 0]).to_pylist()[0]["share_of_records"] is None


def test_monthly_series_marks_december_2018_and_leaves_it_out_of_the_trend(kent_profile, kent_sql):
    scope = in_list(scope_of(kent_profile))
    by_month = dict(kent_sql.rows(f"""select "Month", count(*) from crimes where "Crime type" in {scope}
                                      group by 1"""))
    rows = {r["month"].strftime("%Y-%m"): r for r in kent_profile.sections["when"].tables["when_monthly"].to_pylist()}
    assert list(rows) == ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02"]
    assert {m: r["records"] for m, r in rows.items()} == by_month
    # Independently: December's daily rate of all rows is far below the median of the other months' rates.
    totals = dict(kent_sql.rows('select "Month", count(*) from crimes group by 1'))
    daily = {m: n / days_in(parse_month(m)) for m, n in totals.items()}
    assert daily["2018-12"] < 0.6 * statistics.median(v for m, v in daily.items() if m != "2018-12")
    assert "(all categories)" in rows["2018-12"]["supply_warning"]
    assert "Violence and sexual offences" in rows["2018-12"]["supply_warning"]
    assert "Bicycle theft" not in rows["2018-12"]["supply_warning"]  # out of scope: not this profile's warning
    assert all(r["supply_warning"] is None for m, r in rows.items() if m != "2018-12")
    trend = kent_profile.trend
    assert trend.months_excluded == ["2018-12"] and trend.months_used == 4
    assert rows["2018-12"].get("trend_fitted") is None
    assert all(rows[m]["trend_fitted"] is not None for m in rows if m != "2018-12")
    assert kent_profile.headline["supply_warning_months"] == ["2018-12"]
    assert any("2018-12" in s and "Supply warning" in s for s in kent_profile.summary)
    assert trend.ci_low < trend.change_per_year < trend.ci_high  # the trend reports its interval


def test_trend_on_kent_matches_a_hand_fit_of_the_sql_counts(kent_profile, kent_sql):
    scope = in_list(scope_of(kent_profile))
    counts = kent_sql.rows(f"""select "Month", count(*) from crimes where "Crime type" in {scope}
                              and "Month" <> '2018-12' group by 1 order by 1""")
    months = [parse_month(m) for m, _ in counts]
    y = np.array([n for _, n in counts], dtype=float)
    t = np.array([((m.year - 2018) * 12 + m.month - 10) / 12 for m in months])
    logd = np.log([days_in(m) for m in months])
    # two-parameter Poisson GLM: the score equations Σ(y − μ) = 0 and Σ t(y − μ) = 0, solved by Newton's method
    b = np.array([math.log(y.sum() / np.exp(logd).sum()), 0.0])
    for _ in range(50):
        mu = np.exp(b[0] + b[1] * t + logd)
        grad = np.array([np.sum(y - mu), np.sum(t * (y - mu))])
        hess = np.array([[mu.sum(), (t * mu).sum()], [(t * mu).sum(), (t * t * mu).sum()]])
        b = b + np.linalg.solve(hess, grad)
    assert kent_profile.trend.change_per_year == pytest.approx(math.expm1(b[1]), abs=1e-6)


def test_period_is_cut_to_the_loaded_months_and_counts_follow(profile_ws, kent_sql):
    p = build_profile(profile_ws.engine(), load_definition(), start=dt.date(2018, 6, 1), end=dt.date(2018, 11, 30))
    assert (p.start, p.end) == (dt.date(2018, 10, 1), dt.date(2018, 11, 1))
    assert p.headline["period_asked"] == {"from": "2018-06", "to": "2018-11"}
    assert any("was cut to the loaded months" in n for n in p.sections["when"].notes)
    assert [r["month"] for r in p.sections["when"].tables["when_monthly"].to_pylist()] == [
        dt.date(2018, 10, 1), dt.date(2018, 11, 1)]  # no invented zero months
    scope = in_list(sorted(EXPECTED_SCOPE))
    expected = kent_sql.scalar(f"""select count(*) from crimes where "Crime type" in {scope}
                                   and "Month" between '2018-10' and '2018-11'""")
    assert p.headline["possible"] == expected
    assert not p.trend.available  # two months cannot carry a trend


def test_bad_requests_say_what_to_do(profile_ws):
    engine, d = profile_ws.engine(), load_definition()
    with pytest.raises(NoDataError) as e:
        build_profile(engine, d, strand="knife_crime")
    assert all(s in e.value.hint for s in d.strands)
    with pytest.raises(UsageError, match="use one of"):
        build_profile(engine, d, level="county")
    with pytest.raises(PeriodError, match="after it ends"):
        build_profile(engine, d, start=dt.date(2019, 2, 1), end=dt.date(2018, 11, 1))
    with pytest.raises(NoDataError) as e:
        build_profile(engine, d, start=dt.date(2020, 1, 1), end=dt.date(2020, 6, 1))
    assert "2018-10 to 2019-02" in e.value.hint
    for bad in ("2019", "19-01", "2019-13", "Jan 2019", "2019-01-15"):
        with pytest.raises(PeriodError, match="write YYYY-MM"):
            parse_month(bad)
    assert parse_month("2019-1") == dt.date(2019, 1, 1)
