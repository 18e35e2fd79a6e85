"""docs/library.md is a Python session that runs: its examples are checked with doctest on the Kent data."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "library.md"


def test_the_library_page_runs(kent_ws, tmp_path: Path):
    text = DOC.read_text(encoding="utf-8")
    session = "\n".join(block for block in re.findall(r"```python\n(.*?)```", text, re.DOTALL))
    assert ">>> p = Partnership.open(home)" in session
    test = doctest.DocTestParser().get_doctest(session, {"home": kent_ws.ws.home, "out": tmp_path / "profile"},
                                               "docs/library.md", str(DOC), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
    assert (tmp_path / "profile").is_dir()
