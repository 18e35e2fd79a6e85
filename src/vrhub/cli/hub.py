"""``vrhub serve``, ``vrhub audit verify|show`` and ``vrhub hub ...``: run and administer the data-sharing hub.

Every command is a call of :class:`vrhub.library.administration.Administration` (what the web administrator's
pages and the JSON API call too), so a change is audited with the same action name and details whichever door was
used; here the actor is ``cli:<operating-system user>``. Lists and ``audit verify`` run at the console are not
audited (``audit_reads=False``: the operator reads the catalogue's own database).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import typer

from vrhub.cli.console import err, out, print_json
from vrhub.cli.context import state, table
from vrhub.library.administration import Administration, Operator

hub_app = typer.Typer(help="Administer the data-sharing hub: organisations, users, agreements, tokens, purge.",
                      no_args_is_help=True)
audit_app = typer.Typer(help="The hub's hash-chained audit log.", no_args_is_help=True)
org_app = typer.Typer(help="Organisations (partners).", no_args_is_help=True)
user_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
agreement_app = typer.Typer(help="Data-sharing agreements.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for automated uploads.", no_args_is_help=True)
hub_app.add_typer(org_app, name="org")
hub_app.add_typer(user_app, name="user")
hub_app.add_typer(agreement_app, name="agreement")
hub_app.add_typer(token_app, name="token")


def _admin() -> Administration:
    """The administrator's side of the workspace, acting as the console's operator."""
    return state.partnership().administration(Operator.at_console(), audit_reads=False)


def _date(text: str | None, option: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"'{text}' is not a date: write YYYY-MM-DD", param_hint=option) from exc


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (put a TLS proxy in front)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    max_upload_mb: int = typer.Option(512, "--max-upload-mb", help="Largest upload accepted, in MiB."),
    insecure_cookies: bool = typer.Option(False, "--insecure-cookies", help="Send the session cookie over plain "
                                          "http (local testing only: browsers drop Secure cookies on http)."),
    oidc_issuer: str | None = typer.Option(None, "--oidc-issuer", help="Single sign-on: the OpenID Connect "
                                           "provider's issuer URL (optional)."),
    oidc_client_id: str | None = typer.Option(None, "--oidc-client-id", help="Single sign-on: this hub's client id."),
    oidc_redirect_uri: str | None = typer.Option(None, "--oidc-redirect-uri", help="Single sign-on: "
                                                 "https://<hub>/api/oidc/callback as registered with the provider."),
    oidc_secret_file: str | None = typer.Option(None, "--oidc-secret-file", help="Single sign-on: a file holding "
                                                "the client secret (default: $VRHUB_OIDC_CLIENT_SECRET)."),
    oidc_username_claim: str = typer.Option("email", "--oidc-username-claim", help="The ID token claim that is "
                                            "the hub user name."),
    trusted_proxies: list[str] = typer.Option([], "--trusted-proxy", help="Address or network of the reverse proxy "
                                              "whose X-Forwarded-For is believed (repeat; default: none)."),
    token_max_days: int = typer.Option(365, "--token-max-days", help="The longest an API token may last, in days."),
    session_hours: float = typer.Option(8.0, "--session-hours", help="The longest a browser session lasts, in hours."),
    session_idle_minutes: float = typer.Option(30.0, "--session-idle-minutes", help="A browser session ends after "
                                               "this many minutes without a request."),
) -> None:
    """Start the data-sharing hub (a FastAPI app; its OpenAPI is at /api/openapi.json). One process; for more,
    run several on other ports over the same PostgreSQL catalogue and workspace, behind the proxy."""
    import uvicorn

    from vrhub.server import HubSettings, create_app

    oidc = None
    if oidc_issuer:
        from vrhub.server.oidc import OidcSettings

        secret = (Path(oidc_secret_file).read_text(encoding="utf-8").strip() if oidc_secret_file
                  else os.environ.get("VRHUB_OIDC_CLIENT_SECRET", ""))
        if not (oidc_client_id and oidc_redirect_uri and secret):
            raise typer.BadParameter("single sign-on needs --oidc-client-id, --oidc-redirect-uri and a client secret "
                                     "(--oidc-secret-file or $VRHUB_OIDC_CLIENT_SECRET)", param_hint="--oidc-issuer")
        oidc = OidcSettings(oidc_issuer, oidc_client_id, secret, oidc_redirect_uri, oidc_username_claim)
    settings = HubSettings(workspace=state.settings(), max_upload_bytes=max_upload_mb << 20,
                           cookie_secure=not insecure_cookies, oidc=oidc, token_max_days=token_max_days,
                           trusted_proxies=tuple(trusted_proxies), session_hours=session_hours,
                           session_idle_minutes=session_idle_minutes)
    app = create_app(settings)
    out.print(f"vrhub hub on http://{host}:{port} (workspace {settings.workspace.home}): the web application at /, "
              "the API under /api (OpenAPI at /api/openapi.json)")
    from vrhub.cli.demo import print_demo_accounts
    from vrhub.library.demo import demo_accounts_present

    print_demo_accounts(demo_accounts_present(app.state.hub.ws), f"http://{host}:{port}/")
    # forwarded headers are believed only from --trusted-proxy, by the app itself (create_app), never by uvicorn,
    # whose default would believe any process on this machine
    uvicorn.run(app, host=host, port=port, proxy_headers=False, log_level="info")


# --- audit ----------------------------------------------------------------------------------------------------
@audit_app.command("verify")
def audit_verify(
    expect_head: str | None = typer.Option(None, "--expect-head", help="A head hash recorded earlier: the log must "
                                           "still contain it (so no rows were cut off its end, nor the log emptied)."),
    head_file: Path | None = typer.Option(None, "--head-file", help="A file the operator keeps, outside the "
                                          "database's reach: its hash is expected (if it exists) and the new head is "
                                          "written to it when the log verifies."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Recompute the hash chain; exit 1 naming the first bad row if the log was edited, or cut short since a head
    hash was recorded."""
    expected = expect_head
    if expected is None and head_file is not None and head_file.is_file():
        words = head_file.read_text(encoding="utf-8").split()
        expected = words[0] if words else None
    v = _admin().verify_audit(expected)
    if v.ok and head_file is not None:
        head_file.write_text(v.head + "\n", encoding="utf-8")
    if as_json:
        print_json({"ok": v.ok, "rows": v.rows, "head": v.head, "bad_id": v.bad_id, "problem": v.problem,
                    "expected_head": expected})
    elif v.ok:
        out.print(f"The audit log verifies: {v.rows:,} rows, head hash {v.head}"
                  + (f" (it still contains the recorded head {expected})" if expected else "") + ". "
                  + (f"The head is written to {head_file}." if head_file else "Keep the head hash somewhere the "
                     "database's owner cannot change (or use --head-file), to detect rows cut off the end later."))
    else:
        err.print(f"[bold red]The audit log does not verify at row {v.bad_id}:[/] {v.problem}. {v.rows:,} rows "
                  f"verify (the last good hash is {v.head}).")
        err.print("[bold]What to do:[/] treat the log after that row as untrusted; restore the catalogue from a "
                  "backup and compare, and find out who had write access to the database")
    if not v.ok:
        raise typer.Exit(1)


@audit_app.command("show")
def audit_show(
    limit: int = typer.Option(50, "--limit", help="Rows to show (the newest)."),
    org: str | None = typer.Option(None, "--org", help="Only events about this organisation's data."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Show the newest audit events."""
    rows = _admin().audit_log(limit=limit, organisation=org)[::-1]  # in chain order
    if as_json:
        print_json(rows)
        return
    out.print(table("Audit log", ["id", "at (UTC)", "actor", "action", "object", "outcome", "data version"],
                    [[r["id"], r["at"][:19], r["actor"], r["action"], f"{r['object_type']} {r['object_id']}".strip(),
                      r["outcome"], r["data_version"][:40]] for r in rows]))


# --- organisations ---------------------------------------------------------------------------------------------
@org_app.command("add")
def org_add(name: str = typer.Argument(..., help="The organisation's name, e.g. 'Kent Police'."),
            sector: str | None = typer.Option(None, "--sector", help="e.g. police, health, local authority.")) -> None:
    """Register an organisation."""
    p = _admin().register_organisation(name, sector)
    out.print(f"Organisation {p.name!r} registered (id {p.id}).")


@org_app.command("list")
def org_list() -> None:
    """List organisations."""
    out.print(table("Organisations", ["id", "name", "sector"],
                    [[p.id, p.name, p.sector or ""] for p in _admin().organisations()]))


# --- users -----------------------------------------------------------------------------------------------------
@user_app.command("add")
def user_add(
    username: str = typer.Argument(..., help="The user name they sign in with."),
    role: str = typer.Option(..., "--role", help="partner_uploader | analyst | board_viewer | admin."),
    org: str | None = typer.Option(None, "--org", help="Their organisation (required for partner uploaders)."),
    name: str = typer.Option("", "--name", help="Display name."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input "
                                        "(otherwise you are asked for it; use --no-password for token-only users)."),
    no_password: bool = typer.Option(False, "--no-password", help="No password: the user uses API tokens only."),
) -> None:
    """Add a user (the password is stored only as an Argon2 hash)."""
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif not no_password:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    u = _admin().register_user(username, role, organisation=org, password=password, display_name=name)
    out.print(f"User {u.username!r} added as {u.role}" + (f" of {org}" if org else "") + ".")


@user_app.command("list")
def user_list() -> None:
    """List users and their roles."""
    out.print(table("Users", ["user", "role", "organisation", "active", "password"],
                    [[u.username, u.role, u.partner.name if u.partner else "", "yes" if u.active else "no",
                      "yes" if u.password_hash else "no"] for u in _admin().users()]))


@user_app.command("disable")
def user_disable(username: str = typer.Argument(...)) -> None:
    """Disable a user (their sessions end; their tokens stop working)."""
    u = _admin().set_active(username, False)
    out.print(f"User {u.username!r} disabled.")


# --- agreements ------------------------------------------------------------------------------------------------
@agreement_app.command("add")
def agreement_add(
    name: str = typer.Argument(..., help="The agreement's name, e.g. 'Kent Police street crime 2024'."),
    org: str = typer.Option(..., "--org", help="The organisation sharing the data."),
    kinds: list[str] = typer.Option(..., "--kind", help="A dataset kind it covers (repeat), e.g. police_uk_street."),
    purpose: str = typer.Option(..., "--purpose", help="What the data are shared for."),
    lawful_basis: str = typer.Option(..., "--lawful-basis", help="e.g. 'UK GDPR Art. 6(1)(e); PCSC Act 2022 s.13'."),
    retention_days: int = typer.Option(..., "--retention-days", help="Days each upload is kept."),
    start: str = typer.Option(..., "--start", help="First day in force, YYYY-MM-DD."),
    end: str | None = typer.Option(None, "--end", help="Last day in force, YYYY-MM-DD (default: open-ended)."),
    fields: list[str] = typer.Option([], "--field", help="A field allowed (repeat; default: every field)."),
    analysts: list[str] = typer.Option([], "--analyst", help="An analyst named on it (repeat)."),
    supplies_for: list[str] = typer.Option([], "--supplies-for", help="A force, trust, ED site or service (as the "
                                           "rows name it) whose rows the organisation may upload (repeat; its own "
                                           "name always)."),
) -> None:
    """Record a data-sharing agreement."""
    first = _date(start, "--start")
    assert first is not None  # --start is required
    a = _admin().record_agreement(name, organisation=org, kinds=kinds, purpose=purpose, lawful_basis=lawful_basis,
                                  retention_days=retention_days, start=first, end=_date(end, "--end"),
                                  fields_allowed=fields, analysts=analysts, supplies_for=supplies_for)
    out.print(f"Agreement {a.name!r} recorded: {org} shares {', '.join(a.kinds)} from {a.start_date}"
              f"{' to ' + str(a.end_date) if a.end_date else ''}, kept {a.retention_days} days.")


@agreement_app.command("list")
def agreement_list(as_json: bool = typer.Option(False, "--json", help="Print one JSON document.")) -> None:
    """List data-sharing agreements."""
    items = _admin().agreements()
    if as_json:
        print_json([{"name": a.name, "organisation": a.partner.name, "kinds": a.kinds, "purpose": a.purpose,
                     "lawful_basis": a.lawful_basis, "fields_allowed": a.fields_allowed,
                     "supplies_for": a.supplies_for,
                     "retention_days": a.retention_days, "start": a.start_date, "end": a.end_date,
                     "analysts": [u.username for u in a.analysts]} for a in items])
        return
    out.print(table("Data-sharing agreements", ["agreement", "organisation", "kinds", "in force", "kept (days)",
                                                "analysts"],
                    [[a.name, a.partner.name, ", ".join(a.kinds), f"{a.start_date}..{a.end_date or ''}",
                      a.retention_days, ", ".join(u.username for u in a.analysts)] for a in items]))


# --- tokens ----------------------------------------------------------------------------------------------------
@token_app.command("add")
def token_add(username: str = typer.Argument(..., help="The user the token acts as."),
              name: str = typer.Option("upload robot", "--name", help="What the token is for."),
              days: int = typer.Option(365, "--days", help="Days until it expires (at most 365, the hub's "
                                       "token_max_days).")) -> None:
    """Make an API token; it is printed once and only its hash is kept."""
    new = _admin().issue_token(username, name, days)
    out.print(f"Token {new.token.id} for {username} (expires in {days} days). Copy it now; it is not shown again:")
    sys.stdout.write(new.secret + "\n")


@token_app.command("list")
def token_list() -> None:
    """List API tokens (prefixes only)."""
    out.print(table("API tokens", ["id", "user", "name", "prefix", "expires", "revoked"],
                    [[t.id, t.user.username, t.name, t.prefix, t.expires_at.date() if t.expires_at else "",
                      t.revoked_at.date() if t.revoked_at else ""] for t in _admin().tokens()]))


@token_app.command("revoke")
def token_revoke(token_id: int = typer.Argument(...)) -> None:
    """Revoke an API token."""
    t = _admin().revoke_token(token_id)
    out.print(f"Token {t.id} revoked.")


# --- reconcile -------------------------------------------------------------------------------------------------
@hub_app.command("reconcile")
def reconcile_cmd(as_json: bool = typer.Option(False, "--json", help="Print one JSON document.")) -> None:
    """Account for dataset versions that a hub stopped mid-load published (the hub also does this when it
    starts): attach them to their upload, or withdraw them if the upload has no record. Audited."""
    done = _admin().reconcile()
    if as_json:
        print_json([{"upload_id": r.upload_id, "outcome": r.outcome, "dataset_ids": r.dataset_ids} for r in done])
        return
    for r in done:
        out.print(f"Upload {r.upload_id}: {r.outcome} ({', '.join(r.dataset_ids) or 'no versions'}).")
    out.print(f"{len(done)} upload(s) reconciled.")


# --- purge -----------------------------------------------------------------------------------------------------
@hub_app.command("purge")
def purge(
    dry_run: bool = typer.Option(False, "--dry-run", help="Only list what would be purged."),
    today: str | None = typer.Option(None, "--today", help="Judge retention as of this date, YYYY-MM-DD."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Withdraw dataset versions past their agreement's retention period and record each purge in the audit log
    (run it daily, e.g. from cron or a systemd timer)."""
    admin, on = _admin(), _date(today, "--today")
    found = admin.purge_preview(on) if dry_run else admin.purge(on)
    if as_json:
        print_json([{"dataset_id": e.dataset_id, "agreement": e.agreement, "retain_until": e.retain_until}
                    for e in found])
        return
    verb = "Would withdraw" if dry_run else "Withdrew"
    for e in found:
        out.print(f"{verb} {e.dataset_id}: agreement {e.agreement!r} kept it until {e.retain_until}.")
    out.print(f"{len(found)} version(s) past retention." + ("" if dry_run or not found else
              " They are no longer read; the purge is in the audit log ('vrhub audit show')."))
