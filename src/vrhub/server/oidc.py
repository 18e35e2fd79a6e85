"""Optional single sign-on by OpenID Connect (authorisation code flow with PKCE), configured, never required.

The hub is a confidential client: ``/api/oidc/login`` sends the browser to the identity provider with a random
``state``, ``nonce`` and a PKCE S256 challenge (RFC 7636; Authlib makes them); ``/api/oidc/callback`` exchanges the
code for tokens at the provider's token endpoint (client secret and code verifier), and validates the ID token
(OpenID Connect Core 1.0 §3.1.3.7) with joserfc, Authlib's JOSE library: signature by a key of the provider's
JWKS, ``iss``, ``aud``, ``exp`` and the ``nonce``. The user named by ``username_claim`` (default ``email``) must
already be a hub user (an administrator adds them, with a role): single sign-on proves who someone is; the hub's
own records say what they may do.

The outside world comes in through one seam, :class:`Provider` (``get_json``, ``post_form``), with httpx2 in
production and a fake in the tests.
"""

from __future__ import annotations

import datetime as dt
import threading
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete

from vrhub.store.catalogue import Catalogue
from vrhub.store.catalogue.models import OidcState

STATE_LIFETIME = dt.timedelta(minutes=10)


class OidcError(Exception):
    """A sign-on that must be refused (the message says why, without secrets)."""


@dataclass(frozen=True)
class OidcSettings:
    """``issuer`` is the provider's issuer URL (its discovery document is
    ``<issuer>/.well-known/openid-configuration``); ``client_secret`` comes from the environment or a key file,
    never the repository."""

    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str
    username_claim: str = "email"
    scopes: str = "openid email profile"


class Provider:
    """The identity provider over HTTP (httpx2). Discovery and keys are fetched once and kept."""

    def __init__(self, settings: OidcSettings) -> None:
        self.settings = settings
        self._metadata: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def get_json(self, url: str) -> dict[str, Any]:
        import httpx2

        r = httpx2.get(url, timeout=10)
        r.raise_for_status()
        return r.json()

    def post_form(self, url: str, data: dict[str, str], auth: tuple[str, str]) -> dict[str, Any]:
        import httpx2

        r = httpx2.post(url, data=data, auth=auth, timeout=10)
        if r.status_code != 200:
            raise OidcError(f"the identity provider refused the code ({r.status_code})")
        return r.json()

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._metadata is None:
                meta = self.get_json(self.settings.issuer.rstrip("/") + "/.well-known/openid-configuration")
                if meta.get("issuer") != self.settings.issuer:
                    raise OidcError("the provider's discovery document names another issuer")
                meta["_jwks"] = self.get_json(meta["jwks_uri"])
                self._metadata = meta
            return self._metadata


@dataclass
class SignOn:
    provider: Provider
    catalogue: Catalogue
    now: Any = field(default=lambda: dt.datetime.now(dt.UTC))

    def authorization_url(self) -> str:
        """Where to send the browser; remembers the state, nonce and code verifier for the callback."""
        s = self.provider.settings
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        with self.catalogue.session() as db:
            db.execute(delete(OidcState).where(OidcState.created_at < self.now() - STATE_LIFETIME))
            db.add(OidcState(state=state, nonce=nonce, code_verifier=verifier, created_at=self.now()))
        query = {"response_type": "code", "client_id": s.client_id, "redirect_uri": s.redirect_uri,
                 "scope": s.scopes, "state": state, "nonce": nonce,
                 "code_challenge": create_s256_code_challenge(verifier), "code_challenge_method": "S256"}
        return self.provider.metadata()["authorization_endpoint"] + "?" + urllib.parse.urlencode(query)

    def username(self, code: str, state: str) -> str:
        """Check the callback and return the user name the ID token asserts; raise :class:`OidcError` if not."""
        s = self.provider.settings
        with self.catalogue.session() as db:
            pending = db.get(OidcState, state)
            if pending is not None:
                db.delete(pending)  # a state is used once
        if pending is None or pending.created_at < self.now() - STATE_LIFETIME:
            raise OidcError("this sign-on was not started here, was already used, or took too long")
        meta = self.provider.metadata()
        tokens = self.provider.post_form(meta["token_endpoint"], {
            "grant_type": "authorization_code", "code": code, "redirect_uri": s.redirect_uri,
            "code_verifier": pending.code_verifier}, (s.client_id, s.client_secret))
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise OidcError("the identity provider sent no ID token")
        try:
            token = jwt.decode(id_token, KeySet.import_key_set(meta["_jwks"]),
                               algorithms=[a for a in meta.get("id_token_signing_alg_values_supported") or ["RS256"]
                                           if a != "none"])
            jwt.JWTClaimsRegistry(
                now=int(self.now().timestamp()), leeway=60,
                iss={"essential": True, "value": s.issuer}, aud={"essential": True, "value": s.client_id},
                exp={"essential": True}, nonce={"essential": True, "value": pending.nonce},
            ).validate(token.claims)
        except (JoseError, ValueError) as exc:
            raise OidcError(f"the ID token is not valid ({type(exc).__name__})") from exc
        name = token.claims.get(s.username_claim)
        if not isinstance(name, str) or not name:
            raise OidcError(f"the ID token has no {s.username_claim!r} claim")
        return name
