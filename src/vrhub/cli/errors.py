"""How a :class:`~vrhub.domain.errors.VrhubError` leaves the command line: a message, what to do, an exit code.

A :class:`~vrhub.domain.errors.UsageError` becomes Click's usage error (exit 2, naming the option when the
error knows it, as ``Invalid value for '--from': ...``) inside every command, through :class:`VrhubGroup`;
every other ``VrhubError`` leaves the command (tests see the exception) and :func:`vrhub.cli.main.main` prints
``Error:`` and ``What to do:`` and exits with the class's ``exit_code``. A command module never catches a
library error itself.
"""

from __future__ import annotations

from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from vrhub.domain.errors import UsageError, VrhubError


def usage_error(exc: UsageError) -> typer.BadParameter:
    """The Click exception (Typer's own Click) that shows ``exc`` as a usage error, naming its option."""
    text = f"{exc.message}\n  What to do: {exc.hint}" if exc.hint else exc.message
    return typer.BadParameter(text, param_hint=exc.option)


def report(exc: VrhubError) -> NoReturn:
    """Print ``exc`` for a person (message, then what to do) and exit with its ``exit_code``."""
    from rich.markup import escape

    from vrhub.cli.console import err

    err.print(f"[bold red]Error:[/] {escape(exc.message)}", highlight=False)  # "[c]" and paths are not markup
    if exc.hint:
        err.print(f"[bold]What to do:[/] {escape(exc.hint)}", highlight=False)
    raise SystemExit(exc.exit_code)


class VrhubGroup(TyperGroup):
    """The root command group: maps the library's errors (see the module docstring)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            raise usage_error(exc) from exc
