"""Applying a definition to an Ibis table (DuckDB backend via ibis.memtable)."""

from __future__ import annotations

import io
import zipfile
from importlib import resources

import ibis
import pandas as pd
import pytest

from vrhub.analysis.classify import classification_columns, classify
from vrhub.domain.definitions import DefinitionError, load_definition, load_definition_text, shipped_definition_text

KENT_TEXT = shipped_definition_text("kent_and_medway")


def kent_street_month(month: str = "2018-12") -> pd.DataFrame:
    """One month of the real Kent police.uk street file shipped with vrhub."""
    zpath = resources.files("vrhub.data").joinpath("kent/police-uk/kent-street-2018-10_2019-02.zip")
    with zipfile.ZipFile(io.BytesIO(zpath.read_bytes())) as z:
        raw = pd.read_csv(z.open(f"{month}/{month}-kent-street.csv"), dtype=str)
    return raw.rename(columns={"Crime type": "crime_type", "Month": "month", "LSOA code": "lsoa_code",
                               "Context": "context"})[["crime_type", "month", "lsoa_code", "context"]]


def run(df: pd.DataFrame, definition, source: str, **kw) -> pd.DataFrame:
    return classify(ibis.memtable(df), definition, source, **kw).execute()


def tri(s: pd.Series) -> list[bool | None]:
    """A three-valued column as Python True / False / None."""
    return [None if pd.isna(x) else bool(x) for x in s]


PRC = pd.DataFrame({
    "ho_offence_code": ["1", "8N", "105A", "105A", "34B", "19C", "4/1", "58A"],
    "knife_flag": [True, True, False, None, True, False, False, False],
    "domestic_abuse_flag": [False, False, True, False, False, None, True, False],
    "alcohol_flag": [False, True, False, False, None, False, False, False],
    "drug_flag": [False, False, False, False, None, False, False, False],
    "victim_age": [17, 30, 40, 22, None, 19, 50, 20],
})


def test_police_uk_street_on_real_kent_data_is_unknown_where_the_category_is_broad():
    df = kent_street_month()
    out = run(df, load_definition(), "police_uk_street")
    assert len(out) == len(df)  # nothing dropped or duplicated
    broad = df["crime_type"].isin(["Violence and sexual offences", "Robbery", "Possession of weapons"])
    assert out["is_serious_violence"].isna().sum() == broad.sum()
    assert set(tri(out.loc[~broad, "is_serious_violence"])) == {False}
    assert out["sv_category"].isna().all()  # police.uk never identifies a category exactly
    vso = out["crime_type"] == "Violence and sexual offences"
    assert set(out.loc[vso, "sv_match"]) == {"broader"}
    assert "rape" in out.loc[vso, "sv_candidates"].iloc[0]
    # strands need the victim's age or flags, which police.uk lacks
    assert out.loc[vso, "strand_serious_youth_violence"].isna().all()
    # measures have no police.uk recipe: NULL, not FALSE
    assert out["measure_knife_enabled_serious_violence"].isna().all()
    # harm: CCHI shoplifting 1 day, robbery 365 days; violence has no derivable category weight
    assert (out.loc[out["crime_type"] == "Shoplifting", "harm_cchi_days"] == 1.0).all()
    assert (out.loc[out["crime_type"] == "Robbery", "harm_cchi_days"] == 365.0).all()
    assert out.loc[vso, "harm_cchi_days"].isna().all()
    assert out["sv_definition_version"].unique().tolist() == ["2024.1"]


def test_record_level_police_data_hand_checked():
    out = run(PRC, load_definition(), "force_crime")
    assert out["sv_category"].tolist()[:7] == [
        "homicide", "assault_with_injury", "common_assault", "common_assault", "personal_robbery", "rape",
        "homicide"]
    assert out["sv_match"].tolist() == ["exact"] * 7 + ["none"]
    # common assault counts only when flagged as domestic abuse; criminal damage never
    assert tri(out["is_serious_violence"]) == [True, True, True, False, True, True, True, False]
    syv = tri(out["strand_serious_youth_violence"])
    assert syv[0] is True and syv[1] is False and syv[4] is None  # age 17; age 30; age unknown
    assert tri(out["strand_sexual_violence_domestic_abuse"]) == [False, False, True, False, False, True, True, False]
    dav = tri(out["strand_drugs_alcohol_violence"])
    assert dav[1] is True and dav[4] is None
    assert tri(out["measure_knife_enabled_serious_violence"])[:5] == [True, True, False, False, True]
    assert tri(out["measure_knife_enabled_serious_violence_u25"])[4] is None  # knife robbery, age unknown
    assert tri(out["measure_non_domestic_homicide"])[:7] == [True, False, False, False, False, False, False]
    assert out["measure_hospital_knife_assault"].isna().all()
    # ONS CSS homicide weight applies to 1 and 4/1 (normalised to 4.1); unverified CCHI murder weight is not used
    assert out["harm_css"].tolist()[0] == 7979 and out["harm_css"].tolist()[6] == 7979
    assert pd.isna(out["harm_cchi_days"][0]) and out["harm_cchi_days"][4] == 365


def test_changing_the_definition_file_changes_results_and_recorded_hash():
    kent = load_definition_text(KENT_TEXT, "kent.toml")
    edited_text = KENT_TEXT.replace('"wounding_gbh", "assault_with_injury", "rape"', '"wounding_gbh", "rape"', 1)
    assert edited_text != KENT_TEXT
    edited = load_definition_text(edited_text, "kent-edited.toml")
    a = run(PRC, kent, "force_crime")
    b = run(PRC, edited, "force_crime")
    assert tri(a["is_serious_violence"])[1] is True and tri(b["is_serious_violence"])[1] is False  # 8N, no DA
    assert a["sv_definition_sha256"][0] == kent.sha256
    assert b["sv_definition_sha256"][0] == edited.sha256 != kent.sha256
    comment_only = load_definition_text("# reviewed by the board\n" + KENT_TEXT, "kent-commented.toml")
    assert run(PRC, comment_only, "force_crime")["sv_definition_sha256"][0] == kent.sha256


def test_london_example_depends_on_victim_age_and_domestic_abuse():
    df = pd.DataFrame({"ho_offence_code": ["8N", "8N", "105A", "8N"], "knife_flag": [False] * 4,
                       "domestic_abuse_flag": [False, False, True, None], "victim_age": [30, 20, 45, 40]})
    out = run(df, load_definition("london_example"), "force_crime")
    assert tri(out["is_serious_violence"]) == [False, True, True, None]  # last: adult ABH, DA flag unknown


def test_ed_age_bands_three_valued():
    df = pd.DataFrame({"assault_method": ["knife_or_sharp_object", "Knife_or_sharp_object ", "body_part",
                                          "knife_or_sharp_object"],
                       "age_band": ["18-24", "25-34", "25-34", "45-54"]})
    out = run(df, load_definition(), "ed_istv")
    assert tri(out["measure_hospital_knife_assault"]) == [True, True, False, True]
    assert tri(out["measure_hospital_knife_assault_u25"]) == [True, False, False, False]
    assert tri(out["strand_serious_youth_violence"]) == [True, None, None, False]  # 25-34 straddles "0-25"


def test_a_new_source_is_added_in_the_file_only():
    extra = """
[sources.probation]
label = "Probation caseload offences"
[sources.probation.fields]
index_offence = { kind = "code" }
person_age = { kind = "age", role = "offender_age" }
[[sources.probation.rules]]
category = "homicide"
match = { index_offence = ["1"] }
"""
    d = load_definition_text(KENT_TEXT + extra, "kent-plus-probation.toml")
    out = run(pd.DataFrame({"index_offence": ["1", "46"], "person_age": [19, 19]}), d, "probation")
    assert out["sv_category"][0] == "homicide"
    assert tri(out["is_serious_violence"]) == [True, False]
    assert set(classification_columns(d)) <= set(out.columns)


def test_missing_rule_column_is_an_error_that_says_what_to_do():
    with pytest.raises(DefinitionError, match="lacks column"):
        classify(ibis.memtable(pd.DataFrame({"month": ["2019-01"]})), load_definition(), "police_uk_street")
    with pytest.raises(DefinitionError, match="has no source"):
        classify(ibis.memtable(PRC), load_definition(), "hospital")
