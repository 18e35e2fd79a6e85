"""Engagement survey source (``vrhub.ingest.engagement_survey``) and its SYNTHETIC generator: good rows load with
codes mapped; each bad row is quarantined with its line, field and value named; read = accepted + quarantined;
respondent ids in clear refuse the file whole; identifiers in comments are redacted; the generator is seeded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from scipy.stats import spearmanr
from vrhub_testkit import csv_bytes, lake_folders

from vrhub.ingest import engagement_survey, registry
from vrhub.ingest.loader import LoadResult, ingest
from vrhub.ingest.mapped import targets
from vrhub.store.workspace import Workspace
from vrhub.synth.ambulance import police_uk_violence
from vrhub.synth.survey import AGE_BANDS, gazetteer_places, generate_survey

HEADER = ["Survey", "Response ID", "Respondent ID", "Wave", "Survey month", "Age band", "Residence area", "Place",
          "Safety rating", "Unsafe place", "Comment"]


def row(**kw: str) -> dict[str, str]:
    r = dict(zip(HEADER, ["SYN survey", "R1", "", "W1", "2025-03", "11-15", "E07000110", "Maidstone town centre",
                          "Very unsafe", "Maidstone East railway station", "gangs at the station"], strict=True))
    r.update({k.replace("_", " "): v for k, v in kw.items()})
    return r


def load(ws: Workspace, path: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> LoadResult:
    path.write_bytes(csv_bytes(header, rows))
    [r] = ingest(ws, [path], engagement_survey.SOURCES, synthetic=True).results
    return r


def test_good_and_bad_rows_name_the_file_line_field_and_value(ws: Workspace, tmp_path: Path) -> None:
    rows = [
        row(),                                                                                      # 2 good
        row(Response_ID="R2", Survey_month="14/03/2025", Age_band="16 to 17", Residence_area="",
            Place="e01024000", Safety_rating="4", Unsafe_place="", Comment=""),                   # 3 good
        row(Response_ID="R3", Age_band="25 and over", Safety_rating="Don't know"),                  # 4 good
        row(Response_ID="R4", Survey_month="2025-13"),                                              # 5 bad month
        row(Response_ID="R5", Age_band="10-14", Safety_rating="sometimes"),                         # 6 two problems
        row(Response_ID="R6", Unsafe_place="E0102"),                                                # 7 bad code
        row(Response_ID="", Survey=""),                                                             # 8 missing
    ]
    r = load(ws, tmp_path / "survey-2025.csv", rows)
    assert r.ok and r.kind == "engagement_survey" and r.source_file.endswith("survey-2025.csv")
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (7, 3, 4)
    got = ws.engine().table("engagement_survey", dataset_ids=[r.dataset_id]).order_by("source_row").to_pyarrow()
    got = got.to_pylist()
    assert [g["age_band"] for g in got] == ["11-15", "16-17", "25+"]
    assert [g["safety_rating"] for g in got] == ["very_unsafe", "fairly_unsafe", "dont_know"]
    assert got[1]["month"] == dt.date(2025, 3, 1) and got[1]["place_code"] == "E01024000"
    assert got[0]["place_code"] is None and got[0]["place"] == "Maidstone town centre"
    assert got[0]["residence_code"] == "E07000110" and got[1]["unsafe_place"] is None
    p = {q["_source_row"]: q["_problems"] for q in ws.engine().quarantine(r.dataset_id).to_pyarrow().to_pylist()}
    assert sorted(p) == [5, 6, 7, 8]
    assert p[5].startswith("Survey month: '2025-13' is not a month")
    assert "Age band: '10-14' is not a survey age band (11-15, 16-17, 18-24, 25+)" in p[6]
    assert "Safety rating: 'sometimes' is not a safety rating" in p[6]
    assert p[7].startswith("Unsafe place: 'E0102' looks like an area code")
    assert "Survey: is missing" in p[8] and "Response ID: is missing" in p[8]
    d = ws.catalogue.get(r.dataset_id)
    assert d.synthetic and [(c.force, c.rows) for c in d.coverage] == [("SYN survey", 3)]


def test_a_respondent_id_in_clear_refuses_the_file_whole(ws: Workspace, tmp_path: Path) -> None:
    rows = [row(Respondent_ID="jsmith@example.org"), row(Response_ID="R2", Respondent_ID="amy.jones@example.org")]
    r = load(ws, tmp_path / "survey-ids.csv", rows)
    assert not r.ok and "survey-ids.csv" in r.error and "Respondent ID" in r.error
    assert ws.catalogue.datasets("engagement_survey") == [] and not lake_folders(ws)


def test_identifiers_in_comments_are_redacted_not_stored(ws: Workspace, tmp_path: Path) -> None:
    r = load(ws, tmp_path / "survey-comments.csv", [row(Comment="call me on 07700 900123 about the park")])
    assert r.ok and r.rows_accepted == 1
    [got] = ws.engine().table("engagement_survey", dataset_ids=[r.dataset_id]).to_pyarrow().to_pylist()
    assert "07700" not in got["comment"] and "park" in got["comment"]


def test_the_survey_is_registered_for_the_cli_uploads_and_mapped_files() -> None:
    assert "engagement_survey" in {s.kind for s in registry.sources(uploads=True)}
    assert "engagement_survey" in targets()
    assert registry.kind_name("survey") == "engagement_survey"


def test_the_synthetic_survey_is_seeded_marked_and_loads_without_quarantine(ws: Workspace, tmp_path: Path) -> None:
    a = generate_survey(tmp_path / "a", seed=7, respondents=300)
    b = generate_survey(tmp_path / "b", seed=7, respondents=300)
    assert a.paths[0].read_bytes() == b.paths[0].read_bytes() and a.rows == 600
    frame = pd.read_csv(a.paths[0], dtype=str)
    assert frame["Survey"].str.contains("SYNTHETIC").all() and frame["Response ID"].str.startswith("SYN-").all()
    assert set(frame["Age band"]) == set(AGE_BANDS)
    [r] = ingest(ws, a.paths, engagement_survey.SOURCES, synthetic=True).results
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (600, 600, 0)


def test_synthetic_unsafe_places_follow_recorded_violence_broadly_not_exactly(tmp_path: Path) -> None:
    made = generate_survey(tmp_path, seed=3, respondents=2000)
    named = pd.read_csv(made.paths[0], dtype=str)["Unsafe place"].value_counts()
    places = gazetteer_places()
    shape = police_uk_violence(2021)
    violence = dict(zip(shape.codes, shape.counts, strict=True))
    frame = pd.DataFrame({"named": [named.get(p.name, 0) for p in places],
                          "violence": [violence.get(p.lsoa, 0.0) for p in places]})
    rho = spearmanr(frame["named"], frame["violence"]).statistic
    assert 0.3 < rho < 0.95, rho
