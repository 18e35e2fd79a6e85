"""Whether an output leaves exact or released follows every data kind it read, for every role (issue 12, item 4).

The analyst of the fixture is named on street-crime agreements with both organisations (so police.uk alone would
give them the exact profile). An NHS trust then shares ED (ISTV) returns with no agreement naming the analyst: the
profile, its tables and the SNA now read ED data, so the analyst gets them released; named on the trust's
agreement too, exact. Board viewers always get released outputs.
"""

from __future__ import annotations

import datetime as dt

from vrhub_testkit import csv_bytes

from vrhub.governance.access import accounts, agreements

TRUST = "Medway NHS Foundation Trust"
ISTV = ["Reporting period start", "Reporting period end", "ED site code", "Arrival date time", "Assault date time",
        "Assault method", "Assault location type", "Age band", "Sex", "Home LSOA"]


def ed_returns(n: int) -> bytes:
    """``n`` synthetic knife-assault attendances in October 2018 (a month the fixture's street data covers)."""
    rows = [{"Reporting period start": "01/10/2018", "Reporting period end": "31/10/2018", "ED site code": "SYN-MMH",
             "Arrival date time": f"{d:02d}/10/2018 23:40", "Assault date time": f"{d:02d}/10/2018 23:05",
             "Assault method": "Knife", "Assault location type": "Street", "Age band": "18-24", "Sex": "M",
             "Home LSOA": "E01016016"} for d in range(1, n + 1)]
    return csv_bytes(ISTV, rows)


def with_ed_data(world, *, analyst_on_ed: bool = False) -> str:  # type: ignore[no-untyped-def]
    cat = world.ws.catalogue
    agreements.create_agreement(cat, "Medway street crime (analysis)", organisation_name="Medway Council",
                                kinds=["police_uk_street"], purpose="profile", lawful_basis="Art. 6(1)(e)",
                                retention_days=30, start=dt.date(2020, 1, 1), analysts=["analyst"])
    accounts.create_organisation(cat, TRUST, "health")
    accounts.create_user(cat, "medway-ed", "partner_uploader", organisation_name=TRUST)
    world.tokens["medway-ed"] = accounts.create_token(cat, "medway-ed", "t").secret
    agreements.create_agreement(cat, "Medway ED ISTV", organisation_name=TRUST, kinds=["ed_istv"],
                                purpose="Cardiff Model", lawful_basis="Art. 6(1)(e); Art. 9(2)(i)", retention_days=365,
                                start=dt.date(2018, 1, 1), supplies_for=["SYN-MMH"],
                                analysts=["analyst"] if analyst_on_ed else [])
    r = world.upload("medway-ed", ed_returns(3), filename="ed-2018-10.csv", kind="istv")
    assert r.status_code == 201, r.text
    return r.json()["dataset_ids"][0]


def test_an_analyst_without_the_trusts_agreement_gets_ed_tables_released(world) -> None:  # type: ignore[no-untyped-def]
    ed = with_ed_data(world)
    c = world.client
    p = c.get("/api/profile", headers=world.as_("analyst")).json()
    assert ed in p["datasets"]  # the profile read the ED returns ...
    ed_tables = {k: v for k, v in p["tables"].items() if "_ed_" in f"_{k}_" or "istv" in k}
    assert ed_tables, sorted(p["tables"])
    assert p["released"] is True and f"{TRUST} (ed_istv)" in p["why_released"]  # ... so it is released
    assert p["notice"].startswith("released")
    counts = [v for rows in ed_tables.values() for row in rows for k, v in row.items()
              if isinstance(v, int) and not isinstance(v, bool) and k == "records"]
    assert counts and not [v for v in counts if 1 <= v <= 7]  # no small cell leaves
    table = c.get(f"/api/profile/tables/{next(iter(ed_tables))}", params={"format": "json"},
                  headers=world.as_("analyst")).json()
    assert table["notice"].startswith("released")


def test_named_on_every_agreement_the_analyst_gets_the_exact_profile(world) -> None:  # type: ignore[no-untyped-def]
    ed = with_ed_data(world, analyst_on_ed=True)
    p = world.client.get("/api/profile", headers=world.as_("analyst")).json()
    assert ed in p["datasets"] and p["released"] is False and p["notice"].startswith("unsuppressed")
    hours = {(r["weekday"], r["hour"]): r["records"] for r in p["tables"]["when_ed_hour_weekday"]}
    assert sum(hours.values()) == 3  # the exact counts: three attendances, each at 23:xx (so cells of 1)
    assert {v for k, v in hours.items() if k[1] == 23 and v} == {1}
    board = world.client.get("/api/profile", headers=world.as_("board")).json()
    assert board["released"] is True  # every other role: released


def test_the_decision_is_one_library_function_over_the_versions_read(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    from vrhub.governance.access.scope import release_decision

    w = sqlite_world
    cat = w.ws.catalogue
    analyst, board = accounts.user(cat, "analyst"), accounts.user(cat, "board")
    today = dt.date.today()
    a, b = w.datasets["a"], w.datasets["b"]
    assert release_decision(cat, analyst, [a], today).released is False  # Kent Police's agreement names them
    d = release_decision(cat, analyst, [a, b], today)
    assert d.released is True and d.missing == ("Medway Council (police_uk_street)",)
    assert release_decision(cat, analyst, ["street-000000000000"], today).released is True  # unknown: not covered
    assert release_decision(cat, board, [a], today).released is True
    assert release_decision(cat, analyst, [], today).released is False


def test_the_analysts_sna_reads_ed_data_and_is_released(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    with_ed_data(sqlite_world)
    html = sqlite_world.client.get("/api/sna", headers=sqlite_world.as_("analyst"))
    assert html.status_code == 200, html.text
    assert "analyst draft" not in html.text
    from vrhub.store import audit

    last = [e for e in audit.events(sqlite_world.ws.catalogue) if e.object_type == "sna"][-1]
    assert last.details["released"] is True
