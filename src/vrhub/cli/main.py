"""The ``vrhub`` command line. Each command resolves settings, opens the workspace and calls the library."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from vrhub import __version__
from vrhub.cli.console import display, out
from vrhub.cli.errors import VrhubGroup, report
from vrhub.domain.errors import VrhubError
from vrhub.store.workspace import Settings, Workspace

app = typer.Typer(
    name="vrhub",
    help="vrhub: the data and evaluation platform for Violence Reduction Units and Serious Violence Duty "
    "partnerships.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=VrhubGroup,
)


class State:
    home: str | None = None
    db: str | None = None

    def settings(self) -> Settings:
        return Settings.resolve(self.home, self.db)

    def workspace(self) -> Workspace:
        return Workspace.open(self.settings())


state = State()


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


def _register_commands() -> None:
    from vrhub.cli import (
        cardiff,
        cohort,
        datasets,
        demo,
        evaluate,
        examples,
        fetch,
        geography,
        hotspots,
        hub,
        ingest,
        link,
        profile,
        pseudonymise,
        services,
        sna,
        strategy,
        synth,
        value,
    )

    app.add_typer(ingest.app, name="ingest")
    app.add_typer(geography.app, name="geography")
    app.add_typer(strategy.app, name="strategy")
    app.add_typer(sna.app, name="sna")
    app.add_typer(services.app, name="services")
    app.add_typer(evaluate.app, name="evaluate")
    app.add_typer(fetch.app, name="fetch")
    app.command("update")(fetch.update)
    app.command("datasets")(datasets.datasets)
    app.command("quarantine")(datasets.quarantine)
    app.command("withdraw")(datasets.withdraw)
    app.command("restore")(datasets.restore)
    app.command("demo")(demo.demo)
    app.command("examples")(examples.examples)
    app.command("profile")(profile.profile)
    app.command("cardiff")(cardiff.cardiff)
    app.command("cohort")(cohort.cohort)
    app.command("link")(link.link)
    app.command("synth")(synth.synth)
    app.command("value")(value.value)
    app.command("pseudonymise")(pseudonymise.pseudonymise)
    app.command("pseudonymise-key")(pseudonymise.pseudonymise_key)
    hotspots.register(app)
    app.add_typer(hub.hub_app, name="hub")
    app.add_typer(hub.audit_app, name="audit")
    app.command("serve")(hub.serve)


_register_commands()


def main() -> None:
    try:
        app()
    except VrhubError as exc:
        report(exc)


def table(title: str | None, columns: list[str], rows: list[list[object]], *, right: set[str] | None = None) -> Table:
    t = Table(title=title, title_justify="left", header_style="bold")
    for c in columns:
        t.add_column(c, justify="right" if right and c in right else "left", overflow="fold")  # wrap, never cut
    for r in rows:
        t.add_row(*["" if v is None else f"{v:,}" if isinstance(v, int) else str(v) for v in r])
    return t


def existing_paths(paths: list[Path]) -> list[Path]:
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise VrhubError("no such file or folder: " + ", ".join(map(str, missing)),
                         "check the path (put it in quotes if it has spaces)")
    return paths
