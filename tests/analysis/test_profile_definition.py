"""Changing the definition file changes the profile, by exactly the records of the category it moves, and the
recorded hash. The expected differences are counted with DuckDB over the raw police.uk CSVs (see conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vrhub.analysis.profile import build_profile
from vrhub.domain.definitions import load_definition, shipped_definition_text

ROBBERY_RULE = '''[[sources.police_uk_street.rules]]
may_be = ["personal_robbery", "business_robbery"]
match = { crime_type = ["Robbery"] }
note = "police.uk 'Robbery' includes robbery of business property; it cannot separate personal robbery"
'''
WEAPONS_SERIOUS = '''  "personal_robbery", "weapon_possession", "firearms_possession",
'''

EDITS = {
    # drop the rule that maps police.uk Robbery: its records no longer match anything
    "Robbery": (ROBBERY_RULE, ""),
    # keep the rule but make weapon possession not serious violence
    "Possession of weapons": (WEAPONS_SERIOUS, '  "personal_robbery",\n'),
}


@pytest.mark.parametrize("category", list(EDITS))
def test_editing_the_definition_moves_exactly_that_category(category, tmp_path: Path, profile_ws, kent_profile,
                                                            kent_sql):
    old, new = EDITS[category]
    text = shipped_definition_text("kent_and_medway")
    assert text.count(old) == 1
    path = tmp_path / "kent_edited.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")

    edited = build_profile(profile_ws.engine(), load_definition(path))

    assert edited.definition["definition_sha256"] != kent_profile.definition["definition_sha256"]
    assert edited.definition["definition_origin"] == str(path)
    moved = kent_sql.scalar('select count(*) from crimes where "Crime type" = ?', [category])
    assert moved > 0
    base, now = kent_profile.headline, edited.headline
    assert (base["possible"] + base["definite"]) - (now["possible"] + now["definite"]) == moved

    what = {r["crime_type"]: r["sv_status"] for r in edited.sections["what"].tables["what_by_category"].to_pylist()}
    assert what[category] == "not"

    per_district = dict(kent_sql.rows("""
        select l.district_code, count(*) from crimes c join lsoa l on c."LSOA code" = l.lsoa
        where c."Crime type" = ? group by 1""", [category]))
    before = {r["area_code"]: r["records"] for r in kent_profile.sections["where"].tables["where_by_area"].to_pylist()}
    after = {r["area_code"]: r["records"] for r in edited.sections["where"].tables["where_by_area"].to_pylist()}
    assert {code: before[code] - after[code] for code in before} == {c: per_district.get(c, 0) for c in before}

    by_month = dict(kent_sql.rows('select "Month", count(*) from crimes where "Crime type" = ? group by 1',
                                  [category]))
    for b, a in zip(kent_profile.sections["when"].tables["when_monthly"].to_pylist(),
                    edited.sections["when"].tables["when_monthly"].to_pylist(), strict=True):
        assert b["records"] - a["records"] == by_month[f"{b['month']:%Y-%m}"]
