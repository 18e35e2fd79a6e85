"""The force of a stop-and-search file whose name lacks it (issue 13.11): from the folder or archive name, or from
where the searches are (the real Metropolitan Police files), else refused asking for --force; never "unknown"."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from pathlib import Path

import pytest
from vrhub_testkit import MET_STOP_SEARCH_ZIP, STREET_HEADER, csv_bytes, police_uk_ingest, run_cli, street_row

from vrhub.store.workspace import Workspace

HEADER = ["Type", "Date", "Part of a policing operation", "Policing operation", "Latitude", "Longitude", "Gender",
          "Age range", "Self-defined ethnicity", "Officer-defined ethnicity", "Legislation", "Object of search",
          "Outcome", "Outcome linked to object of search", "Removal of more than just outer clothing"]


def searches(n: int, lon: float, lat: float, seed: int = 1) -> list[dict[str, str]]:
    rng = random.Random(seed)
    return [{"Type": "Person search", "Date": "2018-10-05T14:00:00+00:00", "Part of a policing operation": "False",
             "Latitude": f"{lat + rng.uniform(-0.02, 0.02):.5f}", "Longitude": f"{lon + rng.uniform(-0.03, 0.03):.5f}",
             "Gender": "Male", "Age range": "18-24", "Legislation": "Misuse of Drugs Act 1971",
             "Object of search": "Controlled drugs", "Outcome": "A no further action disposal"} for _ in range(n)]


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(HEADER, rows))
    return path


def forces_loaded(ws: Workspace) -> set[str]:
    return {c.force for d in ws.catalogue.datasets("police_uk_stop_search") for c in d.coverage}


def test_a_file_with_no_force_anywhere_is_refused_asking_for_force(ws: Workspace, tmp_path: Path) -> None:
    [r] = police_uk_ingest(ws, [write(tmp_path / "searches.csv", searches(20, 0.52, 51.27))]).results
    assert not r.ok and "cannot tell which police force" in r.error and "--force" in r.error
    assert ws.catalogue.datasets() == [] and forces_loaded(ws) == set()  # nothing loaded as "unknown"
    out = run_cli("--home", str(ws.home), "ingest", "police-uk", str(tmp_path / "searches.csv"), "--force", "kent")
    assert out.exit_code == 0 and forces_loaded(ws) == {"kent"}


def test_the_force_is_taken_from_the_folder_or_the_archive_name(ws: Workspace, tmp_path: Path) -> None:
    [r] = police_uk_ingest(ws, [write(tmp_path / "kent" / "oct.csv", searches(5, 0.52, 51.27))]).results
    assert r.ok and forces_loaded(ws) == {"kent"}
    assert any("force 'kent' taken from the folder or archive name" in w for w in r.warnings)
    archive = tmp_path / "essex-searches.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("2018-10/searches.csv", csv_bytes(HEADER, searches(5, 0.47, 51.73)))
    assert police_uk_ingest(ws, [archive]).ok and forces_loaded(ws) == {"kent", "essex"}


def test_the_force_is_inferred_from_where_the_searches_are(ws: Workspace, tmp_path: Path) -> None:
    rng = random.Random(3)
    crimes = [street_row(Month="2018-10", Longitude=f"{0.52 + rng.uniform(-0.1, 0.1):.5f}",
                         Latitude=f"{51.27 + rng.uniform(-0.06, 0.06):.5f}", **{"Crime ID": f"k{i}"})
              for i in range(400)]
    street = tmp_path / "2018-10-kent-street.csv"
    street.write_bytes(csv_bytes(STREET_HEADER, crimes))
    assert police_uk_ingest(ws, [street]).ok
    [r] = police_uk_ingest(ws, [write(tmp_path / "maidstone.csv", searches(30, 0.52, 51.27))]).results
    assert r.ok and forces_loaded(ws) == {"kent"}
    assert ws.catalogue.get(r.dataset_id).attributes["force_from"] == "the locations of the searches"
    assert any("inferred from the locations" in w and "100% of its 30 located searches" in w for w in r.warnings)
    # searches in central London are 40 km from any loaded Kent crime: refused, not guessed
    [london] = police_uk_ingest(ws, [write(tmp_path / "london.csv", searches(30, -0.12, 51.51))]).results
    assert not london.ok and "do not match one loaded force area" in london.error


def test_a_real_met_month_without_its_name_is_placed_by_its_locations(ws: Workspace, tmp_path: Path) -> None:
    with zipfile.ZipFile(MET_STOP_SEARCH_ZIP) as zf:
        october = zf.read("2018-10/2018-10-metropolitan-stop-and-search.csv")
        november = zf.read("2018-11/2018-11-metropolitan-stop-and-search.csv")
    (tmp_path / "2018-10-metropolitan-stop-and-search.csv").write_bytes(october)
    (tmp_path / "november-searches.csv").write_bytes(november)
    [oct_] = police_uk_ingest(ws, [tmp_path / "2018-10-metropolitan-stop-and-search.csv"]).results
    [nov] = police_uk_ingest(ws, [tmp_path / "november-searches.csv"]).results
    assert oct_.ok and nov.ok and forces_loaded(ws) == {"metropolitan"}
    rows = list(csv.DictReader(io.StringIO(november.decode("utf-8-sig"))))
    assert nov.rows_accepted + nov.rows_quarantined == len(rows) == 15_196
    # the real Met months have about 2.7% exact copies (searches of a group at one time and place): not flagged
    assert not any(w["problem"] == "duplicates" for r in (oct_, nov) for w in r.supply_warnings)
    assert ws.catalogue.get(nov.dataset_id).attributes["duplicate_rows"] == 400


@pytest.mark.parametrize(("text", "found"), [("kent", {"kent"}), ("2018-10-west-midlands.zip", {"west-midlands"}),
                                             ("kentish-town", set()), ("metropolitan_and_city-of-london",
                                                                       {"metropolitan", "city-of-london"})])
def test_force_ids_in_names(text: str, found: set[str]) -> None:
    from vrhub.domain.police_forces import force_ids_in

    assert force_ids_in(text) == found


def test_force_names_map_to_ids() -> None:
    from vrhub.domain.police_forces import FORCES, force_id

    assert len(FORCES) == 45
    assert force_id("Kent Police") == "kent" and force_id("Metropolitan Police Service") == "metropolitan"
    assert force_id("kent") == "kent" and force_id("Kent Constabulary") is None
