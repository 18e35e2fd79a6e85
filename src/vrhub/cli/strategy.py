"""``vrhub strategy load|status|export``: the partnership, strands, board leads and action plans."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from vrhub.cli.console import labelled, out, print_json, print_label

app = typer.Typer(help="The Serious Violence Duty strategy: strands, board leads, action plans.",
                  no_args_is_help=True)

RAG_STYLE = {"red": "bold red", "amber": "bold yellow", "green": "green"}


@app.command("load")
def load(
    partnership: Path = typer.Argument(..., help="partnership.yaml (partnership, members, board, strands)."),
    actions: Path | None = typer.Argument(None, help="actions.csv (id, strand, action, owner, due, status, …)."),
) -> None:
    """Load (and check) a governance register into the workspace."""
    from vrhub.cli.context import state

    gov, sha, created = state.partnership().load_strategy(partnership, actions)
    out.print(f"{'Loaded' if created else 'Already loaded'}: {gov.partnership.get('name')} — {len(gov.strands)} "
              f"strands, {len(gov.actions)} actions (sha256 {sha[:12]}…)")


@app.command("status")
def status(
    today: str | None = typer.Option(None, "--today", help="Judge due dates as of this date (YYYY-MM-DD)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Show every action with its RAG rating; overdue and at-risk actions first."""
    from vrhub.cli.context import state, table

    day = dt.date.fromisoformat(today) if today else dt.date.today()
    gov = state.partnership().strategy()
    rows = gov.status(day)
    if as_json:
        print_json(labelled({"as_of": day.isoformat(), "register_sha256": gov.sha256, "origin": gov.origin,
                             "actions": rows}, demo=gov.demo, what="strategy"))
        return
    print_label(demo=gov.demo, what="strategy")
    out.print(f"[bold]{gov.partnership.get('name')}[/] — action plans as of {day:%d %B %Y}")
    for s in gov.strands:
        out.print(f"  Strand: {s.label} (board lead: {s.board_lead})")
    t = table(None, ["RAG", "id", "action", "owner", "due", "status"],
              [[f"[{RAG_STYLE[r['rag']]}]{r['rag']}{' (overdue)' if r['overdue'] else ''}", r["id"], r["action"],
                r["owner"], r["due"].isoformat(), r["status"]] for r in rows])
    out.print(t)
    red = sum(r["rag"] == "red" for r in rows)
    amber = sum(r["rag"] == "amber" for r in rows)
    out.print(f"{red} red ({sum(r['overdue'] for r in rows)} overdue), {amber} amber, {len(rows) - red - amber} green.")


@app.command("export")
def export(folder: Path = typer.Argument(..., help="Folder to write partnership.yaml and actions.csv to.")) -> None:
    """Write the register in force back to plain files for editing."""
    from vrhub.cli.context import state
    from vrhub.governance.registers import save_governance

    p, a = save_governance(state.partnership().strategy(), folder)
    out.print(f"Wrote {p} and {a}")
