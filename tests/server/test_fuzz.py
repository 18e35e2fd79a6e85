"""Schemathesis fuzzes every operation of the hub's OpenAPI document: no input makes the hub answer 500.

Each operation is called as a role allowed to reach it (so that the fuzzing gets past authorisation) with a
bounded number of generated examples, so the whole run takes seconds. The hub is built once for the module.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from vrhub_hubkit import build_world

from vrhub.server.app import api_routes

MAX_EXAMPLES = 6  # per operation; the SNA (a second or more to build) gets 2


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    w = build_world(tmp_path_factory.mktemp("fuzz") / "home", None)
    yield w
    w.client.close()
    w.ws.catalogue.engine.dispose()


def role_for(method: str, path: str) -> str:
    if path.startswith("/api/admin") or path == "/api/audit":
        return "admin"
    if path.startswith("/api/uploads") or path == "/api/audit/mine":
        return "uploader_a"
    return "analyst"


def operations(app):  # type: ignore[no-untyped-def]
    return [r.ok() for r in schemathesis.openapi.from_asgi("/api/openapi.json", app).get_all_operations()]


def test_the_fuzzing_reaches_every_operation(fuzz_world) -> None:  # type: ignore[no-untyped-def]
    assert {(op.method.upper(), op.path) for op in operations(fuzz_world.app)} == \
        {(m, r.path) for r in api_routes() for m in r.methods}


ROUTES = sorted((m, r.path) for r in api_routes() for m in r.methods)


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_no_input_makes_the_hub_fail(fuzz_world, method: str, path: str) -> None:  # type: ignore[no-untyped-def]
    [op] = [op for op in operations(fuzz_world.app) if (op.method.upper(), op.path) == (method, path)]
    token = fuzz_world.tokens[role_for(op.method.upper(), op.path)]

    @given(case=op.as_strategy())
    @settings(max_examples=2 if path == "/api/sna" else MAX_EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), derandomize=True)
    def run(case) -> None:  # type: ignore[no-untyped-def]
        if op.path == "/api/admin/tokens/{token_id}":
            case.path_parameters = {"token_id": fuzz_world.spare_token_id}  # never revoke the fuzzing's tokens
        response = case.call(base_url="https://testserver", headers={"Authorization": f"Bearer {token}"})
        case.validate_response(response, checks=[not_a_server_error])

    run()
