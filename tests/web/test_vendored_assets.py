"""The vendored npm builds are exactly what the checksum list says, and no page or file asks for the internet."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "src" / "vrhub" / "server" / "web"
VENDOR = WEB / "static" / "vendor"
PACKAGES = {"govuk-frontend", "htmx.org", "vega", "vega-lite", "vega-embed", "leaflet", "axe-core",
            "vega-interpreter"}
#: an asset fetched from elsewhere: a URL in src=, a CSS url() or @import, a fetch/import of http(s) (a link's href
#: is not an asset: Leaflet's attribution names its site, and the maps turn the attribution off)
EXTERNAL = re.compile(r"""src\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|"""
                      r"""@import\s+["']?(?:https?:)?//|(?:fetch|import)\(\s*["'](?:https?:)?//""", re.I)


LINK = re.compile(r"""<link[^>]+href\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def checksums() -> dict[str, str]:
    lines = (VENDOR / "CHECKSUMS.sha256").read_text(encoding="utf-8").splitlines()
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines if line.strip())}


def test_every_vendored_file_matches_its_checksum() -> None:
    listed = checksums()
    on_disk = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file()} - {"CHECKSUMS.sha256"}
    assert on_disk == set(listed), f"not listed: {on_disk - set(listed)}; listed but missing: {set(listed) - on_disk}"
    wrong = [n for n, d in listed.items() if hashlib.sha256((VENDOR / n).read_bytes()).hexdigest() != d]
    assert not wrong, f"changed since vendored (run scripts/vendor_web_assets.py): {wrong}"


def test_each_package_is_pinned_and_licensed() -> None:
    assert {p.name for p in VENDOR.iterdir() if p.is_dir()} == PACKAGES
    for name in PACKAGES:
        assert re.fullmatch(r"\d+\.\d+\.\d+\n", (VENDOR / name / "VERSION").read_text(encoding="utf-8")), name
        licence = [p for p in (VENDOR / name).iterdir() if p.name.startswith(("LICENSE", "README"))]
        assert licence and any("MIT" in p.read_text(encoding="utf-8", errors="replace") or
                               "Mozilla Public License" in p.read_text(encoding="utf-8", errors="replace") or
                               "BSD" in p.read_text(encoding="utf-8", errors="replace") for p in licence), name


def test_the_govuk_stylesheet_uses_no_gds_transport_font() -> None:
    css = (VENDOR / "govuk-frontend" / "govuk-frontend.min.css").read_text(encoding="utf-8")
    assert "GDS Transport" not in css and "arial" in css  # not a GOV.UK service: system font


def _ours() -> list[Path]:
    return [p for p in WEB.rglob("*")
            if p.is_file() and p.suffix in {".html", ".css", ".js"} and VENDOR not in p.parents]


COMMENTS = re.compile(r"/\*.*?\*/|(?<![:\"'])//[^\n]*", re.S)


def test_no_template_or_own_file_loads_anything_from_elsewhere() -> None:
    """Our scripts and stylesheets name no URL off the hub outside comments (a comment may cite a standard); our
    templates load nothing from elsewhere (no src=, stylesheet link or url() off the hub)."""
    files = _ours()
    assert any(p.suffix == ".html" for p in files) and any(p.suffix == ".js" for p in files)
    found = []
    for p in files:
        text = p.read_text(encoding="utf-8")
        if p.suffix == ".html":
            found += [f"{p.relative_to(WEB)}: {m.group(0)}" for m in EXTERNAL.finditer(text)]
            found += [f"{p.relative_to(WEB)}: {m.group(0)}" for m in LINK.finditer(text)]
        else:
            found += [f"{p.relative_to(WEB)}: {m.group(0)}" for m in re.finditer(r"https?://", COMMENTS.sub("", text))]
    assert not found, found


@pytest.mark.parametrize("text", ['const u = "https://cdn.example/x.js";', "a { background: url(http://x/a.png) }"])
def test_the_own_file_check_would_see_a_url(text: str) -> None:
    assert re.search(r"https?://", COMMENTS.sub("", text))
    assert not re.search(r"https?://", COMMENTS.sub("", "// see https://xhr.spec.whatwg.org/\n/* https://a.b */"))


def test_no_vendored_stylesheet_or_script_loads_an_asset_from_elsewhere() -> None:
    found = [f"{p.relative_to(VENDOR)}: {m.group(0)}" for p in VENDOR.rglob("*") if p.suffix in {".css", ".js"}
             for m in EXTERNAL.finditer(p.read_text(encoding="utf-8", errors="replace"))]
    assert not found, found


@pytest.mark.parametrize("text", ['<script src="https://cdn.example/x.js">', "background: url(//cdn.example/a.png)",
                                  "@import 'https://fonts.example/css'", 'fetch("https://api.example/")'])
def test_the_external_asset_pattern_would_see_one(text: str) -> None:
    assert EXTERNAL.search(text)


def test_package_data_includes_the_templates_and_static_files() -> None:
    pyproject = (WEB.parents[3] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"vrhub.server.web" = ["templates/**/*", "static/**/*"]' in pyproject
