"""Every "what to do" names a real command with its real options.

The test reads every string literal of the package (f-strings with their placeholders shown as ``X``), finds each
``vrhub <command> [--option]…`` in it, and checks the words against the Typer/Click app itself: the command path
must exist, and every ``--option`` after it must be an option of that command (or of ``vrhub`` itself). A command in
quotes, backticks or a code block must be real; prose that talks about vrhub ("vrhub reads rows of up to …") is
checked as far as its words name commands. The same check runs over the README, the tutorial and
every page under docs/ (code blocks line by line).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
import typer.main
from vrhub_testkit import KentWorkspace, run_cli

from vrhub.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "vrhub"

#: A command named in a message: ``vrhub`` then words, options, values, paths, ``…`` and ``[optional parts]`` on
#: one line. Quoted (``'vrhub …'``, backticks) or in a code block it must be a real command; in prose ("vrhub reads
#: rows of up to …", "(vrhub hub agreement add --org …)") it is checked as far as its words name commands.
COMMAND = re.compile(r"(?<![\w./-])(?P<quote>(?<=['\"`])|(?<=^\$ ))?vrhub(?P<rest>(?:[ \t]+(?:--?[\w-]+(?:=\S+)?|"
                     r"[a-z][\w-]*|[A-Z][\w.,-]*|\S*[./]\S*|'[^'\n]*'|\"[^\"\n]*\"|…|\.\.\.|\[[^\]\n]*\]|[\w<>{}|,-]+))*)",
                     re.MULTILINE)
#: A message quoted in the docs that starts with vrhub ("`vrhub failed on this file …`").
QUOTED_PROSE = {"failed"}
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _root() -> Any:
    """The app as Typer builds it (Typer ships its own copy of Click, so groups are recognised by ``commands``)."""
    group = typer.main.get_command(app)
    assert hasattr(group, "commands") and "ingest" in group.commands
    return group


def _options(cmd: Any) -> set[str]:
    return {o for p in cmd.params if p.param_type_name == "option" for o in (*p.opts, *p.secondary_opts)}


def _is_group(cmd: Any) -> bool:
    return hasattr(cmd, "commands")


def check(text: str, *, strict: bool = False) -> list[str]:
    """The problems with every ``vrhub …`` command named in ``text`` (empty when all are real). ``strict``: every
    line of ``text`` is a command line (a code block), so ``vrhub`` at a line's start is always a command."""
    root = _root()
    root_options = _options(root)
    problems = []
    for m in COMMAND.finditer(text):
        quoted = m.group("quote") is not None or (strict and (m.start() == 0 or text[m.start() - 1] == "\n"))
        words = m.group("rest").split()
        cmd = root
        path: list[str] = []
        i = 0
        while i < len(words) and words[i] in root_options:  # --home DIR, --db URL before the command
            i += 2 if words[i] in {"--home", "--db"} else 1
        if i == len(words) or not re.fullmatch(r"[a-z][\w-]*", words[i]):
            continue
        if words[i] not in root.commands and (not quoted or words[i] in QUOTED_PROSE):
            continue  # prose about vrhub ("vrhub reads …"), not a command
        while i < len(words) and _is_group(cmd) and re.fullmatch(r"[a-z][\w-]*", words[i]):
            sub = cmd.commands.get(words[i])
            if sub is None and not quoted and path:
                break  # prose after a command's name ("vrhub hub on http://…")
            if sub is None:
                problems.append(f"{m.group(0)!r}: {' '.join(['vrhub', *path])} has no command {words[i]!r}")
                break
            cmd, path, i = sub, [*path, words[i]], i + 1
        else:
            if _is_group(cmd) or (not quoted and not path):
                continue  # "vrhub hub" alone: a group named as such
            known = _options(cmd) | root_options
            for opt in re.findall(r"(?<![\w-])--[a-z][\w-]*", " ".join(words[i:])):
                if opt not in known:
                    problems.append(f"{m.group(0)!r}: 'vrhub {' '.join(path)}' has no option {opt}")
    return problems


def check_markdown(text: str) -> list[str]:
    """Code blocks line by line (strict), then the prose and inline code around them."""
    blocks = [b for b in FENCE.findall(text)]
    return [p for b in blocks for p in check(b, strict=True)] + check(FENCE.sub("", text))


def _literals(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module; f-strings joined with ``X`` for each placeholder."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.JoinedStr):
            found.append((node.lineno, "".join(v.value if isinstance(v, ast.Constant) else "X" for v in node.values)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
    return found


def _source_messages() -> list[tuple[str, str]]:
    return [(f"{p.relative_to(ROOT)}:{line}", text) for p in sorted(SRC.rglob("*.py"))
            for line, text in _literals(p) if "vrhub " in text]


def test_the_checker_catches_a_wrong_command_and_a_wrong_option() -> None:
    assert check("load it with 'vrhub ingest police-uk PATH'") == []
    assert check("make a key with 'vrhub pseudonymise-key PATH'") == []
    assert check("(vrhub hub agreement add --org 'Kent Police' --kind police_uk_street ...)") == []
    assert check("vrhub --home ./kent datasets --revisions") == []
    assert check("vrhub reads rows of up to 10 bytes; vrhub's key; vrhub holds it") == []
    assert check_markdown("```sh\nvrhub --home ./kent datasets --revisions  # provenance\n```\n") == []
    assert check_markdown("```sh\nvrhub --home ./kent dataset --revisions\n```\n")
    assert check_markdown("```sh\nvrhub evaluate did --treated Medway [--comparsion A,B]\n```\n")
    assert check("run 'vrhub ingest policeuk PATH'")  # no such source
    assert check("run 'vrhub generate-key PATH'")  # no such command
    assert check("run 'vrhub datasets --revision'")  # no such option
    assert check("run `vrhub pseudonymise --key KEY IN OUT`")


def test_the_checker_finds_the_package_s_messages() -> None:
    """Guard against a regex that silently matches nothing: the package names well over 50 commands."""
    assert len([m for _, text in _source_messages() for m in COMMAND.finditer(text)]) > 50


def test_every_command_named_in_the_package_exists() -> None:
    problems = [f"{where}: {p}" for where, text in _source_messages() for p in check(text)]
    assert problems == []


@pytest.mark.parametrize("doc", [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_every_command_named_in_the_docs_exists(doc: Path) -> None:
    assert check_markdown(doc.read_text(encoding="utf-8")) == []


def test_every_kind_names_the_command_that_loads_it() -> None:
    from vrhub.domain.kinds import KINDS

    assert all(check(f"'{k.load_command}'") == [] for k in KINDS.values())
    assert KINDS["ed_istv"].load_command.startswith("vrhub ingest istv ")


def test_cardiff_on_a_police_only_workspace_sends_the_user_to_ingest_istv(kent_ws: KentWorkspace) -> None:
    from vrhub.domain.errors import VrhubError

    with pytest.raises(VrhubError) as exc:
        run_cli("--home", str(kent_ws.ws.home), "cardiff")
    hint = exc.value.hint or ""
    assert "'vrhub ingest istv PATH'" in hint and "police-uk" not in hint and check(hint) == []


def test_a_missing_key_names_the_pseudonymise_key_command(tmp_path: Path) -> None:
    from vrhub.domain.errors import VrhubError
    from vrhub.ingest.pseudonymise import load_key

    with pytest.raises(VrhubError) as exc:
        load_key(tmp_path / "missing.key")
    assert "vrhub pseudonymise-key" in (exc.value.hint or "") and "generate_key" not in (exc.value.hint or "")
