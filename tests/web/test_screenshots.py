"""A test run leaves docs/images alone: screenshots go to the session's folder, and the docs' pictures are refreshed
only when ``VRHUB_UPDATE_DOCS_SCREENSHOTS=1`` is set (tests/web/conftest.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import vrhub_webkit
from PIL import Image


class FakePage:
    """What ``screenshot`` asks of a Playwright page: a PNG of it (here, stripes: not blank)."""

    def screenshot(self, full_page: bool = True) -> bytes:
        img = Image.new("L", (40, 20))
        img.putdata([255 * ((i // 40) % 2) for i in range(40 * 20)])
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        return buf.getvalue()


def test_a_docs_screenshot_goes_to_the_session_folder_unless_updating(monkeypatch, tmp_path: Path,
                                                                      screenshot_folder: Path) -> None:
    docs = tmp_path / "docs-images"
    monkeypatch.setitem(vrhub_webkit.screenshot.__globals__, "DOCS_IMAGES", docs)  # conftest's own globals
    monkeypatch.delenv("VRHUB_UPDATE_DOCS_SCREENSHOTS", raising=False)
    path = vrhub_webkit.screenshot(FakePage(), "web-test-shot", to_docs=True)
    assert path == screenshot_folder / "web-test-shot.png" and path.exists()
    assert not docs.exists()

    monkeypatch.setenv("VRHUB_UPDATE_DOCS_SCREENSHOTS", "1")
    path = vrhub_webkit.screenshot(FakePage(), "web-test-shot", to_docs=True)
    assert path == docs / "web-test-shot.png" and path.exists()


def test_the_session_folder_is_outside_the_working_tree(screenshot_folder: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    assert root not in screenshot_folder.resolve().parents


def test_a_blank_screenshot_is_refused(tmp_path: Path) -> None:
    class Blank(FakePage):
        def screenshot(self, full_page: bool = True) -> bytes:
            buf = io.BytesIO()
            Image.new("L", (40, 20), 255).save(buf, format="PNG")
            return buf.getvalue()

    with pytest.raises(AssertionError, match="blank"):
        vrhub_webkit.screenshot(Blank(), "blank", folder=tmp_path)
