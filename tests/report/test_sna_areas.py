"""Local-area SNAs (``--area``, ``--all-areas``): one district's figures against an independent pandas count of the
raw police.uk files, the partnership beside it, and disclosure control in the area's release copy."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from vrhub_testkit import KENT, KENT_SCOPE, KENT_ZIP, SNA_BUILT_AT, SNA_TODAY

from vrhub.analysis.areas import district_areas, resolve_area
from vrhub.domain.errors import SourceError, UsageError
from vrhub.ingest.area_groups import AreaGroup, read_area_groups
from vrhub.report.release import release_profile
from vrhub.report.sna import build_sna, gather_sna
from vrhub.report.sna.area import SnaShared

THANET = "E07000114"


def _raw() -> pd.DataFrame:
    """Every street record of the shipped Kent zip, read with pandas (not through vrhub's ingest)."""
    frames = []
    with zipfile.ZipFile(KENT_ZIP) as zf:
        for name in zf.namelist():
            if name.endswith(".csv"):
                frames.append(pd.read_csv(io.BytesIO(zf.read(name)), dtype=str, encoding="utf-8-sig"))
    return pd.concat(frames, ignore_index=True)


def _imd_file(name: str) -> pd.DataFrame:
    return pd.read_csv(KENT / "imd2019" / name, dtype=str, encoding="utf-8-sig", thousands=",")


@pytest.fixture(scope="module")
def shared() -> SnaShared:
    return SnaShared()  # the partnership profile and Gi* runs, shared by this module's area SNAs


@pytest.fixture(scope="module")
def thanet(kent_ws):  # type: ignore[no-untyped-def]
    return resolve_area(kent_ws.ws.engine(), THANET)


@pytest.fixture(scope="module")
def area_draft(kent_ws, thanet, shared):  # type: ignore[no-untyped-def]
    return gather_sna(kent_ws.ws, area=thanet, shared=shared, built_at=SNA_BUILT_AT, today=SNA_TODAY)


@pytest.fixture(scope="module")
def area_release(kent_ws, thanet, shared, tmp_path_factory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("sna-area-release")
    result = build_sna(kent_ws.ws, out=out, area=thanet, shared=shared, release=True, built_at=SNA_BUILT_AT,
                       today=SNA_TODAY)
    inputs = gather_sna(kent_ws.ws, area=thanet, shared=shared, release=True, built_at=SNA_BUILT_AT,
                        today=SNA_TODAY)
    return result, inputs


def test_area_lsoas_are_the_districts_lsoas_in_the_imd_file(thanet) -> None:  # type: ignore[no-untyped-def]
    imd = _imd_file("File_2_-_IoD2019_Domains_of_Deprivation.csv")
    expected = set(imd.loc[imd["Local Authority District code (2019)"] == THANET, "LSOA code (2011)"])
    assert thanet.name == "Thanet" and thanet.kind == "district"
    assert set(thanet.lsoas) == expected and len(expected) == 84


def test_area_figures_equal_an_independent_pandas_count(area_draft, thanet) -> None:  # type: ignore[no-untyped-def]
    raw = _raw()
    scope = raw[raw["Crime type"].isin(KENT_SCOPE)]
    in_area = scope[scope["LSOA code"].isin(thanet.lsoas)]
    p = area_draft.context["profile"]
    assert p.area["code"] == THANET and p.level == "ward"
    assert p.headline["definite"] + p.headline["possible"] == len(in_area)
    # the 'where' table by ward adds up to the same count, and each month to the raw month
    where = p.sections["where"].tables["where_by_area"].to_pandas()
    assert where["records"].sum() == len(in_area)
    monthly = p.sections["when"].tables["when_monthly"].to_pandas()
    assert dict(zip(monthly["month"].map(lambda m: f"{m:%Y-%m}"), monthly["records"], strict=True)) == \
        in_area.groupby("Month").size().to_dict()
    # population and the rate, against the IoD 2019 population denominators read with pandas
    pop = _imd_file("File_6_-_IoD2019_Population_Denominators.csv")
    pop = pop[pop["LSOA code (2011)"].isin(thanet.lsoas)]
    residents = pd.to_numeric(pop["Total population: mid 2015 (excluding prisoners)"].str.replace(",", "")).sum()
    assert where["population"].sum() == residents
    rows = {r[0]: r[1:] for r in area_draft.context["comparison"]["rows"]}
    assert rows["Recorded serious violence (definite and possible)"] == [f"{len(in_area):,}", f"{len(scope):,}"]
    assert rows["Rate per 1,000 residents"][0] == f"{len(in_area) * 1000 / residents:.2f}"
    assert rows["Share of the partnership's records"][0] == f"{len(in_area) / len(scope):.1%}"


def test_area_page_names_the_area_and_the_partnership(area_draft) -> None:  # type: ignore[no-untyped-def]
    ctx = area_draft.context
    assert ctx["title"].startswith("Serious Violence Strategic Needs Assessment: Thanet,")
    assert ctx["comparison"]["columns"] == ["Measure", "Thanet", "Kent and Medway"]
    assert "Kent and Medway" in ctx["comparison"]["sentence"] and "police.uk" in ctx["comparison"]["sentence"]
    assert area_draft.stem == f"sna_{THANET}_2018-10_2019-02_draft"
    assert "spots of recorded serious violence in Thanet at a 5% false-discovery rate" in ctx["hotspots"]["sentence"]


def test_area_release_is_rounded_throughout(area_release) -> None:  # type: ignore[no-untyped-def]
    result, inputs = area_release
    assert result.html.name == f"sna_{THANET}_2018-10_2019-02_release.html" and result.released
    wards = inputs.context["profile"].sections["where"].tables["where_by_area"].to_pandas()
    published = wards["records"].dropna()
    assert len(published) == len(wards) > 20
    assert (published % 5 == 0).all() and not published.between(1, 7).any()
    for v in inputs.context["comparison"]["rows"][0][1:]:
        assert v == "[c]" or int(v.replace(",", "")) % 5 == 0
    h = inputs.context["profile"].headline
    assert all(h[k] is None or h[k] % 5 == 0 for k in ("definite", "possible"))
    html = result.html.read_text(encoding="utf-8")
    assert "analyst draft" not in html.lower() and "Thanet" in html


def test_smaller_area_release_suppresses_more(kent_ws, area_draft, shared) -> None:  # type: ignore[no-untyped-def]
    """The ward with fewest records in Thanet, broken down by its LSOAs, loses cells to suppression; Thanet's wards
    (above) and the partnership's districts lose none."""
    wards = area_draft.context["profile"].sections["where"].tables["where_by_area"].to_pandas()
    smallest = wards.sort_values("records").iloc[0]["area_code"]
    ward = resolve_area(kent_ws.ws.engine(), smallest)
    assert ward.kind == "ward" and len(ward.lsoas) >= 2
    released = gather_sna(kent_ws.ws, area=ward, shared=shared, release=True, built_at=SNA_BUILT_AT,
                          today=SNA_TODAY)
    lsoas = released.context["profile"].sections["where"].tables["where_by_area"].to_pandas()
    assert released.context["profile"].level == "lsoa"
    whole, _ = release_profile(shared.whole)
    districts = whole.sections["where"].tables["where_by_area"].to_pandas()
    assert lsoas["records"].isna().sum() >= 2  # primary and secondary suppression
    assert lsoas["records"].isna().mean() > districts["records"].isna().mean() == 0
    assert "[c]" in released.context["comparison"]["rows"][0][1] or \
        int(released.context["comparison"]["rows"][0][1].replace(",", "")) % 5 == 0


def test_every_district_is_an_area(kent_ws) -> None:  # type: ignore[no-untyped-def]
    areas = district_areas(kent_ws.ws.engine())
    assert len(areas) == 13  # Kent's 12 districts and Medway
    assert sum(len(a.lsoas) for a in areas) == 1065  # every shipped LSOA in exactly one
    assert len({lsoa for a in areas for lsoa in a.lsoas}) == 1065


def test_areas_by_name_ward_and_group(kent_ws, thanet) -> None:  # type: ignore[no-untyped-def]
    engine = kent_ws.ws.engine()
    assert resolve_area(engine, "thanet").lsoas == thanet.lsoas
    groups = {"east-coast": AreaGroup("east-coast", "East Kent coast", (THANET, "E07000108"))}
    coast = resolve_area(engine, "EAST-COAST", groups=groups)
    dover = resolve_area(engine, "E07000108")
    assert coast.kind == "group" and set(coast.lsoas) == set(thanet.lsoas) | set(dover.lsoas)
    with pytest.raises(UsageError, match="no area 'Atlantis'"):
        resolve_area(engine, "Atlantis")


def test_areas_file_reports_every_bad_row(tmp_path: Path) -> None:
    f = tmp_path / "areas.csv"
    f.write_text("area,name,member\ncoast,East coast,E07000114\ncoast,East coast,E07000108\n"
                 "bad id!,X,E07000114\nnorth,,E05000001\nnorth,North,Z123\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        read_area_groups(f)
    text = str(err.value)
    assert "areas.csv row 4, field 'area'" in text and "row 5, field 'name'" in text
    assert "row 6, field 'member'" in text and "3 problem(s)" in text
    f.write_text("area,name,member\ncoast,East coast,E07000114\ncoast,East coast,E07000108\n", encoding="utf-8")
    assert read_area_groups(f) == {"coast": AreaGroup("coast", "East coast", ("E07000114", "E07000108"))}
    assert read_area_groups(tmp_path / "none.csv") == {}
