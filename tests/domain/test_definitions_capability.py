"""What can be computed from the sources loaded: yes, partial or no, with the reason."""

from __future__ import annotations

from vrhub.domain.definitions import assess_capability, load_definition

STREET = {"police_uk_street": ["crime_type", "month", "lsoa_code", "context"]}
PRC_ALL = {"force_crime": ["ho_offence_code", "knife_flag", "domestic_abuse_flag", "alcohol_flag",
                                     "drug_flag", "victim_age"]}


def test_police_uk_street_says_what_it_cannot_separate():
    r = assess_capability(load_definition(), STREET)
    sv = r.get("serious_violence", "serious_violence")
    assert sv.status == "partial"
    assert any("cannot separate" in x for x in sv.by_source["police_uk_street"].reasons)
    homicide = r.get("category", "homicide")
    assert homicide.status == "partial"
    assert "Violence and sexual offences" in homicide.by_source["police_uk_street"].reasons[0]
    # strand 2: sexual violence cannot be separated from other violence, and there is no domestic-abuse flag
    sv_da = r.get("strand", "sexual_violence_domestic_abuse")
    assert sv_da.status == "partial"
    reasons = " ".join(sv_da.by_source["police_uk_street"].reasons)
    assert "nor sexual violence from other violence" in reasons
    assert "has no field giving 'domestic_abuse'" in reasons
    # strand 1 needs the victim's age, which police.uk does not have
    syv = r.get("strand", "serious_youth_violence")
    assert syv.status == "no"
    assert any("'victim_age'" in x for x in syv.by_source["police_uk_street"].reasons)
    # no measure can be computed from street data
    assert all(c.status == "no" for c in r.items if c.kind == "measure")


def test_record_level_police_data_computes_measures_and_says_what_is_missing():
    d = load_definition()
    full = assess_capability(d, PRC_ALL)
    for key in ("knife_enabled_serious_violence", "knife_enabled_serious_violence_u25", "non_domestic_homicide",
                "non_domestic_knife_homicide_u25"):
        assert full.get("measure", key).status == "yes", key
    assert full.get("category", "homicide").status == "yes"
    assert full.get("strand", "drugs_alcohol_violence").status == "yes"
    no_knife = assess_capability(d, {"force_crime": ["ho_offence_code", "domestic_abuse_flag"]})
    knife = no_knife.get("measure", "knife_enabled_serious_violence")
    assert knife.status == "no"
    assert "knife_flag, which are not loaded" in knife.reasons[0]
    assert no_knife.get("measure", "non_domestic_homicide").status == "yes"


def test_measure_without_any_loaded_source_names_what_it_needs():
    r = assess_capability(load_definition(), STREET)
    m = r.get("measure", "hospital_knife_assault")
    assert m.status == "no"
    assert "ed_istv with assault_method" in m.reasons[0]


def test_age_bands_that_straddle_the_limit_make_a_strand_partial():
    r = assess_capability(load_definition(), {"ed_istv": ["assault_method", "age_band"]})
    syv = r.get("strand", "serious_youth_violence")
    assert syv.status == "partial"
    assert any("25-34" in x and "straddle" in x for x in syv.by_source["ed_istv"].reasons)
    # under 25 = age <= 24: the 18-24 band is wholly inside, so only the ED approximation remains
    u25 = r.get("measure", "hospital_knife_assault_u25")
    assert u25.status == "partial"
    assert not any("straddle" in x for x in u25.reasons)
    assert any("not hospital admissions" in x for x in u25.reasons)


def test_best_source_wins_and_rows_list_every_source():
    r = assess_capability(load_definition(), {**STREET, **PRC_ALL})
    homicide = r.get("category", "homicide")
    assert homicide.status == "yes"
    assert homicide.by_source["police_uk_street"].status == "partial"
    rows = [x for x in r.rows() if x["kind"] == "category" and x["key"] == "homicide"]
    assert {x["source"] for x in rows} == {"police_uk_street", "force_crime"}
    assert "Kent and Medway" in r.to_text()


def test_unknown_sources_are_ignored():
    r = assess_capability(load_definition(), {"not_a_source": ["x"]})
    assert r.get("serious_violence", "serious_violence").status == "no"
