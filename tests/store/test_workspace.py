"""Workspace settings (``--home`` / ``VRHUB_HOME`` / ``--db`` / ``VRHUB_DB``) and layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from vrhub.store.workspace import DEFAULT_HOME, Settings, Workspace


def test_settings_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"VRHUB_HOME": str(tmp_path / "env-home"), "VRHUB_DB": "postgresql://u@h/db"}
    assert Settings.resolve(tmp_path / "arg", None, environ=env).home == tmp_path / "arg"
    assert Settings.resolve(None, None, environ=env).home == tmp_path / "env-home"
    assert Settings.resolve(None, None, environ={}).home == tmp_path / DEFAULT_HOME
    assert Settings.resolve(None, None, environ=env).db_url == "postgresql://u@h/db"
    assert Settings.resolve(None, "sqlite:///x.db", environ=env).db_url == "sqlite:///x.db"
    s = Settings.resolve(tmp_path / "h", None, environ={})
    assert s.db_url == f"sqlite:///{tmp_path / 'h' / 'catalogue.sqlite'}"


def test_home_is_expanded_and_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert Settings.resolve("rel", None, environ={}).home == tmp_path / "rel"
    assert Settings.resolve("~/ws", None, environ={}).home == tmp_path / "user" / "ws"


def test_open_creates_the_layout_inside_home_only(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ws = Workspace.open(Settings.resolve(home, None, environ={}))
    assert ws.home == home
    assert (home / "catalogue.sqlite").is_file()
    assert (home / "lake" / "_staging").is_dir()
    assert ws.exports == home / "exports" and ws.exports.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]
