"""Rich output helpers shared by the commands: consoles, the progress bar, error reporting."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import AlignMethod, Console, ConsoleDimensions
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.rule import Rule
from rich.style import Style
from rich.text import Text

#: The width of output written to a file or a pipe: wide enough that nothing is cut or folded (ids, paths, table
#: rows stay on one line); tables still take only the width they need.
PIPED_WIDTH = 10_000


class VrhubConsole(Console):
    """A Rich console that is full width when not a terminal, and whose rules never cut their title.

    Rich sizes a console that writes to a pipe or a file at 80 columns, so ``vrhub datasets > list.txt`` would fold
    dataset ids and paths, and cut rule titles (the release notice among them) with "…". Here, when the console
    is not a terminal and ``COLUMNS`` is not set, the width is ``PIPED_WIDTH``; in a terminal the terminal's width.
    """

    @property  # type: ignore[override]
    def size(self) -> ConsoleDimensions:
        if not self.is_terminal and self._width is None and "COLUMNS" not in self._environ:
            return ConsoleDimensions(PIPED_WIDTH, 25)
        return super().size

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]

    def rule(self, title: str | Text = "", *, characters: str = "─", style: str | Style = "rule.line",
             align: AlignMethod = "center") -> None:
        """A horizontal rule; a title too long for the width (or any title when not a terminal) is printed whole
        with the rule sized to it, instead of being cut with "…"."""
        text = Text.from_markup(title) if isinstance(title, str) else title
        if text.cell_len + 6 <= min(self.width, 100):
            self.print(Rule(text, characters=characters, style=style, align=align), width=min(self.width, 100))
        elif not self.is_terminal:
            self.print(Rule(text, characters=characters, style=style, align=align), width=text.cell_len + 6)
        else:
            self.print(Rule(characters=characters, style=style))
            self.print(text)


out = VrhubConsole()
err = VrhubConsole(stderr=True)


class Display:
    """What the user asked of the output: ``--quiet`` turns every progress display off."""

    quiet: bool = False


display = Display()


def progress_on(enabled: bool = True) -> bool:
    """Progress is drawn only on a terminal (stderr), never with --quiet, and never when the caller says not
    (``--json``: one clean document on stdout, nothing drawn)."""
    return enabled and not display.quiet and err.is_terminal


class Steps:
    """Progress through the stages of a long command (the SNA, hot spots, Knox, the synthetic partnership): a Rich
    bar on stderr with the stage now running, stages done of the total, and the time taken. Drawn only when
    :func:`progress_on`; otherwise each call does nothing. Use as ``with Steps("SNA", 9) as s: s("profile")``, or
    pass ``s`` as a library function's ``on_step`` callback."""

    def __init__(self, title: str, total: int | None = None, *, enabled: bool = True) -> None:
        self.title, self.total = title, total
        self.enabled = progress_on(enabled)
        self.done = -1
        self._bar: Progress | None = None
        self._task: Any = None

    def __enter__(self) -> Steps:
        if self.enabled:
            self._bar = Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.title, total=self.total)
        return self

    def __call__(self, label: str) -> None:
        """A new stage starts: the previous one is done."""
        self.done += 1
        if self._bar is not None:
            total = max(self.total or 0, self.done + 1) if self.total is not None else None
            self._bar.update(self._task, completed=self.done, total=total,  # drawn now: a short stage is seen
                             description=f"{escape(self.title)}: {escape(label)}", refresh=True)

    def tick(self, label: str, total: int | None = None) -> None:
        """One more unit of work is done (a month fetched, a file read): for work whose total is known only once
        it starts, given here (``total``) rather than to the constructor."""
        if total is not None:
            self.total = total
        self.done += 1
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done + 1, total=self.total,
                             description=f"{escape(self.title)}: {escape(label)}", refresh=True)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def steps(title: str, total: int | None = None, *, enabled: bool = True) -> Steps:
    """See :class:`Steps`."""
    return Steps(title, total, enabled=enabled)


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


def labelled(payload: dict[str, Any], *, demo: bool = False, synthetic: bool = False,
             what: str = "register") -> dict[str, Any]:
    """``payload`` with ``notice``, ``demo`` and ``synthetic`` first (see :mod:`vrhub.domain.labels`)."""
    from vrhub.domain.labels import notice

    return {"notice": notice(demo=demo, synthetic=synthetic, what=what), "demo": demo, "synthetic": synthetic,
            **payload}


def print_label(*, demo: bool = False, synthetic: bool = False, what: str = "register") -> None:
    """The first line of a console output with demo or synthetic content (nothing when it has neither)."""
    from vrhub.domain.labels import notice

    text = notice(demo=demo, synthetic=synthetic, what=what)
    if text:
        out.print(escape(text), style="bold yellow")


class RichProgress:
    """The ingest progress bar (bytes of each file), drawn on stderr so --json output stays clean."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = progress_on(enabled)
        self._bar: Progress | None = None
        self._task: Any = None

    def start(self, description: str, total: int | None) -> None:
        if not self.enabled:
            return
        self._bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
                             TransferSpeedColumn(), TimeRemainingColumn(), console=err, transient=True)
        self._bar.start()
        self._task = self._bar.add_task(description, total=total)

    def advance(self, amount: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, amount)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
