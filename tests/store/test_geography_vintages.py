"""Two geographies in one workspace: LSOA 2011 and 2021 side by side with their MSOAs, wards and districts; names
by vintage; the newest vintage; 2011-coded rows brought onto 2021 LSOAs by the ONS best-fit lookup (and counted);
population of any age range with its source and year; a 2021-coded police.uk file on 2011 boundaries reported as a
vintage mismatch."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import duckdb
import pytest
from vrhub_testkit import KENT, open_workspace, police_uk_ingest, run_cli

from vrhub.domain.errors import GeographyError, NoDataError
from vrhub.ingest.geography import load_geography
from vrhub.store.geography import Geography

G2021 = KENT / "geography2021"
FLAG = "lsoa_vintage_not_loaded"
STREET_2025 = KENT / "police-uk" / "kent-street-2025-01_2025-12.zip"
CURRENT = [G2021 / "boundaries2021-kent-medway.zip", G2021 / "File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx",
           G2021 / "imd2025_scores_ranks_deciles_all_domains_lsoa21.zip",
           G2021 / "census2021_TS007A_age_five_year_bands_lsoa2021_england_wales.zip",
           G2021 / "lsoa11_to_lsoa21_best_fit_lookup_england_wales_v2.zip"]


def extract(archive: Path, member: str, out: Path) -> Path:
    with zipfile.ZipFile(archive) as zf:
        return Path(zf.extract(member, out))


def read_member(archive: Path) -> str:
    with zipfile.ZipFile(archive) as zf:
        return zf.read(next(n for n in zf.namelist() if not n.endswith("/"))).decode("utf-8-sig")


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A workspace with the shipped 2011 geography (LSOA, MSOA, wards 2013, districts 2013, IMD 2019) and the 2021
    one (LSOA, MSOA, wards 2025, IMD 2025, Census 2021, the best-fit lookup). Read only."""
    ws = open_workspace(tmp_path_factory.mktemp("both") / "home")
    results = load_geography(ws, [KENT / "boundaries", KENT / "imd2019", *CURRENT])
    assert all(r.ok for r in results), [r.error for r in results if r.error]
    return ws


def test_both_vintages_side_by_side(both) -> None:  # type: ignore[no-untyped-def]
    geo = Geography(both.engine())
    layers = {(e["level"], e["vintage"]): e["areas"] for e in geo.layers()}
    assert layers == {("lsoa", 2011): 1_065, ("msoa", 2011): 220, ("ward", 2013): 305, ("district", 2013): 13,
                      ("lsoa", 2021): 1_107, ("msoa", 2021): 221, ("ward", 2025): 279}
    assert geo.vintages("lsoa") == [2011, 2021] and geo.newest_vintage() == 2021
    old, new = (geo.lsoa_lookup(v).to_pyarrow().to_pylist() for v in (2011, 2021))
    assert geo.lsoa_lookup().to_pyarrow().num_rows == 1_107  # the newest by default
    assert len(old) == 1_065 and len(new) == 1_107
    ward_2013 = {r["code"] for r in geo.areas("ward", 2013).to_pyarrow().to_pylist()}
    ward_2025 = {r["code"] for r in geo.areas("ward", 2025).to_pyarrow().to_pylist()}
    assert {r["ward_code"] for r in old} <= ward_2013 and {r["ward_code"] for r in new} <= ward_2025
    # MSOAs of the same era: LSOA "Medway 015A" lies in MSOA "Medway 015" in both vintages
    assert all(r["msoa_name"] == r["lsoa_name"][:-1] for r in new)
    assert all(r["msoa_name"] == r["lsoa_name"][:-1] for r in old)
    # districts of 2021 LSOAs come from the IoD 2025 file (LAD 2024 names), checked against the ONS lookup's LAD22
    lookup = list(csv.DictReader(io.StringIO(read_member(CURRENT[-1]))))
    lad22 = {r["LSOA21CD"]: r["LAD22NM"] for r in lookup}
    assert all(r["district_name"] == lad22[r["lsoa_code"]] for r in new if r["lsoa_code"] in lad22)
    assert {r["district_source"] for r in new} == {"deprivation file"}


def test_district_names_follow_the_vintage(both, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws = open_workspace(tmp_path / "home")  # 2011 LSOAs and the 2013 district boundaries only: the 2013 name
    b = KENT / "boundaries"
    assert all(r.ok for r in load_geography(ws, [b / "lsoa2011" / "E07000112.json", b / "districts"]))
    shepway = {r["district_name"] for r in Geography(ws.engine()).lsoa_lookup().to_pyarrow().to_pylist()}
    assert shepway == {"Shepway"}
    new = Geography(both.engine()).lsoa_lookup(2021).to_pyarrow().to_pylist()
    assert {r["district_name"] for r in new if r["district_code"] == "E07000112"} == {"Folkestone and Hythe"}


def test_attributes_follow_the_vintage(both) -> None:  # type: ignore[no-untyped-def]
    geo = Geography(both.engine())
    assert geo.attributes("deprivation").to_pyarrow().num_rows == 33_755  # IoD 2025, on the newest LSOAs
    assert geo.attributes("deprivation", vintage=2011).to_pyarrow().num_rows == 1_065  # the shipped IMD 2019 rows
    assert {a.edition for a in geo.choose_attributes("deprivation")} == {2025}
    pop_2011 = geo.population(level="district", vintage=2011)
    assert (pop_2011.year, pop_2011.total) == (2015, 1_795_251)  # IMD 2019 denominators, mid-2015
    assert pop_2011.source == "mid-2015 population, IoD 2019 denominators (MHCLG)"


def test_population_by_district_and_age(both) -> None:  # type: ignore[no-untyped-def]
    geo = Geography(both.engine())
    everyone = geo.population(level="district")
    by = dict(zip(everyone.table.column("area_name").to_pylist(), everyone.table.column("population").to_pylist(),
                  strict=True))
    assert (everyone.year, everyone.source) == (2021, "Census 2021 usual residents (ONS)")
    assert everyone.total == 1_855_888 and by["Medway"] == 279_747  # shared/data README
    # independent: the Nomis file summed over the 2021 LSOAs in the shipped boundaries
    codes = {r["code"] for r in geo.areas("lsoa", 2021).to_pyarrow().to_pylist()}
    raw = read_member(CURRENT[3]).split("\n")
    rows = [r for r in csv.reader(io.StringIO("\n".join(raw[5:]))) if r and r[1] in codes]
    band = {h: i for i, h in enumerate(next(csv.reader(io.StringIO(raw[5]))))}
    young = geo.population((10, 24), level="district")
    expected = sum(int(r[band[h]]) for r in rows for h in ("Aged 10 to 14 years", "Aged 15 to 19 years",
                                                            "Aged 20 to 24 years"))
    assert young.total == expected and young.notes == []
    assert young.label == "residents aged 10–24, Census 2021 usual residents (ONS)"
    youth = geo.population((0, 25))
    under_25 = sum(int(r[i]) for r in rows for i in range(3, 8))
    assert youth.total == pytest.approx(under_25 + sum(int(r[band["Aged 25 to 29 years"]]) for r in rows) / 5)
    assert youth.notes == ["ages 25–25 are 20% of the 25–29 band, assuming residents spread evenly over the "
                           "band's years"]
    with pytest.raises(NoDataError, match="open band '85 and over'"):
        geo.population((80, 90))


def test_a_series_from_2018_to_2025_reads_on_2021_lsoas(both, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """October 2018 (2011 codes) and January 2025 (2021 codes) as one series on 2021 LSOAs; counts per LSOA checked
    against DuckDB SQL joining the raw CSVs to the raw ONS lookup."""
    ws = open_workspace(tmp_path / "home")
    assert all(r.ok for r in load_geography(ws, [KENT / "boundaries" / "lsoa2011", *CURRENT[:1], CURRENT[-1]]))
    old = extract(KENT / "police-uk" / "kent-street-2018-10_2019-02.zip", "2018-10/2018-10-kent-street.csv", tmp_path)
    new = extract(STREET_2025, "2025-01/2025-01-kent-street.csv", tmp_path)
    assert police_uk_ingest(ws, [old, new], partner="Kent Police").ok
    geo = Geography(ws.engine())
    t, bridge = geo.to_vintage(ws.engine().table("police_uk_street"))
    got = t.group_by("lsoa_code").agg(n=t.count()).to_pyarrow().to_pylist()
    lookup = tmp_path / "lookup.csv"
    lookup.write_text(read_member(CURRENT[-1]), encoding="utf-8")
    sql = """
        with rows as (select "Month" as month, "LSOA code" as lsoa from read_csv($csvs, header=true, all_varchar=true)),
             lk as (select LSOA11CD, LSOA21CD from read_csv($lookup, header=true, all_varchar=true))
        select case when r.month < '2022-01' then coalesce(lk.LSOA21CD, r.lsoa) else r.lsoa end as lsoa, count(*)
        from rows r left join lk on r.lsoa = lk.LSOA11CD and r.month < '2022-01' group by 1
    """
    expected = dict(duckdb.connect().execute(sql, {"csvs": [str(old), str(new)], "lookup": str(lookup)}).fetchall())
    assert {r["lsoa_code"]: r["n"] for r in got} == expected
    moved = duckdb.connect().execute("select count(*) from read_csv($p, header=true, all_varchar=true) "
                                     "where \"LSOA code\" is not null", {"p": str(old)}).fetchone()[0]
    assert bridge.moved == {2011: moved} and bridge.unmatched == {2011: 0} and bridge.vintage == 2021
    assert bridge.notes == [f"{moved:,} records from 2011 LSOAs assigned to 2021 LSOAs by the ONS best fit lookup "
                            "(an approximation: a split LSOA's records all go to one of its parts)"]
    assert t.lsoa_vintage.notnull().ifelse(t.lsoa_vintage, 2021).max().execute() == 2021
    with pytest.raises(GeographyError, match="runs from older to newer"):
        geo.to_vintage(ws.engine().table("police_uk_street"), 2011)


def test_2021_coded_police_data_on_2011_boundaries_is_a_vintage_mismatch(tmp_path: Path) -> None:
    """Issue 13 item 12: January 2025 (2021 codes) loaded on the 2011 LSOA boundaries."""
    home = tmp_path / "home"
    ws = open_workspace(home)
    assert all(r.ok for r in load_geography(ws, [KENT / "boundaries" / "lsoa2011"]))
    new = extract(STREET_2025, "2025-01/2025-01-kent-street.csv", tmp_path)
    result = run_cli("--home", str(home), "ingest", "police-uk", str(new), "--partner", "Kent Police", "--json")
    assert result.exit_code == 0, result.output
    [r] = json.loads(result.output)
    codes_2011 = set(Geography(ws.engine()).known_lsoa_codes().to_pylist())
    rows = list(csv.DictReader(io.StringIO(new.read_text(encoding="utf-8"))))
    in_2021_only = sum(1 for row in rows if row["LSOA code"] and row["LSOA code"] not in codes_2011)
    assert in_2021_only == 1_407  # real: mostly LSOAs created in 2021 inside Kent (docs/sources/geography.md)
    assert r["flags"][FLAG] == in_2021_only == r["flags"]["lsoa_outside_geography"]
    [note] = [w for w in r["warnings"] if w.startswith("vintage mismatch")]
    assert f"{in_2021_only:,} of the {in_2021_only:,} rows" in note and "coded to 2021 LSOAs" in note
    assert "Load LSOA 2021 boundaries" in note and "best-fit lookup" in note
    stored = ws.catalogue.get(r["dataset_id"])
    assert stored.attributes["flags"][FLAG] == in_2021_only and note in stored.warnings
    listed = json.loads(run_cli("--home", str(home), "datasets", "--json").output)
    assert any(note in (d.get("warnings") or []) for d in (listed if isinstance(listed, list) else
                                                              listed.get("datasets", [])))


def test_lsoas_the_best_fit_lookup_never_names_take_their_msoas_district(tmp_path: Path) -> None:
    """2021 boundaries and the ONS lookup only (no IoD file): the lookup names the district of 1,064 of the 1,107
    LSOAs; the 43 made only by splits take the district of their MSOA. Checked against the LSOA names (ONS names an
    LSOA after its district: "Medway 015A")."""
    ws = open_workspace(tmp_path / "home")
    assert all(r.ok for r in load_geography(ws, [CURRENT[0], CURRENT[-1]]))
    rows = Geography(ws.engine()).lsoa_lookup().to_pyarrow().to_pylist()
    sources = [r["district_source"] for r in rows]
    assert (sources.count("lsoa lookup file"), sources.count("msoa nesting")) == (1_064, 43)
    assert all(r["district_name"] == r["lsoa_name"][:-5] for r in rows)
