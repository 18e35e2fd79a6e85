"""``vrhub link`` and ``vrhub cohort --linked`` end to end on invented partners; bad linkage files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from vrhub_testkit import run_cli as run

from vrhub.ingest.linkage_files import LinkageInputError


def test_link_synthetic_then_linked_cohort_released(tmp_path: Path, terminal: io.StringIO) -> None:
    home = tmp_path / "home"
    result = run("--home", str(home), "link", "--synthetic", "1500", "--json")
    assert result.exit_code == 0, result.output
    assert terminal.getvalue() == ""  # --json: no progress drawn, stdout one document (parsed below)
    report = json.loads(result.stdout)
    folder = Path(report["folder"])
    assert sorted(p.name for p in folder.iterdir()) == ["clerical_review.csv", "model.json", "person_links.parquet",
                                                        "report.json"]
    links = pd.read_parquet(folder / "person_links.parquet")
    assert len(links) == sum(report["records"].values())
    assert report["synthetic"] is True and {r["source_a"] for r in report["accuracy"]} >= {"education"}
    model = json.loads((folder / "model.json").read_text())
    assert model["comparisons"][0]["output_column_name"] == "names"
    cohort = run("--home", str(home), "cohort", "--linked", "--release", "--json")
    assert cohort.exit_code == 0, cohort.output
    got = json.loads(cohort.stdout)
    assert got["synthetic"] is True and got["released"] is True
    assert got["notes"][0].startswith("linked without a shared identifier")
    assert got["population"] % 5 == 0
    # a trained model can be reused: same links without training
    again = run("--home", str(home), "link", "--model", str(folder / "model.json"))
    assert again.exit_code == 0, again.output
    # on a terminal, the stages are drawn on stderr, never on stdout
    assert "Linking (duckdb): scoring the candidate pairs" in terminal.getvalue()
    assert "Linking (duckdb)" not in again.stdout and "Wrote" in again.stdout
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "person_links.parquet")[["unique_id", "cluster_id"]],
                                  links[["unique_id", "cluster_id"]])


def test_a_file_without_encodings_is_refused_with_what_to_do(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "education.csv").write_text("person_id,Sex\nabc,M\n")
    (inputs / "youth_justice.csv").write_text("person_id,Sex\nabc,M\n")
    with pytest.raises(LinkageInputError) as refused:
        run("--home", str(tmp_path / "home"), "link", "--sources", "education,youth_justice", "--in", str(inputs))
    assert "education.csv has no linkage encodings" in refused.value.message
    assert "--linkage" in refused.value.hint
    with pytest.raises(LinkageInputError, match="no linkage file for source 'nothing'"):
        run("--home", str(tmp_path / "home"), "link", "--sources", "education,nothing", "--in", str(inputs))


def test_a_bad_cell_is_named_and_its_row_kept(tmp_path: Path) -> None:
    from vrhub.ingest.linkage_files import read_partner_files
    from vrhub.synth.linkage import generate_linkage_partners

    made = generate_linkage_partners(tmp_path / "in", tmp_path / "key" / "k", people=200)
    path = made.paths["education"]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[2, "lk_dob"] = "Smith 2009"
    frame.to_csv(path, index=False)
    files = read_partner_files({"education": [path]})
    assert len(files.frames["education"]) == len(frame)
    assert files.bad_cell_count == 1
    bad = files.bad_cells[0]
    assert (bad.row, bad.field) == (4, "lk_dob") and bad.file == str(path)
    assert files.frames["education"].loc[2, "lk_dob"] == ""
    assert "row 4, field lk_dob" in files.messages()[0]
