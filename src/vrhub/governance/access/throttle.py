"""The sign-in throttle: at most ``limit`` password checks that fail for one user name in a window.

Counting and deciding happen in one conditional ``UPDATE ... SET failures = failures + 1 WHERE failures < limit``
(a compare-and-set on the database row), so concurrent guesses cannot all pass the check: on PostgreSQL the
row lock makes the second writer re-read the row and re-test the condition (READ COMMITTED's re-check of the
updated row, PostgreSQL manual §13.2.1); SQLite runs one writer at a time. A guess *claims* a slot before the
password is checked (so the slow Argon2 check cannot race the count) and gives it back if the password was right.
This is the per-account limit of OWASP's Authentication Cheat Sheet ("Protect against automated attacks"),
held across processes because it lives in the catalogue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from vrhub.store.catalogue import Catalogue
from vrhub.store.catalogue.models import LoginThrottle


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Claim:
    """The result of :func:`claim`: whether a password check may run, and (if not) seconds until it may."""

    allowed: bool
    retry_after: int = 0


def _ensure_row(catalogue: Catalogue, username: str, now: dt.datetime, window: dt.timedelta) -> None:
    with catalogue.session() as s:
        if s.get(LoginThrottle, username) is not None:
            return
    try:
        with catalogue.session() as s:  # a new name: forget the names whose window ended long ago
            s.execute(delete(LoginThrottle).where(LoginThrottle.window_start <= now - 2 * window))
            s.add(LoginThrottle(username=username, failures=0, window_start=now))
    except IntegrityError:  # another request made it first
        pass


def claim(catalogue: Catalogue, username: str, *, limit: int, window: dt.timedelta,
          now: dt.datetime | None = None) -> Claim:
    """Claim one password check for ``username``: refused when ``limit`` checks already failed (or are running)
    in the current window. A window that has passed starts again at zero."""
    now = now or _now()
    t = LoginThrottle.__table__
    for _ in range(3):  # the row can be forgotten (see _ensure_row) between two statements: then make it again
        _ensure_row(catalogue, username, now, window)
        with catalogue.session() as s:
            # a window that ended starts again; conditional on the old start, so two resets cannot undo a claim
            s.execute(update(t).where(t.c.username == username, t.c.window_start <= now - window)
                      .values(failures=0, window_start=now))
        with catalogue.session() as s:
            won = s.execute(update(t).where(t.c.username == username, t.c.failures < limit)
                            .values(failures=t.c.failures + 1)).rowcount
            if won:
                return Claim(True)
            row = s.get(LoginThrottle, username)
        if row is not None:
            return Claim(False, max(1, int((row.window_start + window - now).total_seconds())))
    return Claim(False, int(window.total_seconds()))


def release(catalogue: Catalogue, username: str) -> None:
    """Give back a claimed check whose password was right (a success is not a failure)."""
    t = LoginThrottle.__table__
    with catalogue.session() as s:
        s.execute(update(t).where(t.c.username == username, t.c.failures > 0).values(failures=t.c.failures - 1))
