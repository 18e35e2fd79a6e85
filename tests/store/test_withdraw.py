"""Withdrawing a dataset version: a wrong partial re-issue of a force-month is rolled back to the original."""

from __future__ import annotations

from pathlib import Path

import pytest
from vrhub_testkit import STREET_HEADER, csv_bytes, police_uk_ingest, run_cli, street_row

from vrhub.domain.errors import WorkspaceError
from vrhub.store.workspace import Workspace


def month_file(path: Path, rows: int, month: str = "2019-02") -> Path:
    path.write_bytes(csv_bytes(STREET_HEADER, [street_row(Month=month, **{"Crime ID": f"id-{i}"})
                                               for i in range(rows)]))
    return path


def street_count(ws: Workspace) -> int:
    return ws.engine().table("police_uk_street").count().to_pyarrow().as_py()


def test_withdrawing_a_partial_reissue_reads_the_original_again(ws: Workspace, tmp_path: Path) -> None:
    [original] = police_uk_ingest(ws, [month_file(tmp_path / "feb.csv", 12)]).results
    [partial] = police_uk_ingest(ws, [month_file(tmp_path / "feb-reissue.csv", 4)]).results
    assert street_count(ws) == 4  # the newer version of the force-month replaces the older

    ws.catalogue.withdraw(partial.dataset_id, "partial re-issue")
    assert street_count(ws) == 12
    assert [d.id for d in ws.catalogue.datasets()] == [original.dataset_id]
    assert {d.id for d in ws.catalogue.datasets(include_withdrawn=True)} == {original.dataset_id, partial.dataset_id}
    assert ws.orphans() == []  # a withdrawn version's folder is still catalogued, never an orphan

    [again] = police_uk_ingest(ws, [tmp_path / "feb-reissue.csv"]).results
    assert again.duplicate_of == partial.dataset_id
    assert any("withdrawn" in w and "vrhub restore" in w for w in again.warnings)

    ws.catalogue.restore(partial.dataset_id)
    assert street_count(ws) == 4


def test_withdrawing_an_unknown_dataset_says_what_to_do(ws: Workspace) -> None:
    with pytest.raises(WorkspaceError, match="vrhub datasets"):
        ws.catalogue.withdraw("street-nothing", "x")


def test_cli_withdraw_restore_and_datasets_all(ws: Workspace, tmp_path: Path) -> None:
    [r] = police_uk_ingest(ws, [month_file(tmp_path / "feb.csv", 3)]).results
    home = str(ws.home)
    assert run_cli("--home", home, "withdraw", r.dataset_id, "--reason", "wrong force").exit_code == 0
    listed = run_cli("--home", home, "datasets", "--json")
    assert '"dataset_id"' not in listed.stdout
    everything = run_cli("--home", home, "datasets", "--all", "--json")
    assert r.dataset_id in everything.stdout and "wrong force" in everything.stdout
    assert run_cli("--home", home, "restore", r.dataset_id).exit_code == 0
    assert r.dataset_id in run_cli("--home", home, "datasets", "--json").stdout
