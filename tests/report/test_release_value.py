"""The release of a value-for-money sheet: participants counted from providers' returns are protected as a count and
the cost per participant is recomputed from the released number (issue 11)."""

from __future__ import annotations

import pytest

from vrhub.analysis.value.prices import format_gbp
from vrhub.domain.disclosure import NHS_OPENSAFELY
from vrhub.report.release.value import release_value_sheet


def sheet(participants: int, source: str = "2 provider return(s), 2023-04-01 to 2024-03-31") -> dict:
    cpp = 100_000 / participants
    return {"programme_cost": 100_000.0, "participants": participants, "participants_source": source,
            "cost_per_participant": cpp,
            "plain_english": f"Mentoring costs £100,000 (2024/25 prices), {format_gbp(cpp)} for each of "
                             f"{participants:,} participants. It pays for itself if …",
            "assumptions": [f"Participants: {participants:,} young people from the providers' returns ({source}); "
                            "the returns' periods may not match the funded period."]}


def test_participants_from_returns_are_rounded_and_the_cost_per_participant_follows() -> None:
    released = release_value_sheet(sheet(1_234), NHS_OPENSAFELY)
    assert released["participants"] == 1_235
    assert released["cost_per_participant"] == pytest.approx(100_000 / 1_235)
    assert "1,234" not in released["plain_english"] and "1,235 participants" in released["plain_english"]
    assert format_gbp(100_000 / 1_235) in released["plain_english"]
    assert format_gbp(100_000 / 1_234) not in released["plain_english"]
    assert released["assumptions"][0].startswith("Participants: 1,235 young people")


def test_a_small_number_of_participants_is_suppressed_and_no_cost_per_participant_shown() -> None:
    released = release_value_sheet(sheet(6), NHS_OPENSAFELY)
    assert released["participants"] is None and released["cost_per_participant"] is None
    assert "a few (suppressed) participants" in released["plain_english"]
    assert format_gbp(100_000 / 6) not in released["plain_english"]


def test_a_number_given_by_the_user_is_left_as_given() -> None:
    given = sheet(1_234, source="given with --participants")
    assert release_value_sheet(given, NHS_OPENSAFELY) == given
