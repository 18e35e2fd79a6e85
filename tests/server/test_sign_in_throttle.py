"""The sign-in throttle counts and decides atomically (issue 12, item 6): concurrent wrong passwords for one user
get at most ``login_attempts`` password checks, on SQLite and PostgreSQL; the rest are refused with 429."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from vrhub_hubkit import PASSWORD

from vrhub.store import audit

GUESSES = 20  # at once, for one user name (each a full Argon2 check if let through)


def test_concurrent_wrong_passwords_get_only_the_allowed_checks(world) -> None:  # type: ignore[no-untyped-def]
    limit = world.app.state.hub.settings.login_attempts

    def guess(i: int) -> int:
        with TestClient(world.app, base_url="https://testserver") as c:
            return c.post("/api/session", json={"username": "board", "password": f"guess {i}"}).status_code

    with ThreadPoolExecutor(GUESSES) as pool:
        codes = list(pool.map(guess, range(GUESSES)))
    assert sorted(codes) == [401] * limit + [429] * (GUESSES - limit)
    events = [e for e in audit.events(world.ws.catalogue) if e.action == "login" and e.object_id == "board"]
    assert sorted(e.outcome for e in events) == ["denied"] * limit + ["throttled"] * (GUESSES - limit)
    right = world.client.post("/api/session", json={"username": "board", "password": PASSWORD})
    assert right.status_code == 429  # even the right password, until the window passes
    assert world.client.post("/api/session", json={"username": "analyst", "password": PASSWORD}).status_code == 200


def test_a_window_that_passed_starts_again_and_a_success_is_not_a_failure(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    from vrhub.governance.access import throttle

    cat = sqlite_world.ws.catalogue
    window = dt.timedelta(minutes=15)
    t0 = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)
    assert [throttle.claim(cat, "x", limit=2, window=window, now=t0).allowed for _ in range(3)] == [True, True, False]
    refused = throttle.claim(cat, "x", limit=2, window=window, now=t0 + dt.timedelta(minutes=5))
    assert refused.retry_after == 600  # ten minutes of the window left
    later = t0 + window + dt.timedelta(seconds=1)
    assert throttle.claim(cat, "x", limit=2, window=window, now=later).allowed
    throttle.release(cat, "x")  # the password was right: the slot is given back
    assert [throttle.claim(cat, "x", limit=2, window=window, now=later).allowed for _ in range(3)] == \
        [True, True, False]
