"""``vrhub hub ...`` administers the hub from the command line; each change is audited; ``vrhub serve`` starts it."""

from __future__ import annotations

import json

import pytest
from vrhub_testkit import open_workspace, run_cli

from vrhub.governance.access import accounts
from vrhub.store import audit


def test_admin_commands_create_what_the_hub_uses(tmp_path) -> None:  # type: ignore[no-untyped-def]
    home = str(tmp_path / "home")

    def cli(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
        from typer.testing import CliRunner

        from vrhub.cli.main import app

        r = CliRunner().invoke(app, ["--home", home, *args], input=stdin)
        assert r.exit_code == 0, r.output
        return r

    cli("hub", "org", "add", "Kent Police", "--sector", "police")
    cli("hub", "user", "add", "kp-robot", "--role", "partner_uploader", "--org", "Kent Police", "--no-password")
    cli("hub", "user", "add", "ana", "--role", "analyst", "--password-stdin", stdin="a long enough password\n")
    cli("hub", "agreement", "add", "KP street", "--org", "Kent Police", "--kind", "police_uk_street",
        "--purpose", "SNA", "--lawful-basis", "Art. 6(1)(e)", "--retention-days", "730", "--start", "2024-01-01",
        "--analyst", "ana")
    out = cli("hub", "token", "add", "kp-robot", "--name", "nightly upload").output
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("vrh_")
    listed = json.loads(cli("hub", "agreement", "list", "--json").output)
    assert listed[0]["analysts"] == ["ana"] and listed[0]["retention_days"] == 730
    assert "kp-robot" in cli("hub", "user", "list").output
    ws = open_workspace(tmp_path / "home")
    assert accounts.user_for_token(ws.catalogue, secret).username == "kp-robot"
    assert accounts.authenticate(ws.catalogue, "ana", "a long enough password") is not None
    assert accounts.user(ws.catalogue, "ana").password_hash.startswith("$argon2id$")
    actions = [e.action for e in audit.events(ws.catalogue)]
    assert actions == ["admin.organisation.add", "admin.user.add", "admin.user.add", "admin.agreement.add",
                       "admin.token.add"]
    assert audit.verify(ws.catalogue).ok
    bad = run_cli("--home", home, "hub", "user", "add", "x", "--role", "superuser", "--no-password")
    assert bad.exit_code != 0 and "unknown role" in bad.output


def test_serve_builds_the_app_and_hands_it_to_uvicorn(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import uvicorn

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    r = run_cli("--home", str(tmp_path / "home"), "serve", "--port", "8765", "--max-upload-mb", "5")
    assert r.exit_code == 0, r.output
    assert seen["port"] == 8765 and seen["host"] == "127.0.0.1"
    assert seen["app"].state.hub.settings.max_upload_bytes == 5 << 20
    assert seen["app"].state.hub.settings.cookie_secure is True


def test_every_setting_is_documented() -> None:
    from pathlib import Path

    from vrhub.server.settings import HubSettings

    doc = (Path(__file__).parents[2] / "docs" / "hub.md").read_text(encoding="utf-8")
    missing = [n for n in HubSettings.names() if f"`{n}`" not in doc]
    assert not missing, f"docs/hub.md does not describe: {missing}"


def test_the_cli_names_suppliers_refuses_a_lockout_and_reconciles(tmp_path) -> None:  # type: ignore[no-untyped-def]
    home = str(tmp_path / "home")
    assert run_cli("--home", home, "hub", "org", "add", "Medway NHS Foundation Trust").exit_code == 0
    assert run_cli("--home", home, "hub", "agreement", "add", "ED", "--org", "Medway NHS Foundation Trust", "--kind",
                   "ed_istv", "--purpose", "Cardiff Model", "--lawful-basis", "Art. 6(1)(e)", "--retention-days",
                   "365", "--start", "2024-01-01", "--supplies-for", "RPA").exit_code == 0
    listed = json.loads(run_cli("--home", home, "hub", "agreement", "list", "--json").output)
    assert listed[0]["supplies_for"] == ["RPA"]
    assert run_cli("--home", home, "hub", "user", "add", "root", "--role", "admin", "--no-password").exit_code == 0
    assert run_cli("--home", home, "hub", "token", "add", "root").exit_code == 0
    from vrhub.governance.access.errors import Conflict

    with pytest.raises(Conflict, match="no active administrator"):  # vrhub's main() prints it with what to do
        run_cli("--home", home, "hub", "user", "disable", "root")
    assert json.loads(run_cli("--home", home, "hub", "reconcile", "--json").output) == []
