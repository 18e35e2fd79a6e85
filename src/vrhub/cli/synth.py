"""``vrhub synth``: write seeded synthetic ED assault returns (ISTV) and, with ``--load``, load them marked synthetic.

Every attendance is invented (:mod:`vrhub.ingest.synth.ed`); loaded files go through the normal loader with
``synthetic=True``, so the catalogue, ``vrhub datasets`` and every Cardiff Model output say they are synthetic.
"""

from __future__ import annotations

import re
from pathlib import Path

import typer

from vrhub.cli.console import out, print_json

SYNTHETIC_BANNER = ("SYNTHETIC DATA: these ED assault returns are invented (no real patient, attendance or "
                    "hospital return is used); site codes SYN-… are illustrative. Use them to test and to train, "
                    "never as evidence.")


def parse_years(text: str) -> tuple[int, int]:
    """``YYYY`` or ``YYYY-YYYY`` → (first year, last year); anything else is a ``ValueError`` saying what to write."""
    m = re.fullmatch(r"\s*(\d{4})(?:\s*-\s*(\d{4}))?\s*", text)
    if m is None:
        raise ValueError(f"'{text}' is not a year or a range of years: write e.g. 2023 or 2022-2024")
    first, last = int(m[1]), int(m[2] or m[1])
    if last < first:
        raise ValueError(f"'{text}' ends before it starts: write the earlier year first, e.g. {last}-{first}")
    return first, last


def synth(
    years: str = typer.Option(..., "--years", help="Calendar years to generate, YYYY or YYYY-YYYY (e.g. 2022-2024)."),
    seed: int = typer.Option(20240101, "--seed", help="Random seed: the same seed writes the same files."),
    out_dir: Path = typer.Option(..., "--out", help="Folder for the generated CSV returns (created if missing)."),
    load: bool = typer.Option(False, "--load", help="Also load the returns into the workspace, marked synthetic."),
    scale: float = typer.Option(1.0, "--scale", min=0.001, help="Multiply every site's monthly volume (1 = "
                                "illustrative real-size volumes)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document instead of text."),
) -> None:
    """Generate synthetic ED assault attendances (ISTV, NHS ISB 1594) for Kent and Medway sites; --load loads them."""
    from vrhub.ingest.synth.ed import generate_ed_returns, ingest_synthetic_ed

    try:
        first, last = parse_years(years)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--years") from exc
    kw = {"seed": seed, "start": f"{first}-01", "months": 12 * (last - first + 1), "scale": scale}
    report = None
    if load:
        from vrhub.cli.main import state

        made, report = ingest_synthetic_ed(state.workspace(), out_dir, **kw)  # type: ignore[arg-type]
    else:
        made = generate_ed_returns(out_dir, **kw)  # type: ignore[arg-type]
    if as_json:
        payload = {"synthetic": True, "notice": SYNTHETIC_BANNER, "folder": str(out_dir), "seed": made.seed,
                   "years": [first, last], "start": made.start, "months": made.months, "sites": list(made.sites),
                   "rows": made.rows, "files": [str(p) for p in made.paths], "parameters": made.parameters,
                   "citation": made.citation, "loaded": None}
        if report is not None:
            payload["loaded"] = [r.to_json() for r in report.results]
        print_json(payload)
    else:
        out.print(f"[bold yellow]{SYNTHETIC_BANNER}[/]")
        out.print(f"Wrote {len(made.paths)} synthetic ISTV files ({made.rows:,} attendances, {len(made.sites)} sites, "
                  f"{first}–{last}, seed {made.seed}) to {out_dir}")
        if report is not None:
            accepted = sum(r.rows_accepted for r in report.results)
            quarantined = sum(r.rows_quarantined for r in report.results)
            out.print(f"Loaded {len(report.results)} files marked synthetic: {accepted:,} rows accepted, "
                      f"{quarantined:,} quarantined. Try 'vrhub cardiff' next.")
    if report is not None and not report.ok:
        for r in report.results:
            if r.error:
                out.print(f"[red]{r.source_file}: {r.error}[/]")
        raise typer.Exit(1)
