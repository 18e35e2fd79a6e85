"""Governance registers: the shipped Kent and Medway default, the derived RAG rule, problems reported all at
once, export/load round trips, and catalogue versions."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from vrhub.governance.registers import (
    Action,
    RegisterError,
    default_files,
    load_governance,
    save_governance,
)
from vrhub.governance.store import in_force, save_to_catalogue
from vrhub.store.catalogue.models import GovernanceVersion

TODAY = dt.date(2025, 2, 1)


def test_kent_default_loads_with_its_three_strands_and_board_leads():
    gov = load_governance()
    assert gov.partnership["name"] == "Kent and Medway Serious Violence Duty partnership"
    assert [(s.label, s.board_lead) for s in gov.strands] == [
        ("Serious Youth Violence - a 0-25 approach", "Kent County Council"),
        ("Sexual Violence and Domestic Abuse", "Kent Police"),
        ("Violence linked to Drugs and Alcohol", "Medway Public Health"),
    ]
    assert len(gov.actions) == 7 and {a.strand for a in gov.actions} == {s.key for s in gov.strands}
    # every member is one mapping with exactly organisation, type and sector (a comma in a flow mapping once split
    # 'Probation Service (Kent, Surrey and Sussex)' in two)
    assert all(set(m) == {"organisation", "type", "sector"} for m in gov.members), gov.members
    assert "Probation Service (Kent, Surrey and Sussex)" in [m["organisation"] for m in gov.members]
    assert all(set(b) == {"office", "organisation", "role"} for b in gov.board), gov.board
    assert "Strand lead, Violence linked to Drugs and Alcohol" in [b["office"] for b in gov.board]
    assert [m["organisation"] for m in gov.members if m["type"] == "convenor"] == [
        "Office of the Police and Crime Commissioner for Kent"]


def action(status: str, due: dt.date) -> Action:
    return Action("X-1", "s", "do it", "owner", due, status)


@pytest.mark.parametrize("status, due, rag, overdue", [
    ("complete", TODAY - dt.timedelta(days=100), "green", False),  # complete → green even if late
    ("complete", TODAY + dt.timedelta(days=5), "green", False),
    ("on track", TODAY - dt.timedelta(days=1), "red", True),  # overdue → red
    ("not started", TODAY - dt.timedelta(days=1), "red", True),
    ("at risk", TODAY - dt.timedelta(days=1), "red", True),
    ("off track", TODAY + dt.timedelta(days=200), "red", False),  # off track → red
    ("at risk", TODAY + dt.timedelta(days=200), "amber", False),  # at risk → amber
    ("not started", TODAY + dt.timedelta(days=30), "amber", False),  # not started, due within 30 days → amber
    ("not started", TODAY, "amber", False),  # due today is not yet overdue
    ("not started", TODAY + dt.timedelta(days=31), "green", False),
    ("on track", TODAY + dt.timedelta(days=3), "green", False),
])
def test_rag_rule(status: str, due: dt.date, rag: str, overdue: bool):
    a = action(status, due)
    assert a.rag(TODAY) == rag
    assert a.overdue(TODAY) is overdue


def test_status_lists_worst_first():
    rows = load_governance().status(TODAY)
    order = {"red": 0, "amber": 1, "green": 2}
    assert [order[r["rag"]] for r in rows] == sorted(order[r["rag"]] for r in rows)
    assert rows[0]["id"] == "SVDA-1" and rows[0]["overdue"]  # due 2024-12-31, at risk
    assert {r["id"]: r["rag"] for r in rows}["DAV-1"] == "red"  # off track, not yet due
    assert {r["id"]: r["board_lead"] for r in rows}["DAV-2"] == "Medway Public Health"


BROKEN = """id,strand,action,owner,due,status,evidence,updated
A-1,serious_youth_violence,Fine action,KCC,2025-03-01,on track,,
A-1,serious_youth_violence,Duplicate id,KCC,2025-03-01,on track,,
A-3,no_such_strand,Bad strand,KCC,2025-03-01,on track,,
A-4,serious_youth_violence,Bad date,KCC,31/03/2025,on track,,
A-5,serious_youth_violence,Bad status,KCC,2025-03-01,nearly done,,
A-6,serious_youth_violence,,,2025-03-01,on track,,2025-13-01
"""


def test_broken_actions_report_every_problem_with_row_and_column(tmp_path: Path):
    pfile, _ = default_files()
    afile = tmp_path / "actions.csv"
    afile.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(RegisterError) as err:
        load_governance(pfile, afile)
    problems = err.value.problems
    expected = [("row 3", "id", "appears more than once"), ("row 4", "strand", "no_such_strand"),
                ("row 5", "due", "not a date"), ("row 6", "status", "nearly done"),
                ("row 7", "action", "missing"), ("row 7", "owner", "missing"), ("row 7", "updated", "not a date")]
    for row, col, what in expected:
        assert any(f"{row}, {col}" in p and what in p for p in problems), (row, col, problems)
    assert len(problems) == len(expected)
    assert not any("row 2," in p for p in problems)
    assert "every problem is listed" in err.value.hint


def test_missing_columns_and_bad_partnership_are_reported(tmp_path: Path):
    (tmp_path / "a.csv").write_text("id,strand,action\nA,b,c\n", encoding="utf-8")
    (tmp_path / "p.yaml").write_text("members:\n  - {organisation: X, type: friend}\nstrands:\n  - {key: a}\n",
                                     encoding="utf-8")
    with pytest.raises(RegisterError) as err:
        load_governance(tmp_path / "p.yaml", tmp_path / "a.csv")
    text = "\n".join(err.value.problems)
    assert "partnership.name is missing" in text
    assert "members[0].type 'friend'" in text
    assert "strands[0] lacks label, board_lead" in text
    assert "missing column(s) owner, due, status" in text


def test_unquoted_comma_in_a_flow_mapping_is_reported(tmp_path: Path):
    pfile, _ = default_files()
    text = pfile.read_text(encoding="utf-8").replace('"Strand lead, Serious Youth Violence"',
                                                     "Strand lead, Serious Youth Violence")
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RegisterError) as err:
        load_governance(tmp_path / "p.yaml")
    assert err.value.problems == [f"{tmp_path / 'p.yaml'}: board[2] has 'Serious Youth Violence' with no value: in "
                                  '{...} quote a value that contains a comma, e.g. office: "Strand lead, Youth"']


def test_export_then_load_round_trips_to_the_same_sha256(tmp_path: Path):
    gov = load_governance()
    pfile, afile = save_governance(gov, tmp_path / "export")
    again = load_governance(pfile, afile)
    assert again.sha256 == gov.sha256 and len(again.sha256) == 64
    assert again.actions == gov.actions
    # and a change is seen
    text = afile.read_text(encoding="utf-8").replace("2025-09-30", "2025-10-31")
    afile.write_text(text, encoding="utf-8")
    assert load_governance(pfile, afile).sha256 != gov.sha256


def versions(ws) -> int:  # type: ignore[no-untyped-def]
    with ws.catalogue.session() as s:
        return s.scalar(select(func.count()).select_from(GovernanceVersion))


def test_loading_the_same_register_twice_creates_one_version(ws, tmp_path: Path):
    assert in_force(ws).sha256 == load_governance().sha256  # the shipped default when nothing is loaded
    gov = load_governance()
    sha, created = save_to_catalogue(ws, gov)
    assert created and versions(ws) == 1
    sha2, created2 = save_to_catalogue(ws, load_governance())
    assert (sha2, created2) == (sha, False) and versions(ws) == 1
    # an edited register becomes the one in force
    p, a = default_files()
    shutil.copy(p, tmp_path / "p.yaml")
    (tmp_path / "a.csv").write_text(a.read_text(encoding="utf-8").replace(",on track,,2025-01-05",
                                                                          ",complete,,2025-01-05"), encoding="utf-8")
    edited = load_governance(tmp_path / "p.yaml", tmp_path / "a.csv")
    assert save_to_catalogue(ws, edited)[1] and versions(ws) == 2
    now = in_force(ws)
    assert now.sha256 == edited.sha256 and now.actions == edited.actions
