"""Providers' returns: the demo file reproduces the annual report's outputs, bad rows are set aside with file,
row and field (never dropped), reloading the same file is a no-op, and statements trace to their rows."""

from __future__ import annotations

import csv
import datetime as dt
from importlib.resources import files
from pathlib import Path

from sqlalchemy import func, select

from vrhub.governance.commissioning import load_register
from vrhub.governance.returns import read_returns, returns_in_force, save_returns
from vrhub.governance.statements import parse_period, service_report
from vrhub.store.catalogue.models import ReturnRow, ReturnsFile
from vrhub.store.workspace import Settings, Workspace

DEMO = Path(str(files("vrhub.governance") / "data" / "kent_returns_demo.csv"))
HEADER = "service,provider,period_start,period_end,measure,value,qualifier,note\n"
YPPS = "young-peoples-prevention-service"


def test_demo_returns_reproduce_46_workshops_reaching_5276_young_people():
    with open(DEMO, newline="", encoding="utf-8") as f:  # independent sum with the csv module
        rows = [r for r in csv.DictReader(f) if r["provider"] == "St Giles Trust"]
    workshops = sum(int(r["value"]) for r in rows if r["measure"] == "workshops")
    reached = sum(int(r["value"]) for r in rows if r["measure"] == "young_people_reached")
    assert (workshops, reached) == (46, 5276)  # Kent PCC annual report 2023/24
    load = read_returns(DEMO, load_register())
    assert load.rows_read == len(load.accepted) == 8 and load.set_aside == []
    texts = [s.text for s in service_report(load.accepted, YPPS).statements]
    assert (f"St Giles Trust delivered {workshops} workshops reaching {reached:,} young people "
            "(Sep 2023–Jul 2024)") in texts
    assert "Collaborate Digital worked in 33 schools (18 primary, 15 secondary) (Sep 2023–Jan 2024)" in texts
    assert "629 surveys were completed for Collaborate Digital (Sep 2023–Jan 2024)" in texts
    sports = service_report(load.accepted, "sports-connect").statements
    assert [s.text for s in sports] == ["Sports Connect engaged more than 2,000 young people (Apr 2023–Mar 2024)"]


def test_statements_sum_periods_and_cite_every_row(tmp_path: Path):
    p = tmp_path / "monthly.csv"
    months = [(dt.date(2024, m, 1), dt.date(2024, m + 1, 1) - dt.timedelta(days=1), 3 * m, 40 * m) for m in (4, 5, 6)]
    lines = [f"{YPPS},St Giles Trust,{a},{b},workshops,{w},,\n{YPPS},St Giles Trust,{a},{b},young_people_reached,{y},,"
             for a, b, w, y in months]
    p.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    load = read_returns(p, load_register())
    rep = service_report(load.accepted, YPPS, parse_period("2024/25"))
    assert [s.text for s in rep.statements] == [
        f"St Giles Trust delivered {3 * 15} workshops reaching {40 * 15} young people (Apr 2024–Jun 2024)"]
    assert sorted(r for _, r in rep.statements[0].sources) == [2, 3, 4, 5, 6, 7] and rep.warnings == []
    assert service_report(load.accepted, YPPS, parse_period("2024-04-01:2024-05-31")).statements[0].text.startswith(
        "St Giles Trust delivered 27 workshops reaching 360 young people")


def test_broken_file_reports_every_bad_row_and_keeps_the_good_ones(tmp_path: Path):
    p = tmp_path / "broken.csv"
    p.write_text(HEADER + "\n".join([
        f"{YPPS},St Giles Trust,2024-04-01,2024-06-30,workshops,12,,",            # 2 good
        f"{YPPS},St Giles Trust,2024-04-01,2024-06-30,workshops,-3,,",            # 3 value
        f"{YPPS},Nobody Ltd,2024-04-01,2024-06-30,workshops,4,,",                 # 4 provider
        "no-such-service,St Giles Trust,2024-04-01,2024-06-30,workshops,4,,",     # 5 service
        f"{YPPS},St Giles Trust,2024-06-30,2024-04-01,sessions,4,,",              # 6 period_end
        f"{YPPS},St Giles Trust,30/04/2024,2024-06-30,hugs,four,roughly,",        # 7 date, measure, value, qualifier
        f"{YPPS},St Giles Trust,2024-04-01,2024-06-30,young_people_reached,\"1,200\",,",  # 8 good (thousands)
        f"{YPPS},St Giles Trust,2024-04-01,2024-06-30,workshops,12,,",            # 9 repeats row 2
    ]) + "\n", encoding="utf-8")
    load = read_returns(p, load_register())
    assert [r.row for r in load.accepted] == [2, 8] and [r.value for r in load.accepted] == [12, 1200]
    assert load.rows_read == 8 == len(load.accepted) + len(load.set_aside)
    by_row = {s.row: " | ".join(s.reasons) for s in load.set_aside}
    assert set(by_row) == {3, 4, 5, 6, 7, 9}
    assert f"{p}, row 3, value: '-3'" in by_row[3]
    assert "row 4, provider: 'Nobody Ltd'" in by_row[4] and "row 5, service: 'no-such-service'" in by_row[5]
    assert "row 6, period_end" in by_row[6]
    for field in ("period_start", "measure", "value", "qualifier"):
        assert f"row 7, {field}:" in by_row[7]
    assert "repeats row 2" in by_row[9]
    assert load.set_aside[0].values["value"] == "-3"  # kept as read


def test_reloading_the_same_file_is_a_no_op(tmp_path: Path):
    ws = Workspace.open(Settings.resolve(tmp_path / "home", environ={}))
    load = read_returns(DEMO, load_register())
    sha, created = save_returns(ws, load)
    assert created and len(returns_in_force(ws)) == 8

    def counts() -> tuple[int, int]:
        with ws.catalogue.session() as s:
            return s.scalar(select(func.count()).select_from(ReturnsFile)), s.scalar(
                select(func.count()).select_from(ReturnRow))

    before = counts()
    copy = tmp_path / "renamed.csv"
    copy.write_bytes(DEMO.read_bytes())
    assert save_returns(ws, read_returns(copy, load_register())) == (sha, False)
    assert counts() == before == (1, 8)
    # a corrected return for the same service, provider, period and measure supersedes the old value
    fix = tmp_path / "fix.csv"
    fix.write_text(HEADER + f"{YPPS},St Giles Trust,2023-09-01,2024-07-31,workshops,47,,corrected\n", encoding="utf-8")
    save_returns(ws, read_returns(fix, load_register()))
    got = [r.value for r in returns_in_force(ws, YPPS) if r.measure == "workshops"]
    assert got == [47]
    ws.catalogue.engine.dispose()
