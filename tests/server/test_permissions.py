"""No endpoint without an explicit permission; the role grants are what docs/hub.md says."""

from __future__ import annotations

from fastapi.dependencies.models import Dependant

from vrhub.governance.access import GRANTS, Permission, Role, allowed
from vrhub.server.app import api_routes


def permissions_of(dependant: Dependant) -> list[Permission]:
    found = []
    for d in dependant.dependencies:
        if hasattr(d.call, "permission"):
            found.append(d.call.permission)
        found += permissions_of(d)
    return found


def test_every_endpoint_declares_exactly_one_permission() -> None:
    routes = api_routes()
    assert len(routes) >= 20
    missing = [f"{sorted(r.methods)} {r.path}: {permissions_of(r.dependant)}" for r in routes
               if len(permissions_of(r.dependant)) != 1]
    assert not missing, "routes without exactly one require(Permission.X):\n" + "\n".join(missing)


def test_the_check_would_see_a_route_without_a_permission() -> None:
    from fastapi import APIRouter

    r = APIRouter()

    @r.get("/x")
    def x() -> None: ...

    assert permissions_of(r.routes[0].dependant) == []


def test_only_public_routes_are_public() -> None:
    public = sorted((sorted(r.methods)[0], r.path) for r in api_routes()
                    if permissions_of(r.dependant) == [Permission.PUBLIC])
    assert public == [("GET", "/api/health"), ("GET", "/api/oidc/callback"), ("GET", "/api/oidc/login"),
                      ("POST", "/api/session")]


def test_grants() -> None:
    assert allowed("admin", Permission.ADMIN) and not allowed("admin", Permission.DATASETS_READ)
    assert not allowed("admin", Permission.PROFILE_READ)  # no data access by default
    assert GRANTS[Role.BOARD_VIEWER] == {Permission.PROFILE_READ, Permission.SNA_READ}
    assert not allowed("nobody", Permission.UPLOAD)
    assert allowed("nobody", Permission.SIGNED_IN)  # every signed-in role, whatever it is


# --- the web application's pages: the same rule ------------------------------------------------------------------
def test_every_page_declares_exactly_one_page_require() -> None:
    from vrhub.server.web.app import page_routes

    routes = page_routes()
    assert len(routes) >= 5
    wrong = [f"{sorted(r.methods)} {r.path}: {permissions_of(r.dependant)}" for r in routes
             if len(permissions_of(r.dependant)) != 1]
    assert not wrong, "pages without exactly one page_require(Permission.X):\n" + "\n".join(wrong)


def test_only_sign_in_and_the_front_door_are_public_pages() -> None:
    from vrhub.server.web.app import page_routes

    public = sorted((sorted(r.methods)[0], r.path) for r in page_routes()
                    if permissions_of(r.dependant) == [Permission.PUBLIC])
    assert public == [("GET", "/"), ("GET", "/sign-in"), ("POST", "/sign-in")]


def test_a_page_has_the_permission_of_the_api_operation_it_shows() -> None:
    from vrhub.server.web.app import page_routes

    api = {(m, r.path): permissions_of(r.dependant)[0] for r in api_routes() for m in r.methods}
    pages = {(m, r.path): permissions_of(r.dependant)[0] for r in page_routes() for m in r.methods}
    same = {("GET", "/board"): ("GET", "/api/profile"), ("GET", "/board/districts.geojson"): ("GET", "/api/profile"),
            ("POST", "/sign-out"): ("DELETE", "/api/session")}
    assert {p: pages[p] for p in same} == {p: api[a] for p, a in same.items()}
