"""The ``vrhub`` command line. Each command resolves settings, opens the workspace and calls the library.

The commands are listed in :data:`COMMANDS` and imported only when one runs (:class:`LazyCommands`, after
Click's "lazily loading subcommands" pattern), so ``vrhub --help`` answers without importing pandas, DuckDB,
SciPy or SQLAlchemy (``benchmarks/startup.py`` measures it). ``tests/test_architecture.py`` checks that each
entry's help text is the command's own.
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer.core import TyperCommand

from vrhub.cli.console import display, out
from vrhub.cli.context import State, existing_paths, state, table
from vrhub.cli.errors import VrhubGroup, report
from vrhub.domain.errors import VrhubError
from vrhub.version import __version__

__all__ = ["COMMANDS", "State", "app", "existing_paths", "main", "state", "table"]

#: Every command: name → (module, attribute, its one-line help as ``vrhub --help`` lists it). The attribute is a
#: ``typer.Typer`` (a group of commands) or a function (one command).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "update": ("vrhub.cli.fetch", "update", "Fetch what police.uk has published since the last fetch, re-run the "
               "supply check, list revised months."),
    "datasets": ("vrhub.cli.datasets", "datasets", "List the dataset versions in the workspace, with provenance "
                 "and supply warnings."),
    "quarantine": ("vrhub.cli.datasets", "quarantine", "Show the rows of a dataset that were quarantined, with the "
                   "reason for each."),
    "withdraw": ("vrhub.cli.datasets", "withdraw", "Stop using a dataset version (e.g."),
    "restore": ("vrhub.cli.datasets", "restore", "Use a withdrawn dataset version again."),
    "demo": ("vrhub.cli.demo", "demo", "Load the real Kent and Medway data (boundaries, IMD, police.uk) and the demo "
             "partnership; build the SNA."),
    "examples": ("vrhub.cli.examples", "examples", "Write sample inputs (police.uk archive, boundaries, ISTV returns, "
                 "a mapped export, partner feeds, a broken file) for trying every example in the README; see "
                 "PATH/README.md."),
    "profile": ("vrhub.cli.profile", "profile", "Profile serious violence for a period, area level and strand, and "
                "write the outputs."),
    "cardiff": ("vrhub.cli.cardiff", "cardiff", "Cardiff Model view: ED assaults (ISTV) vs police-recorded violence "
                "by district and month, ED arrival times, and the assault locations known only to health."),
    "cohort": ("vrhub.cli.cohort", "cohort", "Odds ratios of a violent youth justice offence by exclusion, "
               "suspension, persistent absence and sex, for pupils linked on pseudonym between the education and "
               "youth justice data."),
    "link": ("vrhub.cli.link", "link", "Link records across partners on their keyed encodings (Splink: "
             "Fellegi–Sunter, EM; Bloom-filter Dice)."),
    "synth": ("vrhub.cli.synth", "synth", "Generate a synthetic Kent and Medway partnership (ED returns, ambulance, "
              "education, youth justice); --load."),
    "value": ("vrhub.cli.value", "value", "Cost per participant, offences prevented and benefit–cost ratio (with its "
              "Monte Carlo interval)."),
    "pseudonymise": ("vrhub.cli.pseudonymise", "pseudonymise", "Replace identifiers with keyed HMAC-SHA256 "
                     "pseudonyms (columns guessed from the header unless named)."),
    "pseudonymise-key": ("vrhub.cli.pseudonymise", "pseudonymise_key", "Make a new random pseudonymisation key "
                         "(share it with partners securely; never with the data)."),
    "hotspots": ("vrhub.cli.hotspots", "hotspots", "Find where serious violence concentrates (Gi*, kernel density "
                 "or emerging hot spots) and map it offline."),
    "near-repeat": ("vrhub.cli.hotspots", "near_repeat", "Knox near-repeat test: are events close in space also "
                    "close in time, more than chance would give?"),
    "serve": ("vrhub.cli.hub", "serve", "Start the data-sharing hub (a FastAPI app; its OpenAPI is at "
              "/api/openapi.json)."),
    "ingest": ("vrhub.cli.ingest", "app", "Load partner data into the workspace."),
    "geography": ("vrhub.cli.geography", "app", "Area boundaries and attributes."),
    "strategy": ("vrhub.cli.strategy", "app", "The Serious Violence Duty strategy: strands, board leads, action "
                 "plans."),
    "sna": ("vrhub.cli.sna", "app", "The Strategic Needs Assessment."),
    "services": ("vrhub.cli.services", "app", "Commissioned services: register, providers' returns, statements, "
                 "contract alerts."),
    "evaluate": ("vrhub.cli.evaluate", "app", "What works: difference-in-differences, interrupted time series, "
                 "synthetic control, before/after surveys."),
    "fetch": ("vrhub.cli.fetch", "app", "Get data from its publisher and load it."),
    "hub": ("vrhub.cli.hub", "hub_app", "Administer the data-sharing hub: organisations, users, agreements, tokens, "
            "purge."),
    "audit": ("vrhub.cli.hub", "audit_app", "The hub's hash-chained audit log."),
}


def load_command(name: str) -> Any:
    """The Click command ``name`` of :data:`COMMANDS`, built by Typer from its module (imported now)."""
    module, attribute, _ = COMMANDS[name]
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
            text = COMMANDS[cmd_name][2]
            return TyperCommand(cmd_name, help=text, short_help=text)
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
