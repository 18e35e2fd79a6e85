"""The generic mapped source: a mapping file is checked against its target and the files before anything is loaded,
every problem reported at once; good files load through the ordinary loader with quarantine per row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vrhub_testkit import open_workspace
from vrhub_testkit import run_cli as run

from vrhub.ingest.loader import ingest
from vrhub.ingest.mapped import MappingError, check_mapping, example_mapping, load_mapping, mapped_sources
from vrhub.store.workspace import Workspace

HEADER = ("Period From,Period To,Arrival DT,Incident DT,Weapon Code,Weapon Notes,Place Code,Place Notes,Age Group,"
          "Gender Code,Patient LSOA\n")
GOOD = ("01.03.2024,31.03.2024,02.03.2024 23.40,02.03.2024 23.05,W1,,P2,outside Chatham station,18-24,1,E01016016\n"
        "01.03.2024,31.03.2024,03.03.2024 01.10,03.03.2024 00.50,Knife,,P1,High St Maidstone,25-34,2,E01024383\n")
BAD = ("01.03.2024,31.03.2024,04.03.2024 02.10,,W7,,P1,,25-34,2,E01024383\n"
       "01.03.2024,31.03.2024,05.03.2024 25.10,,W2,,P6,,25-34,2,E01024383\n"
       "01.03.2024,31.03.2024,06.03.2024 02.10,,W7,,P1,,25-34,2,E01024383\n")


def write(path: Path, body: str) -> Path:
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_the_example_mapping_loads_a_partner_export_with_codes_and_dates_converted(ws: Workspace,
                                                                                   tmp_path: Path) -> None:
    m = load_mapping(example_mapping())
    p = write(tmp_path / "export.csv", GOOD)
    assert check_mapping(m, [p]) == []
    [r] = ingest(ws, [p], mapped_sources(m), kind=m.target.kind).results
    assert r.ok and (r.rows_read, r.rows_accepted, r.rows_quarantined) == (2, 2, 0)
    got = ws.engine().table("ed_istv").order_by("source_row").to_pyarrow().to_pylist()
    assert [g["assault_method"] for g in got] == ["knife_or_sharp_object", "knife_or_sharp_object"]  # W1; 'Knife'
    assert [g["assault_location_type"] for g in got] == ["licensed_premises", "street_public_place"]
    assert str(got[0]["arrival_datetime"]) == "2024-03-02 23:40:00" and got[0]["site_code"] == "SYN-EXAMPLE"
    d = ws.catalogue.get(r.dataset_id)
    assert d.kind == "ed_istv" and d.attributes["mapping_file"] == "ed-istv-example.yaml"


def test_values_with_no_code_are_all_reported_before_anything_is_loaded(ws: Workspace, tmp_path: Path) -> None:
    m = load_mapping(example_mapping())
    p = write(tmp_path / "export.csv", GOOD + BAD)
    other = tmp_path / "other.csv"
    other.write_text("Period From,Period To,Arrival\n01.03.2024,31.03.2024,x\n", encoding="utf-8")
    problems = check_mapping(m, [p, other])
    assert f"{p}: column 'Weapon Code' (assault_method) has 1 value(s) with no code in the mapping: 'W7' (2 row(s), " \
           "first row 4); add them under values.assault_method" in problems
    assert any("'P6' (1 row(s), first row 5)" in x for x in problems)
    assert f"{other}: column 'Arrival DT' (for arrival) is not in the header on row 1 (found 'Arrival' instead?)" \
        in problems
    assert len(problems) == 2 + 9  # every one of the 9 missing columns named


def test_a_bad_mapping_reports_every_problem_at_once(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("target: ed_istv\ncolumns:\n  arrivall: X\n  site_code: Site\nvalues:\n  sex: {1: blokes}\n"
                   "date_formats:\n  site_code: dd/mm\nextra: 1\n", encoding="utf-8")
    with pytest.raises(MappingError) as e:
        load_mapping(bad)
    p = e.value.problems
    assert f"{bad}: unknown key 'extra'" in p[0]
    assert any("columns: 'arrivall' is not a field of ed_istv (did you mean 'arrival'?)" in x for x in p)
    assert any("required field 'arrival' (Arrival date time) of ed_istv is not mapped" in x for x in p)
    assert any("values: sex: '1' → 'blokes' is not a code of ed_istv sex" in x for x in p)
    assert any("values: 'sex' has a value map but is not mapped to a column" in x for x in p)
    assert any("date_formats: 'site_code': 'dd/mm' is not a strptime format" in x for x in p)
    assert len(p) == 11  # 1 key, 1 field, 6 required unmapped, 2 values, 1 date format
    toml = tmp_path / "t.toml"
    toml.write_text('target = "nothing"\n', encoding="utf-8")
    with pytest.raises(MappingError, match="target 'nothing' is not a canonical kind"):
        load_mapping(toml)


def test_missing_columns_and_identifiers_in_clear_are_named(tmp_path: Path) -> None:
    text = example_mapping().read_text(encoding="utf-8").replace("identifiers: []", "identifiers: [Patient LSOA]")
    mfile = tmp_path / "m.yaml"
    mfile.write_text(text.replace("Weapon Code", "Weapon Kode"), encoding="utf-8")
    p = write(tmp_path / "export.csv", GOOD)
    problems = check_mapping(load_mapping(mfile), [p])
    assert problems == [f"{p}: column 'Weapon Kode' (for assault_method) is not in the header on row 1 "
                        "(found 'Weapon Code' instead?)"]
    mfile.write_text(text, encoding="utf-8")
    [problem] = check_mapping(load_mapping(mfile), [p])
    assert "Patient LSOA" in problem and "pseudonym" in problem


def test_with_quarantine_policy_rows_with_no_code_are_quarantined_naming_the_partner_column(ws: Workspace,
                                                                                            tmp_path: Path) -> None:
    mfile = tmp_path / "q.yaml"
    mfile.write_text(example_mapping().read_text(encoding="utf-8").replace(
        "unmapped_values: refuse", "unmapped_values: quarantine"), encoding="utf-8")
    m = load_mapping(mfile)
    blank = "01.03.2024,31.03.2024,07.03.2024 02.10,,,,P1,,25-34,2,E01024383\n"  # line 7: no weapon code at all
    p = write(tmp_path / "export.csv", GOOD + BAD + blank)
    assert check_mapping(m, [p]) == []
    [r] = ingest(ws, [p], mapped_sources(m), kind="ed_istv").results
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (6, 2, 4)
    q = {x["_source_row"]: x["_problems"] for x in ws.engine().quarantine(r.dataset_id).to_pyarrow().to_pylist()}
    assert q[4] == "Column 'Weapon Code': 'W7' has no code in the mapping q.yaml (values.assault_method)"
    assert q[5] == ("Column 'Arrival DT': '05.03.2024 25.10' does not match the date format '%d.%m.%Y %H.%M' of the "
                    "mapping; Column 'Place Code': 'P6' has no code in the mapping q.yaml "
                    "(values.assault_location_type)")
    assert q[7] == "Assault method (column 'Weapon Code'): is missing"  # the target's own check, naming the column


def test_cli_checks_first_and_loads_nothing_on_a_problem(tmp_path: Path) -> None:
    home = tmp_path / "home"
    bad = write(tmp_path / "bad.csv", GOOD + BAD)
    result = run("--home", str(home), "ingest", "mapped", str(bad), "--mapping", str(example_mapping()), "--json")
    assert result.exit_code == 1
    got = json.loads(result.stdout)
    assert got["loaded"] is False and len(got["problems"]) == 2
    assert open_workspace(home).catalogue.datasets() == []
    good = write(tmp_path / "good.csv", GOOD)
    result = run("--home", str(home), "ingest", "mapped", str(good), "--mapping", str(example_mapping()), "--check")
    assert result.exit_code == 0 and "the files can be loaded" in " ".join(result.stdout.split())
    assert open_workspace(home).catalogue.datasets() == []
    result = run("--home", str(home), "ingest", "mapped", str(good), "--mapping", str(example_mapping()))
    assert result.exit_code == 0, result.output
    [d] = open_workspace(home).catalogue.datasets("ed_istv")
    assert d.rows_accepted == 2
    result = run("ingest", "mapped", "--fields", "ed_istv", "--json")
    assert {"field": "arrival", "header": "Arrival date time", "required": "yes", "coded": ""} in \
        json.loads(result.stdout)


def test_a_mapped_workbook_with_a_header_block_loads_the_block_as_the_mapped_column(ws: Workspace,
                                                                                     tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Extract"
    sheet.append(["Example Trust ED extract"])
    sheet.append(["Period From", "01.03.2024"])
    sheet.append(["Period To", "31.03.2024"])
    cols = HEADER.strip().split(",")[2:]
    sheet.append(cols)
    for line in GOOD.splitlines():
        sheet.append([v or None for v in line.split(",")[2:]])
    path = tmp_path / "extract.xlsx"
    wb.save(path)
    m = load_mapping(example_mapping())
    assert check_mapping(m, [path]) == []
    [r] = ingest(ws, [path], mapped_sources(m), kind="ed_istv").results
    assert r.ok and (r.rows_read, r.rows_accepted) == (2, 2)
    got = ws.engine().table("ed_istv").order_by("source_row").to_pyarrow().to_pylist()
    assert [g["source_row"] for g in got] == [5, 6]
    assert {str(g["period_end"]) for g in got} == {"2024-03-31"}
    missing = tmp_path / "missing.xlsx"
    sheet.cell(row=4, column=1, value="Arrived")
    wb.save(missing)
    assert check_mapping(m, [missing]) == [
        f"{missing} (sheet 'Extract'): column 'Arrival DT' (for arrival) is not in the header on row 4"]
