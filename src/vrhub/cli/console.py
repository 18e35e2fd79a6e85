"""Rich output helpers shared by the commands: consoles, the progress bar, error reporting."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import AlignMethod, Console, ConsoleDimensions
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
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


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


class RichProgress:
    """The ingest progress bar (bytes of each file), drawn on stderr so --json output stays clean."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled and err.is_terminal
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
