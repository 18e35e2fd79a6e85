"""The ``vrhub`` command line. Each command resolves settings, opens the workspace and calls the library.

The commands are listed in :data:`COMMANDS` and imported only when one runs (:class:`LazyCommands`, after
Click's "lazily loading subcommands" pattern), so ``vrhub --help`` answers without importing pandas, DuckDB,
SciPy or SQLAlchemy (``benchmarks/startup.py`` measures it). The listing reads each command's help from its source
(:func:`command_help`); ``tests/test_architecture.py`` checks that it is the command's own.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperCommand

from vrhub.cli.console import display, out
from vrhub.cli.context import State, existing_paths, state, table
from vrhub.cli.errors import VrhubGroup, report
from vrhub.domain.errors import VrhubError
from vrhub.version import __version__

__all__ = ["COMMANDS", "State", "app", "existing_paths", "main", "state", "table"]

#: Every command: name → (module, attribute). The attribute is a ``typer.Typer`` (a group of commands) or a function
#: (one command). ``vrhub --help`` lists each with its own help, read from the module's source without importing it.
COMMANDS: dict[str, tuple[str, str]] = {
    "update": ("vrhub.cli.fetch", "update"),
    "datasets": ("vrhub.cli.datasets", "datasets"),
    "quarantine": ("vrhub.cli.datasets", "quarantine"),
    "withdraw": ("vrhub.cli.datasets", "withdraw"),
    "restore": ("vrhub.cli.datasets", "restore"),
    "demo": ("vrhub.cli.demo", "demo"),
    "examples": ("vrhub.cli.examples", "examples"),
    "profile": ("vrhub.cli.profile", "profile"),
    "cardiff": ("vrhub.cli.cardiff", "cardiff"),
    "cohort": ("vrhub.cli.cohort", "cohort"),
    "link": ("vrhub.cli.link", "link"),
    "synth": ("vrhub.cli.synth", "synth"),
    "value": ("vrhub.cli.value", "value"),
    "pseudonymise": ("vrhub.cli.pseudonymise", "pseudonymise"),
    "pseudonymise-key": ("vrhub.cli.pseudonymise", "pseudonymise_key"),
    "hotspots": ("vrhub.cli.hotspots", "hotspots"),
    "near-repeat": ("vrhub.cli.hotspots", "near_repeat"),
    "serve": ("vrhub.cli.hub", "serve"),
    "ingest": ("vrhub.cli.ingest", "app"),
    "geography": ("vrhub.cli.geography", "app"),
    "strategy": ("vrhub.cli.strategy", "app"),
    "sna": ("vrhub.cli.sna", "app"),
    "services": ("vrhub.cli.services", "app"),
    "evaluate": ("vrhub.cli.evaluate", "app"),
    "fetch": ("vrhub.cli.fetch", "app"),
    "hub": ("vrhub.cli.hub", "hub_app"),
    "audit": ("vrhub.cli.hub", "audit_app"),
}


def command_help(name: str) -> str:
    """The help of command ``name`` as its module writes it (a function's docstring, a group's ``help=``), read
    with ``ast`` from the source file, so that listing the commands imports none of them."""
    module, attribute = COMMANDS[name]
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return ""
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == attribute:
            return ast.get_docstring(node) or ""
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == attribute for t in node.targets) \
                and isinstance(node.value, ast.Call):
            for kw in node.value.keywords:
                if kw.arg == "help" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    return kw.value.value
    return ""


def load_command(name: str) -> Any:
    """The Click command ``name`` of :data:`COMMANDS`, built by Typer from its module (imported now)."""
    module, attribute = COMMANDS[name]
    target = getattr(importlib.import_module(module), attribute)
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        group.name = name
        return group
    single = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    single.command(name)(target)
    return typer.main.get_command(single)


class LazyCommands(VrhubGroup):
    """The root group: commands of :data:`COMMANDS` are imported when run, or when ``commands`` is read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._listing = False
        super().__init__(*args, **kwargs)

    @property
    def commands(self) -> dict[str, Any]:  # type: ignore[override]
        for name in COMMANDS:
            self.get_command(None, name)
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, Any]) -> None:
        self._commands = dict(value)

    def list_commands(self, ctx: Any) -> list[str]:
        return [*COMMANDS, *(n for n in self._commands if n not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self._commands:
            return self._commands[cmd_name]
        if cmd_name not in COMMANDS:
            return None
        if self._listing:  # ``vrhub --help``: the name and its line of help are enough
            return TyperCommand(cmd_name, help=command_help(cmd_name))
        self._commands[cmd_name] = load_command(cmd_name)
        return self._commands[cmd_name]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="vrhub",
    help="vrhub: the data and evaluation platform for Violence Reduction Units and Serious Violence Duty "
    "partnerships.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=LazyCommands,
)


def version_callback(value: bool) -> None:
    if value:
        out.print(f"vrhub {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    home: str | None = typer.Option(None, "--home", help="Workspace folder (default: $VRHUB_HOME or ./vrhub-home)."),
    db: str | None = typer.Option(None, "--db", help="Catalogue database URL, e.g. postgresql://user@host/db "
                                  "(default: $VRHUB_DB or an SQLite file in the workspace)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Draw no progress bars (they are drawn only on a "
                               "terminal, on stderr, and never with --json)."),
    version: bool = typer.Option(False, "--version", callback=version_callback, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    state.home, state.db = home, db
    display.quiet = quiet


def main() -> None:
    try:
        app()
    except VrhubError as exc:
        report(exc)
