"""The tutorial's commands run as written and print the figures the tutorial shows.

For each checked section of docs/tutorial.md, every ```sh block's ``vrhub`` lines run in order (in-process, with
``/tmp/`` moved into a fresh temporary folder); a non-zero exit fails. When a ```text block follows a ```sh block,
it is what the block's last command prints (for ``vrhub … | jq …``, what vrhub prints): every figure in it (each
number, and each dataset id such as ``street-cd1ffd2b4c4f``) must appear in what the command prints, so a figure
in the docs that differs from the command's fails the test. Dates, times and months are not compared (they change
with the day the tutorial is run).

The README's "What the demo shows" is checked against the same run of ``vrhub demo`` (section 2).

Not run: section 1 (installing), section 9 (the catalogue in PostgreSQL: the demo again, on a server;
tests/store runs the catalogue on PostgreSQL).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from vrhub_testkit import run_cli

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("## 2. Run the demo", "## 3.", "## 4.", "## 5. The quarantine", "## 6. Loading a new month", "## 7.",
           "## 8.", "## 10.")
#: a dataset id, or a number standing alone (not part of a date, a time, a month or a name: those change per run)
FIGURE = re.compile(r"\b[a-z]+-[0-9a-f]{12}\b|(?<![\w.:/-])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w:/-])")
BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.S)


def section(text: str, heading: str) -> str:
    start = text.index(heading)
    nxt = text.find("\n## ", start + len(heading))
    return text[start:nxt if nxt != -1 else len(text)]


def steps(part: str) -> list[tuple[list[str], str | None]]:
    """(command lines of a ```sh block, the ```text block right after it or None), in order."""
    blocks = list(BLOCK.finditer(part))
    found = []
    for i, b in enumerate(blocks):
        if b.group(1) != "sh":
            continue
        lines = [ln for ln in b.group(2).splitlines() if ln.startswith(("vrhub ", "head "))]
        after = blocks[i + 1] if i + 1 < len(blocks) else None
        expected = None
        if after is not None and after.group(1) == "text" and not part[b.end():after.start()].strip():
            expected = after.group(2)
        found.append((lines, expected))
    return found


def figures(text: str) -> set[str]:
    return set(FIGURE.findall(text))


def test_the_figure_finder_sees_counts_ids_and_decimals() -> None:
    assert figures("│ street-cd1ffd2b4c4f │ 13 │ 1,107 │ 9.13 per 1,000 (E01024000) │ 2026-11-25 16:02 │ 19396,") == {
        "street-cd1ffd2b4c4f", "13", "1,107", "9.13", "1,000", "19396"}


def test_the_checked_tutorial_sections_run_and_print_their_figures(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The sections in ``CHECKED``, in the tutorial's order, in one folder (a later section may use an earlier
    one's workspace, as a reader's would)."""
    monkeypatch.chdir(tmp_path)
    text = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    checked = 0
    demo_output = ""
    for heading in sorted(CHECKED, key=text.index):
        found = steps(section(text, heading))  # a section may have no command (3. What each number means)
        for lines, expected in found:
            output = ""
            for line in lines:
                if line.startswith("head "):  # the reader looks at a file the command wrote: its first 10 lines
                    path = Path(line.split(maxsplit=1)[1].replace("/tmp/", f"{tmp_path}/"))
                    output = "".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:10])
                    continue
                command = line.rstrip("\\").split(" | ")[0]  # vrhub's part of a pipeline (… --json | jq …)
                # the tutorial's /tmp/ folders first, then its shipped files in the clone (which may itself be
                # under /tmp, as CI's and fresh-clone's are: the other order would rewrite the clone's path too)
                command = command.replace("/tmp/", f"{tmp_path}/")
                command = command.replace(" src/vrhub/", f" {ROOT}/src/vrhub/")
                argv = shlex.split(command, comments=True)
                result = run_cli(*argv[1:])
                assert result.exit_code == 0, f"{line}\n{result.output}"
                output = result.output.replace(f"{tmp_path}/", "/tmp/")
                if argv[-1] == "demo":
                    demo_output = output
            if expected is not None:
                missing = sorted(figures(expected) - figures(output))
                assert not missing, f"{lines[-1]}: figures in the tutorial not printed: {missing}\n{output}"
                checked += 1
    assert checked >= 2
    # the README's "What the demo shows" quotes the same run: its figures too
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"```text\n(.*?)```", section(readme, "## What the demo shows"), re.S)
    assert shown is not None and demo_output
    missing = sorted(figures(shown.group(1)) - figures(demo_output))
    assert not missing, f"README, What the demo shows: figures not printed by vrhub demo: {missing}"
