"""The commissioning register: the shipped Kent demo (figures from the PCC annual report 2023/24), every
problem reported at once, round trips, catalogue versions and contract alerts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from vrhub.governance.commissioning import (
    NOT_STATED,
    CommissioningError,
    alerts,
    default_file,
    load_register,
    register_in_force,
    save_register,
    save_register_version,
)
from vrhub.store.workspace import Settings, Workspace


def test_kent_demo_register_has_the_annual_reports_amounts_and_dates():
    reg = load_register()
    ypps = reg.service("Young People's Prevention Service")
    assert ypps is not None and ypps.total_funding == 75_000
    assert (ypps.contract_start, ypps.contract_end) == (dt.date(2022, 10, 1), dt.date(2025, 9, 30))
    assert ypps.provider_names() == ["Collaborate Digital", "St Giles Trust"]
    assert (ypps.target_age_min, ypps.target_age_max) == (9, 14) and ypps.extension_options
    gcl = reg.service("gangs-county-lines-interventions")
    assert gcl.total_funding == 350_000 and gcl.provider_names() == ["Catch22"]
    assert (gcl.contract_start, gcl.contract_end) == (dt.date(2022, 7, 1), dt.date(2025, 6, 30))
    assert set(gcl.delivery_models) == {"prevention", "protective"} and gcl.funding[0].source == "co-commissioning"
    assert gcl.districts == ("West Kent", "Medway", "Thanet", "Swale", "Canterbury", "Ashford", "Maidstone")
    sports, buddi = reg.service("sports-connect"), reg.service("buddi-tags")
    assert (sports.target_age_min, sports.target_age_max, sports.district_count) == (11, 24, 8)
    assert buddi.ages() == "up to 25"
    # figures the source does not give are marked, never invented
    assert sports.total_funding is None and sports.contract_end is None and "contract_end" in sports.not_stated
    assert "target_age_min" in buddi.not_stated and "districts" in ypps.not_stated


def test_alerts_on_1_may_2025_list_both_contracts_ending():
    found = alerts(load_register(), dt.date(2025, 5, 1))
    ending = [(a.service, a.date, a.days) for a in found if a.kind == "contract_ending"]
    assert ending == [("gangs-county-lines-interventions", dt.date(2025, 6, 30), 60),
                      ("young-peoples-prevention-service", dt.date(2025, 9, 30), 152)]
    assert {a.service for a in found if a.kind == "extension_decision_due"} == {
        "gangs-county-lines-interventions", "young-peoples-prevention-service"}
    # a shorter horizon drops the September contract; after June the first shows as ended
    assert [a.service for a in alerts(load_register(), dt.date(2025, 5, 1), 90) if a.kind == "contract_ending"] == [
        "gangs-county-lines-interventions"]
    later = alerts(load_register(), dt.date(2025, 7, 15))
    assert [(a.service, a.days) for a in later if a.kind == "contract_ended"] == [
        ("gangs-county-lines-interventions", -15)]


def test_extension_decision_date_alerts_when_due(tmp_path: Path):
    doc = yaml.safe_load(default_file().read_text(encoding="utf-8"))
    doc["services"][0]["extension_decision_due"] = "2025-03-31"
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(doc), encoding="utf-8")
    found = [a for a in alerts(load_register(p), dt.date(2025, 3, 1)) if a.kind == "extension_decision_due"]
    assert [(a.service, a.days) for a in found] == [("young-peoples-prevention-service", 30),
                                                    ("gangs-county-lines-interventions", None)]  # no date recorded


def test_every_problem_is_reported_at_once(tmp_path: Path):
    doc = yaml.safe_load(default_file().read_text(encoding="utf-8"))
    doc["services"][0]["contract_end"] = "30/09/2025"
    doc["services"][1]["funding"][0]["source"] = "lottery"
    doc["services"][2]["target_age_min"] = 30
    doc["services"][3]["key"] = doc["services"][2]["key"]
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(CommissioningError) as exc:
        load_register(p)
    text = "\n".join(exc.value.problems)
    assert len(exc.value.problems) == 4, text
    assert "contract_end: '30/09/2025' is not a date" in text and "source: 'lottery'" in text
    assert "min 30 is above max 24" in text and "'sports-connect' appears more than once" in text


def test_save_and_reload_round_trips_and_keeps_not_stated(tmp_path: Path):
    reg = load_register()
    again = load_register(save_register(reg, tmp_path / "out.yaml"))
    assert again.sha256 == reg.sha256
    assert NOT_STATED in (tmp_path / "out.yaml").read_text(encoding="utf-8")


def test_catalogue_versions_load_once_and_newest_is_in_force(tmp_path: Path):
    ws = Workspace.open(Settings.resolve(tmp_path / "home", environ={}))
    assert register_in_force(ws).sha256 == load_register().sha256  # shipped default before any import
    reg = load_register()
    assert save_register_version(ws, reg)[1] is True
    assert save_register_version(ws, reg)[1] is False
    reg.services.pop()
    save_register_version(ws, reg)
    assert [s.key for s in register_in_force(ws).services] == [s.key for s in reg.services]
    ws.catalogue.engine.dispose()


def test_strand_must_be_a_strategy_strand_when_strands_are_given():
    from vrhub.governance.registers import load_governance

    keys = {s.key for s in load_governance().strands}
    assert load_register(strand_keys=keys).services[0].strand == "serious_youth_violence"
    with pytest.raises(CommissioningError) as exc:
        load_register(strand_keys={"other"})
    assert len(exc.value.problems) == 4 and "strand: 'serious_youth_violence' is not a strand key" in \
        exc.value.problems[0]
