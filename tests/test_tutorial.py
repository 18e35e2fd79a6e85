"""The tutorial's commands run as written and print the figures the tutorial shows.

For each checked section of docs/tutorial.md, every ```sh block's ``vrhub`` lines run in order (in-process, with
``/tmp/`` moved into a fresh temporary folder); a non-zero exit fails. When a ```text block follows a ```sh block,
it is what the block's last command prints (for ``vrhub … | jq …``, what vrhub prints): every figure in it (each
number, and each dataset id such as ``street-cd1ffd2b4c4f``) must appear in what the command prints, so a figure
in the docs that differs from the command's fails the test. Dates, times and months are not compared (they change
with the day the tutorial is run).

The README's "What the demo shows" is checked against the same run of ``vrhub demo`` (section 2).

Section 1 (installing) is checked by :func:`test_section_1_installs_and_runs`: its ``python3 -m venv`` line runs
in a fresh folder; its ``pip install -e .`` line is the install CI itself makes (``.ci/run``), not repeated here
(minutes, and the package index); its ``vrhub --version`` runs the installed ``vrhub`` script.

Section 9 (the catalogue in PostgreSQL) runs against the test server (``VRHUB_TEST_PG``, default
``postgresql://postgres@127.0.0.1:5432/test``): the tutorial's database ``vrhub_docs`` is a fresh schema there, so
its ``CREATE DATABASE`` line is not run; ``psql`` lines run with ``psql``. Without the server (or ``psql``) the
test is skipped with a message saying how to run it, and fails under ``CI=true``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
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


def joined(block: str) -> list[str]:
    """The block's lines with shell continuations (a line ending in ``\\``) joined to the next."""
    lines: list[str] = []
    carry = ""
    for ln in block.splitlines():
        if ln.rstrip().endswith("\\"):
            carry += ln.rstrip()[:-1].rstrip() + " "
            continue
        lines.append(carry + ln.strip() if carry else ln)
        carry = ""
    return lines


def steps(part: str, starts: tuple[str, ...] = ("vrhub ", "head ")) -> list[tuple[list[str], str | None]]:
    """(command lines of a ```sh block, the ```text block right after it or None), in order."""
    blocks = list(BLOCK.finditer(part))
    found = []
    for i, b in enumerate(blocks):
        if b.group(1) != "sh":
            continue
        lines = [ln for ln in joined(b.group(2)) if ln.startswith(starts)]
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


def run_line(line: str, tmp_path: Path, urls: dict[str, str]) -> str:
    """Run one tutorial line (``vrhub …``, ``psql …`` or ``head FILE``) with the tutorial's ``/tmp/`` folders in
    ``tmp_path`` and its database URLs replaced by ``urls``; return what it printed, with the paths put back."""
    if line.startswith("head "):  # the reader looks at a file the command wrote: its first 10 lines
        path = Path(line.split(maxsplit=1)[1].replace("/tmp/", f"{tmp_path}/"))
        return "".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:10])
    command = line.split(" | ")[0] if line.startswith("vrhub ") else line  # vrhub's part of … --json | jq …
    # the tutorial's /tmp/ folders first, then its shipped files in the clone (which may itself be under /tmp, as
    # CI's and fresh-clone's are: the other order would rewrite the clone's path too)
    command = command.replace("/tmp/", f"{tmp_path}/")
    command = command.replace(" src/vrhub/", f" {ROOT}/src/vrhub/")
    for docs_url, url in urls.items():
        command = command.replace(docs_url, url)
    argv = shlex.split(command, comments=True)
    if argv[0] == "psql":
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr}"
        return done.stdout
    result = run_cli(*argv[1:])
    assert result.exit_code == 0, f"{line}\n{result.output}"
    return result.output.replace(f"{tmp_path}/", "/tmp/")


def run_section(text: str, heading: str, tmp_path: Path, urls: dict[str, str] | None = None,
                skip: tuple[str, ...] = ()) -> tuple[int, dict[str, str]]:
    """Run a section's command lines in order (lines containing a ``skip`` text are not run) and check every
    ```text block that follows a ```sh block against its last command's output. Returns the number of blocks
    checked and each command's output by line."""
    checked, outputs = 0, {}
    for lines, expected in steps(section(text, heading), ("vrhub ", "head ", "psql ")):
        output = ""
        for line in lines:
            if any(s in line for s in skip):
                continue
            output = outputs[line] = run_line(line, tmp_path, urls or {})
        if expected is not None:
            missing = sorted(figures(expected) - figures(output))
            assert not missing, f"{lines[-1]}: figures in the tutorial not printed: {missing}\n{output}"
            checked += 1
    return checked, outputs


def test_the_checked_tutorial_sections_run_and_print_their_figures(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The sections in ``CHECKED``, in the tutorial's order, in one folder (a later section may use an earlier
    one's workspace, as a reader's would)."""
    monkeypatch.chdir(tmp_path)
    text = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    checked = 0
    demo_output = ""
    for heading in sorted(CHECKED, key=text.index):
        n, outputs = run_section(text, heading, tmp_path)  # a section may have no command (3. What each number means)
        checked += n
        demo_output = next((o for line, o in outputs.items() if line.endswith(" demo")), demo_output)
    assert checked >= 2
    # the README's "What the demo shows" quotes the same run: its figures too
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"```text\n(.*?)```", section(readme, "## What the demo shows"), re.S)
    assert shown is not None and demo_output
    missing = sorted(figures(shown.group(1)) - figures(demo_output))
    assert not missing, f"README, What the demo shows: figures not printed by vrhub demo: {missing}"


def test_section_1_installs_and_runs(tmp_path: Path) -> None:
    """Section 1 as a reader runs it: a virtual environment made by its first line, the install CI makes, and the
    installed ``vrhub`` script printing the package's version."""
    text = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    part = section(text, "## 1. Install")
    (lines, _), = steps(part, ("python3 ", ".venv/"))
    assert lines == ["python3 -m venv .venv", ".venv/bin/pip install -e .", ".venv/bin/vrhub --version"], lines
    made = subprocess.run(shlex.split(lines[0]), cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert made.returncode == 0 and (tmp_path / ".venv" / "bin" / "pip").is_file(), made.stderr
    # the install itself is CI's own first step, from the same clone: the same venv, then pip install -e
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]'" in ci
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["vrhub"] and "postgres" in project["optional-dependencies"]  # '.[postgres]' exists
    script = Path(sys.executable).parent / "vrhub"  # what .venv/bin/vrhub is in the environment running this test
    shown = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and project["version"] in shown.stdout, shown.stdout + shown.stderr


#: the database the tutorial's section 9 creates, and the server it is on
DOCS_DB = "postgresql://postgres@127.0.0.1:5432/vrhub_docs"


def test_section_9_the_catalogue_in_postgresql(tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Section 9 against the test server, its database a fresh schema there (the ``pg_url`` fixture: skipped
    without the server, failed under ``CI=true``); ``psql`` must be on the PATH the same way."""
    if shutil.which("psql") is None:
        msg = ("psql is not on the PATH: tutorial section 9 runs it (install the PostgreSQL client, e.g. Debian's "
               "postgresql-client)")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    monkeypatch.chdir(tmp_path)
    text = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    checked, outputs = run_section(text, "## 9. The catalogue in PostgreSQL", tmp_path, {DOCS_DB: pg_url},
                                   skip=("CREATE DATABASE",))
    assert checked >= 2 and any(line.startswith("psql ") for line in outputs)
    assert not (tmp_path / "docs-pg" / "catalogue.sqlite").exists()  # the catalogue is in PostgreSQL, not a file
