"""'vrhub demo' makes one hub account of each role (demo credentials, printed), and running it again is safe."""

from __future__ import annotations

from vrhub.governance.access import accounts, roles
from vrhub.library.demo import DEMO_ACCOUNTS, demo_accounts_present, make_demo_accounts


def test_the_demo_accounts_sign_in_with_their_roles(web_world) -> None:  # type: ignore[no-untyped-def]
    assert {r for _, r, _ in DEMO_ACCOUNTS} == {r.value for r in roles.Role}  # one of each role
    make_demo_accounts(web_world.ws)
    make_demo_accounts(web_world.ws)  # again: nothing new, no error
    assert demo_accounts_present(web_world.ws) == list(DEMO_ACCOUNTS)
    for username, role, password in DEMO_ACCOUNTS:
        u = accounts.authenticate(web_world.ws.catalogue, username, password)
        assert u is not None and u.role == role
    assert [u.username for u in accounts.users(web_world.ws.catalogue)].count("demo-board") == 1


def test_serve_prints_them_with_the_warning(capsys) -> None:  # type: ignore[no-untyped-def]
    from vrhub.cli.demo import print_demo_accounts

    print_demo_accounts(DEMO_ACCOUNTS)
    text = capsys.readouterr().out
    assert "demo-board" in text and "demo-board-password" in text and "DEMO credentials" in text
    print_demo_accounts([])
    assert capsys.readouterr().out == ""
