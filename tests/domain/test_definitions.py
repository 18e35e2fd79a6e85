"""Loading, hashing and validating serious-violence definition files."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

import pytest
import yaml

from vrhub.domain.definitions import (
    DEFAULT_DEFINITION,
    DefinitionError,
    load_definition,
    load_definition_text,
    shipped_definition_text,
    shipped_definitions,
)

KENT = shipped_definition_text("kent_and_medway")


def independent_hash(text: str) -> str:
    """SHA-256 of the parsed content, computed here without vrhub's canonical module."""
    data = tomllib.loads(text)
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                          .encode("utf-8")).hexdigest()


def test_shipped_definitions_load_and_record_name_version_hash():
    assert set(shipped_definitions()) == {"kent_and_medway", "london_example"}
    assert DEFAULT_DEFINITION == "kent_and_medway"
    kent = load_definition()
    assert kent.name == "Kent and Medway serious violence"
    assert kent.version == "2024.1"
    assert kent.sha256 == independent_hash(KENT)
    assert set(kent.strands) == {"serious_youth_violence", "sexual_violence_domestic_abuse", "drugs_alcohol_violence"}
    assert kent.provenance()["definition_sha256"] == kent.sha256
    london = load_definition("london-example")
    assert london.sha256 == independent_hash(shipped_definition_text("london_example"))
    assert london.sha256 != kent.sha256


def test_hash_ignores_comments_whitespace_and_key_order_but_not_values(tmp_path: Path):
    base = load_definition_text(KENT).sha256
    commented = "# a new comment\n\n" + KENT.replace("schema = 1\n", "schema   =   1   # file format\n", 1)
    assert load_definition_text(commented).sha256 == base
    reordered = KENT.replace(
        'name = "Kent and Medway serious violence"\nversion = "2024.1"\n',
        'version = "2024.1"\nname = "Kent and Medway serious violence"\n',
    )
    assert reordered != KENT
    assert load_definition_text(reordered).sha256 == base
    bumped = KENT.replace('version = "2024.1"', 'version = "2024.2"', 1)
    assert load_definition_text(bumped).sha256 != base
    # the same content written as YAML has the same hash
    yml = tmp_path / "kent.yaml"
    yml.write_text(yaml.safe_dump(tomllib.loads(KENT), sort_keys=False), encoding="utf-8")
    assert load_definition(yml).sha256 == base


BROKEN = """
schema = 1
[definition]
name = "Broken"
version = 3
[roles]
victim_age = { kind = "age" }
knife = { kind = "switch" }
[categories]
homicide = { label = "Homicide" }
[serious_violence]
[[serious_violence.include]]
categories = ["homicide", "gbh"]
when = { victim_age = { max = "twenty" } }
[sources.force_crime]
label = "PRC"
[sources.force_crime.fields]
ho_offence_code = { kind = "code" }
[[sources.force_crime.rules]]
category = "murder"
match = { ho_offence_code = ["1"] }
[[sources.force_crime.rules]]
category = "homicide"
match = { ho_offence_code = ["1", "4/1"], offence_group = ["x"] }
"""


def test_validation_reports_every_problem_at_once_with_file_and_key_path():
    with pytest.raises(DefinitionError) as err:
        load_definition_text(BROKEN, "partnership.toml")
    paths = {p.path for p in err.value.problems}
    expected = {
        "definition.version",
        "roles.knife.kind",
        "serious_violence.include[0].categories",
        "serious_violence.include[0].when.victim_age.max",
        "sources.force_crime.rules[0].category",
        "sources.force_crime.rules[1].match.offence_group",
    }
    assert expected <= paths
    assert all(p.file == "partnership.toml" for p in err.value.problems)
    assert all(p.fix for p in err.value.problems)
    text = str(err.value)
    assert "partnership.toml" in text and "What to do" in text
    assert f"has {len(err.value.problems)} problems" in text


def test_toml_syntax_error_names_file_and_line():
    with pytest.raises(DefinitionError) as err:
        load_definition_text('schema = 1\n[definition\nname = "x"\n', "bad.toml")
    assert "bad.toml" in str(err.value)
    assert "line 2" in str(err.value)


def test_unknown_shipped_name_and_missing_file_say_what_to_do(tmp_path: Path):
    with pytest.raises(DefinitionError, match="kent_and_medway"):
        load_definition("norfolk")
    with pytest.raises(DefinitionError, match="does not exist"):
        load_definition(tmp_path / "nope.toml")


def test_recipe_needs_must_match_the_fields_the_rules_read():
    wrong = KENT.replace('needs = ["ho_offence_code", "knife_flag"]', 'needs = ["ho_offence_code"]', 1)
    with pytest.raises(DefinitionError) as err:
        load_definition_text(wrong, "k.toml")
    (p,) = err.value.problems
    assert p.path == "measures.knife_enabled_serious_violence.recipes[0].needs"
    assert '["ho_offence_code", "knife_flag"]' in p.fix


def test_a_code_in_two_rules_is_reported():
    dup = KENT.replace('match = { ho_offence_code = ["3B"] }', 'match = { ho_offence_code = ["3B", "8N"] }', 1)
    with pytest.raises(DefinitionError) as err:
        load_definition_text(dup, "k.toml")
    assert any("'8N' is already matched" in p.message for p in err.value.problems)


def test_may_be_rule_must_say_what_it_cannot_separate():
    no_note = KENT.replace(
        "note = \"police.uk 'Robbery' includes robbery of business property; it cannot separate personal robbery\"\n",
        "",
    )
    with pytest.raises(DefinitionError) as err:
        load_definition_text(no_note, "k.toml")
    assert [p.path for p in err.value.problems] == ["sources.police_uk_street.rules[1].note"]


def test_codes_are_normalised_from_counting_rules_form():
    d = load_definition()
    (homicide,) = [r for r in d.sources["force_crime"].rules if r.category == "homicide"]
    assert homicide.match["ho_offence_code"].values == ("1", "4.1", "4.2", "4.10")
