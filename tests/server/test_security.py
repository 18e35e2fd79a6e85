"""Sessions, CSRF, cookie flags, sign-in rate limit, upload limits, hostile archives, formula injection,
agreements, and the one JSON error shape."""

from __future__ import annotations

import csv
import io
import zipfile
from http.cookies import SimpleCookie

import pytest
from vrhub_hubkit import PASSWORD, build_world, street_csv
from vrhub_testkit import STREET_HEADER, csv_bytes, street_row

from vrhub.server.dependencies import COOKIE, CSRF_HEADER


def sign_in(world, who: str = "admin"):  # type: ignore[no-untyped-def]
    r = world.client.post("/api/session", json={"username": who, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return r


def test_the_session_cookie_is_secure_httponly_and_samesite_strict(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    r = sign_in(sqlite_world)
    header = r.headers["set-cookie"]
    cookie = SimpleCookie()
    cookie.load(header)
    morsel = cookie[COOKIE]
    assert morsel["secure"] and morsel["httponly"] and morsel["samesite"] == "strict" and morsel["path"] == "/"
    assert r.json()["csrf_token"] not in header  # the CSRF token is not the cookie


def test_a_session_needs_the_csrf_token_for_unsafe_methods(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    c = sqlite_world.client
    csrf = sign_in(sqlite_world).json()["csrf_token"]
    assert c.get("/api/admin/organisations").status_code == 200  # safe method: the cookie is enough
    body = {"name": "Kent Fire and Rescue"}
    refused = c.post("/api/admin/organisations", json=body)
    assert refused.status_code == 403 and CSRF_HEADER in refused.json()["error"]["message"]
    assert c.post("/api/admin/organisations", json=body, headers={CSRF_HEADER: "x" + csrf}).status_code == 403
    assert c.post("/api/admin/organisations", json=body, headers={CSRF_HEADER: csrf}).status_code == 201
    # a bearer token carries no ambient authority, so it needs no CSRF token
    c.cookies.clear()
    assert c.post("/api/admin/organisations", json={"name": "Kent Probation"},
                  headers=sqlite_world.as_("admin")).status_code == 201


def test_signing_out_ends_the_session(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    c = sqlite_world.client
    csrf = sign_in(sqlite_world, "analyst").json()["csrf_token"]
    cookie = c.cookies[COOKIE]
    assert c.get("/api/me").json()["username"] == "analyst"
    assert c.delete("/api/session", headers={CSRF_HEADER: csrf}).status_code == 200
    c.cookies.set(COOKIE, cookie, domain="testserver")  # replaying the old cookie does not work
    assert c.get("/api/me").status_code == 401


def test_sign_in_is_rate_limited_per_user(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    c = sqlite_world.client
    limit = sqlite_world.app.state.hub.settings.login_attempts
    for _ in range(limit):
        assert c.post("/api/session", json={"username": "board", "password": "guess"}).status_code == 401
    blocked = c.post("/api/session", json={"username": "board", "password": PASSWORD})  # even the right one
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    assert "too many failed sign-ins" in blocked.json()["error"]["message"]
    assert c.post("/api/session", json={"username": "analyst", "password": PASSWORD}).status_code == 200


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    a = sqlite_world.client.post("/api/session", json={"username": "nobody", "password": "x"})
    b = sqlite_world.client.post("/api/session", json={"username": "board", "password": "x"})
    assert (a.status_code, a.json()) == (b.status_code, b.json())


def test_an_upload_over_the_size_limit_is_refused_and_nothing_is_loaded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    world = build_world(tmp_path / "home", None, max_upload_bytes=4000)
    before = {d.id for d in world.ws.catalogue.datasets()}
    big = street_csv("2018-12", 40, crime_id="big")
    assert len(big) > 4000
    r = world.upload("uploader_a", big)
    assert r.status_code == 413 and "4,000" in r.json()["error"]["message"]

    def chunks():  # no Content-Length: the stream itself is cut off
        yield big[:3000]
        yield big[3000:]

    r = world.client.post("/api/uploads", params={"filename": "x.csv"}, content=chunks(),
                          headers={**world.as_("uploader_a"), "Content-Type": "application/octet-stream"})
    assert r.status_code == 413
    assert {d.id for d in world.ws.catalogue.datasets()} == before
    assert not any((world.ws.home / "incoming").iterdir())  # the partial file was removed
    assert world.upload("uploader_a", street_csv("2018-12", 3, crime_id="small")).status_code == 201


def test_a_zip_bomb_upload_is_refused(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("2018-12/2018-12-kent-street.csv", b"0" * (32 << 20))
    r = sqlite_world.upload("uploader_a", buf.getvalue(), filename="download.zip")
    assert r.status_code == 422 and "zip bomb" in r.json()["error"]["message"]
    assert r.json()["error"]["message"].startswith("download.zip: ")  # never the server's own paths
    from vrhub.store import audit

    last = list(audit.events(sqlite_world.ws.catalogue))[-1]
    assert (last.action, last.outcome) == ("upload", "failed") and "zip bomb" in last.details["error"]


def test_path_traversal_in_an_upload_is_refused(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../../evil-street.csv", street_csv("2018-12", crime_id="evil"))
        zf.writestr("2018-12/2018-12-kent-street.csv", street_csv("2018-12", crime_id="good"))
    r = sqlite_world.upload("uploader_a", buf.getvalue(), filename="../../download.zip")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["filename"] == "download.zip"  # the name sent cannot point outside the incoming folder
    assert [s["reason"] for s in body["report"]["skipped"]] == ["unsafe path inside the archive"]
    assert len(body["report"]["results"]) == 1 and body["report"]["rows_accepted"] == 3
    assert not (sqlite_world.ws.home.parent / "evil-street.csv").exists()


def test_an_upload_outside_any_agreement_is_refused_naming_it(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    from vrhub_testkit import OUTCOMES_HEADER

    outcomes = csv_bytes(OUTCOMES_HEADER, [{**street_row(Month="2018-12"), "Outcome type": "Suspect charged"}])
    before = len(sqlite_world.ws.catalogue.datasets(include_withdrawn=True))
    r = sqlite_world.upload("uploader_a", outcomes, filename="2018-12-kent-outcomes.csv")
    assert r.status_code == 403
    err = r.json()["error"]
    assert "no data-sharing agreement" in err["message"] and "Kent Police" in err["message"]
    assert "police_uk_outcomes" in err["message"] and "'Kent Police street crime'" in err["message"]
    assert "vrhub hub agreement add" in err["what_to_do"]
    assert len(sqlite_world.ws.catalogue.datasets(include_withdrawn=True)) == before
    trail = sqlite_world.client.get("/api/audit/mine", headers=sqlite_world.as_("uploader_a")).json()
    assert (trail[-1]["action"], trail[-1]["outcome"]) == ("upload", "refused")


def test_a_field_outside_the_agreement_refuses_the_upload(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from vrhub.governance.access import agreements

    agreements.create_agreement(sqlite_world.ws.catalogue, "Medway stop and search", organisation_name="Medway Council",
                                kinds=["police_uk_street"], purpose="p", lawful_basis="b", retention_days=30,
                                start=dt.date(2021, 1, 1), fields_allowed=["month", "lsoa_code", "crime_type"])
    r = sqlite_world.upload("uploader_b", street_csv("2018-12", crime_id="f"))
    assert r.status_code == 403 and "does not allow the field(s)" in r.json()["error"]["message"]


def test_a_quarantine_export_neutralises_formula_injection(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    rows = [street_row(Month="2018-12", **{"Crime ID": "ok1"}),
            street_row(Month="not a month", Location="=HYPERLINK(\"http://x\",\"y\")", **{"Crime ID": "=1+1"}),
            street_row(Month="2018-13", Location="@SUM(A1)", **{"Crime ID": "+cmd"}),
            street_row(Month="bad", Location="\tx", **{"Crime ID": "-2+3"})]
    r = sqlite_world.upload("uploader_a", csv_bytes(STREET_HEADER, rows))
    assert r.status_code == 201, r.text
    ds = r.json()["dataset_ids"][0]
    assert r.json()["report"]["rows_quarantined"] == 3
    got = sqlite_world.client.get(f"/api/datasets/{ds}/quarantine", params={"format": "csv"},
                                  headers=sqlite_world.as_("uploader_a"))
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    cells = [c for row in csv.reader(io.StringIO(got.text)) for c in row]
    assert len(cells) > 6
    risky = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert risky == [], risky
    assert any(c.startswith("'=") for c in cells)  # neutralised, not dropped


def test_profile_and_audit_exports_neutralise_formula_injection(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    from vrhub.governance.access import accounts

    accounts.create_organisation(sqlite_world.ws.catalogue, "=cmd|' /C calc'!A0")
    for path, who in (("/api/audit", "admin"), ("/api/profile/tables/when_monthly", "board")):
        r = sqlite_world.client.get(path, params={"format": "csv"}, headers=sqlite_world.as_(who))
        assert r.status_code == 200, r.text
        cells = [c for row in csv.reader(io.StringIO(r.text.split("\n", 1)[1] if r.text.startswith("#") else r.text))
                 for c in row]
        assert cells and not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")
                              or (c[:1] == "-" and not c[1:].replace(".", "").isdigit())]


def test_errors_are_json(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    c = sqlite_world.client
    for r in (c.get("/api/nowhere"), c.get("/api/me"), c.post("/api/session", json={"username": ""}),
              c.get("/api/profile", params={"from": "2018-99"}, headers=sqlite_world.as_("board"))):
        assert r.headers["content-type"] == "application/json"
        err = r.json()["error"]
        assert err["status"] == r.status_code and err["message"]
    assert c.get("/api/profile", params={"from": "2018-99"}, headers=sqlite_world.as_("board")).status_code == 422
    for path in ("/api/profile", "/api/sna"):  # a request never names a file on the server: shipped definitions only
        r = c.get(path, params={"definition": "/etc/passwd.toml"}, headers=sqlite_world.as_("board"))
        assert r.status_code == 422 and "no shipped definition" in r.json()["error"]["message"], r.text


def test_an_unexpected_failure_is_a_json_500_without_internals(sqlite_world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from vrhub.library import viewer as datasets  # the route's reads are the library's Viewer

    def boom(*a, **k):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    monkeypatch.setattr(datasets, "visible_datasets", boom)
    r = sqlite_world.client.get("/api/datasets", headers=sqlite_world.as_("analyst"))
    assert r.status_code == 500 and r.json()["error"]["status"] == 500
    assert "secret" not in r.text


@pytest.mark.parametrize("name", ["../../etc/passwd.csv", "..\\..\\x.csv", "a/b/c.zip"])
def test_upload_names_are_reduced_to_a_safe_base_name(name: str) -> None:
    from vrhub.server.routers.uploads import safe_filename

    got = safe_filename(name)
    assert "/" not in got and "\\" not in got and not got.startswith(".")


def test_responses_carry_security_headers(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    r = sqlite_world.client.get("/api/datasets", headers=sqlite_world.as_("uploader_a"))
    assert r.headers["cache-control"] == "no-store" and r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    sna = sqlite_world.client.get("/api/sna", headers=sqlite_world.as_("board"))
    assert sna.status_code == 200 and "default-src 'none'" in sna.headers["content-security-policy"]
    assert "<script" not in sna.text  # so the policy (no scripts) does not break the page


def test_a_file_that_cannot_be_loaded_is_reported_without_server_paths(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    r = sqlite_world.upload("uploader_a", b"Crime ID,Month\nx,2018-12\n", filename="2018-12-kent-street.csv")
    assert r.status_code in (403, 422), r.text  # not a street file: refused or reported, never a 500
    assert str(sqlite_world.ws.home) not in r.text


def test_an_nhs_trust_uploads_istv_returns_under_its_agreement(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    """The same sources as the CLI: ISTV (ED assault) returns, refused until an agreement covers ed_istv."""
    import datetime as dt

    from vrhub.governance.access import accounts, agreements

    cat = sqlite_world.ws.catalogue
    accounts.create_organisation(cat, "Medway NHS Foundation Trust", "health")
    accounts.create_user(cat, "medway-ed", "partner_uploader", organisation_name="Medway NHS Foundation Trust")
    sqlite_world.tokens["medway-ed"] = accounts.create_token(cat, "medway-ed", "t").secret
    header = ["Reporting period start", "Reporting period end", "ED site code", "Arrival date time",
              "Assault date time", "Assault method", "Assault location type", "Age band", "Sex", "Home LSOA"]
    row = {"Reporting period start": "01/01/2023", "Reporting period end": "31/01/2023", "ED site code": "SYN-TEST",
           "Arrival date time": "06/01/2023 23:40", "Assault date time": "06/01/2023 23:05", "Assault method": "Knife",
           "Assault location type": "Pub", "Age band": "18-24", "Sex": "M", "Home LSOA": "E01016016"}
    data = csv_bytes(header, [row, {**row, "Arrival date time": "not a time"}])
    refused = sqlite_world.upload("medway-ed", data, filename="ed-2023-01.csv", kind="istv")
    assert refused.status_code == 403 and "ed_istv" in refused.json()["error"]["message"]
    agreements.create_agreement(cat, "Medway ED ISTV", organisation_name="Medway NHS Foundation Trust",
                                kinds=["ed_istv"], purpose="Cardiff Model", lawful_basis="Art. 6(1)(e); Art. 9(2)(i)",
                                retention_days=365, start=dt.date(2022, 1, 1),
                                supplies_for=["SYN-TEST"])  # the trust's ED site: its rows are the trust's
    r = sqlite_world.upload("medway-ed", data, filename="ed-2023-01.csv", kind="istv")
    assert r.status_code == 201, r.text
    rep = r.json()["report"]
    assert (rep["rows_read"], rep["rows_accepted"], rep["rows_quarantined"]) == (2, 1, 1)
    assert r.json()["report"]["results"][0]["kind"] == "ed_istv"


def test_a_youth_justice_service_uploads_pseudonymised_records_and_never_identifiers_in_clear(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    """The person-level feeds go through the same sources as ``vrhub ingest``: pseudonyms load, clear ids refuse."""
    import datetime as dt
    import hashlib

    from vrhub.governance.access import accounts, agreements

    cat = sqlite_world.ws.catalogue
    accounts.create_organisation(cat, "Kent Youth Justice Service", "youth justice")
    accounts.create_user(cat, "kent-yjs", "partner_uploader", organisation_name="Kent Youth Justice Service")
    sqlite_world.tokens["kent-yjs"] = accounts.create_token(cat, "kent-yjs", "t").secret
    agreements.create_agreement(cat, "Kent YJS offences", organisation_name="Kent Youth Justice Service",
                                kinds=["youth_justice"], purpose="serious youth violence 0-25",
                                lawful_basis="Art. 6(1)(e); Art. 10", retention_days=365, start=dt.date(2022, 1, 1),
                                supplies_for=["Kent"])  # its rows name the service "Kent"
    header = ["Person ID", "Youth justice service", "Age", "Offence date", "Offence type"]
    row = {"Person ID": hashlib.sha256(b"synthetic child").hexdigest(), "Youth justice service": "Kent", "Age": "15",
           "Offence date": "01/02/2023", "Offence type": "Robbery"}
    ok = sqlite_world.upload("kent-yjs", csv_bytes(header, [row]), filename="yjs-2023-02.csv", kind="youth-justice")
    assert ok.status_code == 201, ok.text
    assert ok.json()["report"]["results"][0]["kind"] == "youth_justice"
    assert ok.json()["report"]["rows_accepted"] == 1
    clear = {**row, "Person ID": "9434765919", "Offence date": "02/02/2023"}  # an NHS number (valid check digit)
    before = len(cat.datasets("youth_justice"))
    refused = sqlite_world.upload("kent-yjs", csv_bytes(header, [clear]), filename="yjs-clear.csv")
    assert "9434765919" not in refused.text
    assert refused.status_code == 422
    assert "identifiers in clear" in refused.json()["error"]["message"] and "vrhub pseudonymise" in refused.text
    assert len(cat.datasets("youth_justice")) == before
