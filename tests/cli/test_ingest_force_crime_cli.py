"""``vrhub ingest force-crime``: the canonical layout from an Excel workbook, a shipped layout by name (--mapping
niche), a mapping whose files do not fit (refused before anything is loaded, every problem named), and a mapping for
another kind (refused)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import openpyxl
import pytest
from vrhub_testkit import csv_bytes, open_workspace
from vrhub_testkit import run_cli as run

from vrhub.domain.errors import MappingError

VICTIM = hashlib.sha256(b"synthetic victim").hexdigest()
HEADER = ["Crime reference", "Force", "Offence code", "Committed from", "Recorded date", "Victim ID", "Victim age",
          "Knife or sharp instrument"]
NICHE = ["OCC_NO", "FORCE_NAME", "HOOC", "FROM_DT", "TO_DT", "REPORTED_DT", "X_COORD", "Y_COORD", "LSOA21CD",
         "WARD_CD", "BEAT_CODE", "VIC_PSEUDO_ID", "VIC_AGE_AT_OFFENCE", "VIC_GENDER", "VIC_SDE", "SUS_PSEUDO_ID",
         "SUS_AGE_AT_OFFENCE", "SUS_GENDER", "SUS_SDE", "QUAL_DA", "QUAL_KNIFE", "QUAL_FIREARM", "QUAL_ALCOHOL",
         "QUAL_DRUGS", "QUAL_NTE", "QUAL_CCE", "QUAL_GANG", "QUAL_HATE", "OUTCOME_CD", "OUTCOME_DT"]


def test_a_workbook_in_the_canonical_layout(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["C1", "SYN-Kent Police", "5D", "01/03/2025 22:00", "02/03/2025 09:00", VICTIM, 19, "Y"])
    ws.append(["C2", "SYN-Kent Police", "34B", "03/03/2025 22:00", "02/03/2025 09:00", VICTIM, 19, "N"])
    path = tmp_path / "force-crime.xlsx"
    wb.save(path)
    home = tmp_path / "home"
    result = run("--home", str(home), "ingest", "force-crime", str(path), "--partner", "SYN-Kent Police", "--json")
    assert result.exit_code == 0, result.output
    [r] = json.loads(result.stdout)
    assert (r["kind"], r["rows_read"], r["rows_accepted"], r["rows_quarantined"]) == ("force_crime", 2, 1, 1)
    [d] = open_workspace(home).catalogue.datasets("force_crime")
    assert d.rows_accepted == 1


def test_a_shipped_layout_by_name_and_a_file_that_does_not_fit_it(tmp_path: Path) -> None:
    row = dict(zip(NICHE, ["N1", "SYN-Kent Police", "008N", "01/03/2025 22:00", "", "02/03/2025 09:00", "575800",
                           "155700", "E01024000", "", "", VICTIM, "30", "F", "W1", "", "", "", "", "Y", "N", "N", "Y",
                           "N", "N", "N", "N", "N", "OC18", "10/04/2025"], strict=True))
    good = tmp_path / "niche.csv"
    good.write_bytes(csv_bytes(NICHE, [row]))
    home = tmp_path / "home"
    result = run("--home", str(home), "ingest", "force-crime", str(good), "--mapping", "niche", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["rows_accepted"] == 1
    bad = tmp_path / "niche-renamed.csv"
    header = [h if h != "HOOC" else "HO_OFFENCE" for h in NICHE]
    bad.write_bytes(csv_bytes(header, [{("HO_OFFENCE" if k == "HOOC" else k): v for k, v in row.items()}]))
    with pytest.raises(MappingError, match=r"column 'HOOC' \(for ho_offence_code\) is not in the header") as exc:
        run("--home", str(home), "ingest", "force-crime", str(bad), "--mapping", "niche")
    assert "nothing was loaded" in exc.value.hint
    assert len(open_workspace(home).catalogue.datasets("force_crime")) == 1  # nothing more was loaded


def test_a_mapping_for_another_kind_is_refused(tmp_path: Path) -> None:
    from vrhub.ingest.mapped import example_mapping

    path = tmp_path / "force-crime.csv"
    path.write_bytes(csv_bytes(HEADER, []))
    with pytest.raises(MappingError, match="its target is ed_istv, not force_crime"):
        run("--home", str(tmp_path / "home"), "ingest", "force-crime", str(path), "--mapping", str(example_mapping()))


def test_synth_load_adds_a_force_extract_on_the_loaded_police_uk_crimes(tmp_path: Path) -> None:
    from vrhub_testkit import STREET_HEADER, street_row

    rows = [street_row(Crime_type=t, Crime_ID=f"c{i}", LSOA_name=f"{d} 001A")
            for i, (t, d) in enumerate([("Violence and sexual offences", "Thanet"), ("Robbery", "Maidstone"),
                                        ("Possession of weapons", "Dover"), ("Burglary", "Dover"),
                                        ("Violence and sexual offences", "Maidstone")])]
    street = tmp_path / "2023-01-kent-street.csv"
    street.write_bytes(csv_bytes(STREET_HEADER, [r | {"Month": "2023-01"} for r in rows]))
    home = str(tmp_path / "home")
    assert run("--home", home, "ingest", "police-uk", str(street), "--json").exit_code == 0
    result = run("--home", home, "synth", "--years", "2023", "--seed", "3", "--scale", "0.02", "--people", "200",
                 "--out", str(tmp_path / "synth"), "--load", "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got["force_crime"]["rows"] == 4  # the violence, robbery and weapons crimes; not the burglary
    [loaded] = got["loaded_force_crime"]
    assert (loaded["rows_accepted"], loaded["rows_quarantined"]) == (4, 0)
    assert all(d.synthetic for d in open_workspace(Path(home)).catalogue.datasets("force_crime"))
