"""CLI tests run with no VRHUB_HOME / VRHUB_DB from the environment: each names its workspace."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_vrhub_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VRHUB_DB", raising=False)
    monkeypatch.delenv("VRHUB_HOME", raising=False)
