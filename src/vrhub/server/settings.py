"""The hub's settings: one list, resolved by the caller (``vrhub serve`` or a test) and passed to ``create_app``.

Nothing is read from the environment at import time. The hub signs nothing, so it needs no secret key: session
ids and API tokens are random values whose sha256 alone is stored (``vrhub.governance.access.accounts``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from vrhub.governance.access.accounts import MAX_TOKEN_DAYS
from vrhub.server.oidc import OidcSettings
from vrhub.store.workspace import Settings


@dataclass(frozen=True)
class HubSettings:
    """Every setting of the hub, with its default (``docs/hub.md`` lists them; a test checks it does)."""

    workspace: Settings
    #: largest upload accepted, in bytes (the body is streamed to a temporary file and cut off past this)
    max_upload_bytes: int = 512 << 20
    #: largest body of any other request (JSON), in bytes: refused with 413 before it is parsed
    max_body_bytes: int = 1 << 20
    #: how long a browser session lasts, in hours
    session_hours: float = 8.0
    #: a browser session ends after this many minutes without a request (OWASP Session Management Cheat Sheet:
    #: 15 to 30 minutes for most applications), or after ``session_hours``, whichever is first
    session_idle_minutes: float = 30.0
    #: failed sign-ins allowed for one user name within ``login_window_minutes`` before sign-in is refused (429)
    login_attempts: int = 5
    login_window_minutes: int = 15
    #: the session cookie's Secure flag (only ever False for a test on plain http)
    cookie_secure: bool = True
    #: profiles kept in memory per process, keyed by their parameters and the data versions they read
    profile_cache: int = 16
    #: uploads loaded at the same time; more wait their turn (without holding a worker thread). Loading is
    #: CPU-bound Python: twenty at once on two cores left the readers' threads a twentieth of the interpreter each
    uploads_at_once: int = 2
    #: the longest an API token may last, in days (a token asked for longer, or made before a shorter limit, is not
    #: accepted past it)
    token_max_days: int = MAX_TOKEN_DAYS
    #: addresses (or networks, e.g. 10.0.0.0/8) of the reverse proxies whose X-Forwarded-For and
    #: X-Forwarded-Proto are believed; none: never (the connecting address is the client)
    trusted_proxies: tuple[str, ...] = ()
    #: single sign-on by OpenID Connect (``vrhub.server.oidc.OidcSettings``); none: local accounts and tokens only
    oidc: OidcSettings | None = None

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]
