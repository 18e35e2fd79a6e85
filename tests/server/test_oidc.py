"""Single sign-on by OpenID Connect, against a fake identity provider that signs real RS256 ID tokens.

The fake stands in for ``vrhub.server.oidc.Provider``'s two HTTP calls (discovery/JWKS and the token endpoint);
everything else (state, nonce, PKCE, ID token validation, the session) is the hub's own code.
"""

from __future__ import annotations

import base64
import hashlib
import time
import urllib.parse
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from vrhub.server.dependencies import COOKIE
from vrhub.server.oidc import OidcSettings, Provider, SignOn
from vrhub.store import audit

ISSUER = "https://idp.example.org"
SETTINGS = OidcSettings(ISSUER, "vrhub-hub", "client-secret", "https://testserver/api/oidc/callback")
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})


class FakeProvider(Provider):
    """Answers discovery, JWKS and the token endpoint; checks the client secret and the PKCE verifier."""

    def __init__(self, settings: OidcSettings) -> None:
        super().__init__(settings)
        self.claims: dict[str, Any] = {}
        self.challenge: str | None = None
        self.key = KEY

    def get_json(self, url: str) -> dict[str, Any]:
        if url.endswith("/.well-known/openid-configuration"):
            return {"issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token", "jwks_uri": f"{ISSUER}/jwks",
                    "id_token_signing_alg_values_supported": ["RS256"]}
        assert url == f"{ISSUER}/jwks"
        return KeySet([KEY]).as_dict(private=False)

    def post_form(self, url: str, data: dict[str, str], auth: tuple[str, str]) -> dict[str, Any]:
        assert url == f"{ISSUER}/token" and auth == ("vrhub-hub", "client-secret")
        digest = hashlib.sha256(data["code_verifier"].encode()).digest()
        assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == self.challenge  # PKCE S256
        return {"id_token": jwt.encode({"alg": "RS256", "kid": "k1"}, self.claims, self.key)}


@pytest.fixture
def sso(sqlite_world):  # type: ignore[no-untyped-def]
    provider = FakeProvider(SETTINGS)
    sqlite_world.app.state.hub.sign_on = SignOn(provider, sqlite_world.ws.catalogue)
    return sqlite_world, provider


def begin(world, provider, **claims: Any) -> dict[str, str]:  # type: ignore[no-untyped-def]
    r = world.client.get("/api/oidc/login", follow_redirects=False)
    assert r.status_code == 307
    url = urllib.parse.urlparse(r.headers["location"])
    q = dict(urllib.parse.parse_qsl(url.query))
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{ISSUER}/authorize"
    assert q["code_challenge_method"] == "S256" and q["client_id"] == "vrhub-hub" and "openid" in q["scope"]
    provider.challenge = q["code_challenge"]
    now = int(time.time())
    provider.claims = {"iss": ISSUER, "aud": "vrhub-hub", "sub": "1", "email": "analyst", "iat": now,
                       "exp": now + 300, "nonce": q["nonce"], **claims}
    return q


def test_sign_on_opens_a_session_for_an_existing_user(sso) -> None:  # type: ignore[no-untyped-def]
    world, provider = sso
    q = begin(world, provider)
    r = world.client.get("/api/oidc/callback", params={"code": "abc", "state": q["state"]})
    assert r.status_code == 200, r.text
    assert r.json()["user"]["username"] == "analyst" and r.json()["csrf_token"]
    assert "httponly" in r.headers["set-cookie"].lower() and COOKIE in r.headers["set-cookie"]
    assert world.client.get("/api/me").json()["username"] == "analyst"
    last = list(audit.events(world.ws.catalogue))[-1]
    assert (last.action, last.actor, last.details["method"]) == ("login", "analyst", "oidc")
    # the state is used once
    again = world.client.get("/api/oidc/callback", params={"code": "abc", "state": q["state"]})
    assert again.status_code == 401


@pytest.mark.parametrize(("claims", "why"), [
    ({"aud": "another-client"}, "aud"),
    ({"iss": "https://evil.example"}, "iss"),
    ({"nonce": "replayed"}, "nonce"),
    ({"exp": int(time.time()) - 3600}, "exp"),
    ({"email": "nobody@example.org"}, "not a user"),
])
def test_a_bad_id_token_is_refused(sso, claims, why) -> None:  # type: ignore[no-untyped-def]
    world, provider = sso
    q = begin(world, provider, **claims)
    r = world.client.get("/api/oidc/callback", params={"code": "abc", "state": q["state"]})
    assert r.status_code == 401, (why, r.text)
    assert world.client.get("/api/me").status_code == 401
    last = list(audit.events(world.ws.catalogue))[-1]
    assert (last.action, last.outcome) == ("login", "denied")


def test_a_token_signed_by_another_key_or_an_unknown_state_is_refused(sso) -> None:  # type: ignore[no-untyped-def]
    world, provider = sso
    q = begin(world, provider)
    provider.key = RSAKey.generate_key(2048, parameters={"kid": "k1"})  # same kid, not the provider's key
    assert world.client.get("/api/oidc/callback", params={"code": "abc", "state": q["state"]}).status_code == 401
    assert world.client.get("/api/oidc/callback", params={"code": "abc", "state": "made-up"}).status_code == 401


def test_without_configuration_sign_on_is_not_offered(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    r = sqlite_world.client.get("/api/oidc/login", follow_redirects=False)
    assert r.status_code == 404 and "not configured" in r.json()["error"]["message"]
