"""Analyses on one LSOA vintage with rates people ask for (issue 15).

A workspace with both geographies (2011: boundaries and IMD 2019; 2021: boundaries, IMD 2025, the all-domains file,
Census 2021 and the ONS best-fit lookup) and two real months, October 2018 (2011 codes) and January 2025 (2021
codes). The profile runs on 2021 LSOAs by default, says how many records the best-fit lookup moved, names districts
as in 2021, and gives rates per 1,000 Census 2021 residents (of 0–25 for the youth strand) with the population and
its year beside each rate. Every figure is checked against pandas reading the published files directly.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from vrhub_testkit import KENT, open_workspace, police_uk_ingest, run_cli

from vrhub.analysis.crime_by_area import crime_by_area
from vrhub.analysis.profile import build_profile
from vrhub.domain.definitions import load_definition
from vrhub.domain.errors import NoDataError
from vrhub.ingest.geography import load_geography
from vrhub.report.release import release_profile
from vrhub.store.geography import Geography

G2021 = KENT / "geography2021"
CURRENT = [G2021 / "boundaries2021-kent-medway.zip", G2021 / "File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx",
           G2021 / "imd2025_scores_ranks_deciles_all_domains_lsoa21.zip",
           G2021 / "census2021_TS007A_age_five_year_bands_lsoa2021_england_wales.zip",
           G2021 / "lsoa11_to_lsoa21_best_fit_lookup_england_wales_v2.zip"]
MONTHS = {"2018-10": KENT / "police-uk" / "kent-street-2018-10_2019-02.zip",
          "2025-01": KENT / "police-uk" / "kent-street-2025-01_2025-12.zip"}
VIOLENCE = "Violence and sexual offences"


def member(archive: Path, suffix: str = ".csv") -> bytes:
    with zipfile.ZipFile(archive) as zf:
        return zf.read(next(n for n in zf.namelist() if n.endswith(suffix)))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("vintage-rates")
    ws = open_workspace(tmp / "home")
    assert all(r.ok for r in load_geography(ws, [KENT / "boundaries", KENT / "imd2019", *CURRENT]))
    paths = []
    for month, archive in MONTHS.items():
        p = tmp / f"{month}-kent-street.csv"
        p.write_bytes(member(archive, f"{month}-kent-street.csv"))
        paths.append(p)
    assert police_uk_ingest(ws, paths, partner="Kent Police").ok
    from vrhub.synth.ed import ingest_synthetic_ed

    # October 2018 ED returns with 2011 home LSOAs (the generator's default vintage)
    assert ingest_synthetic_ed(ws, tmp / "ed", seed=3, start="2018-10", months=1, scale=0.3)[1].ok
    # the published files, read with pandas (independent of vrhub's readers)
    crimes = pd.concat([pd.read_csv(p, dtype=str) for p in paths], ignore_index=True)
    lookup = pd.read_csv(io.BytesIO(member(CURRENT[-1])), dtype=str, encoding="utf-8-sig")
    census = pd.read_csv(io.BytesIO(member(CURRENT[3])), skiprows=4, skip_blank_lines=True).dropna(subset=["mnemonic"])
    census = census[census["mnemonic"].isin(Geography(ws.engine()).lsoa_codes(2021))]
    domains = pd.read_csv(io.BytesIO(member(CURRENT[2])))
    return ws, crimes, lookup, census, domains


def on_2021(crimes: pd.DataFrame, lookup: pd.DataFrame) -> pd.Series:
    """Each crime's 2021 LSOA: 2011-coded months through the lookup's LSOA21CD, later months as coded."""
    to21 = dict(zip(lookup["LSOA11CD"], lookup["LSOA21CD"], strict=True))
    old = crimes["Month"] < "2022-01"
    return crimes["LSOA code"].where(~old, crimes["LSOA code"].map(to21))


def test_profile_runs_on_2021_lsoas_with_the_bridge_counted(world) -> None:  # type: ignore[no-untyped-def]
    ws, crimes, lookup, census, _ = world
    p = build_profile(ws.engine(), load_definition(), level="district")
    assert p.vintage is not None and p.vintage.vintage == 2021
    in_scope = set(p.sections["what"].tables["what_by_category"].to_pandas().query("sv_status != 'not'")["crime_type"])
    assert VIOLENCE in in_scope
    scoped = crimes[crimes["Crime type"].isin(in_scope)]
    moved = int((scoped["Month"].lt("2022-01") & scoped["LSOA code"].isin(lookup["LSOA11CD"])).sum())
    assert moved > 5_000 and p.vintage.moved == {2011: moved}
    note = (f"{moved:,} records from 2011 LSOAs assigned to 2021 LSOAs by the ONS best-fit lookup (an approximation: "
            "all records of a 2011 LSOA that was split go to one of its parts)")
    assert note in p.sections["where"].notes
    assert any(line.startswith("Areas are 2021 LSOAs: " + note) for line in p.summary)
    # records, population and rates per district, from the raw files: district = the 2021 LSOA name less its suffix
    scoped = scoped.assign(lsoa21=on_2021(scoped, lookup))
    names = dict(zip(census["mnemonic"], census["2021 super output area - lower layer"], strict=True))
    district = scoped["lsoa21"].map(names).str[:-5]
    records = district.value_counts()
    pop = census.groupby(census["2021 super output area - lower layer"].str[:-5])["Total"].sum()
    got = p.sections["where"].tables["where_by_area"].to_pandas().set_index("area_name")
    assert "Folkestone and Hythe" in got.index and "Shepway" not in got.index
    assert len(got) == 13 and got["population_year"].eq(2021).all()
    for name, row in got.iterrows():
        assert row["records"] == records.get(name, 0), name
        assert row["population"] == pop[name], name
        assert row["rate_per_1000"] == pytest.approx(records.get(name, 0) * 1000 / pop[name], abs=0.005), name
    assert got.loc["Medway", "population"] == 279_747  # data README: Census 2021, Medway
    assert ("rates are per 1,000 residents, Census 2021 usual residents (ONS); the population and its year are "
            "beside each rate") in p.sections["where"].notes


def test_youth_strand_rates_are_per_1000_residents_aged_0_to_25(world) -> None:  # type: ignore[no-untyped-def]
    ws, _, _, census, _ = world
    p = build_profile(ws.engine(), load_definition(), level="district", strand="serious_youth_violence")
    bands = ["Aged 4 years and under", "Aged 5 to 9 years", "Aged 10 to 14 years", "Aged 15 to 19 years",
             "Aged 20 to 24 years"]
    youth = census[bands].sum(axis=1) + census["Aged 25 to 29 years"] / 5
    expected = youth.groupby(census["2021 super output area - lower layer"].str[:-5]).sum()
    got = p.sections["where"].tables["where_by_area"].to_pandas().set_index("area_name")
    for name, row in got.iterrows():
        assert row["population"] == pytest.approx(expected[name], abs=0.05), name
        if row["records"]:
            assert row["rate_per_1000"] == pytest.approx(row["records"] * 1000 / expected[name], abs=0.005)
    assert p.population == "residents aged 0–25, Census 2021 usual residents (ONS)"
    assert any("0–24 from the five-year bands, plus one fifth of the 25–29 band" in n
               for n in p.sections["where"].notes)


def test_imd_gradient_by_imd_2025_and_a_named_domain(world) -> None:  # type: ignore[no-untyped-def]
    ws, _, _, census, domains = world
    kent = domains[domains["lsoa21_code"].isin(census["mnemonic"])]
    pop = dict(zip(census["mnemonic"], census["Total"], strict=True))
    for domain, column, label in ((None, "IMD_decile", "IMD 2025"), ("Crime", "Crime_decile",
                                                                      "IoD 2025 Crime domain")):
        p = build_profile(ws.engine(), load_definition(), level="district", imd_domain=domain)
        assert p.deprivation == label
        dec = p.sections["where"].tables["by_imd_decile"].to_pandas().set_index("imd_decile")
        lsoas = kent[column].astype(int).value_counts()
        people = kent.groupby(kent[column].astype(int))["lsoa21_code"].apply(lambda c: sum(pop[x] for x in c))
        assert dec["lsoas"].to_dict() == lsoas.to_dict()
        assert dec["population"].to_dict() == pytest.approx(people.to_dict())
        assert set(dec["index"]) == {label} and dec["population_year"].eq(2021).all()
        assert f"deciles of the {label} (1 = most deprived tenth of LSOAs in England)" in p.sections["where"].notes
    with pytest.raises(NoDataError, match=r"choose --imd-domain from: .*crime"):
        build_profile(ws.engine(), load_definition(), imd_domain="knife")


def test_on_the_older_vintage_newer_records_are_counted_as_unplaced(world) -> None:  # type: ignore[no-untyped-def]
    ws, crimes, *_ = world
    p = build_profile(ws.engine(), load_definition(), vintage=2011)
    in_scope = set(p.sections["what"].tables["what_by_category"].to_pandas().query("sv_status != 'not'")["crime_type"])
    codes_2011 = Geography(ws.engine()).lsoa_codes(2011)
    new = crimes[crimes["Month"].ge("2022-01") & crimes["Crime type"].isin(in_scope) & crimes["LSOA code"].notna()
                 & ~crimes["LSOA code"].isin(codes_2011)]
    assert p.vintage.vintage == 2011 and p.vintage.moved == {} and p.vintage.newer == {2021: len(new)}
    assert (f"{len(new):,} records coded to 2021 LSOAs that are not 2011 LSOAs cannot be placed on 2011 LSOAs (the "
            "ONS lookup runs from older to newer areas) and count as outside the loaded area: load LSOA 2021 "
            "boundaries and run on --vintage 2021 to place them") in p.sections["where"].notes
    assert p.sections["where"].figures["outside_geography"] >= len(new)
    got = p.sections["where"].tables["where_by_area"].to_pandas()
    assert len(got) == 13 and got["population_year"].eq(2015).all()
    assert p.deprivation == "IMD 2019" and p.population.startswith("residents, mid-2015 population")
    with pytest.raises(NoDataError, match="no LSOA 2001 boundaries are loaded"):
        build_profile(ws.engine(), load_definition(), vintage=2001)


def test_crime_by_area_on_2021_lsoas(world) -> None:  # type: ignore[no-untyped-def]
    ws, crimes, lookup, census, _ = world
    counts = crime_by_area(ws.engine(), crime_types=[VIOLENCE])
    violent = crimes[crimes["Crime type"] == VIOLENCE]
    names = dict(zip(census["mnemonic"], census["2021 super output area - lower layer"], strict=True))
    expected = on_2021(violent, lookup).map(names).str[:-5].value_counts()
    got = {r["area_name"]: r for r in counts.table.to_pylist()}
    assert counts.vintage == 2021 and got["Medway"]["crimes"] == expected["Medway"]
    assert got["Medway"]["population"] == 279_747 and got["Medway"]["population_year"] == 2021
    moved = int((violent["Month"].lt("2022-01") & violent["LSOA code"].isin(lookup["LSOA11CD"])).sum())
    assert counts.notes[0].startswith(f"{moved:,} records from 2011 LSOAs assigned to 2021 LSOAs")
    assert "rates per 1,000 residents, Census 2021 usual residents (ONS)" in counts.notes


def test_released_profile_restates_the_bridge_count_protected(world) -> None:  # type: ignore[no-untyped-def]
    ws = world[0]
    p = build_profile(ws.engine(), load_definition(), level="district")
    released, _ = release_profile(p)
    exact = p.vintage.moved[2011]
    shown = released.sections["where"].figures["bridged_2011"]
    assert shown % 5 == 0 and abs(shown - exact) <= 2
    notes = released.sections["where"].notes
    assert f"{shown:,} records from 2011 LSOAs assigned" in " ".join(notes)
    if shown != exact:
        assert f"{exact:,} records" not in " ".join(notes + released.summary)


def test_cli_profile_vintage_and_domain(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws = world[0]
    result = run_cli("--home", str(ws.home), "profile", "--vintage", "2021", "--imd-domain", "crime",
                     "--out", str(tmp_path / "p"), "--json")
    assert result.exit_code == 0, result.output
    import json

    got = json.loads(result.output)
    assert got["vintage"] == 2021 and got["deprivation"] == "IoD 2025 Crime domain"
    [note] = got["vintage_notes"]
    assert note.endswith("go to one of its parts)") and "ONS best-fit lookup" in note


def test_hot_spots_count_on_the_same_vintage(world) -> None:  # type: ignore[no-untyped-def]
    from vrhub.analysis.hotspots.run import _lsoa_places, gather_incidents

    ws, crimes, lookup, _, _ = world
    p = build_profile(ws.engine(), load_definition(), level="district")
    inc = gather_incidents(ws.engine(), load_definition())
    moved = p.vintage.moved[2011]
    assert inc.vintage == 2021
    assert f"{moved:,} records from 2011 LSOAs assigned to 2021 LSOAs by the ONS best-fit lookup (an approximation)" \
        in inc.notes
    places, _ = _lsoa_places(Geography(ws.engine()), inc)
    assert len(places) == 1_107
    in_scope = set(p.sections["what"].tables["what_by_category"].to_pandas().query("sv_status != 'not'")["crime_type"])
    scoped = crimes[crimes["Crime type"].isin(in_scope)]
    expected = on_2021(scoped, lookup).value_counts()
    got = places.set_index("id")["count"]
    assert got.sum() == expected[expected.index.isin(got.index)].sum()
    assert all(got[c] == n for c, n in expected.items() if c in got.index)


def test_cardiff_view_counts_both_sides_on_2021_lsoas(world) -> None:  # type: ignore[no-untyped-def]
    import csv

    from vrhub.analysis.cardiff import POLICE_VIOLENCE, cardiff_view
    from vrhub.report.release import release

    ws, crimes, lookup, _, domains = world
    view = cardiff_view(ws.engine())
    ed = [r for p in sorted((ws.home.parent / "ed").glob("*.csv")) for r in csv.DictReader(p.open(encoding="utf-8"))]
    home = pd.Series([r["Home LSOA"] or None for r in ed])
    codes_2021 = set(domains["lsoa21_code"]) | Geography(ws.engine()).lsoa_codes(2021)
    moved_home = int((home.notna() & ~home.isin(codes_2021) & home.isin(lookup["LSOA11CD"])).sum())
    assert moved_home > 0
    assert (f"{moved_home:,} ED home LSOAs of 2011 assigned to 2021 LSOAs by the ONS best-fit lookup "
            "(an approximation)") in view.notes
    police = crimes[crimes["Crime type"].isin(list(POLICE_VIOLENCE)) & crimes["Month"].eq("2018-10")]
    moved = int(police["LSOA code"].isin(lookup["LSOA11CD"]).sum())
    assert (f"{moved:,} police.uk records from 2011 LSOAs assigned to 2021 LSOAs by the ONS best-fit lookup "
            "(an approximation)") in view.notes
    shown = " ".join(release(view).result.notes)
    assert "police.uk records from 2011 LSOAs assigned" in shown
    assert f"{moved:,} police.uk records" not in shown or moved % 5 == 0


def test_evaluation_panel_counts_2011_coded_months_on_2021_districts(tmp_path: Path) -> None:
    from vrhub.analysis.evaluation.workspace import violence_panel

    ws = open_workspace(tmp_path / "home")
    assert all(r.ok for r in load_geography(ws, [KENT / "boundaries" / "lsoa2011", CURRENT[0], CURRENT[1],
                                                 CURRENT[3], CURRENT[-1]]))
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(member(MONTHS["2018-10"], "2018-10-kent-street.csv"))
    assert police_uk_ingest(ws, [p], partner="Kent Police").ok
    panel = violence_panel(ws.engine())
    crimes = pd.read_csv(p, dtype=str)
    violent = crimes[crimes["Crime type"] == VIOLENCE]
    lookup = pd.read_csv(io.BytesIO(member(CURRENT[-1])), dtype=str, encoding="utf-8-sig")
    moved = int(violent["LSOA code"].isin(lookup["LSOA11CD"]).sum())
    assert panel.notes[0].startswith(f"{moved:,} records from 2011 LSOAs assigned to 2021 LSOAs")
    lsoa21 = on_2021(violent, lookup)
    name = dict(zip(lookup["LSOA21CD"], lookup["LSOA21NM"], strict=False))
    expected = lsoa21.map(name).str[:-5].value_counts()
    got = panel.data.set_index("area_name")["count"]
    assert got["Folkestone and Hythe"] == expected["Folkestone and Hythe"] and got["Medway"] == expected["Medway"]
    assert panel.data.set_index("area_name").loc["Medway", "population"] == 279_747
