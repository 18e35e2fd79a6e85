"""Organisations, users, passwords, API tokens and browser sessions (library functions; no HTTP).

Passwords are hashed with Argon2id through pwdlib (the maintained successor to passlib, which breaks on
Python 3.13), with pwdlib's recommended parameters (RFC 9106 §4, second recommended option). API tokens and
session ids are 256-bit random values (``secrets.token_urlsafe(32)``); only their sha256 is stored, which is
enough for values of that entropy (a slow hash protects low-entropy secrets such as passwords).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from pwdlib import PasswordHash
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from vrhub.domain.errors import Conflict, NotFound, UsageError
from vrhub.governance.access.roles import Role, parse_role
from vrhub.store.catalogue import Catalogue, Partner
from vrhub.store.catalogue.models import ApiToken, HubSession, User

PASSWORDS = PasswordHash.recommended()
TOKEN_PREFIX = "vrh_"
MIN_PASSWORD = 12
#: the longest an API token may last, in days (the hub's ``token_max_days`` setting; tokens made before a
#: shorter limit was set stop working when they reach it)
MAX_TOKEN_DAYS = 365
# A hash of a random password: checking it costs what checking a real one does, so that an unknown user name
# takes as long to refuse as a wrong password (no user enumeration by timing).
_DUMMY_HASH = PASSWORDS.hash(secrets.token_urlsafe(16))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- organisations ----------------------------------------------------------------------------------------
def create_organisation(catalogue: Catalogue, name: str, sector: str | None = None) -> Partner:
    """Register an organisation (a partner); a name already registered is a ``Conflict``."""
    name = name.strip()
    if not name:
        raise UsageError("an organisation needs a name")
    try:
        with catalogue.session() as s:
            p = Partner(name=name, sector=sector)
            s.add(p)
            s.flush()
            return p
    except IntegrityError as exc:
        raise Conflict(f"an organisation named {name!r} already exists",
                       "use it, or choose another name ('vrhub hub org list' lists them)") from exc


def organisation(catalogue: Catalogue, name_or_id: str | int) -> Partner:
    with catalogue.session() as s:
        if isinstance(name_or_id, int) or str(name_or_id).isdigit():
            found = s.get(Partner, int(name_or_id))
        else:
            found = s.scalar(select(Partner).where(Partner.name == name_or_id))
    if found is None:
        raise NotFound(f"no organisation {name_or_id!r}", "list them with 'vrhub hub org list' or "
                       "GET /api/admin/organisations")
    return found


# --- users ------------------------------------------------------------------------------------------------
def create_user(catalogue: Catalogue, username: str, role: str, *, password: str | None = None,
                organisation_name: str | None = None, display_name: str = "") -> User:
    """Add a user. A partner uploader must belong to an organisation; a password (if any) has 12+ characters."""
    r = parse_role(role)
    username = username.strip()
    if not username:
        raise UsageError("a user needs a user name")
    if password is not None and len(password) < MIN_PASSWORD:
        raise UsageError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    partner_id = organisation(catalogue, organisation_name).id if organisation_name else None
    if r is Role.PARTNER_UPLOADER and partner_id is None:
        raise UsageError("a partner uploader belongs to an organisation: give --org NAME")
    try:
        with catalogue.session() as s:
            u = User(username=username, display_name=display_name, role=r.value, partner_id=partner_id,
                     password_hash=PASSWORDS.hash(password) if password else None, active=True)
            s.add(u)
            s.flush()
            return u
    except IntegrityError as exc:
        raise Conflict(f"a user named {username!r} already exists", "choose another user name") from exc


def user(catalogue: Catalogue, username_or_id: str | int) -> User:
    with catalogue.session() as s:
        q = select(User).options(selectinload(User.partner))
        q = q.where(User.id == int(username_or_id)) if isinstance(username_or_id, int) else \
            q.where(User.username == username_or_id)
        found = s.scalar(q)
    if found is None:
        raise NotFound(f"no user {username_or_id!r}", "list users with 'vrhub hub user list'")
    return found


def users(catalogue: Catalogue) -> list[User]:
    with catalogue.session() as s:
        return list(s.scalars(select(User).options(selectinload(User.partner)).order_by(User.username)))


def set_active(catalogue: Catalogue, username: str, active: bool) -> User:
    """Disable (ending their sessions) or re-enable a user; refused (``Conflict``) if it would leave the hub with
    no active administrator who can sign in."""
    with catalogue.session() as s:
        u = s.scalar(select(User).where(User.username == username))
        if u is None:
            raise NotFound(f"no user {username!r}", "list users with 'vrhub hub user list'")
        if not active and u.role == Role.ADMIN and u.active:
            _keep_an_administrator(s, without_user=u.id)
        u.active = active
        if not active:  # a disabled user's sessions end now
            s.execute(delete(HubSession).where(HubSession.user_id == u.id))
    return user(catalogue, username)


def active_user(catalogue: Catalogue, username: str) -> User | None:
    """The active user of this name (for a sign-in proved elsewhere, e.g. single sign-on), else ``None``."""
    with catalogue.session() as s:
        u = s.scalar(select(User).options(selectinload(User.partner)).where(User.username == username))
    return u if u is not None and u.active else None


def authenticate(catalogue: Catalogue, username: str, password: str) -> User | None:
    """The active user with this name and password, or ``None`` (same cost whether or not the user exists)."""
    with catalogue.session() as s:
        u = s.scalar(select(User).options(selectinload(User.partner)).where(User.username == username))
    if u is None or not u.password_hash or not u.active:
        PASSWORDS.verify(password, _DUMMY_HASH)
        return None
    ok, new_hash = PASSWORDS.verify_and_update(password, u.password_hash)
    if not ok:
        return None
    if new_hash:  # parameters were raised since the hash was made
        with catalogue.session() as s:
            s.get(User, u.id).password_hash = new_hash  # type: ignore[union-attr]
    return u


# --- API tokens -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewToken:
    """A token just made: ``secret`` is shown once and never stored."""

    token: ApiToken
    secret: str


def create_token(catalogue: Catalogue, username: str, name: str, *, days: int = 365,
                 max_days: int = MAX_TOKEN_DAYS) -> NewToken:
    """Make an API token for ``username`` lasting ``days`` (1 to ``max_days``: every token expires)."""
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= max_days:
        raise UsageError(f"a token lasts 1 to {max_days} days (the hub's token_max_days), not {days!r}: every "
                         "token expires; make a new one before it does")
    u = user(catalogue, username)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with catalogue.session() as s:
        t = ApiToken(user_id=u.id, name=name, prefix=secret[:10], token_sha256=_sha256(secret),
                     expires_at=_now() + dt.timedelta(days=days))
        s.add(t)
        s.flush()
    return NewToken(t, secret)


def tokens(catalogue: Catalogue, username: str | None = None) -> list[ApiToken]:
    with catalogue.session() as s:
        q = select(ApiToken).options(selectinload(ApiToken.user)).order_by(ApiToken.id)
        if username:
            q = q.join(User).where(User.username == username)
        return list(s.scalars(q))


def revoke_token(catalogue: Catalogue, token_id: int) -> ApiToken:
    """Revoke a token; refused (``Conflict``) if it is the last way any active administrator can sign in."""
    with catalogue.session() as s:
        t = s.get(ApiToken, token_id)
        if t is None:
            raise NotFound(f"no API token {token_id}", "list tokens with 'vrhub hub token list'")
        owner = s.get(User, t.user_id)
        if t.revoked_at is None and owner is not None and owner.role == Role.ADMIN and owner.active:
            _keep_an_administrator(s, without_token=t.id)
        t.revoked_at = t.revoked_at or _now()
    return t


def _expiry(t: ApiToken, max_days: int) -> dt.datetime:
    """When a token stops working: its own expiry, but never later than ``max_days`` after it was made."""
    latest = t.created_at + dt.timedelta(days=max_days)
    return min(t.expires_at, latest) if t.expires_at is not None else latest


def _usable(t: ApiToken, max_days: int = MAX_TOKEN_DAYS) -> bool:
    return t.revoked_at is None and _expiry(t, max_days) > _now()


def _keep_an_administrator(s: Session, *, without_user: int | None = None, without_token: int | None = None) -> None:
    """Raise ``Conflict`` unless some active administrator (other than ``without_user``) can still sign in with a
    password or a usable token (other than ``without_token``) after the change."""
    for admin in s.scalars(select(User).where(User.role == Role.ADMIN, User.active.is_(True))):
        if admin.id == without_user:
            continue
        if admin.password_hash:
            return
        if any(_usable(t) for t in s.scalars(select(ApiToken).where(ApiToken.user_id == admin.id))
               if t.id != without_token):
            return
    raise Conflict("refused: afterwards no active administrator could sign in, and nobody could administer the hub",
                   "add another administrator first (vrhub hub user add NAME --role admin), then try again")


@dataclass(frozen=True)
class TokenCheck:
    """Who a bearer token signs in (``user``), or why it does not (``reason``: unknown, revoked, expired, user
    disabled); ``token_id`` and ``username`` are known for a real token, never for a forged one."""

    user: User | None
    reason: str = ""
    token_id: int | None = None
    username: str | None = None


def check_token(catalogue: Catalogue, secret: str, *, max_days: int = MAX_TOKEN_DAYS) -> TokenCheck:
    """Check a bearer token: valid only if known, not revoked, not expired (nor older than ``max_days``), and
    its user active."""
    with catalogue.session() as s:
        t = s.scalar(select(ApiToken).options(selectinload(ApiToken.user).selectinload(User.partner))
                     .where(ApiToken.token_sha256 == _sha256(secret)))
    if t is None:
        return TokenCheck(None, "unknown token")
    why = ("revoked" if t.revoked_at is not None else "expired" if _expiry(t, max_days) <= _now()
           else "user disabled" if not t.user.active else "")
    return TokenCheck(None if why else t.user, why, t.id, t.user.username)


def user_for_token(catalogue: Catalogue, secret: str, *, max_days: int = MAX_TOKEN_DAYS) -> User | None:
    """The active user a valid (unexpired, unrevoked) token belongs to, else ``None``."""
    return check_token(catalogue, secret, max_days=max_days).user


# --- browser sessions -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewSession:
    """A session just opened: ``secret`` goes in the cookie, ``csrf_token`` to the page."""

    secret: str
    csrf_token: str
    expires_at: dt.datetime


def open_session(catalogue: Catalogue, u: User, hours: float = 8, idle_minutes: float | None = None) -> NewSession:
    """Open a session lasting ``hours`` at most, and ending sooner after ``idle_minutes`` without a request (the
    idle timeout of the OWASP Session Management Cheat Sheet: ``session_user`` moves the end on while in use)."""
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = _now()
    expires = now + dt.timedelta(hours=hours)
    if idle_minutes is not None:
        expires = min(expires, now + dt.timedelta(minutes=idle_minutes))
    with catalogue.session() as s:
        s.execute(delete(HubSession).where(HubSession.expires_at < now))
        s.add(HubSession(id_sha256=_sha256(secret), user_id=u.id, csrf_token=csrf, expires_at=expires))
    return NewSession(secret, csrf, expires)


#: a session's end is moved on at most this often (a write per request would cost every reader a transaction)
TOUCH_EVERY = dt.timedelta(seconds=30)


def session_user(catalogue: Catalogue, secret: str, *, idle_minutes: float | None = None,
                 hours: float | None = None) -> tuple[User, str] | None:
    """The active user of an unexpired session and its CSRF token, else ``None``. With ``idle_minutes`` (and
    ``hours``, the longest a session lasts), a session in use has its end moved to ``idle_minutes`` from now,
    never past ``hours`` after it opened."""
    with catalogue.session() as s:
        hs = s.scalar(select(HubSession).options(selectinload(HubSession.user).selectinload(User.partner))
                      .where(HubSession.id_sha256 == _sha256(secret)))
    now = _now()
    if hs is None or hs.expires_at <= now or not hs.user.active:
        return None
    if idle_minutes is not None:
        latest = hs.created_at + dt.timedelta(hours=hours) if hours is not None else None
        new_end = now + dt.timedelta(minutes=idle_minutes)
        new_end = min(new_end, latest) if latest is not None else new_end
        if new_end - hs.expires_at > TOUCH_EVERY:
            with catalogue.session() as s:
                s.execute(update(HubSession).where(HubSession.id_sha256 == hs.id_sha256)
                          .values(expires_at=new_end))
    return hs.user, hs.csrf_token


def close_session(catalogue: Catalogue, secret: str) -> None:
    with catalogue.session() as s:
        s.execute(delete(HubSession).where(HubSession.id_sha256 == _sha256(secret)))
