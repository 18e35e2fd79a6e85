"""The SNA a board can sign off: findings that name their source and period, recommendations drawn from the findings
and rewordable by the partnership, the partnership's own words per section (Markdown, sanitised, version-recorded),
and the cost of violence (Home Office unit costs, rebased, as a range), recomputed here independently with pandas.

The SNA builds are the session's shared ``sna_draft`` and ``sna_release`` (tests/report/conftest.py), built after
``sna_words`` wrote one narrative section and one reworded recommendation into the workspace.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from importlib import resources
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from vrhub_testkit import SNA_PROBLEM_WORDS, SNA_WHERE_WORDS

from vrhub.analysis.value.cost_of_violence import cost_of_violence, middle_financial_year, money_words
from vrhub.domain.errors import UsageError
from vrhub.library import Partnership
from vrhub.report.sna import narrative
from vrhub.report.sna.recommendations import generate, load_edits, peak_times, save_edit, who

DATA = resources.files("vrhub.analysis.value").joinpath("data")
ROBBERY = 730  # police.uk Robbery, Kent, Oct 2018–Feb 2019 (tests/report/test_sna.py HEADLINE)


def _html(result) -> str:  # type: ignore[no-untyped-def]
    return result.html.read_text(encoding="utf-8")


def _section(html: str, ident: str) -> str:
    start = html.index(f'<section id="{ident}"')
    return html[start:html.index("</section>", start)]


# --- findings name their source and period ------------------------------------------------------------------------
def test_every_key_finding_names_its_source_and_period(sna_draft, sna_release):  # type: ignore[no-untyped-def]
    for built in (sna_draft, sna_release):
        assert built.findings
        for f in built.findings:
            assert re.search(r"Source: .+, Oct 2018–Feb 2019\.$", f), f
        assert any("police.uk street-level crime (Kent Police)" in f for f in built.findings)
        rate = next(f for f in built.findings if f.startswith("The highest rate"))
        assert "population:" in rate  # a rate names its denominator too
    summary = _section(_html(sna_draft), "summary")
    assert summary.count('<span class="source">Source: ') == len(sna_draft.findings)


# --- recommendations from the findings, rewordable ---------------------------------------------------------------
def test_where_recommendation_names_the_highest_rate_districts_and_the_edit_replaces_it(
        sna_draft, district_profile):  # type: ignore[no-untyped-def]
    rows = district_profile.sections["where"].tables["where_by_area"].to_pandas()
    top = rows.sort_values("rate_per_1000", ascending=False).head(3)
    generated = generate({"where_by_area": pa.Table.from_pandas(rows)}, headline={}, warnings=[], red=[],
                         causes={}, services=[], hotspots=None)[0]
    assert generated.key == "where"
    for name, rate in zip(top["area_name"], top["rate_per_1000"], strict=True):
        assert name in generated.text and f"{rate:.1f}" in generated.text
    html = _html(sna_draft)
    assert SNA_WHERE_WORDS in html and generated.text not in html  # the partnership's wording replaces the default
    assert "(partnership's wording)" in _section(html, "summary")
    assert "<code>where</code></td><td>the rates by district (section 3, where)</td><td>the partnership&#39;s" in html


def test_who_names_over_represented_ages_against_an_independent_rate():
    df = pd.DataFrame({"age_band": ["0-9", "10-17", "18-24", "25-34", "35-44"],
                       "records": [10, 300, 900, 600, 190], "population": [20e3, 18e3, 15e3, 22e3, 25e3]})
    df["rate_per_1000"] = df.records / df.population * 1000
    overall = df.records.sum() / df.population.sum() * 1000
    over = df[df.rate_per_1000 >= 1.25 * overall].sort_values("rate_per_1000", ascending=False)
    rec = who({"who_force_victims_by_age_band": pa.Table.from_pandas(df)})
    assert rec is not None
    assert list(over.age_band) == ["18-24", "25-34"]  # 10-17 (16.7 per 1,000) is under 1.25 × 20
    assert "aged 18-24 and 25-34" in rec.text
    first, second = (over.rate_per_1000 / overall).round(1)
    assert f"{first:.1f} and {second:.1f} times" in rec.text


def test_peak_times_wrap_past_midnight():
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    rows = [{"weekday": d, "hour": h, "records": 1} for d in days for h in range(24)]
    for r in rows:
        if r["hour"] in (23, 0, 1, 2):
            r["records"] = 10
        if r["weekday"] in ("Saturday", "Sunday"):
            r["records"] *= 3
    chosen, start, share = peak_times(rows)
    assert chosen == ["Saturday", "Sunday"] and start == 23
    total = sum(r["records"] for r in rows)
    assert share == pytest.approx(sum(r["records"] for r in rows if r["hour"] in (23, 0, 1, 2)) / total)


def test_recommendation_edits_are_stored_restored_and_bad_files_refused(tmp_path: Path):
    p = Partnership.open(tmp_path / "home")
    p.save_recommendation("who", "Our own words.")
    assert p.recommendation_edits() == {"who": "Our own words."}
    p.save_recommendation("who", None)
    assert p.recommendation_edits() == {}
    (tmp_path / "home" / "sna" / "recommendations.json").write_text('{"who": 3}', encoding="utf-8")
    with pytest.raises(UsageError, match="not text"):
        load_edits(tmp_path / "home")
    (tmp_path / "home" / "sna" / "recommendations.json").write_text('{"who": ', encoding="utf-8")
    with pytest.raises(UsageError, match=r"line 1, column \d+: not valid JSON"):
        save_edit(tmp_path / "home", "where", "x")


# --- the partnership's words ---------------------------------------------------------------------------------------
def test_narrative_is_merged_at_its_place_sanitised_and_in_every_format(sna_draft, sna_release):  # type: ignore[no-untyped-def]
    for built in (sna_draft, sna_release):
        html = _html(built)
        problem = _section(html, "problem")
        assert "<h4>Seen by partners</h4>" in problem
        assert "<strong>Maidstone</strong>" in problem and "<li>street pastors report more fights</li>" in problem
        assert "<script>" not in html and "&lt;script&gt;" in problem  # raw HTML shown as text, never as markup
        assert "guidance: not shown" not in html
        assert "night-time economy in" not in _section(html, "causes")
    # unwritten sections: a reminder in the draft only
    assert "has not yet written its commentary" in _section(_html(sna_draft), "causes")
    assert "has not yet written its commentary" not in _html(sna_release)


def test_narrative_files_are_created_with_guidance_and_hashed_in_the_appendix(sna_draft, kent_ws):  # type: ignore[no-untyped-def]
    folder = kent_ws.ws.home / "sna" / "narrative"
    assert sorted(p.stem for p in folder.glob("*.md")) == sorted(s.key for s in narrative.SECTIONS)
    causes = (folder / "causes.md").read_text(encoding="utf-8")
    assert causes.startswith("<!-- ") and narrative.section("causes").guidance in causes
    appendix = _section(_html(sna_draft), "appendix")
    for s in narrative.SECTIONS:
        digest = hashlib.sha256((folder / f"{s.key}.md").read_bytes()).hexdigest()[:16]
        assert f"<td>{s.key}.md</td><td><code>{digest}</code></td>" in appendix
    edits = kent_ws.ws.home / "sna" / "recommendations.json"
    assert hashlib.sha256(edits.read_bytes()).hexdigest()[:16] in appendix


def test_docx_carries_the_narrative(sna_draft, tmp_path: Path):  # type: ignore[no-untyped-def]
    from docx import Document

    from vrhub.report.sna.docx_export import write_docx

    doc = Document(str(write_docx(_html(sna_draft), tmp_path / "sna.docx")))
    texts = [p.text for p in doc.paragraphs]
    assert "Seen by partners" in texts and "street pastors report more fights" in texts
    assert "The night-time economy in Maidstone worries the partners." in texts


def test_library_narrative_api(tmp_path: Path):
    p = Partnership.open(tmp_path / "home")
    keys = [s["key"] for s in p.narrative_sections()]
    assert keys == ["summary", "definition", "problem", "causes", "works", "strategy"]
    assert not any(s["written"] for s in p.narrative_sections())
    assert p.read_narrative("works").startswith("<!-- What works")
    path = p.save_narrative("works", "Keep **mentoring**.")
    assert path == tmp_path / "home" / "sna" / "narrative" / "works.md"
    assert p.read_narrative("works") == "Keep **mentoring**."
    assert next(s for s in p.narrative_sections() if s["key"] == "works")["written"]
    with pytest.raises(UsageError, match="no SNA narrative section 'voices'"):
        p.save_narrative("voices", "x")
    narrative.ensure_narrative(p.home)  # never overwrites the partnership's words
    assert p.read_narrative("works") == "Keep **mentoring**."


@pytest.mark.parametrize("text", ["[click](javascript:alert(1))", "<img src=x onerror=alert(1)>",
                                  "![pic](https://example.org/x.png)", "<a href='x'>raw</a>"])
def test_rendered_markdown_has_no_script_remote_image_or_raw_html(text: str):
    html = str(narrative.render_markdown(text))
    assert "<img" not in html and "javascript:" not in html.replace("(javascript:", "") and "<a href='x'>" not in html


# --- the cost of violence -----------------------------------------------------------------------------------------
def _pandas_cost(counts: dict[str, int], price_year: str) -> tuple[float, float]:
    """The cost recomputed from the shipped files with pandas alone (not vrhub's loaders)."""
    units = pd.read_csv(DATA.joinpath("unit_costs_of_crime_2015_16.csv"))
    defl = pd.read_csv(DATA.joinpath("gdp_deflators_hmt_march_2026.csv")).set_index("financial_year")
    mult = pd.read_csv(DATA.joinpath("cost_of_violence_range.csv")).set_index("category")["high_multiplier"]
    units = units[units.verification != "unverified"].set_index("category")["unit_cost_gbp"]
    factor = defl.loc[price_year, "gdp_deflator_index"] / defl.loc["2015/16", "gdp_deflator_index"]
    costed = {k: n for k, n in counts.items() if k in units.index}
    low = sum(n * units[k] * factor for k, n in costed.items())
    high = sum(n * units[k] * factor * mult[k] for k, n in costed.items())
    return low, high


def test_shipped_unit_costs_are_the_published_ones():
    units = pd.read_csv(DATA.joinpath("unit_costs_of_crime_2015_16.csv")).set_index("category")
    # Heeks et al. (2018), Table 1, 2015/16 prices (shared/NOTES.md): violence with injury £14,050, robbery £11,320,
    # rape £39,360, other sexual offences £6,520, homicide £3.2m
    assert units.loc["violence_with_injury", "unit_cost_gbp"] == 14050
    assert units.loc["robbery", "unit_cost_gbp"] == 11320
    assert units.loc["rape", "unit_cost_gbp"] == 39360
    assert units.loc["other_sexual_offences", "unit_cost_gbp"] == 6520
    assert round(units.loc["homicide", "unit_cost_gbp"] / 1e5) / 10 == 3.2
    assert set(units.price_year) == {"2015/16"}


def test_cost_matches_an_independent_pandas_computation():
    counts = {"homicide": 4, "violence_with_injury": 5210, "rape": 380, "other_sexual_offences": 615,
              "robbery": 940, "violence_without_injury": 2000}
    got = cost_of_violence(counts, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 1), source="test")
    low, high = _pandas_cost(counts, "2025/26")
    assert got.price_year == "2025/26" and got.forecast and got.annual
    assert got.low == pytest.approx(low, rel=1e-12) and got.high == pytest.approx(high, rel=1e-12)
    assert 0 < got.low < got.high
    assert any(u.startswith("Violence without injury: no verified unit cost") for u in got.uncosted)
    assert f"{money_words(low)} to {money_words(high)}" in got.sentence("Jan–Dec 2025")


def test_suppressed_counts_are_left_out_not_guessed():
    got = cost_of_violence({"homicide": None, "robbery": 100}, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 1),
                           source="test")
    assert got.low == pytest.approx(_pandas_cost({"robbery": 100}, "2025/26")[0])
    assert any("suppressed" in u for u in got.uncosted)


@pytest.mark.parametrize(("start", "end", "year"), [
    (dt.date(2025, 1, 1), dt.date(2025, 12, 1), "2025/26"), (dt.date(2018, 10, 1), dt.date(2019, 2, 1), "2018/19"),
    (dt.date(2024, 4, 1), dt.date(2025, 3, 1), "2024/25"), (dt.date(2025, 2, 1), dt.date(2025, 2, 1), "2024/25")])
def test_price_year_is_the_financial_year_of_the_middle_month(start: dt.date, end: dt.date, year: str):
    assert middle_financial_year(start, end) == year


def test_money_is_stated_to_two_significant_figures():
    assert money_words(32_811_462.38) == "£33m" and money_words(1_234_567_890) == "£1.2bn"
    assert money_words(451_234) == "£450,000"


def test_sna_cost_is_robbery_only_on_police_uk_and_recomputes(sna_draft, sna_release):  # type: ignore[no-untyped-def]
    low, high = _pandas_cost({"robbery": ROBBERY}, "2018/19")
    for built in (sna_draft, sna_release):
        problem = _section(_html(built), "problem")
        assert "the cost of serious violence" in problem
        assert f"an estimated {money_words(low)} to {money_words(high)} (2018/19 prices" in problem
        assert "Violence and sexual offences&#39; records: the category mixes" in problem  # named, not costed
        cost = next(f for f in built.findings if "cost society" in f)
        assert "Home Office unit costs of crime (Heeks et al. 2018)" in cost
    assert "Cost of violence" in _section(_html(sna_draft), "appendix")


def test_release_cost_table_shows_no_small_count(sna_release):  # type: ignore[no-untyped-def]
    problem = _section(_html(sna_release), "problem")
    table = problem[problem.index("Cost of the recorded serious violence by category"):]
    table = table[:table.index("</table>")]
    for cell in re.findall(r"<tr><td>[^<]+</td><td>([^<]*)</td>", table):
        if cell not in ("", "[c]"):
            n = int(cell.replace(",", ""))
            assert n == 0 or (n > 7 and n % 5 == 0), cell


def test_edits_file_is_plain_json(sna_draft, kent_ws):  # type: ignore[no-untyped-def]
    data = json.loads((kent_ws.ws.home / "sna" / "recommendations.json").read_text(encoding="utf-8"))
    assert data == {"where": SNA_WHERE_WORDS}
    assert SNA_PROBLEM_WORDS.split("\n")[0] in (kent_ws.ws.home / "sna" / "narrative" / "problem.md").read_text()


def test_force_crime_counts_map_by_offence_subgroup_and_suppressed_cells_stay_suppressed():
    from vrhub.report.sna.cost import counts_from_tables

    force = pa.Table.from_pylist([
        {"offence_group": "Violence against the person", "offence_subgroup": "Homicide", "records": None},
        {"offence_group": "Violence against the person", "offence_subgroup": "Violence with injury", "records": 4210},
        {"offence_group": "Robbery", "offence_subgroup": "Robbery", "records": 615},
        {"offence_group": "Possession of weapons offences", "offence_subgroup": "Possession of weapons offences",
         "records": 300}])
    police = pa.Table.from_pylist([{"crime_type": "Robbery", "sv_status": "possible", "records": 999}])
    counts, source, left = counts_from_tables({"what_force_by_offence_group": force, "what_by_category": police})
    assert counts == {"homicide": None, "violence_with_injury": 4210, "robbery": 615}  # force records win
    assert source.startswith("force crime records")
    assert left == ["Possession of weapons offences: no Home Office unit cost for this offence sub-group"]


def test_what_works_and_when_read_as_english():
    from vrhub.report.sna.recommendations import what_works

    rec = what_works([{"name": "Sports", "yef_bands": ["high"]}, {"name": "Prevention",
                                                                 "yef_bands": ["insufficient evidence"]},
                      {"name": "Tags", "yef_bands": []}])
    assert rec is not None
    assert "Sports (YEF Toolkit: high impact)" in rec.text
    assert "Prevention (YEF Toolkit: insufficient evidence)" in rec.text and "record the evidence for Tags" in rec.text
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    rows = [{"weekday": d, "hour": h, "records": 5 if d in ("Friday", "Saturday") else 1} for d in days
            for h in range(24)]
    from vrhub.report.sna.recommendations import when

    got = when({"when_force_hour_weekday": pa.Table.from_pylist(rows)})
    assert got is not None and "for Fridays and Saturdays and for" in got.text
