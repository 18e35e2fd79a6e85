"""The SNA with every partner feed loaded (synthetic ED, ambulance, cohort; the place gazetteer): the linked cohort's
odds ratios in section 4 with a key finding in section 1, who / hour × weekday / why from the partner feeds in
section 3 (charts with text alternatives and the tables behind them), the Cardiff view's geocoded tables; every
number protected in a release; two builds identical but for the build time. The police.uk-only SNA's missing-data
text is checked in tests/report/test_sna.py."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import itertools
import re
from pathlib import Path

import pytest
from vrhub_testkit import KENT_ZIP, csv_bytes, open_workspace, police_uk_ingest

from vrhub.data import kent
from vrhub.ingest.gazetteer import SOURCES as GAZETTEER
from vrhub.ingest.geography import load_geography
from vrhub.ingest.loader import ingest
from vrhub.report.sna import build_sna
from vrhub.store.geography import Geography
from vrhub.synth.ambulance import ingest_synthetic_ambulance
from vrhub.synth.cohort import ingest_synthetic_cohort
from vrhub.synth.ed import ingest_synthetic_ed

BUILT = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
SS_HEADER = ["Type", "Date", "Part of a policing operation", "Policing operation", "Latitude", "Longitude", "Gender",
             "Age range", "Self-defined ethnicity", "Officer-defined ethnicity", "Legislation", "Object of search",
             "Outcome", "Outcome linked to object of search", "Removal of more than just outer clothing"]
TODAY = dt.date(2025, 1, 1)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("sna-partners")
    ws = open_workspace(tmp / "home")
    load_geography(ws, [kent() / "boundaries", kent() / "imd2019"])
    assert police_uk_ingest(ws, [KENT_ZIP]).ok
    assert ingest_synthetic_ed(ws, tmp / "ed", seed=3, start="2018-10", months=5, scale=0.5)[1].ok
    assert ingest_synthetic_ambulance(ws, tmp / "amb", seed=3, start="2018-10", months=5, scale=0.5)[1].ok
    _, edu, yj = ingest_synthetic_cohort(ws, tmp / "cohort", tmp / "key" / "k.key", seed=3, start="2018-10", months=5,
                                         people=4000)
    assert edu.ok and yj.ok
    assert ingest(ws, [kent() / "gazetteer" / "kent-places.csv"], GAZETTEER, kind="gazetteer").ok
    # stop and search: 60 searches at LSOA points inside the area (40 aged 18-24, 20 aged 10-17)
    points = Geography(ws.engine()).geodataframe("lsoa")[["point_lon", "point_lat"]].head(60).to_numpy()
    searches = [{"Type": "Person search", "Date": "2018-10-05T21:00:00+00:00", "Part of a policing operation": "False",
                 "Latitude": f"{lat}", "Longitude": f"{lon}", "Gender": "Male", "Age range": "18-24" if i < 40
                 else "10-17", "Self-defined ethnicity": "White - Other", "Object of search": "Offensive weapons",
                 "Outcome": "Arrest"} for i, (lon, lat) in enumerate(points)]
    ss = tmp / "2018-10-kent-stop-and-search.csv"
    ss.write_bytes(csv_bytes(SS_HEADER, searches))
    assert police_uk_ingest(ws, [ss]).ok
    return ws


@pytest.fixture(scope="module")
def draft(ws, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return build_sna(ws, out=tmp_path_factory.mktemp("draft"), built_at=BUILT, today=TODAY, pdf=True)


@pytest.fixture(scope="module")
def release(ws, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return build_sna(ws, out=tmp_path_factory.mktemp("release"), built_at=BUILT, today=TODAY, release=True)


def page(r) -> str:  # type: ignore[no-untyped-def]
    return r.html.read_text(encoding="utf-8")


def plain(fragment: str) -> str:
    fragment = re.sub(r"<svg.*?</svg>", " ", fragment, flags=re.S)
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


def tables(html: str) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Caption → (column headers, rows of cell texts), for the report's own simple tables."""
    out = {}
    for block in re.findall(r"<table[^>]*>(.*?)</table>", html, flags=re.S):
        caption = plain(re.search(r"<caption>(.*?)</caption>", block, flags=re.S)[1])  # type: ignore[index]
        header = [plain(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", block, flags=re.S)]
        body = re.search(r"<tbody>(.*?)</tbody>", block, flags=re.S)[1]  # type: ignore[index]
        rows = [[plain(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
                for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)]
        out[caption] = (header, rows)
    return out


def find(ts: dict[str, tuple[list[str], list[list[str]]]], caption: str) -> tuple[list[str], list[list[str]]]:
    hits = [c for c in ts if caption in c]
    assert len(hits) == 1, (caption, list(ts))
    return ts[hits[0]]


def number(text: str) -> int:
    return int(text.replace(",", ""))


def between(html: str, a: str, b: str) -> str:
    start = html.index(a)
    return html[start:html.index(b, start)]


COHORT = "Violent youth justice offence by school risk factor"
AGE = "The data behind the chart: ED assault attendances (ISTV) by patients' age band"
HEAT = "The data behind the chart: ED assault attendances (ISTV) by hour of the day and weekday"
ODDS = re.compile(r"([\d.]+) \(([\d.]+) to ([\d.]+)\)")


# --- causes: the linked cohort ------------------------------------------------------------------------------------
def test_causes_show_the_cohort_odds_ratios_and_a_finding_from_them(draft) -> None:  # type: ignore[no-untyped-def]
    html = page(draft)
    causes = between(html, 'id="causes"', 'id="works"')
    text = plain(causes)
    assert "The deprivation gradient in section 3" in text and "which are not loaded" not in text
    assert "Synthetic data:" in text and "Associations, not causes." in text and "Woolf" in text
    header, rows = find(tables(causes), COHORT)
    assert header[-2:] == ["crude odds ratio (95% CI)", "adjusted odds ratio (95% CI)"]
    assert [r[0] for r in rows] == ["Permanently excluded", "Suspended at least once",
                                    "Persistently absent (10% or more of sessions missed)", "Male"]
    population = {number(r[1]) + number(r[3]) for r in rows}
    assert len(population) == 1 and f"Population: {population.pop():,} pupils" in text
    for r in rows:  # the crude odds ratio, recomputed from the table's own counts: (a d) / (b c)
        a, n1, c, n0 = number(r[2]), number(r[1]), number(r[4]), number(r[3])
        crude = ODDS.fullmatch(r[7])
        assert crude, r
        assert float(crude[1]) == pytest.approx(a * (n0 - c) / ((n1 - a) * c), abs=0.006)
        assert float(crude[2]) < float(crude[1]) < float(crude[3])
    # the key finding is the exposure with the largest adjusted odds ratio whose interval excludes 1
    adjusted = {r[0]: tuple(float(x) for x in ODDS.fullmatch(r[8]).groups()) for r in rows}  # type: ignore[union-attr]
    raised = {k: v for k, v in adjusted.items() if v[1] > 1}
    assert raised, adjusted  # the planted odds ratios give at least one
    top = max(raised, key=lambda k: raised[k][0])
    finding = next(f for f in draft.findings if f.startswith("In the linked cohort"))
    who = "boys" if top == "Male" else f"pupils {top[0].lower()}{top[1:]}"
    assert f"{who} had {raised[top][0]:.1f} times the odds" in finding
    assert f"95% CI {raised[top][1]:.1f} to {raised[top][2]:.1f}" in finding and "SYNTHETIC" in finding
    assert finding in plain(between(html, 'id="summary"', 'id="definition"'))
    cannot = plain(between(html, "What this assessment cannot yet show", 'id="causes"'))
    assert "Causes (risk and protective factors)" not in cannot
    # the cohort's datasets are listed in the appendix
    assert any(d.startswith("edu") for d in draft.datasets) and any(d.startswith("yj") for d in draft.datasets)
    versions = find(tables(html), "Data versions this report was built from")[1]
    assert sorted(r[0] for r in versions) == sorted(draft.datasets)


# --- who, when, why from the partner feeds ------------------------------------------------------------------------
def test_who_when_why_show_the_partner_feeds_with_charts(draft) -> None:  # type: ignore[no-untyped-def]
    html = page(draft)
    problem = between(html, 'id="problem"', 'id="causes"')
    ts = tables(problem)
    _, ages = find(ts, AGE)
    _, sexes = find(ts, "ED assault attendances (ISTV) by patients' sex")
    header, heat = find(ts, HEAT)
    assert header == ["weekday", *(f"{h:02d}" for h in range(24))] and [r[0] for r in heat] == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    cells = {(r[0], h): number(v) for r in heat for h, v in enumerate(r[1:])}
    total = sum(number(r[1]) for r in ages)
    assert total == sum(number(r[1]) for r in sexes) == sum(cells.values()) > 0  # the same attendances three ways
    for caption in ("Ambulance call-outs for assault by patients' age band", "Youth justice offences by young "
                    "people's sex", "Ambulance call-outs for assault by hour of the day and weekday",
                    "ED assault attendances (ISTV) by assault location type",
                    "ED assault attendances (ISTV) by assault method", "Ambulance call-outs for assault by category"):
        assert find(ts, caption)[1], caption
    labels = re.findall(r'role="img" aria-label="([^"]*)"', problem)
    assert labels and all(label.strip() for label in labels)
    age_alt = htmllib.unescape(next(x for x in labels if "Bar chart of ED assault attendances (ISTV) by patients' age"
                                    in htmllib.unescape(x)))
    most = max(ages, key=lambda r: number(r[1]))
    assert age_alt.startswith("Synthetic data.") and f"most: {most[0]} {most[1]} (" in age_alt
    heat_alt = htmllib.unescape(next(x for x in labels if "Heat map of ED assault" in x))
    (day, hour), n = max(cells.items(), key=lambda kv: (kv[1], -kv[0][1]))
    assert f"Busiest cells: {day} {hour:02d}:00–{hour:02d}:59 ({n:,})" in heat_alt
    # the bar chart lists age bands youngest first
    svg = re.search(r"age band.*?</figure>", problem, flags=re.S)[0]  # type: ignore[index]
    assert svg.index(">0-9<") < svg.index(">10-17<") < svg.index(">65+<")
    _, searched = find(ts, "Stop and search in the area by age range: who is searched")
    assert {r[0]: number(r[1]) for r in searched} == {"18-24": 40, "10-17": 20}
    text = plain(problem)
    assert text.count("Synthetic data:") >= 10 and "Who " in text and "Why: the context of the violence" in text
    assert "Missing:" not in text


def test_cardiff_view_shows_the_geocoded_places_with_captions(draft) -> None:  # type: ignore[no-untyped-def]
    html = page(draft)
    cardiff = between(html, "The Cardiff Model view", "What this assessment cannot yet show")
    ts = tables(cardiff)
    header, places = find(ts, "ED assaults by incident place")
    assert header[:2] == ["place name", "place type"] and places
    _, tally = find(ts, "How the ED free-text locations were geocoded")
    outcomes = {r[0]: number(r[1]) for r in tally}
    assert any(o.startswith("matched") for o in outcomes) and "unmatched" in outcomes
    total = re.search(r"([\d,]+) ED assault attendances \(ISTV\)", plain(cardiff))
    assert total and sum(outcomes.values()) == number(total[1])  # every attendance counted once
    assert "gazetteer" in plain(cardiff) and "no police record" in plain(cardiff)


# --- release and reproducibility ----------------------------------------------------------------------------------
NOT_COUNTS = re.compile(r"share|risk|odds|hour|age$|age range|gender|ethnicity|weekday|name|type|lsoa|outcome|band|"
                        r"sex|category|method|factor|"
                        r"location|record_in|^district")


def test_release_protects_every_new_number(release) -> None:  # type: ignore[no-untyped-def]
    html = page(release)
    part = between(html, 'id="problem"', 'id="works"')
    checked = 0
    new = ("The data behind the chart: ", "ED assault attendances (ISTV) by", "Ambulance call-outs", "Youth justice",
           "Stop and search",
           COHORT, "ED assaults by incident place", "How the ED free-text")
    for caption, (header, rows) in tables(part).items():
        if not caption.startswith(new):  # the parts this file checks (the others: test_sna.py, test_sna_cardiff.py)
            continue
        for j, col in enumerate(header):
            if NOT_COUNTS.search(col) and not (caption.startswith("The data behind the chart: ") and "hour" in caption
                                               and col.isdigit()):
                continue
            for r in rows:
                v = r[j].replace(",", "")
                if re.fullmatch(r"\d+", v):
                    assert int(v) == 0 or (int(v) > 7 and int(v) % 5 == 0), (caption, col, r)
                    checked += 1
                else:
                    assert v in ("[c]", "") or not re.search(r"\d", v), (caption, col, r)
    assert checked > 100  # the heat maps (mostly suppressed: [c]), who, why, the cohort and the Cardiff places
    causes = plain(between(html, 'id="causes"', 'id="works"'))
    assert "Disclosure control" in causes or "released" in causes or "suppressed" in causes
    _, rows = find(tables(part), COHORT)
    for r in rows:  # an odds ratio is published only when none of its cells is suppressed
        assert ("[c]" in r[1:5]) == r[8].startswith("withheld"), r


def test_two_builds_differ_only_in_build_time(ws, draft, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    later = dt.datetime(2025, 3, 14, 17, 45, tzinfo=dt.UTC)
    other = build_sna(ws, out=tmp_path, built_at=later, today=TODAY).html.read_text(encoding="utf-8")
    assert other.replace("2025-03-14 17:45 UTC", "2025-01-01 00:00 UTC") == page(draft)


def test_the_pdf_renders_the_new_parts(draft) -> None:  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(draft.pdf))
    try:
        text = " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    text = re.sub(r"\s+", " ", text)
    assert "School risk factors and violent offending" in text and "When: hour of the day and weekday" in text
    assert "How the ED free-text locations were geocoded" in text


def test_the_fuller_page_keeps_its_structure(draft) -> None:  # type: ignore[no-untyped-def]
    html = page(draft)
    levels = [int(n) for n in re.findall(r"<h([1-6])[\s>]", html)]
    assert levels.count(1) == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels))
    for caption, (header, rows) in tables(html).items():
        assert caption and header and all(len(r) == len(header) for r in rows), caption
    assert html.count("<th ") == html.count('<th scope="col">')
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # the heat maps' legend gradients are renamed per chart
    # 3 police charts, 2 maps, ages, 2 heat maps, and the rate map drawn when no hot spot is significant
    assert "Where: rates by LSOA" in html
    assert html.count('role="img"') == html.count("<figcaption") == 9
