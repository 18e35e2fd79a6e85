"""Which version of a force-month is read (issue 13.13, hub issue 12.5's store side, issue 15's revisions), supply gaps
in the load report and in ``datasets --json`` (13.5), and a new ED site code (13.14)."""

from __future__ import annotations

import json
from pathlib import Path

from vrhub_testkit import STREET_HEADER, csv_bytes, police_uk_ingest, run_cli, street_row

from vrhub.ingest import istv
from vrhub.ingest.loader import ingest
from vrhub.store.workspace import Workspace


def street_file(path: Path, month: str, n: int, *, force: str = "Essex Police", crime_type: str = "Burglary",
                extra: list[dict[str, str]] = (), prefix: str = "") -> Path:
    rows = [street_row(Month=month, Falls_within=force, Reported_by=force, Crime_type=crime_type,
                       **{"Crime ID": f"{prefix}{month}-{i}"}) for i in range(n)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(STREET_HEADER, rows + list(extra)))
    return path


def read_by_month(ws: Workspace) -> dict[str, int]:
    t = ws.engine().table("police_uk_street")
    rows = t.group_by(t.month).agg(n=t.count()).to_pyarrow().to_pylist()
    return {r["month"].strftime("%Y-%m"): r["n"] for r in rows}


def test_one_stray_row_of_another_month_does_not_supersede_that_month(ws: Workspace, tmp_path: Path) -> None:
    [october] = police_uk_ingest(ws, [street_file(tmp_path / "oct.csv", "2019-10", 300)]).results
    stray = street_row(Month="2019-10", Falls_within="Essex Police", **{"Crime ID": "stray"})
    [november] = police_uk_ingest(ws, [street_file(tmp_path / "nov.csv", "2019-11", 250, extra=[stray])]).results
    assert november.ok and november.rows_accepted == 251
    assert read_by_month(ws) == {"2019-10": 300, "2019-11": 250}  # October is not hidden by one row
    [issue] = november.coverage_issues
    assert (issue["problem"], issue["month"], issue["rows"], issue["other_dataset"], issue["other_rows"]) == \
        ("barely_covers", "2019-10", 1, october.dataset_id, 300)
    assert "does not replace that month" in issue["message"]
    # a full re-issue of October still supersedes, and a withdrawn October leaves the stray row as all there is
    [reissue] = police_uk_ingest(ws, [street_file(tmp_path / "oct2.csv", "2019-10", 280, prefix="r")]).results
    assert reissue.coverage_issues == [] and read_by_month(ws)["2019-10"] == 280
    ws.catalogue.withdraw(reissue.dataset_id, "test")
    ws.catalogue.withdraw(october.dataset_id, "test")
    assert read_by_month(ws)["2019-10"] == 1


def test_one_organisation_never_replaces_another_organisations_force_month(ws: Workspace, tmp_path: Path) -> None:
    [kent] = police_uk_ingest(ws, [street_file(tmp_path / "kp.csv", "2019-10", 40, force="Kent Police")],
                              partner="Kent Police").results
    [medway] = police_uk_ingest(ws, [street_file(tmp_path / "mc.csv", "2019-10", 3, force="Kent Police",
                                                 prefix="m")], partner="Medway Council").results
    assert medway.ok and read_by_month(ws) == {"2019-10": 40}  # Kent Police's own data is still what is read
    [issue] = medway.coverage_issues
    assert issue["problem"] == "other_supplier" and issue["read"] is False and issue["other_dataset"] == kent.dataset_id
    assert "Kent Police" in issue["message"] and "Medway Council" in issue["message"]
    # the conflict is reported by 'datasets' too, from both sides, until one version is withdrawn
    r = run_cli("--home", str(ws.home), "datasets", "--json")
    got = {d["dataset_id"]: d["coverage_issues"] for d in json.loads(r.stdout)}
    assert [i["read"] for i in got[kent.dataset_id]] == [True] and [i["read"] for i in got[medway.dataset_id]] == \
        [False]
    ws.catalogue.withdraw(kent.dataset_id, "Kent's file was wrong")
    assert read_by_month(ws) == {"2019-10": 3} and ws.catalogue.conflicts("police_uk_street") == []


def test_a_revised_month_is_a_new_version_both_kept_newest_read_and_changes_listed(ws: Workspace,
                                                                                   tmp_path: Path) -> None:
    from vrhub.store.revisions import ALL, revisions

    first = street_file(tmp_path / "v1" / "2019-10-essex-street.csv", "2019-10", 30)
    [v1] = police_uk_ingest(ws, [first]).results
    more = [street_row(Month="2019-10", Falls_within="Essex Police", Crime_type="Robbery", **{"Crime ID": f"x{i}"})
            for i in range(4)]
    revised = street_file(tmp_path / "v2" / "2019-10-essex-street.csv", "2019-10", 28, extra=more)
    [v2] = police_uk_ingest(ws, [revised]).results
    assert v2.ok and v2.dataset_id != v1.dataset_id and read_by_month(ws) == {"2019-10": 32}
    assert {d.id for d in ws.catalogue.datasets()} == {v1.dataset_id, v2.dataset_id}  # both kept
    [rev] = revisions(ws, "police_uk_street")
    assert (rev.force, rev.previous, rev.current) == ("Essex Police", v1.dataset_id, v2.dataset_id)
    assert [(c.category, c.before, c.after, c.change) for c in rev.changes] == [
        ("Burglary", 30, 28, -2), ("Robbery", 0, 4, 4), (ALL, 30, 32, 2)]
    # identical content is still a duplicate: re-running creates nothing and lists no new revision
    [again] = police_uk_ingest(ws, [revised]).results
    assert again.duplicate_of == v2.dataset_id and len(revisions(ws)) == 1
    r = run_cli("--home", str(ws.home), "datasets", "--revisions", "--json")
    [got] = json.loads(r.stdout)
    assert got["month"] == "2019-10" and got["changes"][-1] == {"category": ALL, "before": 30, "after": 32,
                                                                 "change": 2}
    text = run_cli("--home", str(ws.home), "datasets", "--revisions").stdout
    assert "Robbery" in text and "+4" in text


def test_a_gap_in_supply_is_in_the_load_report_and_in_datasets_json(ws: Workspace, tmp_path: Path) -> None:
    paths = [street_file(tmp_path / f"{m}.csv", m, 30, force="Kent Police") for m in
             ("2019-01", "2019-02", "2019-04", "2019-05", "2019-06")]
    r = run_cli("--home", str(ws.home), "ingest", "police-uk", *map(str, paths), "--json")
    loaded = json.loads(r.stdout)
    for result in loaded:
        assert [(w["month"], w["problem"]) for w in result["supply_warnings"]] == [("2019-03", "gap")]
    text = run_cli("--home", str(ws.home), "ingest", "police-uk", *map(str, paths)).stdout
    assert "2019-03: no data supplied for Kent Police (a gap)" in " ".join(text.split())
    got = json.loads(run_cli("--home", str(ws.home), "datasets", "--json").stdout)
    assert all([(w["month"], w["problem"]) for w in d["supply_warnings"]] == [("2019-03", "gap")] for d in got)


def test_an_unknown_ed_site_code_is_loaded_with_a_warning_naming_it(ws: Workspace, tmp_path: Path) -> None:
    header = ["Reporting period start", "Reporting period end", "ED site code", "Arrival date time",
              "Assault date time", "Assault method", "Assault location type"]

    def ret(path: Path, site: str) -> Path:
        path.write_bytes(csv_bytes(header, [dict(zip(header, ["01/01/2023", "31/01/2023", site, "06/01/2023 23:40",
                                                              "06/01/2023 23:05", "Knife", "Pub"], strict=True))]))
        return path

    [first] = ingest(ws, [ret(tmp_path / "a.csv", "RPA01")], istv.SOURCES).results
    assert first.ok and not any("is new" in w for w in first.warnings)  # the workspace's first data: nothing to say
    [typo] = ingest(ws, [ret(tmp_path / "b.csv", "ZZZ99")], istv.SOURCES).results
    assert typo.ok and typo.rows_accepted == 1  # kept (warned, not quarantined)
    [note] = [w for w in typo.warnings if "is new" in w]
    assert note.startswith("ED site code 'ZZZ99' is new") and "known: RPA01" in note
